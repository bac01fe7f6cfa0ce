"""thiduakt.lib.bulk writes what the ORM would have written: every type the close of a session stores (text,
JSON, booleans and NULL, integers, timestamps, UUID keys), each row with its own values."""

import uuid

import pytest
from django.utils import timezone

from awards.models import AgendaItem, BallotPaper, Nomination, ReviewStage
from awards.sessions import session_create
from tests.awards.test_review_pages import at_council
from thiduakt.lib import bulk

pytestmark = pytest.mark.django_db


def test_update_rows_writes_each_row_its_own_values(org, secretariat):
    stages = [at_council(org, state=ReviewStage.State.ACCEPTED) for _i in range(3)]
    when = timezone.now().replace(microsecond=0)
    stages[0].state, stages[0].reason, stages[0].decided_at = "passed", [], when
    stages[1].state, stages[1].reason, stages[1].decided_at = (
        "failed",
        [{"document": "", "text": "4/7 — chưa đạt"}],
        when,
    )
    stages[2].state, stages[2].reason, stages[2].decided_at = (
        "failed",
        [{"document": "x", "text": 'Lý do\n"khác"'}],
        None,
    )
    untouched = at_council(org, state=ReviewStage.State.ACCEPTED)

    assert bulk.update_rows(stages, ["state", "reason", "decided_at"], batch=2) == 3

    got = {s.pk: (s.state, s.reason, s.decided_at) for s in ReviewStage.objects.all()}
    assert got[stages[0].pk] == ("passed", [], when)
    assert got[stages[1].pk] == ("failed", [{"document": "", "text": "4/7 — chưa đạt"}], when)
    assert got[stages[2].pk] == ("failed", [{"document": "x", "text": 'Lý do\n"khác"'}], None)
    assert got[untouched.pk] == ("accepted", [], None)
    assert Nomination.objects.filter(state=Nomination.State.IN_COUNCIL).count() == 4


def test_update_rows_with_null_booleans_and_counts(org, secretariat):
    now = timezone.now()
    session = session_create(
        by=secretariat, council=org.council, title="Phiên", meeting_on=now.date(), opens_at=now,
        closes_at=now + timezone.timedelta(hours=1),
    )  # fmt: skip
    items = [
        AgendaItem.objects.create(session=session, stage=at_council(org, state="accepted"), order=n) for n in (1, 2)
    ]
    items[0].passed, items[0].agree, items[0].active, items[0].result_note = None, 3, False, "Không đủ túc số"
    items[1].passed, items[1].agree, items[1].active, items[1].result_note = True, 5, False, "5/7"
    bulk.update_rows(items, ["passed", "agree", "active", "result_note"])
    assert list(AgendaItem.objects.order_by("order").values_list("passed", "agree", "active", "result_note")) == [
        (None, 3, False, "Không đủ túc số"),
        (True, 5, False, "5/7"),
    ]


def test_insert_rows_in_batches(org, secretariat):
    now = timezone.now()
    session = session_create(
        by=secretariat, council=org.council, title="Phiên", meeting_on=now.date(), opens_at=now,
        closes_at=now + timezone.timedelta(hours=1),
    )  # fmt: skip
    item = AgendaItem.objects.create(session=session, stage=at_council(org, state="accepted"), order=1)
    keys = [uuid.uuid4() for _i in range(5)]
    rows = [
        (key, session.pk, item.pk, choice)
        for key, choice in zip(keys, "agree agree disagree abstain agree".split(), strict=True)
    ]
    assert bulk.insert_rows(BallotPaper, ["id", "session", "item", "choice"], rows, batch=2) == 5
    assert sorted(BallotPaper.objects.values_list("id", "choice")) == sorted((k, c) for k, _s, _i, c in rows)
