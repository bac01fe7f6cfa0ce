"""`make bench` in quick mode, as a developer runs it: a subprocess against its own PostgreSQL database."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import psycopg2
import pytest
from django.conf import settings
from psycopg2 import sql

BENCH_DB = "thiduakt_bench_test"
PAGE_SCENARIOS = {"unit_tree_page", "person_search_page", "secretariat_list_page", "search_page"}
SCENARIOS = PAGE_SCENARIOS | {"eligibility_batch", "bulk_accept_1000", "ballots_concurrent", "session_close_12500"}
SCENARIOS |= {"certificates_batch", "reminder_pass"}
SCENARIOS |= {"statistics_page"}


def _server():
    """Connection arguments for the server that holds the test database, on its `postgres` database."""
    url = urlparse(os.environ["DATABASE_URL"])
    return {
        "dbname": "postgres",
        "user": url.username or "postgres",
        "host": url.hostname or "127.0.0.1",
        "port": url.port or 5432,
        **({"password": url.password} if url.password else {}),
    }


def _drop_bench_database():
    connection = psycopg2.connect(**_server())
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(BENCH_DB)))
    finally:
        connection.close()


@pytest.fixture
def bench_env():
    _drop_bench_database()
    server = _server()
    auth = f"{server['user']}:{server['password']}" if "password" in server else server["user"]
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "REDIS_URL", "SECRET_KEY", "DEBUG", "SECURE_HTTPS"}
    }
    env["DATABASE_URL"] = f"postgres://{auth}@{server['host']}:{server['port']}/{BENCH_DB}"
    yield env
    _drop_bench_database()


def run_bench(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "bench.run", *args],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_quick_run_measures_every_scenario(bench_env, tmp_path):
    output = tmp_path / "results.json"
    result = run_bench(bench_env, "--quick", "--output", str(output))
    assert result.returncode == 0, result.stdout + result.stderr

    rows = json.loads(output.read_text())
    assert {row["scenario"] for row in rows} == SCENARIOS
    for row in rows:
        assert set(row) == {"scenario", "metric", "value", "unit"}
        assert isinstance(row["value"], int | float) and row["value"] > 0, row
    for scenario in PAGE_SCENARIOS:
        metrics = {row["metric"] for row in rows if row["scenario"] == scenario}
        page_metrics = {metric.rsplit(".", 1)[1] for metric in metrics if not metric.startswith("first_page.")}
        assert page_metrics == {"server_ms_p50", "server_ms_p95", "queries", "response_size"}
    batch = {row["metric"].rsplit(".", 1)[-1] for row in rows if row["scenario"] == "eligibility_batch"}
    assert {"seconds", "queries", "per_second", "ratio_vs_naive"} <= batch
    bulk = {row["metric"]: row["value"] for row in rows if row["scenario"] == "bulk_accept_1000"}
    assert bulk["stages"] == 100 and {"seconds", "queries", "per_second", "ratio_vs_naive"} <= set(bulk)
    ballots = {row["metric"]: row["value"] for row in rows if row["scenario"] == "ballots_concurrent"}
    assert ballots["members"] == 25 and ballots["votes"] == ballots["counted_at_close"] == 25 * ballots["items"]
    close = {row["metric"]: row["value"] for row in rows if row["scenario"] == "session_close_12500"}
    assert close["votes"] == 25 * close["items"] and {"seconds", "queries", "ratio_vs_naive"} <= set(close)
    certs = {row["metric"]: row["value"] for row in rows if row["scenario"] == "certificates_batch"}
    assert certs["certificates"] == 200 and {"seconds", "per_second", "ratio_vs_naive", "peak_mib"} <= set(certs)
    assert certs["peak_mib"] < 1536
    passes = {row["metric"]: row["value"] for row in rows if row["scenario"] == "reminder_pass"}
    kinds = {metric for metric in passes if metric.startswith("written.")}
    assert len(kinds) >= 6 and sum(passes[kind] for kind in kinds) == passes["reminders_written"]
    assert passes["second_pass_exactly_once"] is True and {"seconds", "queries", "ratio_vs_naive"} <= set(passes)
    stats = {row["metric"]: row["value"] for row in rows if row["scenario"] == "statistics_page"}
    assert {"province.server_ms_p95", "department_officer.server_ms_p95"} <= set(stats)
    assert stats["province.queries"] <= 25 and stats["awards_counted"] > 0 and stats["stages_decided"] > 0
    lists = {row["metric"].split(".")[0] for row in rows if row["scenario"] == "secretariat_list_page"}
    assert lists == {"all", "overdue", "in_appraisal", "first_page"}
    table = result.stdout
    assert "person_search_page" in table and "unit_tree_page" in table and "server_ms_p95" in table

    # A second run reuses the data instead of seeding again.
    again = run_bench(bench_env, "--quick", "--only", "unit_tree_page", "--output", str(output))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "reusing the data seeded at scale 1" in again.stdout
    assert {row["scenario"] for row in json.loads(output.read_text())} == {"unit_tree_page"}


def test_an_unknown_scenario_is_refused(bench_env, tmp_path):
    output = tmp_path / "results.json"
    result = run_bench(bench_env, "--quick", "--only", "no_such_page", "--output", str(output))
    assert result.returncode != 0
    assert "no_such_page" in result.stderr
    assert not output.exists()


@pytest.mark.django_db
def test_a_page_that_does_not_answer_200_fails_instead_of_giving_a_number(client, admin_user):
    from bench.context import BenchContext, ScenarioFailed

    client.force_login(admin_user)
    context = BenchContext(scale=1, iterations=1, warmups=0)
    with pytest.raises(ScenarioFailed, match="answered 404"):
        context.measure_get("unit_page", "admin", client, "/units/999999999/")
