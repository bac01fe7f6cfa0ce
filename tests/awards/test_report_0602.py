"""Form 0602.N (state-level awards, Circular 02/2023/TT-BNV): the cells counted from a small history by hand, the
Excel file in the form's layout, who may see which unit, and a query count that does not grow with the data."""

import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import pgettext
from openpyxl import load_workbook

from awards.models import AwardType
from awards.reports.form_0602 import form_0602, report_period
from awards.views.reports import latest_report_year
from organizations.models import Person, Unit
from tests import factories
from tests.awards.factories import award
from thiduakt.lib import permissions

YEAR = 2025
IN_PERIOD = date(2025, 5, 10)
LEADER, WORKER, OTHER = Person.PositionKind.LEADER, Person.PositionKind.DIRECT_WORKER, Person.PositionKind.OTHER


def record(subject, code, *, kind="regular", on=IN_PERIOD, year=YEAR, revoked=False):
    made = award(subject, code, year, kind=kind, revoked=revoked)
    made.decision_date = on
    made.save(update_fields=["decision_date"])
    return made


@pytest.fixture
def history(org):
    """Province P (unit A = its education department with a school, unit B, an enterprise E) and a ministry M.
    Eleven state-level awards count for P in 2025; six records must not."""
    school = org.unit_a_child
    enterprise = factories.make_unit("Công ty TNHH Sông Hồng", parent=org.province, kind=Unit.Kind.ENTERPRISE)
    ministry = factories.make_unit("Bộ Giáo dục và Đào tạo", code="BGD", kind=Unit.Kind.MINISTRY)
    ministry_dept = factories.make_unit("Vụ Giáo dục Trung học", parent=ministry, level=Unit.Level.PROVINCE)
    people = {
        "leader_p": factories.make_person(org.province, position_kind=LEADER, gender=Person.Gender.MALE),
        "leader_a": factories.make_person(org.unit_a, position_kind=LEADER),
        "leader_school": factories.make_person(school, position_kind=LEADER, gender=Person.Gender.MALE),
        "boss_e": factories.make_person(enterprise, position_kind=LEADER, gender=Person.Gender.MALE),
        "worker1": factories.make_person(school, position_kind=WORKER),
        "worker2": factories.make_person(school, position_kind=WORKER, gender=Person.Gender.MALE),
        "other": factories.make_person(org.unit_b, position_kind=OTHER),
        "ministry_worker": factories.make_person(ministry_dept, position_kind=WORKER),
    }
    household = factories.make_household(school)
    p = people
    # Counted for P in 2025:
    record(p["worker1"], "HCLD3")
    record(school, "HCLD3")
    record(p["leader_a"], "BK_TTG", kind="sudden", on=date(2024, 12, 1), year=2024)  # first day of the period
    record(enterprise, "BK_TTG", kind="foreign")
    record(p["boss_e"], "BK_TTG", kind="contribution")
    record(p["leader_p"], "BK_TTG", kind="seniority")
    record(p["worker2"], "CSTDTQ", on=None)  # no decision date: counts by its year
    record(org.unit_b, "CO_CP")
    record(p["leader_school"], "BK_TTG", kind="campaign", on=date(2025, 11, 30))  # last day of the period
    record(p["other"], "BK_TTG")
    record(household, "BK_TTG")
    # Not counted for P in 2025:
    record(p["worker1"], "BK_TTG", revoked=True)
    record(p["ministry_worker"], "BK_TTG")  # outside P's subtree (row 2 of the ministry's report)
    record(p["worker2"], "HCLD3", on=date(2025, 12, 1))  # next year's period
    record(p["leader_a"], "CSTDTQ", on=date(2024, 11, 30), year=2024)  # last year's period
    record(p["worker1"], "BK_TINH")  # not a state-level award
    record(p["worker2"], "CSTDTQ", on=None, year=2024)  # another year
    return {"school": school, "enterprise": enterprise, "ministry": ministry, "household": household, **people}


def column(report, group: int, subject: str) -> int:
    found = [i for i, c in enumerate(report.columns) if c.group == group and c.subject == subject]
    assert len(found) == 1, (group, subject)
    return found[0]


