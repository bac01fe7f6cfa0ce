"""Council sessions and the secret ballot (issue 6): the flow, the refusals, the secrecy of the papers in
PostgreSQL (system columns included) and ballots cast at the same moment."""

import threading
import time
import uuid
from datetime import date

import pytest
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from awards import sessions as services
from awards.models import (
    AgendaItem,
    AwardRuleSet,
    AwardType,
    Ballot,
    BallotPaper,
    CouncilSession,
    Nomination,
    Recusal,
    ReviewStage,
    SessionAttendance,
)
from awards.sessions import SessionError
from tests import factories
from tests.awards.test_review_pages import at_council
from thiduakt.lib import permissions

State = Nomination.State
TWO_THIRDS_OF_ALL = {"secret": True, "threshold": "2/3", "base": "all", "quorum_pct": 0}


def two_thirds_rule(org, **overrides):
    AwardRuleSet.objects.create(
        award_type=AwardType.objects.get(code="CSTD_TINH"),
        organisation=org.province,
        valid_from=date(2025, 1, 1),
        vote_rule={**TWO_THIRDS_OF_ALL, **overrides},
    )


def council_members(org, count):
    return [factories.add_member(org.council, factories.make_user()) for _i in range(count)]


def draft_session(org, secretariat, stages, **window):
    now = timezone.now()
    session = services.session_create(
        by=secretariat,
        council=org.council,
        title="Phiên họp xét khen thưởng năm 2025",
        meeting_on=timezone.localdate(),
        opens_at=window.get("opens_at", now - timezone.timedelta(minutes=1)),
        closes_at=window.get("closes_at", now + timezone.timedelta(hours=2)),
    )
    services.session_add_items(by=secretariat, session=session, stages=stages)
    return session


def items_of(session):
    return list(AgendaItem.objects.filter(session=session).order_by("order"))


def cast_all(session, members, votes):
    """votes[m][i]: member m's choice on item i; None where the member is recused."""
    items = items_of(session)
    for member, row in zip(members, votes, strict=True):
        choices = {item.pk: choice for item, choice in zip(items, row, strict=True) if choice is not None}
        services.ballot_cast(by=member.user, session=CouncilSession(pk=session.pk), choices=choices)


A, D, N = "agree", "disagree", "abstain"
# 7 members × 5 items. Member 0 is the nominee of item 4 (index 3).
VOTES = [
    [A, A, A, None, D],
    [A, A, A, A, D],
    [A, A, A, A, D],
    [A, A, A, A, A],
    [A, A, D, D, N],
    [A, D, D, D, N],
    [A, D, D, N, D],
]


@pytest.fixture
def seven(org, secretariat):
    """A session of 5 accepted nominations before a council of 7 voting members, the first of whom is the
    nominee of the fourth item; a two-thirds-of-all-members rule."""
    two_thirds_rule(org)
    members = council_members(org, 7)
    stages = [at_council(org, state=ReviewStage.State.ACCEPTED) for _i in range(5)]
    nominee = stages[3].nomination.person
    nominee.user = members[0].user
    nominee.save(update_fields=["user"])
    factories.add_member(org.council, factories.make_user(), voting=False)  # a non-voting secretary
    session = draft_session(org, secretariat, stages)
    return session, members, stages


