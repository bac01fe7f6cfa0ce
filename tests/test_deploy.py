"""The production configuration: `.env.example` lists every variable settings.py reads, and with its values
(plus a real secret key) Django's deployment checks find nothing to warn about."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.utils import get_random_secret_key

ROOT = Path(settings.BASE_DIR)
ENV_LINE = re.compile(r"^\s*#?\s*([A-Z][A-Z0-9_]*)=(.*)$")
ENV_HELPERS = {"envbool", "envint", "envlist", "getenv"}


def example_values() -> dict[str, str]:
    """NAME=value lines of .env.example as docker-compose reads them: no quotes, the value runs to the end."""
    values = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value
    return values


def documented_names() -> set[str]:
    """Every NAME= in .env.example, commented out or not."""
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    return {match.group(1) for line in lines if (match := ENV_LINE.match(line))}


def names_read_by_settings() -> set[str]:
    """First string argument of envbool/envint/envlist/os.environ.get/os.getenv, and os.environ["NAME"]."""
    tree = ast.parse((ROOT / "thiduakt" / "settings.py").read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            called = ast.unparse(node.func)
            if called.split(".")[-1] in ENV_HELPERS or called == "os.environ.get":
                names.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            if isinstance(node.slice, ast.Constant):
                names.add(node.slice.value)
    return {name for name in names if isinstance(name, str) and name.isupper()}


def test_env_example_lists_every_variable_that_settings_reads():
    read = names_read_by_settings()
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "SECURE_HTTPS", "EMAIL_PORT"} <= read, "parser works"
    missing = sorted(read - documented_names())
    assert not missing, f"add these to .env.example with a production value and a comment: {missing}"


def check_deploy(**overrides) -> subprocess.CompletedProcess:
    """manage.py check --deploy in a fresh process whose environment is .env.example plus overrides only."""
    env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", **example_values()}
    env.update(
        SECRET_KEY=get_random_secret_key(),
        # Point at the local services of the test suite, so that nothing reaches for the compose host names.
        DATABASE_URL=os.environ["DATABASE_URL"],
        REDIS_URL=os.environ["REDIS_URL"],
    )
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_env_example_passes_the_deployment_checks():
    assert len(get_random_secret_key()) == 50
    result = check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_check_catches_a_weakened_setting():
    result = check_deploy(SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


def test_env_example_leaves_the_secret_key_empty_so_a_forgotten_key_stops_the_app():
    assert example_values()["SECRET_KEY"] == ""
    result = check_deploy(SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
