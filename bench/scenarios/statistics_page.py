"""The statistics page (issue 9, acceptance 2) for the whole province as `admin`, five years, over the award history
of the eligibility bench (30,000 people at scale 30, about 130,000 awards) and the 30,000 bench nominations; and
the page of the education department as its officer `canbo.sgd`. Budget: under 1 s server time, a bounded number
of queries.

The bench nominations wait at the provincial council without a decision; for the stage times and the reasons to
have something to compute, a part of them is moved, inside a transaction rolled back after the measures, to
returned (with reasons), rejected, not passed and passed, decided 1 to 40 days after their receipt, as the page
would find them in a live database. The other scenarios never see those changes."""

from datetime import timedelta

from django.db import connection, transaction
from django.db.models import DurationField, ExpressionWrapper, F, Value
from django.urls import reverse

from awards.models import ReviewStage
from awards.statistics import selectors
from bench import history, nominations
from bench.context import ScenarioFailed, row
from organizations.models import Unit

NAME = "statistics_page"
FIRST_YEAR, LAST_YEAR = history.YEAR - 4, history.YEAR
OFFICER = "canbo.sgd"
Stage = ReviewStage.State
# By the stage's id modulo 20: what happened to it and why.
OUTCOMES = [
    ((0,), Stage.RETURNED, [{"document": "minutes", "text": "Thiếu biên bản họp bình xét của đơn vị"}]),
    ((1,), Stage.RETURNED, [{"document": "achievement_report", "text": "Báo cáo thành tích thiếu số liệu"}]),
    ((2,), Stage.RETURNED, [{"document": "", "text": "Hồ sơ chưa có chữ ký của thủ trưởng đơn vị"},
                            {"document": "minutes", "text": "Biên bản họp thiếu tỷ lệ phiếu bầu"}]),
    ((3,), Stage.REJECTED, [{"document": "", "text": "Không đủ điều kiện về thời gian công tác"}]),
    ((4,), Stage.FAILED, [{"document": "", "text": "Không đạt tỷ lệ phiếu đồng ý"}]),
    ((5, 6, 7, 8, 9, 10), Stage.PASSED, []),
]  # fmt: skip


def run(context) -> list[dict]:
    history.ensure_history()
    data = nominations.ensure_nominations(nominations.count_for(context.scale))
    if data["nominations"] < 100:
        raise ScenarioFailed(f"{NAME}: only {data['nominations']} bench nominations")
    with connection.cursor() as cursor:  # the planner's statistics, as autovacuum would leave them in production
        cursor.execute("ANALYZE awards_awardrecord, organizations_person")
    province = Unit.objects.filter(parent__isnull=True).order_by("code").first()
    query = f"?unit={province.pk}&first_year={FIRST_YEAR}&last_year={LAST_YEAR}"
    admin, officer = context.client_as("admin"), context.client_as(OFFICER)
    with transaction.atomic():
        decided = _decide_some()
        rows = context.measure_get(NAME, "province", admin, reverse("statistics") + query, expect=province.name)
        rows += context.measure_get(NAME, "department_officer", officer, reverse("statistics"))
        stats = selectors.statistics(province, FIRST_YEAR, LAST_YEAR)
        transaction.set_rollback(True)
    if not stats.durations or not stats.top_reasons:
        raise ScenarioFailed(f"{NAME}: no stage times or reasons to compute")
    return rows + [
        row(NAME, "awards_counted", stats.total(), "awards"),
        row(NAME, "stages_decided", decided, "stages"),
        row(NAME, "nominations", sum(outcome.total for outcome in stats.outcomes.values()), "nominations"),
    ]


def _decide_some() -> int:
    stages = ReviewStage.objects.filter(
        nomination__achievement=nominations.ACHIEVEMENT, received_at__isnull=False
    ).annotate(bucket=F("id") % 20)
    after = ExpressionWrapper(Value(timedelta(days=1)) * (F("id") % 40 + 1), output_field=DurationField())
    decided = 0
    for buckets, state, reason in OUTCOMES:
        ids = stages.filter(bucket__in=buckets).values("pk")
        decided += ReviewStage.objects.filter(pk__in=ids).update(
            state=state, reason=reason, decided_at=F("received_at") + after
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE awards_reviewstage")  # inside the transaction: rolled back with it
    return decided
