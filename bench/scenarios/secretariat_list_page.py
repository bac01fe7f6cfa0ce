"""The provincial secretariat's work list over the bench nominations (30,000 at scale 30): all stages, the
overdue tab and the in-appraisal tab, as `thuky.tinh`. Budget (issue 5): under 12 queries and 150 ms.

Side by side, the first page's rows loaded the two ways: Django's Paginator over the joined query (the sort runs
after every join) and `page_by_keys` (the sort runs over the stage keys, then fifty rows are joined)."""

import statistics
import time

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.urls import reverse

from awards.views.review import PAGE_SIZE, filter_stages, visible_stages
from bench import nominations
from bench.context import ScenarioFailed, row
from thiduakt.lib.pagination import page_by_keys

NAME = "secretariat_list_page"
TABS = (("all", ""), ("overdue", "?state=overdue"), ("in_appraisal", "?state=in_appraisal"))
SAMPLES = 10


def run(context) -> list[dict]:
    data = nominations.ensure_nominations(nominations.count_for(context.scale))
    if data["nominations"] < 100:
        raise ScenarioFailed(f"{NAME}: only {data['nominations']} bench nominations")
    client = context.client_as(nominations.SECRETARY)
    url = reverse("review_list")
    rows = []
    for label, query in TABS:
        rows += context.measure_get(NAME, label, client, f"{url}{query}")
    return rows + _side_by_side()


def _side_by_side() -> list[dict]:
    stages = filter_stages(visible_stages(get_user_model().objects.get(username=nominations.SECRETARY)), {})
    joined = _median_ms(lambda: list(Paginator(stages, PAGE_SIZE).get_page(1)))
    keyed = _median_ms(lambda: list(page_by_keys(stages, 1, PAGE_SIZE)))
    return [
        row(NAME, "first_page.joined_sort_ms", round(joined, 1), "ms"),
        row(NAME, "first_page.keys_first_ms", round(keyed, 1), "ms"),
        row(NAME, "first_page.ratio", round(joined / keyed, 1), "×"),
    ]


def _median_ms(load) -> float:
    load()
    samples = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        load()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)