def test_the_whole_flow_two_thirds_of_all_members(seven, secretariat):
    session, members, stages = seven
    assert services.session_progress(session) == (0, 7)
    session = services.session_open(by=secretariat, session=session)
    items = items_of(session)
    assert session.state == CouncilSession.State.OPEN and len(session.voter_ids) == 7
    assert all(item.vote_rule == {"secret": True, "base": "all", "threshold": "2/3", "quorum": "0/1"} for item in items)
    recusal = Recusal.objects.get()
    assert (recusal.item_id, recusal.member_id, recusal.automatic) == (items[3].pk, members[0].pk, True)

    cast_all(session, members[:5], VOTES[:5])
    # While open: how many voted, nothing else; no item carries a count.
    assert services.session_progress(session) == (5, 7)
    assert AgendaItem.objects.filter(session=session, agree__isnull=False).count() == 0
    cast_all(session, members[5:], VOTES[5:])

    session = services.session_close(by=secretariat, session=session)
    assert session.state == CouncilSession.State.CLOSED
    results = [(i.agree, i.disagree, i.abstain, i.eligible_voters, i.passed) for i in items_of(session)]
    assert results == [
        (7, 0, 0, 7, True),
        (5, 2, 0, 7, True),  # 5 of 7 reaches two thirds
        (4, 3, 0, 7, False),  # 4 of 7 does not
        (3, 2, 1, 6, False),  # recused nominee: base 6, 3 < 4
        (1, 4, 2, 7, False),
    ]
    states = [Nomination.objects.get(pk=s.nomination_id).state for s in stages]
    assert states == [State.IN_DECISION, State.IN_DECISION, State.NOT_APPROVED, State.NOT_APPROVED, State.NOT_APPROVED]
    failed = ReviewStage.objects.get(pk=stages[2].pk)
    assert failed.state == ReviewStage.State.FAILED
    expected = _("%(agree)s/%(base)s members agreed, short of %(threshold)s.")
    assert failed.reason == [{"document": "", "text": expected % {"agree": 4, "base": 7, "threshold": "2/3"}}]
    event = AuditEvent.objects.get(verb="nomination.passed", object_id=str(stages[1].nomination_id))
    assert {k: event.data[k] for k in ("agree", "disagree", "abstain", "eligible_voters")} == {
        "agree": 5,
        "disagree": 2,
        "abstain": 0,
        "eligible_voters": 7,
    }
    # The stages are free again for another session's agenda only through a new acceptance; the items are inactive.
    assert not AgendaItem.objects.filter(session=session, active=True).exists()


def test_present_base_and_a_recused_item_at_four_of_six(org, secretariat):
    """A two-thirds rule on the members who voted: 4 agree of the 6 papers with the item is exactly 2/3."""
    two_thirds_rule(org, base="present")
    members = council_members(org, 7)
    stage = at_council(org, state=ReviewStage.State.ACCEPTED)
    session = services.session_open(by=secretariat, session=draft_session(org, secretariat, [stage]))
    cast_all(session, members[:6], [[A], [A], [A], [A], [D], [N]])
    services.session_close(by=secretariat, session=session)
    (item,) = items_of(session)
    assert (item.agree, item.eligible_voters, item.passed) == (4, 6, True)


def test_no_quorum_decides_nothing(org, secretariat):
    two_thirds_rule(org, quorum="2/3")
    members = council_members(org, 6)
    stage = at_council(org, state=ReviewStage.State.ACCEPTED)
    session = draft_session(org, secretariat, [stage])
    services.session_set_attendance(by=secretariat, session=session, members=members[:2])
    session = services.session_open(by=secretariat, session=session)
    cast_all(session, members[1:3], [[A], [A]])  # present or voted: members 0, 1, 2 → 3 of 6 < 2/3
    session = services.session_close(by=secretariat, session=session)
    (item,) = items_of(session)
    assert item.passed is None and item.agree == 2
    assert "3/6 thành viên tham gia" in session.result_note and "3/6 thành viên tham gia" in item.result_note
    assert Nomination.objects.get(pk=stage.nomination_id).state == State.IN_COUNCIL
    assert ReviewStage.objects.get(pk=stage.pk).state == ReviewStage.State.ACCEPTED
    # The nomination may go on a new session.
    assert items_of(draft_session(org, secretariat, [stage]))[0].stage_id == stage.pk


def test_a_scheduled_close_waits_for_the_end_of_the_window(seven, secretariat):
    session, members, _stages = seven
    session = services.session_open(by=secretariat, session=session)
    with pytest.raises(SessionError):
        services.session_close(by=None, session=session)
    CouncilSession.objects.filter(pk=session.pk).update(
        opens_at=timezone.now() - timezone.timedelta(hours=3), closes_at=timezone.now() - timezone.timedelta(hours=1)
    )
    assert services.session_close(by=None, session=session).state == CouncilSession.State.CLOSED


