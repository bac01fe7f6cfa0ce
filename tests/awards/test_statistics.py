"""The statistics page (issue 9): on the demo data every table matches counts made here, row by row in Python, from
the records themselves (acceptance 1); who sees which subtree; bad input; the workbook and the PDF; a query count
that does not grow with the data; the page on SQLite, where the medians and reasons are computed in Python."""

import io
import statistics as pystats
import subprocess
import unicodedata
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from awards.eligibility.quotas import quota_usage
from awards.models import (
    AwardRecord,
    AwardRuleSet,
    AwardType,
    Nomination,
    NominationRevision,
    ReviewStage,
    Submission,
)
from awards.statistics import selectors
from awards.statistics.tables import tables
from organizations.models import Council, Household, Person, Unit
from tests import factories
from tests.awards import factories as history
from thiduakt.lib import permissions

FIRST, LAST = 2021, 2025
Stage = ReviewStage.State


def vi(text: str) -> str:
    with translation.override("vi"):
        return _(text)


# The demo, and a few rows so that every table has figures -----------------------------------------------------


def enrich_demo() -> Unit:
    """Add to the demo what it lacks: a household award, a revoked one, one outside the years, a sudden award, an
    award of the province itself, and nominations returned (twice, one resubmitted), rejected and not passed, with
    their letters and the dates of their stages. Returns the province."""
    province = Unit.objects.get(parent__isnull=True)
    education = Unit.objects.get(name="Sở Giáo dục và Đào tạo")
    household = Household.objects.filter(unit__path__startswith=province.path).order_by("pk").first()
    person = Person.objects.filter(unit__path__startswith=education.path).order_by("pk").first()
    history.award(household, "GDVH", 2024)
    history.award(person, "BK_TINH", 2025, kind="sudden")
    history.award(person, "BK_TINH", 2023, revoked=True)
    history.award(person, "GK", 2019)
    history.award(province, "CO_TINH", 2024)
    council = Council.objects.get(unit=province)
    sent = timezone.now() - timedelta(days=40)
    letter = Submission.objects.create(
        unit=education, year=2025, title="Đề nghị khen thưởng", state="sent", sent_at=sent
    )
    plan = [
        # (state of the stage, its reasons, days from sending to receipt, to decision, revisions)
        (Stage.RETURNED, [{"document": "minutes", "text": "Thiếu biên bản họp bình xét của đơn vị"},
                          {"document": "", "text": "Báo cáo thành tích chưa có số liệu"}], 2, 9, 1),
        (Stage.SUBMITTED, [{"document": "minutes", "text": "Thiếu  biên bản họp bình xét của đơn vị năm 2025"}],
         1, 5, 2),
        (Stage.REJECTED, [{"document": "", "text": "Không đủ điều kiện về thời gian công tác"}], 3, 20, 1),
        (Stage.FAILED, [{"document": "", "text": "Không đạt tỷ lệ phiếu đồng ý"}], 1, 30, 1),
        (Stage.PASSED, [], 2, 12, 1),
    ]  # fmt: skip
    people = Person.objects.filter(unit__path__startswith=education.path).order_by("-pk")[: len(plan)]
    for (state, reasons, received, decided, revisions), nominee in zip(plan, people, strict=True):
        nomination = Nomination.objects.create(
            person=nominee, award_type=AwardType.objects.get(code="CSTD_TINH"), year=2025, proposing_unit=education,
            achievement="Hoàn thành xuất sắc nhiệm vụ", state="in_appraisal", submission=letter,
        )  # fmt: skip
        ReviewStage.objects.create(
            nomination=nomination, council=council, order=1, decides=True, state=state, reason=reasons,
            letter=letter, received_at=sent + timedelta(days=received),
            decided_at=None if state == Stage.SUBMITTED else sent + timedelta(days=decided),
        )  # fmt: skip
        for number in range(1, revisions + 1):
            NominationRevision.objects.create(nomination=nomination, number=number, snapshot={})
    return province


