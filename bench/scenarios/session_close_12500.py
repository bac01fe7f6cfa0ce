"""Close a session of 500 items after 25 members voted (12,500 papers; 2,500 in --quick): quorum, the count of
every item, the papers rewritten in random order, the results recorded and the nominations moved on, in one
transaction (issue 6, acceptance 3: under 1 s). The minutes are rendered afterwards by a Celery task; here the
task is only queued, as in production. Beside it, the count alone done the naive way, one query per item and
choice, against the one pass the close makes (ratio = naive count time / one-pass count time)."""

import time

from django.contrib.auth import get_user_model
from django.db import connection

from awards import sessions as services
from awards.models import AgendaItem, BallotPaper
from bench import nominations
from bench import sessions as bench_sessions
from bench.context import ScenarioFailed, row

NAME = "session_close_12500"
BUDGET_SECONDS = 1.0


def run(context) -> list[dict]:
    session, voters, item_ids = bench_sessions.open_session(context.scale)
    try:
        _, errors = bench_sessions.cast_at_once(session, voters, item_ids)
        if errors:
            raise ScenarioFailed(f"{NAME}: {len(errors)} ballots refused: {errors[:3]}")
        naive, one_pass = _count_both_ways(session, item_ids)
        secretary = get_user_model().objects.get(username=nominations.SECRETARY)
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            started = time.perf_counter()
            services.session_close(by=secretary, session=session)
            seconds = time.perf_counter() - started
        decided = AgendaItem.objects.filter(session=session, passed__isnull=False).count()
        counted = sum(
            sum(row) for row in AgendaItem.objects.filter(session=session).values_list("agree", "disagree", "abstain")
        )
    finally:
        bench_sessions.cleanup(session)
    votes = len(voters) * len(item_ids)
    if decided != len(item_ids) or counted != votes:
        raise ScenarioFailed(f"{NAME}: {decided} of {len(item_ids)} items decided, {counted} of {votes} votes counted")
    return [
        row(NAME, "votes", votes, "votes"),
        row(NAME, "items", len(item_ids), "items"),
        row(NAME, "seconds", round(seconds, 3), "s"),
        row(NAME, "queries", queries, "queries"),
        row(NAME, "within_budget", seconds < BUDGET_SECONDS, f"< {BUDGET_SECONDS:g} s"),
        row(NAME, "naive_count_ms", round(naive * 1000, 1), "ms"),
        row(NAME, "one_pass_count_ms", round(one_pass * 1000, 1), "ms"),
        row(NAME, "ratio_vs_naive", round(naive / one_pass, 2), "×"),
    ]


def _count_both_ways(session, item_ids: list[int]) -> tuple[float, float]:
    """The close's count (one read of the papers, counted in memory) against a COUNT query per item and choice,
    checked to agree."""
    started = time.perf_counter()
    papers = BallotPaper.objects.filter(session=session)
    naive = {
        (item_id, choice): papers.filter(item_id=item_id, choice=choice).count()
        for item_id in item_ids
        for choice in BallotPaper.Choice.values
    }
    naive_seconds = time.perf_counter() - started
    started = time.perf_counter()
    items = list(AgendaItem.objects.filter(pk__in=item_ids))
    counts = services.tally(list(papers.values_list("item_id", "choice")), items)
    one_pass_seconds = time.perf_counter() - started
    if any(getattr(counts[item_id], choice) != n for (item_id, choice), n in naive.items()):
        raise ScenarioFailed(f"{NAME}: the naive count and the close's count differ")
    return naive_seconds, one_pass_seconds
