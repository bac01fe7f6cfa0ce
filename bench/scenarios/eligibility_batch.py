"""The eligibility engine over 30,000 people with five years of history: check_many for CSTĐCS and for every
person award type (time, queries, rate), beside a naive loop of check() one person at a time over a sample
of the same people, extrapolated per subject (ratio_vs_naive = naive time per subject / batch time per
subject). Loading the Person rows themselves is the caller's work and is not timed. A smaller demo (--quick)
checks all of its people instead of 30,000."""

import time

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from awards.eligibility import check, check_many
from bench import history
from bench.context import ScenarioFailed, row
from organizations.models import Person

NAME = "eligibility_batch"
NAIVE_SAMPLE = 300
BUDGET_SECONDS = 10.0


def run(context) -> list[dict]:
    data = history.ensure_history()
    people = list(Person.objects.order_by("pk")[: data["people"]])
    if len(people) < min(history.PEOPLE, 100):
        raise ScenarioFailed(f"{NAME}: only {len(people)} people in the bench database")
    rows = [row(NAME, "subjects", len(people), "people"), row(NAME, "history_ratings", data["ratings"], "rows")]
    for label, codes in (("cstdcs", ["CSTDCS"]), ("all_person_awards", None)):
        rows += measure(label, people, codes)
    return rows


def measure(label: str, people: list, codes) -> list[dict]:
    check_many(people[:50], history.YEAR, codes)  # warm the imports and the connection
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        verdicts = check_many(people, history.YEAR, codes)
        seconds = time.perf_counter() - started
    queries = len(captured.captured_queries)
    reset_queries()
    statuses = {
        status: sum(1 for v in verdicts if v.status == status) for status in ("eligible", "ineligible", "review")
    }
    if not statuses["eligible"] or not statuses["ineligible"]:
        raise ScenarioFailed(f"{NAME} [{label}]: implausible verdicts {statuses}")
    sample = people[:: max(1, len(people) // NAIVE_SAMPLE)][:NAIVE_SAMPLE]
    started = time.perf_counter()
    for person in sample:
        check(person, history.YEAR, codes)
    naive_per_subject = (time.perf_counter() - started) / len(sample)
    batch_per_subject = seconds / len(people)
    return [
        row(NAME, f"{label}.seconds", round(seconds, 2), "s"),
        row(NAME, f"{label}.queries", queries, "queries"),
        row(NAME, f"{label}.per_second", round(len(people) / seconds), "subjects/s"),
        row(NAME, f"{label}.verdicts", len(verdicts), "verdicts"),
        row(NAME, f"{label}.eligible", statuses["eligible"], "verdicts"),
        row(NAME, f"{label}.within_budget", seconds < BUDGET_SECONDS, f"< {BUDGET_SECONDS:g} s"),
        row(NAME, f"{label}.naive_ms_per_subject", round(naive_per_subject * 1000, 2), "ms"),
        row(NAME, f"{label}.naive_extrapolated_seconds", round(naive_per_subject * len(people), 1), "s"),
        row(NAME, f"{label}.ratio_vs_naive", round(naive_per_subject / batch_per_subject, 1), "×"),
    ]
