"""Nominations for the secretariat benches: LĐTT of the first people of the demo province, proposed by their own
units, each with one review stage at the provincial council (the council whose secretariat is `thuky.tinh`).
Stages: about 60% in appraisal, 30% submitted, the rest accepted; due dates from 20 days ago to 40 days ahead.

Written once with bulk_create and marked by an audit event; a later run reuses them when the marker and the
row counts still match, and otherwise deletes what an interrupted run left and writes them again. The scenarios
that change states put them back, so the spread stays the same from run to run.
"""

import random
import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from awards.models import AwardType, Nomination, ReviewStage
from organizations.models import Council, Person
from thiduakt.lib import permissions

NOMINATIONS = 30_000
PER_SCALE = 1_000  # a demo at scale s gets min(NOMINATIONS, s × PER_SCALE): --quick (scale 1) writes 1,000
YEAR = 2025
AWARD = "LDTT"
SECRETARY = "thuky.tinh"
MARKER = "bench.nominations"
ACHIEVEMENT = "[bench] Hoàn thành xuất sắc nhiệm vụ được giao."  # how this module finds what it wrote
SEED = 2026
BATCH = 5_000


def count_for(scale: int) -> int:
    return min(NOMINATIONS, scale * PER_SCALE)


def province_council() -> Council:
    user = get_user_model().objects.get(username=SECRETARY)
    council = permissions.secretariat_councils(user).order_by("unit__path", "pk").first()
    if council is None:
        raise RuntimeError(f"{SECRETARY} is secretariat of no council: is this a seed_demo database?")
    return council


def ensure_nominations(count: int) -> dict:
    """Return the marker's data ({"nominations", "council", ...}), writing `count` nominations (fewer when the
    database has fewer people) when they are missing or incomplete."""
    from audit.models import AuditEvent

    council = province_council()
    people = list(Person.objects.order_by("pk").values_list("pk", "unit_id")[:count])
    marker = AuditEvent.objects.filter(verb=MARKER).order_by("-seq").values_list("data", flat=True).first()
    ours = Nomination.objects.filter(achievement=ACHIEVEMENT)
    if (
        marker
        and marker.get("nominations") == len(people)
        and marker.get("council") == council.pk
        and ours.count() == len(people)
        and ReviewStage.objects.filter(nomination__in=ours).count() == len(people)
    ):
        print(f"reusing the {len(people)} bench nominations")
        return marker
    started = time.perf_counter()
    print(f"writing {len(people)} bench nominations…", flush=True)
    with transaction.atomic():
        ours.delete()  # cascades to their stages
        states = _write(people, council)
        data = {"nominations": len(people), "council": council.pk, "year": YEAR, **states}
        data["seconds"] = round(time.perf_counter() - started, 1)
        from audit.services import audit_record

        audit_record(actor=None, verb=MARKER, data=data)
    with connection.cursor() as cursor:  # the planner's statistics, as autovacuum would leave them in production
        cursor.execute("ANALYZE awards_nomination, awards_reviewstage")
    print(f"bench nominations written in {data['seconds']} s: {data}")
    return data


def _write(people: list[tuple[int, int]], council: Council) -> dict:
    rng = random.Random(SEED)
    award_type = AwardType.objects.get(code=AWARD)
    now = timezone.now()
    plans = []
    for _pk, _unit in people:
        draw = rng.random()
        stage_state = (
            ReviewStage.State.IN_APPRAISAL
            if draw < 0.6
            else ReviewStage.State.SUBMITTED
            if draw < 0.9
            else ReviewStage.State.ACCEPTED
        )
        due = now + timedelta(days=rng.uniform(-20, 40))
        plans.append((stage_state, due))
    nomination_state = {
        ReviewStage.State.IN_APPRAISAL: Nomination.State.IN_APPRAISAL,
        ReviewStage.State.SUBMITTED: Nomination.State.SUBMITTED,
        ReviewStage.State.ACCEPTED: Nomination.State.IN_COUNCIL,
    }
    nominations = Nomination.objects.bulk_create(
        [
            Nomination(
                person_id=pk,
                award_type=award_type,
                year=YEAR,
                proposing_unit_id=unit,
                achievement=ACHIEVEMENT,
                state=nomination_state[state],
            )  # fmt: skip
            for (pk, unit), (state, _due) in zip(people, plans, strict=True)
        ],
        batch_size=BATCH,
    )
    ReviewStage.objects.bulk_create(
        [
            ReviewStage(
                nomination_id=nomination.pk,
                council=council,
                order=1,
                decides=True,
                state=state,
                due_at=due,
                received_at=None if state == ReviewStage.State.SUBMITTED else due - timedelta(days=30),
            )  # fmt: skip
            for nomination, (state, due) in zip(nominations, plans, strict=True)
        ],
        batch_size=BATCH,
    )
    return {state.value: sum(1 for s, _due in plans if s == state) for state in nomination_state}