def snapshot():
    return (
        Ballot.objects.count(),
        BallotPaper.objects.count(),
        sorted(BallotPaper.objects.values_list("item_id", "choice")),
        list(AgendaItem.objects.order_by("pk").values_list("stage_id", "order", "active")),
        list(SessionAttendance.objects.order_by("pk").values_list("member_id", flat=True)),
        list(Recusal.objects.order_by("pk").values_list("item_id", "member_id")),
        AuditEvent.objects.count(),
    )


def refused(action, message=None):
    before = snapshot()
    with pytest.raises(SessionError) as error:
        action()
    assert snapshot() == before
    if message is not None:
        assert message in str(error.value)


def test_refusals_change_nothing(org, seven, secretariat):
    session, members, stages = seven
    items = items_of(session)
    outsider = factories.make_user("outsider_secretariat")
    permissions.grant_secretariat(outsider, factories.make_council(org.unit_b))
    other_stage = at_council(org, state=ReviewStage.State.ACCEPTED)
    # Draft: an outsider secretariat can do nothing; a ballot is refused before the vote opens.
    refused(lambda: services.session_add_items(by=outsider, session=session, stages=[other_stage]))
    refused(lambda: services.session_set_attendance(by=outsider, session=session, members=members))
    refused(lambda: services.session_open(by=outsider, session=session))
    refused(lambda: services.ballot_cast(by=members[1].user, session=session, choices={}))
    # Stages that cannot be voted on: not accepted, at another council, on another session.
    refused(lambda: services.session_add_items(by=secretariat, session=session, stages=[at_council(org)]))
    elsewhere = at_council(org, factories.make_council(org.unit_b), state=ReviewStage.State.ACCEPTED)
    refused(lambda: services.session_add_items(by=secretariat, session=session, stages=[elsewhere]))
    second = services.session_create(
        by=secretariat,
        council=org.council,
        title="Phiên khác",
        meeting_on=timezone.localdate(),
        opens_at=timezone.now(),
        closes_at=timezone.now() + timezone.timedelta(hours=1),
    )
    refused(lambda: services.session_add_items(by=secretariat, session=second, stages=[stages[0]]), "Phiên họp")
    Nomination.objects.filter(pk=other_stage.nomination_id).update(state=State.ON_HOLD, held_from=State.IN_COUNCIL)
    refused(lambda: services.session_add_items(by=secretariat, session=session, stages=[other_stage]))

    services.session_open(by=secretariat, session=session)
    # Open: agenda, attendance, recusals and the opening itself are frozen.
    Nomination.objects.filter(pk=other_stage.nomination_id).update(state=State.IN_COUNCIL, held_from="")
    refused(lambda: services.session_add_items(by=secretariat, session=session, stages=[other_stage]))
    refused(lambda: services.session_remove_item(by=secretariat, item=items[0]))
    refused(lambda: services.session_set_attendance(by=secretariat, session=session, members=members))
    refused(lambda: services.session_declare_recusal(by=secretariat, item=items[0], member=members[1], reason="x"))
    refused(lambda: services.session_open(by=secretariat, session=session))
    refused(lambda: services.session_close(by=outsider, session=session))
    # Ballots: incomplete, extra item, a recused item, a bad value, a non-member, a non-voting member.
    full = {item.pk: A for item in items}
    without_recused = {item.pk: A for item in items[:3] + items[4:]}
    refused(lambda: services.ballot_cast(by=members[1].user, session=session, choices=without_recused))
    refused(lambda: services.ballot_cast(by=members[1].user, session=session, choices={**full, 999999: A}))
    refused(lambda: services.ballot_cast(by=members[0].user, session=session, choices=full))
    refused(lambda: services.ballot_cast(by=members[1].user, session=session, choices={**full, items[0].pk: "yes"}))
    refused(lambda: services.ballot_cast(by=outsider, session=session, choices=full))
    secretary = org.council.members.get(voting=False).user
    refused(lambda: services.ballot_cast(by=secretary, session=session, choices=full))
    # A member added after the opening does not vote in this session.
    late = factories.add_member(org.council, factories.make_user())
    refused(lambda: services.ballot_cast(by=late.user, session=session, choices=full))

    services.ballot_cast(by=members[1].user, session=session, choices=full)
    refused(
        lambda: services.ballot_cast(by=members[1].user, session=session, choices=full),
        _("You have already voted in this session: a ballot is final."),
    )
    services.session_close(by=secretariat, session=session)
    refused(lambda: services.ballot_cast(by=members[2].user, session=session, choices=full))
    refused(lambda: services.session_close(by=secretariat, session=session))


