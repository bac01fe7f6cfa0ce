"""`make bench`: build province-scale data once, time every scenario, print a table, write results.json.

    python -m bench.run [--scale N] [--rebuild] [--only SCENARIO] [--quick] [--output PATH]

The database named by DATABASE_URL (default: the local thiduakt_bench) is created when missing and
seeded with `seed_demo --scale N` unless the last seeding recorded in its audit trail was at that scale
and the unit count still matches; `--rebuild` drops and recreates it. `--quick` (scale 1, 5 iterations)
is the mode the test suite runs.

Pages are requested in process through django.test.Client with production settings (DEBUG off,
manifest static files collected under bench/.cache/static) and the in-process cache, so that the
numbers measure the application, not a network.
"""

import argparse
import json
import os
import sys
import time
import traceback
from pathlib import Path
from urllib.parse import unquote, urlparse

BENCH_DIR = Path(__file__).resolve().parent
CACHE_DIR = BENCH_DIR / ".cache"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/thiduakt_bench"
DEFAULT_SCALE = 30
SEED = 2026
STATIC_IGNORE = ["CVS", ".*", "*~"]  # collectstatic's default ignore patterns


class BenchError(Exception):
    """The harness cannot run as asked; the message says what to do."""


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=None, help=f"seed_demo scale (default {DEFAULT_SCALE})")
    parser.add_argument("--rebuild", action="store_true", help="drop and recreate the bench database first")
    parser.add_argument("--only", action="append", metavar="SCENARIO", help="run only this scenario (repeatable)")
    parser.add_argument("--quick", action="store_true", help="scale 1 and 5 iterations: a smoke run for tests")
    parser.add_argument("--iterations", type=int, default=None, help="timed requests per measurement (default 30)")
    parser.add_argument("--warmups", type=int, default=3, help="untimed requests before timing (default 3)")
    parser.add_argument("--output", type=Path, default=BENCH_DIR / "results.json", help="where to write the rows")
    args = parser.parse_args(argv)
    args.scale = args.scale or (1 if args.quick else DEFAULT_SCALE)
    args.iterations = args.iterations or (5 if args.quick else 30)
    if args.scale < 1 or args.iterations < 1 or args.warmups < 0:
        parser.error("--scale and --iterations must be positive, --warmups not negative")
    return args


def configure_environment() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thiduakt.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECURE_HTTPS", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz")
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("STATIC_ROOT", str(CACHE_DIR / "static"))
    os.environ.pop("REDIS_URL", None)  # locmem cache: see the module docstring


