"""The scheduled close of council sessions and the attachment of their minutes (issue 6), run by a real Celery
worker process against the test database and the test run's Redis; and the close job run twice, side by side,
and on a session whose window has not ended."""

import shutil
import threading
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from audit.models import AuditEvent
from awards import minutes, tasks
from awards import sessions as services
from awards.models import AwardRuleSet, AwardType, CouncilSession, DossierDocument, Nomination, ReviewStage
from tests import factories
from tests.awards.test_review_pages import at_council
from tests.workers import through_worker, wait_for, worker  # noqa: F401 (the fixture)
from thiduakt.lib import permissions

State = CouncilSession.State
A, D = "agree", "disagree"


def two_thirds_rule(org):
    AwardRuleSet.objects.get_or_create(
        award_type=AwardType.objects.get(code="CSTD_TINH"),
        organisation=org.province,
        valid_from=date(2025, 1, 1),
        defaults={"vote_rule": {"secret": True, "threshold": "2/3", "base": "all", "quorum_pct": 0}},
    )


def open_session(org, secretariat, *, items=2, voters=3, ends_in_minutes=60):
    """An open session of accepted nominations in which every member voted; its window ends in `ends_in_minutes`
    (negative: it has ended)."""
    two_thirds_rule(org)
    members = [factories.add_member(org.council, factories.make_user()) for _i in range(voters)]
    stages = [at_council(org, state=ReviewStage.State.ACCEPTED) for _i in range(items)]
    now = timezone.now()
    session = services.session_create(
        by=secretariat,
        council=org.council,
        title="Phiên họp bỏ phiếu từ xa",
        meeting_on=timezone.localdate(),
        opens_at=now - timezone.timedelta(hours=2),
        closes_at=now + timezone.timedelta(hours=1),
        remote=True,
    )
    services.session_add_items(by=secretariat, session=session, stages=stages)
    services.session_open(by=secretariat, session=session)
    for index, member in enumerate(members):
        choices = {item.pk: A if index else D for item in session.items.all()}
        services.ballot_cast(by=member.user, session=session, choices=choices)
    CouncilSession.objects.filter(pk=session.pk).update(closes_at=now + timezone.timedelta(minutes=ends_in_minutes))
    return CouncilSession.objects.get(pk=session.pk), stages


def ended(org, secretariat, **kwargs):
    return open_session(org, secretariat, ends_in_minutes=-1, **kwargs)


# Without a worker -------------------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def test_the_close_job_closes_a_due_session_once_and_leaves_the_others(org, secretariat):
    due, stages = ended(org, secretariat)
    running, _running_stages = open_session(org, secretariat)
    assert tasks.close_due_sessions() == 1
    assert tasks.close_due_sessions() == 0
    assert CouncilSession.objects.get(pk=due.pk).state == State.CLOSED
    assert CouncilSession.objects.get(pk=running.pk).state == State.OPEN
    assert not running.items.filter(agree__isnull=False).exists()
    # By the scheduler: no actor; the nominations moved on (2 of 3 agree: exactly two thirds, passed).
    event = AuditEvent.objects.get(verb="session.closed", object_id=str(due.pk))
    assert event.actor is None
    assert {Nomination.objects.get(pk=s.nomination_id).state for s in stages} == {Nomination.State.IN_DECISION}
    assert AuditEvent.objects.filter(verb="session.closed").count() == 1


def test_a_session_the_secretariat_closed_first_is_skipped_quietly(org, secretariat):
    due, _stages = ended(org, secretariat)
    services.session_close(by=secretariat, session=due)
    assert tasks.close_due_sessions() == 0
    assert AuditEvent.objects.filter(verb="session.closed").count() == 1


def test_the_command_closes_what_is_due(org, secretariat, capsys):
    due, _stages = ended(org, secretariat)
    call_command("close_sessions")
    assert CouncilSession.objects.get(pk=due.pk).state == State.CLOSED
    assert "1" in capsys.readouterr().out
    call_command("close_sessions")
    assert "0" in capsys.readouterr().out


def test_the_close_is_scheduled_every_minute_and_expires_before_the_next_run():
    entry = settings.CELERY_BEAT_SCHEDULE["close-due-sessions"]
    assert entry["task"] == tasks.close_due_sessions.name == "awards.tasks.close_due_sessions"
    assert entry["schedule"] == 60.0 and entry["options"]["expires"] < 60


@pytest.mark.django_db(transaction=True)
def test_two_close_jobs_at_the_same_moment_close_once(org):
    secretariat = factories.make_user("secretariat_tx")
    permissions.grant_secretariat(secretariat, org.council)
    due, _stages = ended(org, secretariat, items=3, voters=5)
    barrier = threading.Barrier(2)
    outcomes = []

    def run():
        try:
            barrier.wait(timeout=10)
            outcomes.append(tasks.close_due_sessions())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == [0, 1]
    assert AuditEvent.objects.filter(verb="session.closed", object_id=str(due.pk)).count() == 1
    assert all(item.agree + item.disagree == 5 for item in due.items.all())


# With a worker ----------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_worker_closes_the_session_then_attaches_its_minutes_once(org, worker):  # noqa: F811
    secretariat = factories.make_user("secretariat_tx")
    permissions.grant_secretariat(secretariat, org.council)
    session, stages = ended(org, secretariat)
    documents = DossierDocument.objects.filter(file__startswith=minutes.session_prefix(session))
    try:
        assert through_worker(tasks.close_due_sessions) == 1
        assert CouncilSession.objects.get(pk=session.pk).state == State.CLOSED

        # The close queued the attachment after its commit; the same worker runs it next.
        assert wait_for(lambda: documents.count() == 2 * len(stages)), "the minutes were not attached"
        assert {(d.nomination_id, d.kind) for d in documents} == {
            (s.nomination_id, kind) for s in stages for kind in (DossierDocument.Kind.MINUTES, "tally_minutes")
        }
        assert len({d.file.name for d in documents}) == 2

        # Again: nothing more to close, nothing more to attach.
        before = (documents.count(), AuditEvent.objects.count())
        assert through_worker(tasks.close_due_sessions) == 0
        assert through_worker(tasks.attach_session_minutes, session.pk) == 0
        assert (documents.count(), AuditEvent.objects.count()) == before
        assert AuditEvent.objects.filter(verb="session.closed").count() == 1
        assert AuditEvent.objects.filter(verb="session.minutes_attached").count() == 1
    finally:
        shutil.rmtree(Path(settings.MEDIA_ROOT) / minutes.session_prefix(session), ignore_errors=True)