# Counts made here, one record at a time -------------------------------------------------------------------------


def climb(units: dict, unit_id: int) -> list[int]:
    """The unit's pks from itself up to the root, following parent_id (not the path the selectors use)."""
    chain = []
    while unit_id is not None:
        chain.append(unit_id)
        unit_id = units[unit_id].parent_id
    return chain


def child_under(units: dict, root: Unit, unit_id: int) -> int | None:
    """The unit directly under `root` on the way up from `unit_id`; None for the root itself; False outside."""
    chain = climb(units, unit_id)
    if root.pk not in chain:
        return False
    index = chain.index(root.pk)
    return chain[index - 1] if index else None


def expected_awards(root: Unit, first: int, last: int) -> dict[str, Counter]:
    units = {unit.pk: unit for unit in Unit.objects.all()}
    found = defaultdict(Counter)
    records = AwardRecord.objects.select_related("award_type", "person", "household")
    for record in records:
        if record.revoked or not first <= record.year <= last:
            continue
        if record.person_id:
            subject, unit_id = "person", record.person.unit_id
        elif record.unit_id:
            subject, unit_id = "unit", record.unit_id
        else:
            subject, unit_id = "household", record.household.unit_id
        child = child_under(units, root, unit_id)
        if child is False:
            continue
        code = record.award_type.code
        found["type"][code, subject] += 1
        found["level"][record.award_type.granting_level] += 1
        found["subject"][subject] += 1
        found["kind"][record.kind] += 1
        found["year"][record.year, subject] += 1
        found["child"][child, subject] += 1
        if subject == "person":
            found["position"][code, record.person.position_kind] += 1
    return found


def expected_quotas(root: Unit, first: int, last: int) -> dict[tuple[str, int], tuple]:
    """Through awards/eligibility/quotas.py, one unit and year at a time."""
    units = {unit.pk: unit for unit in Unit.objects.all()}
    codes = {rule_set.award_type.code for rule_set in AwardRuleSet.objects.exclude(quota_rule={})}
    with_people = {unit_id for unit_id in Person.objects.values_list("unit_id", flat=True).distinct()}
    found = {}
    for unit_id in with_people:
        if child_under(units, root, unit_id) is False:
            continue
        for year in range(first, last + 1):
            for code in codes:
                quota = quota_usage(units[unit_id], code, year)
                if quota is None or not (quota.base_count or quota.used):
                    continue
                units_, base, allowed, used, over, own = found.get((code, year), (0, 0, 0, 0, 0, (0, 0)))
                if unit_id == root.pk:
                    own = (quota.allowed, quota.used)
                found[code, year] = (units_ + 1, base + quota.base_count, allowed + quota.allowed, used + quota.used,
                                     over + (quota.used > quota.allowed), own)  # fmt: skip
    return found


def in_scope(units: dict, root: Unit, nomination: Nomination, first: int, last: int) -> bool:
    return first <= nomination.year <= last and child_under(units, root, nomination.proposing_unit_id) is not False


def quantile(days: list[float], fraction: float) -> float:
    if len(days) == 1:
        return days[0]
    if fraction == 0.5:
        return pystats.median(days)
    return pystats.quantiles(days, n=10, method="inclusive")[round(fraction * 10) - 1]


def expected_durations(root: Unit, first: int, last: int) -> dict[tuple, tuple]:
    units = {unit.pk: unit for unit in Unit.objects.all()}
    groups = defaultdict(lambda: ([], []))
    stages = ReviewStage.objects.select_related("nomination", "letter", "council__unit")
    for stage in stages:
        if stage.decided_at is None or not in_scope(units, root, stage.nomination, first, last):
            continue
        sent, received = groups[stage.order, stage.council.unit.level]
        start = stage.letter.sent_at if stage.letter and stage.letter.sent_at else stage.received_at
        sent.append((stage.decided_at - start).total_seconds() / 86400)
        received.append((stage.decided_at - stage.received_at).total_seconds() / 86400)
    return {
        key: (len(sent), quantile(sent, 0.5), quantile(sent, 0.9), quantile(received, 0.5), quantile(received, 0.9))
        for key, (sent, received) in groups.items()
    }