def test_a_ballot_outside_the_window_is_refused(seven, secretariat):
    session, members, _stages = seven
    session = services.session_open(by=secretariat, session=session)
    CouncilSession.objects.filter(pk=session.pk).update(
        closes_at=timezone.now() - timezone.timedelta(seconds=1), opens_at=timezone.now() - timezone.timedelta(hours=1)
    )
    choices = {item.pk: A for item in items_of(session)}
    with pytest.raises(SessionError):
        services.ballot_cast(by=members[1].user, session=session, choices=choices)
    assert not Ballot.objects.exists()


def test_no_function_returns_counts_before_close():
    public = [name for name in dir(services) if not name.startswith("_") and callable(getattr(services, name))]
    readers = {name for name in public if name.startswith(("session_", "ballot_"))}
    assert readers == {
        "session_create",
        "session_add_items",
        "session_remove_item",
        "session_set_attendance",
        "session_declare_recusal",
        "session_open",
        "session_progress",
        "session_close",
        "ballot_cast",
        "ballot_items",
    }


# Secrecy ---------------------------------------------------------------------------------------------------


def rows(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def columns(table):
    return {
        name for (name,) in rows("SELECT column_name FROM information_schema.columns WHERE table_name = %s", [table])
    }


def vacuum_count():
    rows("SELECT pg_stat_clear_snapshot()")
    return rows("SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'awards_ballotpaper'")[0][0]


def run_secret_session(org, secretariat, members):
    """Seven members vote on five items, the first recused from the last; returns what the tables hold after the
    close, and what they held before it, for the assertions."""
    stages = [at_council(org, state=ReviewStage.State.ACCEPTED) for _i in range(5)]
    session = draft_session(org, secretariat, stages)
    items = items_of(session)
    services.session_declare_recusal(by=secretariat, item=items[4], member=members[0], reason="Cùng đơn vị")
    session = services.session_open(by=secretariat, session=session)
    for index, member in enumerate(members):
        choices = {item.pk: [A, D, N][(index + item.order) % 3] for item in items}
        if index == 0:
            del choices[items[4].pk]
        services.ballot_cast(by=member.user, session=session, choices=choices)

    receipts = rows("SELECT xmin::text, member_id FROM awards_ballot WHERE session_id = %s ORDER BY ctid", [session.pk])
    before = rows(
        "SELECT xmin::text, id, item_id, choice FROM awards_ballotpaper WHERE session_id = %s ORDER BY ctid",
        [session.pk],
    )
    # Before the close, the system columns do tie each paper to its receipt: the papers of a member share the
    # transaction id of that member's receipt and sit together in voting order. This is what the close undoes.
    receipt_xmin = [xmin for xmin, _member in receipts]
    papers_xmin = [xmin for xmin, *_rest in before]
    assert sorted(set(papers_xmin), key=papers_xmin.index) == receipt_xmin
    assert papers_xmin.count(receipt_xmin[0]) == 4  # the recused member: one paper fewer

    vacuums = vacuum_count()
    services.session_close(by=secretariat, session=session)

    after = rows(
        "SELECT xmin::text, ctid::text, id, item_id, choice FROM awards_ballotpaper WHERE session_id = %s "
        "ORDER BY ctid",
        [session.pk],
    )
    assert len(after) == len(before) == 34
    assert sorted((item, choice) for *_rest, item, choice in after) == sorted((i, c) for _x, _id, i, c in before)
    assert len({xmin for xmin, *_rest in after}) == 1  # every paper: the close's transaction
    assert {xmin for xmin, *_rest in after}.isdisjoint(receipt_xmin)
    assert {row[2] for row in after}.isdisjoint({row[1] for row in before})
    assert all(uuid.UUID(str(row[2])).version == 4 for row in after)
    deadline = time.monotonic() + 10
    while vacuum_count() == vacuums and time.monotonic() < deadline:
        time.sleep(0.1)
    assert vacuum_count() > vacuums
    voting_order = [(item, choice) for _x, _id, item, choice in before]
    physical = [(item, choice) for *_rest, item, choice in after]
    by_key = [(item, choice) for *_rest, item, choice in sorted(after, key=lambda row: str(row[2]))]
    return physical, by_key, voting_order, session


@pytest.mark.django_db(transaction=True)
def test_after_close_nothing_links_a_paper_to_a_member(org):
    secretariat = factories.make_user("secretariat_tx")
    permissions.grant_secretariat(secretariat, org.council)
    two_thirds_rule(org)
    members = council_members(org, 7)
    physical, by_key, voting_order, session = run_secret_session(org, secretariat, members)

    # Neither the physical order nor the key order of the papers is the voting order (a sound shuffle of 34
    # papers keeps it by chance far less than once in 10^30 runs).
    assert physical != voting_order and by_key != voting_order
    # The tables hold nothing else that could link them: a paper is an item and a choice.
    assert columns("awards_ballotpaper") == {"id", "session_id", "item_id", "choice"}
    assert columns("awards_ballot") == {"id", "session_id", "member_id"}
    # The audit trail says who voted, never what.
    for event in AuditEvent.objects.filter(verb="ballot.cast"):
        assert set(event.data) == {"member"}
    text = " ".join(str(e.data) for e in AuditEvent.objects.filter(verb__startswith="ballot"))
    assert not any(choice in text for choice in (A, D, N))
    assert Ballot.objects.filter(session=session).count() == 7
    # The recused member's missing paper cannot be told apart: every item's papers are alike.
    assert BallotPaper.objects.filter(session=session).count() == 7 * 5 - 1


# Concurrency -----------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_ballots_at_the_same_moment_count_once_each(org):
    secretariat = factories.make_user("secretariat_tx")
    permissions.grant_secretariat(secretariat, org.council)
    two_thirds_rule(org)
    members = council_members(org, 10)
    stages = [at_council(org, state=ReviewStage.State.ACCEPTED) for _i in range(50)]
    session = services.session_open(by=secretariat, session=draft_session(org, secretariat, stages))
    items = items_of(session)
    voters = [*members, members[0]]  # the first member tries twice at once
    barrier = threading.Barrier(len(voters))
    outcomes = [None] * len(voters)

    def vote(index):
        try:
            # Each member votes the same way whichever of its two attempts wins.
            choices = {item.pk: [A, D, N][(index % len(members) + item.order) % 3] for item in items}
            barrier.wait(timeout=10)
            services.ballot_cast(by=voters[index].user, session=CouncilSession(pk=session.pk), choices=choices)
            outcomes[index] = "ok"
        except SessionError as error:
            outcomes[index] = str(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(i,)) for i in range(len(voters))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcomes.count("ok") == 10
    assert [o for o in outcomes if o != "ok"] == [_("You have already voted in this session: a ballot is final.")]
    assert Ballot.objects.filter(session=session).count() == 10
    assert BallotPaper.objects.filter(session=session).count() == 10 * len(items)
    assert services.session_progress(session) == (10, 10)
    services.session_close(by=secretariat, session=session)
    for item in items_of(session):
        assert item.agree + item.disagree + item.abstain == 10
    assert sum(item.agree for item in items_of(session)) == sum(
        1 for index in range(10) for item in items if [A, D, N][(index + item.order) % 3] == A
    )
