"""The provincial secretariat's work list over the bench nominations (30,000 at scale 30): all stages, the
overdue tab and the in-appraisal tab, as `thuky.tinh`. Budget (issue 5): under 12 queries and 150 ms."""

from django.urls import reverse

from bench import nominations
from bench.context import ScenarioFailed

NAME = "secretariat_list_page"
TABS = (("all", ""), ("overdue", "?state=overdue"), ("in_appraisal", "?state=in_appraisal"))


def run(context) -> list[dict]:
    data = nominations.ensure_nominations(nominations.count_for(context.scale))
    if data["nominations"] < 100:
        raise ScenarioFailed(f"{NAME}: only {data['nominations']} bench nominations")
    client = context.client_as(nominations.SECRETARY)
    url = reverse("review_list")
    rows = []
    for label, query in TABS:
        rows += context.measure_get(NAME, label, client, f"{url}{query}")
    return rows