def expected_outcomes(root: Unit, first: int, last: int) -> dict[str, tuple]:
    units = {unit.pk: unit for unit in Unit.objects.all()}
    found = defaultdict(lambda: [0, 0, 0, 0])
    nominations = Nomination.objects.select_related("award_type").prefetch_related("stages", "revisions")
    for nomination in nominations:
        if nomination.state == "draft" or not in_scope(units, root, nomination, first, last):
            continue
        states = {stage.state for stage in nomination.stages.all()}
        resubmitted = any(revision.number >= 2 for revision in nomination.revisions.all())
        counts = found[nomination.award_type.code]
        counts[0] += 1
        counts[1] += Stage.RETURNED in states or resubmitted
        counts[2] += Stage.REJECTED in states
        counts[3] += Stage.FAILED in states
    return {code: tuple(counts) for code, counts in found.items()}


def expected_reasons(root: Unit, first: int, last: int) -> tuple[Counter, Counter]:
    units = {unit.pk: unit for unit in Unit.objects.all()}
    by_document, by_words = Counter(), Counter()
    for stage in ReviewStage.objects.select_related("nomination"):
        if not in_scope(units, root, stage.nomination, first, last):
            continue
        outcome = {"rejected": "rejected", "failed": "not_passed"}.get(stage.state, "returned")
        for reason in stage.reason:
            by_document[outcome, reason["document"]] += 1
            by_words[outcome, reason["document"], " ".join(reason["text"].split()[:6])] += 1
    return by_document, by_words


def check_against_records(root: Unit, first: int, last: int) -> selectors.Statistics:
    stats = selectors.statistics(root, first, last)
    awards = expected_awards(root, first, last)
    assert stats.total() == sum(awards["subject"].values()) > 0
    assert stats.by_type() == dict(awards["type"])
    assert stats.by_level() == dict(awards["level"])
    assert stats.by_subject() == dict(awards["subject"])
    assert stats.by_kind() == dict(awards["kind"])
    assert stats.by_year() == dict(awards["year"])
    assert stats.by_position() == dict(awards["position"])
    children = {selectors.child_key(root, child): child.pk for child in stats.children}
    by_child = {(children.get(key), subject): count for (key, subject), count in stats.by_child().items()}
    assert by_child == dict(awards["child"])

    quotas = {(line.code, line.year): (line.units, line.base, line.allowed, line.granted, line.over,
                                       (line.own_allowed, line.own_granted)) for line in stats.quotas}  # fmt: skip
    assert quotas == expected_quotas(root, first, last)

    durations = {(line.order, line.level): (line.decided, line.sent_median, line.sent_p90, line.received_median,
                                            line.received_p90) for line in stats.durations}  # fmt: skip
    expected = expected_durations(root, first, last)
    assert durations.keys() == expected.keys()
    for key, (decided, *days) in expected.items():
        assert durations[key][0] == decided
        assert durations[key][1:] == pytest.approx([round(day, 1) for day in days], abs=0.051)

    outcomes = {code: (o.total, o.returned, o.rejected, o.not_passed) for code, o in stats.outcomes.items()}
    assert outcomes == expected_outcomes(root, first, last)
    by_document, by_words = expected_reasons(root, first, last)
    assert stats.reasons_by_document == dict(by_document)
    assert {(outcome, document, words): n for outcome, document, words, n in stats.top_reasons} == dict(by_words)
    check_tables(stats, awards)
    return stats


def rows_by_first_cell(table) -> dict:
    return {row[0]: row[1:] for row in table.rows}


