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


# The demo's open session: its eight voting members vote (five agree, three disagree on every item; the
# recused nominee, if any, skips its item), the secretariat closes, and each item passes by majority.
VOTE = """
from django.contrib.auth import get_user_model
from awards import sessions
from awards.models import CouncilSession, Nomination
from organizations.models import CouncilMember
session = CouncilSession.objects.get(state="open")
voters = CouncilMember.objects.filter(pk__in=session.voter_ids).order_by("pk")
for index, member in enumerate(voters):
    choice = "agree" if index < 5 else "disagree"
    items = sessions.ballot_items(session, member)
    sessions.ballot_cast(by=member.user, session=session, choices={item.pk: choice for item in items})
sessions.session_close(by=get_user_model().objects.get(username="thuky.tinh"), session=session)
print(len(voters), *session.items.order_by("order").values_list("agree", flat=True))
on_agenda = Nomination.objects.filter(stages__agenda_items__session=session)
print(session.items.filter(passed=True).count(), on_agenda.filter(state="in_decision").count())
"""


REMINDERS = """
from notifications.models import Notification, ReminderDelivery
print(ReminderDelivery.objects.count(), Notification.objects.filter(kind="vote_closing").count())
"""


STATISTICS = """
from django.test.utils import setup_test_environment
setup_test_environment()  # response.context
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
settings.ALLOWED_HOSTS = ["testserver"]
client = Client()
client.force_login(get_user_model().objects.get(username="admin"))
response = client.get("/awards/statistics/", {"first_year": 2021, "last_year": 2025})
stats = response.context["stats"]
durations = stats.durations[0]
from awards.models import AwardRecord
records = AwardRecord.objects.filter(revoked=False, year__gte=2021, year__lte=2025).count()
print(response.status_code, stats.total(), records, durations.decided, durations.sent_median)
print(client.get("/awards/statistics/statistics.xlsx", {"first_year": 2021, "last_year": 2025}).status_code)
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

    # `make run` gives the reminders due: the open session's 8 voting members learn that the vote closes in 3
    # days, once however often the command runs (the claims are inserted with ON CONFLICT DO NOTHING on SQLite too).
    manage("send_reminders")
    manage("send_reminders")
    assert manage("shell", "--no-imports", "-c", REMINDERS).split() == ["8", "8"]

    # The statistics page (percentiles and reasons computed in Python on SQLite): the demo has one province, so
    # every award not revoked in the years is in its subtree; its six nominations passed by the provincial council
    # were received 10 days ago and decided 2 days ago. The workbook answers too.
    lines = manage("shell", "--no-imports", "-c", STATISTICS).split("\n")
    status, total, records, decided, median = lines[0].split()
    assert status == "200" and int(total) == int(records) > 1000 and (int(decided), float(median)) == (6, 8.0)
    assert lines[1] == "200"

    # Closing a session writes its results with multi-row statements (thiduakt.lib.bulk): SQLite takes them too.
    voters, *agrees, passed, in_decision = (int(n) for n in manage("shell", "--no-imports", "-c", VOTE).split())
    assert voters == 8 and agrees == [5] * 5 and passed == in_decision == 5