def test_period_runs_from_december_to_november():
    assert report_period(2025) == (date(2024, 12, 1), date(2025, 11, 30))
    # From 01/12 the next year's period has begun and may be reported on; not before.
    assert latest_report_year(date(2025, 11, 30)) == 2025
    assert latest_report_year(date(2025, 12, 1)) == 2026


def test_cells_equal_the_counts_made_by_hand(org, history):
    report = form_0602(unit=org.province, year=YEAR)
    totals = {row.spec.code: row.total for row in report.rows if row.spec.code}
    assert totals == {
        1: 11, 2: 0, 3: 11,
        6: 3, 7: 1, 8: 1, 9: 7, 10: 1, 11: 1, 12: 1, 13: 1, 14: 2,
        15: 6, 16: 1, 17: 1, 18: 1, 19: 1, 20: 1, 21: None,
    }  # fmt: skip
    # Every breakdown adds up to the total (row 9's "other" person sits in no row 10-14).
    assert totals[2] + totals[3] == totals[6] + totals[8] + totals[9] == sum(totals[c] for c in range(15, 21)) == 11

    total = report.row("total").cells
    hcld3_unit, hcld3_person = column(report, 2, "unit"), column(report, 2, "person")
    assert (total[hcld3_unit], total[hcld3_person]) == (1, 1)
    assert total[column(report, 6, "unit")] == 1  # Cờ thi đua của Chính phủ: unit B
    bk_unit, bk_household, bk_person = (column(report, 7, s) for s in ("unit", "household", "person"))
    assert (total[bk_unit], total[bk_household], total[bk_person]) == (1, 1, 5)
    assert total[column(report, 8, "person")] == 1  # Chiến sĩ thi đua toàn quốc without a decision date
    assert sum(total[i] for i in range(len(total)) if total[i] is not None) == report.row("total").total

    # Rows split by column: the enterprise's flag, the leaders, the kinds.
    assert report.row("enterprise").cells[bk_unit] == 1
    assert report.row("top_leader").cells[bk_person] == 1
    assert report.row("direct_worker").cells[hcld3_person] == 1
    assert report.row("direct_worker").cells[column(report, 8, "person")] == 1
    assert report.row("sudden").cells[bk_person] == 1
    assert report.row("household").cells[bk_household] == 1


def test_groups_without_an_award_in_the_catalogue_stay_empty(org, history):
    report = form_0602(unit=org.province, year=YEAR)
    for group in (3, 4, 5, 9):
        empty = [i for i, c in enumerate(report.columns) if c.group == group]
        assert empty and all(report.row("total").cells[i] is None for i in empty)
    assert all(cell is None for cell in report.row("resistance").cells)
    assert any("3, 4, 5, 9" in note for note in report.notes())


def test_award_types_added_later_get_their_own_columns(org, history):
    """A second order and a State honorary title added to the catalogue: each its own columns in its group."""
    state = {"category": "form", "granting_level": "state", "valid_from": date(2024, 1, 1)}
    AwardType.objects.create(code="HCLD2", name="Huân chương Lao động hạng Nhì", subject_types=["person", "unit"],
                             order=121, **state)  # fmt: skip
    AwardType.objects.create(code="NGUT", name="Nhà giáo ưu tú", subject_types=["person"], order=150, **state)
    record(history["worker1"], "HCLD2")
    record(history["worker2"], "NGUT", kind="contribution")
    report = form_0602(unit=org.province, year=YEAR)
    orders = next(group for group in report.groups if group.spec.number == 2)
    assert [name for name, _columns in orders.awards] == [
        "Huân chương Lao động hạng Ba",
        "Huân chương Lao động hạng Nhì",
    ]
    assert [column.subject for column in orders.columns] == ["unit", "person", "unit", "person"]
    total = report.row("total")
    assert total.total == 13
    assert [total.cells[i] for i, c in enumerate(report.columns) if c.group == 2] == [1, 1, 0, 1]
    assert total.cells[column(report, 5, "person")] == 1
    assert report.row("contribution").cells[column(report, 5, "person")] == 1
    assert any("3, 4, 9" in note for note in report.notes())