def check_tables(stats: selectors.Statistics, awards: dict[str, Counter]) -> None:
    """The tables show the selector's figures: the totals of each table against the counts made here."""
    shown = {table.key: table for table in tables(stats)}
    total = sum(awards["subject"].values())
    for code, award_type in stats.award_types.items():
        cells = [awards["type"][code, subject] for subject in selectors.SUBJECTS]
        row = rows_by_first_cell(shown["by_type"]).get(award_type.name)
        assert row == ([code, *cells, sum(cells)] if sum(cells) else None)
    for key in ("by_type", "by_unit"):
        assert shown[key].total[-1] == total
    for key in ("by_level", "by_subject", "by_kind"):
        assert shown[key].total[1] == total and sum(row[1] for row in shown[key].rows) == total
    assert [row[0] for row in shown["by_year"].rows] == stats.years
    assert shown["by_year"].total[-1] == total
    assert shown["by_position"].total[4] == sum(awards["position"].values())
    by_unit = {row[1]: row[-1] for row in shown["by_unit"].rows}
    units = {unit.pk: unit.code for unit in stats.children}
    expected = Counter()
    for (child, _subject), count in awards["child"].items():
        expected[units[child] if child else stats.unit.code] += count
    assert by_unit == dict(expected)
    assert [row[6] for row in shown["quotas"].rows] == [line.granted for line in stats.quotas]
    assert sum(row[2] for row in shown["durations"].rows) == sum(line.decided for line in stats.durations)
    if stats.outcomes:
        assert shown["outcomes"].total[1] == sum(o.total for o in stats.outcomes.values())
    assert sum(row[2] for row in shown["reasons_by_document"].rows) == sum(stats.reasons_by_document.values())


@pytest.mark.django_db
def test_demo_statistics_match_counts_made_from_the_records(catalogue):
    call_command("seed_demo", stdout=io.StringIO())
    province = enrich_demo()
    stats = check_against_records(province, FIRST, LAST)
    # Every table has figures on the enriched demo: the comparison above compared something.
    assert all(table.rows for table in tables(stats)), [table.key for table in tables(stats) if not table.rows]
    assert stats.by_subject().keys() == {"person", "unit", "household"}
    assert {line.code for line in stats.quotas} == {"CSTDCS"}

    education = Unit.objects.get(name="Sở Giáo dục và Đào tạo")
    check_against_records(education, FIRST, LAST)
    check_against_records(province, 2024, 2024)

    # SQLite's path (Python medians and reasons) gives the same figures as percentile_cont and jsonb here.
    for unit in (province, education):
        assert selectors.stage_durations(unit, FIRST, LAST, in_python=True) == selectors.stage_durations(
            unit, FIRST, LAST
        )
        assert selectors.return_reasons(unit, FIRST, LAST, in_python=True) == selectors.return_reasons(
            unit, FIRST, LAST
        )


# Access ------------------------------------------------------------------------------------------------------


def page(client, **params):
    return client.get(reverse("statistics"), params)


def test_an_officer_sees_the_subtree_of_their_unit_only(client, org, officer_a):
    history.award(org.person_a, "LDTT", 2024)
    history.award(org.unit_a_child, "TTLDTT", 2024)
    history.award(org.person_b, "LDTT", 2024)
    history.award(org.province, "CO_TINH", 2024)
    client.force_login(officer_a)
    response = page(client, first_year=2020, last_year=2025)
    assert response.status_code == 200
    assert [unit.pk for unit, _label in response.context["form"].picker] == [org.unit_a.pk, org.unit_a_child.pk]
    stats = response.context["stats"]
    assert stats.unit == org.unit_a and stats.total() == 2
    assert stats.by_subject() == {"person": 1, "unit": 1}

    for outside in (org.province, org.unit_b):
        refused = page(client, unit=outside.pk)
        assert refused.status_code == 200 and "stats" not in refused.context
        assert refused.context["form"].errors["unit"] == [vi("Choose a unit from the list.")]
    assert client.get(reverse("statistics_xlsx"), {"unit": org.unit_b.pk}).status_code == 400
    assert client.get(reverse("statistics_pdf"), {"unit": org.province.pk}).status_code == 400


