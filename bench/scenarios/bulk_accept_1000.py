"""Bulk accept from the provincial secretariat's work list: POST review_bulk with action=accept and 1,000 stages
in appraisal (100 in --quick), as `thuky.tinh`, through the test client. Budget (issue 5): under 10 s. Beside
it, a naive loop calling awards.nominations.stage_accept one stage at a time over a sample, extrapolated per
stage (ratio_vs_naive = naive time per stage / bulk time per stage). Every stage accepted is put back in
appraisal afterwards (the stage and its nomination), so a rerun measures the same thing."""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

from awards import nominations as services
from awards.models import Nomination, ReviewStage
from bench import nominations
from bench.context import ScenarioFailed, row

NAME = "bulk_accept_1000"
BULK = 1_000
NAIVE_SAMPLE = 50
BUDGET_SECONDS = 10.0


def run(context) -> list[dict]:
    data = nominations.ensure_nominations(nominations.count_for(context.scale))
    size = min(BULK, data["nominations"] // 10)
    stages = list(
        ReviewStage.objects.filter(
            council_id=data["council"],
            state=ReviewStage.State.IN_APPRAISAL,
            nomination__state=Nomination.State.IN_APPRAISAL,
            nomination__achievement=nominations.ACHIEVEMENT,
        )
        .order_by("pk")
        .values_list("pk", "nomination_id")[: size + NAIVE_SAMPLE]
    )
    if len(stages) < size + NAIVE_SAMPLE:
        raise ScenarioFailed(f"{NAME}: only {len(stages)} bench stages in appraisal, {size + NAIVE_SAMPLE} needed")
    bulk, sample = stages[:size], stages[size:]
    client = context.client_as(nominations.SECRETARY)
    client.get(reverse("review_list"))  # warm the session, the imports and the connection
    try:
        seconds, queries = _bulk_accept(client, [pk for pk, _n in bulk])
        naive_per_stage = _naive(sample)
    finally:
        _restore(stages)
    per_stage = seconds / size
    return [
        row(NAME, "stages", size, "stages"),
        row(NAME, "seconds", round(seconds, 2), "s"),
        row(NAME, "queries", queries, "queries"),
        row(NAME, "per_second", round(size / seconds, 1), "stages/s"),
        row(NAME, "within_budget", seconds < BUDGET_SECONDS, f"< {BUDGET_SECONDS:g} s"),
        row(NAME, "naive_ms_per_stage", round(naive_per_stage * 1000, 2), "ms"),
        row(NAME, "ratio_vs_naive", round(naive_per_stage / per_stage, 2), "×"),
    ]


def _bulk_accept(client, ids: list[int]) -> tuple[float, int]:
    url = reverse("review_bulk")
    queries = 0

    def count(execute, sql, params, many, context):  # the query log keeps only the last 9,000
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        response = client.post(url, {"action": "accept", "stage": ids})
        seconds = time.perf_counter() - started
    if response.status_code != 302:
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        hint = f" (the form has {len(ids) + 1} fields; DATA_UPLOAD_MAX_NUMBER_FIELDS = {limit})" if limit else ""
        raise ScenarioFailed(f"{NAME}: POST {url} answered {response.status_code}, not a redirect{hint}")
    accepted = ReviewStage.objects.filter(pk__in=ids, state=ReviewStage.State.ACCEPTED).count()
    in_council = Nomination.objects.filter(stages__pk__in=ids, state=Nomination.State.IN_COUNCIL).count()
    if accepted != len(ids) or in_council != len(ids):
        raise ScenarioFailed(
            f"{NAME}: {accepted} of {len(ids)} stages accepted, {in_council} nominations in council after the POST"
        )
    return seconds, queries


def _naive(sample: list[tuple[int, int]]) -> float:
    user = get_user_model().objects.get(username=nominations.SECRETARY)
    stages = ReviewStage.objects.in_bulk([pk for pk, _n in sample])
    started = time.perf_counter()
    for pk, _n in sample:
        services.stage_accept(by=user, stage=stages[pk])
    return (time.perf_counter() - started) / len(sample)


def _restore(stages: list[tuple[int, int]]) -> None:
    ReviewStage.objects.filter(pk__in=[pk for pk, _n in stages]).update(state=ReviewStage.State.IN_APPRAISAL)
    Nomination.objects.filter(pk__in=[n for _pk, n in stages]).update(state=Nomination.State.IN_APPRAISAL)
