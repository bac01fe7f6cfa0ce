"""25 members of the provincial council cast their whole ballots for a 500-item session (100 items in --quick)
at the same moment, each from its own thread and PostgreSQL connection (issue 6, acceptance 3). Checked after:
25 receipts, 25 × items papers, and the counts at close equal to the choices sent, so no vote was lost or
counted twice. Beside it, the same ballots cast one after the other from one thread (ratio = sequential time /
concurrent time). Ballots share the session lock and run side by side in PostgreSQL, but 25 Python threads on
one interpreter take turns for the work outside the database, so the ratio stays near 1: what the concurrent
run proves is that nothing is lost, not speed."""

import time

from django.contrib.auth import get_user_model

from awards import sessions as services
from awards.models import AgendaItem, Ballot, BallotPaper
from bench import nominations
from bench import sessions as bench_sessions
from bench.context import ScenarioFailed, row

NAME = "ballots_concurrent"


def run(context) -> list[dict]:
    session, voters, item_ids = bench_sessions.open_session(context.scale)
    try:
        seconds, errors = bench_sessions.cast_at_once(session, voters, item_ids)
        if errors:
            raise ScenarioFailed(f"{NAME}: {len(errors)} ballots refused: {errors[:3]}")
        receipts = Ballot.objects.filter(session=session).count()
        papers = BallotPaper.objects.filter(session=session).count()
        secretary = get_user_model().objects.get(username=nominations.SECRETARY)
        services.session_close(by=secretary, session=session)
        counted = sum(
            agree + disagree + abstain
            for agree, disagree, abstain in AgendaItem.objects.filter(session=session).values_list(
                "agree", "disagree", "abstain"
            )
        )
        agreed = sum(AgendaItem.objects.filter(session=session).values_list("agree", flat=True))
    finally:
        bench_sessions.cleanup(session)
    expected = len(voters) * len(item_ids)
    if (receipts, papers, counted) != (len(voters), expected, expected) or agreed != bench_sessions.expected_agree(
        len(voters), item_ids
    ):
        raise ScenarioFailed(
            f"{NAME}: {receipts} receipts, {papers} papers, {counted} votes counted, {agreed} agree; "
            f"expected {len(voters)}, {expected}, {expected}, {bench_sessions.expected_agree(len(voters), item_ids)}"
        )
    sequential = _sequential(context.scale)
    return [
        row(NAME, "members", len(voters), "members"),
        row(NAME, "items", len(item_ids), "items"),
        row(NAME, "votes", expected, "votes"),
        row(NAME, "seconds", round(seconds, 2), "s"),
        row(NAME, "ballots_per_second", round(len(voters) / seconds, 1), "ballots/s"),
        row(NAME, "counted_at_close", counted, "votes"),
        row(NAME, "sequential_seconds", round(sequential, 2), "s"),
        row(NAME, "ratio_vs_sequential", round(sequential / seconds, 2), "×"),
    ]


def _sequential(scale: int) -> float:
    session, voters, item_ids = bench_sessions.open_session(scale)
    try:
        started = time.perf_counter()
        for index, member in enumerate(voters):
            services.ballot_cast(by=member.user, session=session, choices=bench_sessions.choices_of(index, item_ids))
        return time.perf_counter() - started
    finally:
        bench_sessions.cleanup(session)