def prepare_database(url: str, *, rebuild: bool) -> None:
    """Create the PostgreSQL database when missing (drop it first with `rebuild`); for SQLite, delete the
    file on `rebuild` and let the first connection create it."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        if rebuild:
            from django.conf import settings

            Path(settings.DATABASES["default"]["NAME"]).unlink(missing_ok=True)
        return
    import psycopg2
    from psycopg2 import sql

    name = unquote(parsed.path.lstrip("/"))
    server = {
        "dbname": "postgres",
        "user": unquote(parsed.username or "") or None,
        "password": unquote(parsed.password or "") or None,
        "host": parsed.hostname or None,
        "port": parsed.port or None,
    }
    connection = psycopg2.connect(**{key: value for key, value in server.items() if value is not None})
    connection.autocommit = True  # CREATE/DROP DATABASE refuse to run inside a transaction
    try:
        with connection.cursor() as cursor:
            if rebuild:
                cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"created database {name}")
    finally:
        connection.close()


def ensure_data(scale: int) -> None:
    from django.core.management import call_command

    from audit.models import AuditEvent
    from organizations.models import Unit

    seeded = AuditEvent.objects.filter(verb="demo.seeded").order_by("-seq").values_list("data", flat=True).first()
    units = Unit.objects.count()
    if seeded and seeded.get("scale") == scale and seeded.get("units") == units:
        print(f"reusing the data seeded at scale {scale} ({units} units, {seeded.get('people')} people)")
        return
    if units:
        found = f"seeded at scale {seeded.get('scale')}" if seeded else "not made by seed_demo"
        raise BenchError(f"the database holds {units} units ({found}), not scale {scale}: run with --rebuild")
    print(f"seeding at scale {scale}…", flush=True)
    started = time.perf_counter()
    call_command("seed_demo", scale=scale, seed=SEED)
    print(f"seeded in {time.perf_counter() - started:.1f} s")


def ensure_static() -> None:
    """Collect static files when the manifest is missing or older than a source: with DEBUG off, every
    {% static %} tag reads the manifest. Collecting (with compression) takes ~20 s, so it is skipped
    when nothing changed."""
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.management import call_command

    if not hasattr(staticfiles_storage, "manifest_name"):
        return
    manifest = Path(settings.STATIC_ROOT) / staticfiles_storage.manifest_name
    sources = {
        path: Path(storage.path(path))
        for finder in finders.get_finders()
        for path, storage in finder.list(STATIC_IGNORE)
    }
    if manifest.exists():
        collected = json.loads(manifest.read_text()).get("paths", {})
        newest = max((source.stat().st_mtime for source in sources.values()), default=0)
        if set(sources) <= set(collected) and newest <= manifest.stat().st_mtime:
            return
    print("collecting static files…", flush=True)
    call_command("collectstatic", interactive=False, verbosity=0)


def run_scenarios(scenarios: dict, context) -> tuple[list[dict], list[str]]:
    from bench.context import ScenarioFailed

    rows, failures = [], []
    for name, module in scenarios.items():
        try:
            scenario_rows = module.run(context)
        except ScenarioFailed as error:
            failures.append(str(error))
            continue
        except Exception:
            failures.append(f"{name}: crashed\n{traceback.format_exc()}")
            continue
        bad = [row for row in scenario_rows if set(row) != {"scenario", "metric", "value", "unit"}]
        if not scenario_rows or bad:
            failures.append(f"{name}: returned no rows or malformed rows {bad[:1]}")
            continue
        rows += scenario_rows
    return rows, failures


def format_table(rows: list[dict]) -> str:
    header = {"scenario": "scenario", "metric": "metric", "value": "value", "unit": "unit"}
    cells = [header] + [{**row, "value": format_value(row["value"])} for row in rows]
    widths = {key: max(len(str(cell[key])) for cell in cells) for key in header}
    lines = []
    for index, cell in enumerate(cells):
        lines.append(
            f"{cell['scenario']:<{widths['scenario']}}  {cell['metric']:<{widths['metric']}}  "
            f"{cell['value']:>{widths['value']}}  {cell['unit']}"
        )
        if index == 0:
            lines.append("  ".join("-" * widths[key] for key in header))
    return "\n".join(lines)


def format_value(value) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    configure_environment()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from bench.context import BenchContext
    from bench.scenarios import discover

    # django.test.Client sends Host: testserver, as the test runner allows it.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    scenarios = discover()
    unknown = sorted(set(args.only or []) - set(scenarios))
    if unknown:
        print(f"unknown scenario(s) {', '.join(unknown)}; known: {', '.join(scenarios)}", file=sys.stderr)
        return 2
    if args.only:
        scenarios = {name: module for name, module in scenarios.items() if name in args.only}

    try:
        prepare_database(os.environ["DATABASE_URL"], rebuild=args.rebuild)
        call_command("migrate", interactive=False, verbosity=0)
        ensure_data(args.scale)
        ensure_static()
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2

    context = BenchContext(scale=args.scale, iterations=args.iterations, warmups=args.warmups)
    rows, failures = run_scenarios(scenarios, context)
    if rows:
        print(format_table(rows))
    if failures:
        print("\nFAILED (no results written):", file=sys.stderr)
        for failure in failures:
            print(f"  {failure}", file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    print(f"\n{len(rows)} rows written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