def test_the_secretariat_reads_the_subtree_of_its_council_and_the_unit_table_opens_the_children(
    client, org, secretariat
):
    history.award(org.person_a, "LDTT", 2024)
    history.award(org.person_b, "LDTT", 2024)
    history.award(org.person_b, "CSTDCS", 2023)
    client.force_login(secretariat)
    response = page(client, first_year=2021, last_year=2025)
    stats = response.context["stats"]
    assert stats.unit == org.province and stats.total() == 3
    by_unit = next(table for table in response.context["tables"] if table.key == "by_unit")
    assert dict(zip([row[1] for row in by_unit.rows], by_unit.links, strict=True)) == {
        "SYT": org.unit_b.pk,
        "SGD": org.unit_a.pk,
    }
    assert f"?unit={org.unit_b.pk}&amp;first_year=2021&amp;last_year=2025" in response.content.decode()
    deeper = page(client, unit=org.unit_a_child.pk)
    assert deeper.context["stats"].unit == org.unit_a_child
    assert org.unit_a_child.pk in [unit.pk for unit, _label in deeper.context["form"].picker]


def test_someone_without_a_role_is_refused(client, org, member):
    client.force_login(member)
    for name in ("statistics", "statistics_xlsx", "statistics_pdf"):
        assert client.get(reverse(name)).status_code == 403


def test_the_default_years_are_the_last_five(client, org, admin_user):
    client.force_login(admin_user)
    stats = page(client).context["stats"]
    this_year = timezone.localdate().year
    assert (stats.first_year, stats.last_year) == (this_year - 4, this_year)
    assert stats.unit == org.province
    only_last = page(client, last_year=2020).context["stats"]
    assert (only_last.first_year, only_last.last_year) == (2016, 2020)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"first_year": 2025, "last_year": 2021}, "first_year", "The first year must not be after the last year."),
        ({"unit": 999999999}, "unit", "Choose a unit from the list."),
        ({"unit": "abc"}, "unit", "Choose a unit from the list."),
        ({"first_year": 1990, "last_year": 2025}, "first_year", "Choose at most %(count)s years at a time."),
        ({"last_year": 3000}, "last_year", None),
    ],
)
def test_bad_input_gets_a_vietnamese_message_and_no_figures(client, org, admin_user, params, field, message):
    history.award(org.person_a, "LDTT", 2024)
    client.force_login(admin_user)
    response = page(client, **params)
    assert response.status_code == 200 and "stats" not in response.context
    errors = response.context["form"].errors[field]
    if message:
        assert errors == [vi(message) % {"count": selectors.MAX_YEARS} if "%(count)s" in message else vi(message)]
    else:
        assert errors  # Django's own messages (range), translated by Django's catalog
    with translation.override("vi"):
        assert errors[0] in response.content.decode()
    assert client.get(reverse("statistics_xlsx"), params).status_code == 400


# Exports ----------------------------------------------------------------------------------------------------


def test_the_workbook_has_one_sheet_per_table_with_the_figures(client, org, admin_user):
    history.awards(org.person_a, "LDTT", [2023, 2024])
    history.award(org.unit_a, "TTLDTT", 2024)
    client.force_login(admin_user)
    params = {"unit": org.province.pk, "first_year": 2021, "last_year": 2025}
    response = client.get(reverse("statistics_xlsx"), params)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="thong-ke-khen-thuong-T01-2021-2025.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    shown = tables(selectors.statistics(org.province, 2021, 2025))
    assert len(workbook.sheetnames) == 1 + len(shown) == len(set(workbook.sheetnames))
    by_type = [list(row) for row in workbook.worksheets[1].iter_rows(values_only=True)]
    assert by_type[0] == shown[0].header
    ldtt = AwardType.objects.get(code="LDTT").name
    ttldtt = AwardType.objects.get(code="TTLDTT").name
    assert [ldtt, "LDTT", 2, 0, 0, 2] in by_type and [ttldtt, "TTLDTT", 0, 1, 0, 1] in by_type
    assert by_type[-1][-1] == 3  # the total row
    years = [list(row) for row in workbook.worksheets[6].iter_rows(values_only=True)]
    assert [2024, 1, 1, 0, 2] in years and [2023, 1, 0, 0, 1] in years