def test_subtree_of_a_department_and_of_a_ministry(org, history):
    education = form_0602(unit=org.unit_a, year=YEAR)
    # leader_a's Bằng khen, worker1's and the school's orders, worker2's CSTĐTQ, leader_school's and the household's.
    assert education.row("total").total == 6
    assert education.row("province").total == 6
    ministry = form_0602(unit=history["ministry"], year=YEAR)
    assert ministry.row("total").total == ministry.row("ministry").total == 1
    assert ministry.row("province").total == 0
    assert ministry.row("direct_worker").total == 1


def test_next_year_holds_the_december_decision(org, history):
    assert form_0602(unit=org.province, year=2026).row("total").total == 1


def _more_history(org, history, n):
    for i in range(n):
        unit = factories.make_unit(parent=org.unit_b, kind=[Unit.Kind.ENTERPRISE, Unit.Kind.SCHOOL][i % 2])
        person = factories.make_person(unit, position_kind=[LEADER, WORKER, OTHER][i % 3])
        record(person, ["BK_TTG", "HCLD3", "CSTDTQ"][i % 3], kind=["regular", "sudden", "foreign"][i % 3])
        record(unit, ["BK_TTG", "HCLD3", "CO_CP"][i % 3])


def test_query_count_does_not_grow_with_the_data(org, history, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        small = form_0602(unit=org.province, year=YEAR)
    _more_history(org, history, 12)
    with django_assert_max_num_queries(3):
        large = form_0602(unit=org.province, year=YEAR)
    assert large.row("total").total == small.row("total").total + 24


# The page and the Excel file --------------------------------------------------------------------------------


def _get(client, user, name="report_0602", **params):
    client.force_login(user)
    return client.get(reverse(name), params)


def test_xlsx_has_the_form_layout_and_the_numbers(client, org, history, admin_user):
    response = _get(client, admin_user, "report_0602_xlsx", unit=org.province.pk, year=YEAR, place="Sông Hồng")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    merged = {str(cell_range) for cell_range in sheet.merged_cells.ranges}
    assert "0602.N/BNV-TĐKT" in sheet["A1"].value
    assert org.province.name in sheet["K1"].value  # the reporting unit, top right
    with translation.override("vi"):
        assert sheet["A5"].value == pgettext("form 0602", "NUMBER OF STATE-LEVEL AWARDS")
        assert sheet["D9"].value == pgettext("form 0602", "Total")
        assert sheet["E10"].value == pgettext("form 0602", "Orders and medals (one column per form of commendation)")
        assert sheet["K10"].value == pgettext("form 0602", "Certificate of merit of the Prime Minister")
    assert sheet["A5"].font.name == "Times New Roman"
    # Header: A-D span the four header rows; group 2 over its two columns, Huân chương Lao động hạng Ba under it;
    # Bằng khen Thủ tướng over two rows and three columns (collective, household, individual).
    assert {"A9:A12", "B9:B12", "C9:C12", "D9:D12", "E9:P9", "E10:F10", "E11:F11", "K10:M11", "E13:F13"} <= merged
    assert sheet["E11"].value == "Huân chương Lao động hạng Ba"
    assert [sheet.cell(row=13, column=c).value for c in range(1, 6)] == ["A", "B", "C", "1", "2"]
    # Row 14 is code 1 (total): D total, E/F Huân chương, J Cờ, K/L/M Bằng khen, N CSTĐTQ; G (prize) empty.
    assert sheet["B14"].value == 1
    assert [sheet[f"{c}14"].value for c in "DEFGJKLMN"] == [11, 1, 1, None, 1, 1, 1, 5, 1]
    by_code = {sheet.cell(row=r, column=2).value: r for r in range(14, 40) if sheet.cell(row=r, column=2).value}
    assert sheet[f"D{by_code[9]}"].value == 7
    assert sheet[f"D{by_code[14]}"].value == 2
    assert sheet[f"D{by_code[21]}"].value is None
    texts = [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    with translation.override("vi"):
        assert pgettext("form 0602", "Head of unit") in texts and pgettext("form 0602", "Prepared by") in texts
    assert any(text.startswith("Sông Hồng, ") for text in texts)


def test_page_shows_the_report_of_the_first_unit_covered(client, org, history, officer_a):
    response = _get(client, officer_a, year=YEAR)
    assert response.status_code == 200
    report = response.context["report"]
    assert report.unit == org.unit_a and report.row("total").total == 6
    assert reverse("report_0602_xlsx") in response.content.decode()


def test_viewer_sees_a_grassroots_unit_by_its_number(client, org, history):
    viewer = factories.make_user()
    permissions.grant_unit_role(viewer, Unit.Role.VIEWER, org.unit_a)
    response = _get(client, viewer, unit=history["school"].pk, year=YEAR)
    assert response.status_code == 200
    assert response.context["report"].row("total").total == 5


@pytest.mark.parametrize("name", ["report_0602", "report_0602_xlsx"])
def test_units_not_covered_answer_404(client, org, history, officer_b, name):
    for pk in (org.unit_a.pk, org.province.pk, 999_999, 10**30):
        assert _get(client, officer_b, name, unit=pk, year=YEAR).status_code == 404


def test_users_without_a_unit_role_get_403(client, secretariat):
    assert _get(client, secretariat).status_code == 403
    assert _get(client, secretariat, "report_0602_xlsx").status_code == 403


@pytest.mark.parametrize("name", ["report_0602", "report_0602_xlsx"])
@pytest.mark.parametrize("year", ["1990", "2999", "hai nghìn", "", str(10**30)])
def test_years_out_of_range_get_a_message(client, org, officer_a, name, year):
    response = _get(client, officer_a, name, unit=org.unit_a.pk, year=year)
    assert response.status_code == 400
    assert response.context["report"] is None
    assert response.context["form"].errors["year"]


def test_a_unit_that_is_not_a_number_gets_a_message(client, org, officer_a):
    response = _get(client, officer_a, unit="SGD", year=YEAR)
    assert response.status_code == 400
    assert response.context["form"].errors["unit"]


def test_page_query_count_does_not_grow_with_the_data(client, org, history, officer_a, django_assert_max_num_queries):
    client.force_login(officer_a)
    with django_assert_max_num_queries(9):
        small = client.get(reverse("report_0602"), {"year": YEAR})
    _more_history(org, history, 12)
    for _ in range(5):
        record(factories.make_person(org.unit_a, position_kind=LEADER), "BK_TTG", kind="sudden")
    with django_assert_max_num_queries(9):
        large = client.get(reverse("report_0602"), {"year": YEAR})
    assert large.context["report"].row("total").total == small.context["report"].row("total").total + 5


def test_a_unit_name_that_looks_like_a_formula_stays_text(client, org, history, admin_user):
    org.province.name = '=HYPERLINK("http://example.com","x")'
    org.province.save()
    response = _get(client, admin_user, "report_0602_xlsx", unit=org.province.pk, year=YEAR)
    cell = load_workbook(io.BytesIO(response.content)).active["K1"]
    assert cell.data_type == "s" and org.province.name in cell.value


def test_the_menu_shows_the_reports_to_those_who_may_open_them(client, org, officer_a, secretariat, member):
    signer = factories.make_user("signer")
    permissions.grant_unit_role(signer, Unit.Role.SIGNER, org.province)
    statistics, state_report = f'href="{reverse("statistics")}"', f'href="{reverse("report_0602")}"'
    for user, sees_statistics, sees_state_report in [
        (officer_a, True, True),
        (signer, True, True),
        (secretariat, True, False),  # the council's unit's statistics; the state report needs a role on a unit
        (member, False, False),
    ]:
        client.force_login(user)
        home = client.get(reverse("home")).content.decode()
        assert (statistics in home, state_report in home) == (sees_statistics, sees_state_report), user
        assert client.get(reverse("statistics")).status_code == (200 if sees_statistics else 403), user
        assert client.get(reverse("report_0602")).status_code == (200 if sees_state_report else 403), user
