"""`make run` uses SQLite: migrations, the demo data and the accent-insensitive search must work there too."""

import os
import subprocess
import sys

from django.conf import settings

SEARCH = """
from django.contrib.auth import get_user_model
from organizations.views.people import people_search
admin = get_user_model().objects.get(username="admin")
officer = get_user_model().objects.get(username="canbo.sgd")
print(people_search(admin, query="nguyen thi hoa").count(), people_search(officer, query="nguyen thi hoa").count())
"""


def test_demo_on_sqlite_migrates_seeds_and_searches_without_accents(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "DEBUG": "true",
        "SECURE_HTTPS": "false",
        "DJANGO_SETTINGS_MODULE": "thiduakt.settings",
    }
    env.pop("REDIS_URL", None)

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    manage("migrate", "--noinput")
    printed = manage("seed_demo", "--if-empty")
    assert "canbo.sgd" in printed and "thiduakt2026" in printed
    everyone, officer_only = (int(n) for n in manage("shell", "--no-imports", "-c", SEARCH).split())
    assert everyone >= 1
    assert 1 <= officer_only <= everyone