def test_the_pdf_report_prints_the_title_and_the_tables(client, org, admin_user):
    history.awards(org.person_a, "LDTT", [2023, 2024])
    client.force_login(admin_user)
    response = client.get(reverse("statistics_pdf"), {"first_year": 2021, "last_year": 2025})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True).stdout
    text = " ".join(unicodedata.normalize("NFC", text.decode()).split())
    assert unicodedata.normalize("NFC", vi("Statistical report on emulation and commendation").upper()) in text
    assert org.province.name.upper() in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert AwardType.objects.get(code="LDTT").name in text


# Queries ----------------------------------------------------------------------------------------------------


def grow(org, size: int) -> None:
    """Units, people, households, awards and nominations with stages and reasons, `size` of each kind."""
    council = org.council
    for index in range(size):
        unit = factories.make_unit(f"Trường số {index}", parent=org.unit_a if index % 2 else org.unit_b)
        person = factories.make_person(unit, position_kind="leader" if index % 3 else "direct_worker")
        history.awards(person, "LDTT", [2023, 2024])
        history.award(person, "CSTDCS", 2024)
        history.award(unit, "TTLDTT", 2024)
        history.award(factories.make_household(unit), "GDVH", 2024)
        nomination = Nomination.objects.create(
            person=person, award_type=AwardType.objects.get(code="BK_TINH"), year=2025, proposing_unit=unit,
            achievement="Hoàn thành xuất sắc nhiệm vụ", state="returned",
        )  # fmt: skip
        now = timezone.now()
        ReviewStage.objects.create(
            nomination=nomination, council=council, order=1, state=Stage.RETURNED, received_at=now - timedelta(5),
            decided_at=now, reason=[{"document": "minutes", "text": f"Thiếu biên bản {index}"}],
        )  # fmt: skip


def test_the_page_runs_the_same_number_of_queries_whatever_the_data(client, org, admin_user,
                                                                     django_assert_max_num_queries):  # fmt: skip
    client.force_login(admin_user)
    params = {"first_year": 2021, "last_year": 2025}
    counts = []
    for size in (2, 12):
        grow(org, size)
        with django_assert_max_num_queries(20), CaptureQueriesContext(connection) as captured:
            response = page(client, **params)
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
        assert response.context["stats"].by_subject()["household"] == sum((2, 12)[: len(counts)])
    assert counts[0] == counts[1]


def test_a_viewer_reads_the_statistics_of_their_unit(client, org):
    viewer = factories.make_user("viewer_a")
    permissions.grant_unit_role(viewer, Unit.Role.VIEWER, org.unit_a)
    history.award(org.person_a, "LDTT", 2024)
    history.award(org.person_b, "LDTT", 2024)
    client.force_login(viewer)
    stats = page(client, first_year=2024, last_year=2024).context["stats"]
    assert stats.unit == org.unit_a and stats.total() == 1


def test_the_export_links_ask_for_what_the_page_shows(client, org, admin_user):
    client.force_login(admin_user)
    response = page(client)
    this_year = timezone.localdate().year
    query = f"?unit={org.province.pk}&amp;first_year={this_year - 4}&amp;last_year={this_year}"
    content = response.content.decode()
    assert reverse("statistics_xlsx") + query in content and reverse("statistics_pdf") + query in content
