"""A council session for the ballot benches: up to 500 of the accepted bench nominations (bench/nominations.py)
on the agenda of the provincial council, and 25 bench members who vote on every item. The members are users
`bench.uyvien01`…`bench.uyvien25` (no password), added to the council once and kept; the session is deleted
after each run and its stages and nominations put back where they were, so a rerun measures the same thing."""

import threading
import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from awards import sessions as services
from awards.models import CouncilSession, Nomination, ReviewStage
from bench import nominations
from bench.context import ScenarioFailed
from organizations.models import CouncilMember

MEMBERS = 25
ITEMS = 500
TITLE = "[bench] Phiên họp xét khen thưởng"
CHOICES = ("agree", "agree", "disagree", "abstain")


def members(council) -> list[CouncilMember]:
    users = get_user_model()
    found = []
    for number in range(1, MEMBERS + 1):
        user, created = users.objects.get_or_create(
            username=f"bench.uyvien{number:02d}", defaults={"last_name": f"Ủy viên {number:02d}"}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        member = CouncilMember.objects.filter(council=council, user=user, end__isnull=True).first()
        found.append(member or CouncilMember.objects.create(council=council, user=user))
    return found


def open_session(scale: int) -> tuple[CouncilSession, list[CouncilMember], list[int]]:
    """A session of min(500, accepted bench stages) items, opened; returns it, the bench members and the item ids.
    Sessions a crashed run left behind are cleaned first.

    As in production, closing the session only queues its minutes for a worker: the bench has no broker, and
    tasks would run inline, so they are queued in memory instead. The task module (and WeasyPrint behind it) is
    imported beforehand, as a running web process has it."""
    from awards import tasks  # noqa: F401
    from thiduakt.celery import app

    app.conf.task_always_eager = False
    for session in CouncilSession.objects.filter(title=TITLE):
        cleanup(session)
    nominations.ensure_nominations(nominations.count_for(scale))
    council = nominations.province_council()
    voters = members(council)
    stages = list(
        ReviewStage.objects.filter(
            council=council,
            state=ReviewStage.State.ACCEPTED,
            nomination__state=Nomination.State.IN_COUNCIL,
            nomination__achievement=nominations.ACHIEVEMENT,
        ).order_by("pk")[:ITEMS]
    )
    if not stages:
        raise ScenarioFailed("no accepted bench stages to put on a session's agenda")
    secretary = get_user_model().objects.get(username=nominations.SECRETARY)
    now = timezone.now()
    session = services.session_create(
        by=secretary,
        council=council,
        title=TITLE,
        meeting_on=timezone.localdate(),
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(hours=1),
    )
    services.session_add_items(by=secretary, session=session, stages=stages)
    session = services.session_open(by=secretary, session=session)
    return session, voters, list(session.items.order_by("order").values_list("pk", flat=True))


def choices_of(index: int, item_ids: list[int]) -> dict[int, str]:
    return {item_id: CHOICES[(index + position) % len(CHOICES)] for position, item_id in enumerate(item_ids)}


def cast_at_once(session: CouncilSession, voters: list[CouncilMember], item_ids: list[int]) -> tuple[float, list]:
    """Every voter casts a whole ballot from its own thread and database connection, all released at the same
    moment by a barrier; returns the wall time from the release to the last commit, and the errors."""
    barrier = threading.Barrier(len(voters) + 1)
    errors = []

    def vote(index: int, member: CouncilMember) -> None:
        try:
            choices = choices_of(index, item_ids)
            barrier.wait(timeout=30)
            services.ballot_cast(by=member.user, session=CouncilSession(pk=session.pk), choices=choices)
        except Exception as error:  # reported by the scenario, never swallowed
            errors.append(f"{member.user.username}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(index, member)) for index, member in enumerate(voters)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=30)
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout=120)
    return time.perf_counter() - started, errors


def expected_agree(voters: int, item_ids: list[int]) -> int:
    return sum(
        1 for index in range(voters) for position in range(len(item_ids)) if CHOICES[(index + position) % 4] == "agree"
    )


def cleanup(session: CouncilSession) -> None:
    """Delete the session and put its stages and nominations back to accepted / waiting for the council."""
    stage_ids = list(session.items.values_list("stage_id", flat=True))
    with transaction.atomic():
        session.delete()
        ReviewStage.objects.filter(pk__in=stage_ids).update(
            state=ReviewStage.State.ACCEPTED, decided_at=None, reason=[]
        )
        Nomination.objects.filter(stages__pk__in=stage_ids).update(state=Nomination.State.IN_COUNCIL)
