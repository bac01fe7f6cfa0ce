"""The secretariat's eligibility check of a unit subtree, with counts, filter and Excel export."""

import io

import pytest
from django.urls import reverse
from django.utils.translation import gettext
from openpyxl import load_workbook

from awards.models import Rating
from organizations.models import Unit
from tests import factories
from thiduakt.lib import permissions

YEAR = 2025
URL = "eligibility_check"


# The seeded catalogue, seeded again if a transactional test elsewhere flushed it (tests/awards/conftest.py).
pytestmark = pytest.mark.usefixtures("catalogue")


def _check(client, unit_code, award="LDTT", **extra):
    return client.get(reverse(URL), {"unit": unit_code, "year": YEAR, "award": award, **extra})


def _people(unit, count, rated=0):
    """`count` people in the unit, the first `rated` of them rated good in YEAR."""
    people = [factories.make_person(unit) for _ in range(count)]
    for person in people[:rated]:
        Rating.objects.create(person=person, year=YEAR, rating=Rating.Level.GOOD)
    return people


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("officer_a", 200),
        ("head_a", 200),
        ("officer_b", 200),
        ("secretariat", 200),
        ("member", 403),
        ("admin_user", 200),
    ],
)
def test_who_may_open_the_check(persona, expected, as_persona):
    assert as_persona(persona).get(reverse(URL)).status_code == expected


def test_anonymous_is_sent_to_login(client, org):
    response = client.get(reverse(URL))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_viewer_may_not_check(org, client):
    viewer = factories.make_user("viewer")
    permissions.grant_unit_role(viewer, Unit.Role.VIEWER, org.unit_a)
    client.force_login(viewer)
    assert client.get(reverse(URL)).status_code == 403


def test_the_form_starts_at_the_users_top_unit(as_persona, org):
    assert as_persona("officer_a").get(reverse(URL)).context["form"]["unit"].value() == org.unit_a.code


def test_secretariat_starts_at_its_council_unit(as_persona, org):
    assert as_persona("secretariat").get(reverse(URL)).context["form"]["unit"].value() == org.province.code


@pytest.mark.parametrize(
    ("persona", "unit", "expected"),
    [
        ("officer_a", "unit_a_child", 200),
        ("officer_a", "unit_b", 404),
        ("officer_b", "unit_a", 404),
        ("head_a", "province", 404),
        ("secretariat", "unit_a", 200),
        ("admin_user", "unit_b", 200),
    ],
)
def test_a_user_checks_only_units_their_roles_cover(persona, unit, expected, as_persona, org):
    assert _check(as_persona(persona), getattr(org, unit).code).status_code == expected


def test_an_unknown_unit_code_is_404(as_persona):
    assert _check(as_persona("admin_user"), "KHONG-CO").status_code == 404


def test_the_award_is_required(as_persona, org):
    response = as_persona("officer_a").get(reverse(URL), {"unit": org.unit_a.code, "year": YEAR, "award": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["award"]
    assert "counts" not in response.context


def test_counts_match_the_subtree(as_persona, org):
    _people(org.unit_a, 4, rated=3)
    _people(org.unit_a_child, 2, rated=1)
    _people(org.unit_b, 5, rated=5)  # outside the subtree
    response = _check(as_persona("officer_a"), org.unit_a.code)
    assert response.status_code == 200
    counts = {row["status"]: row["count"] for row in response.context["counts"]}
    assert response.context["total"] == 7  # person_a and the six above
    assert counts["eligible"] == 4
    assert counts["eligible"] + counts["review"] + counts["ineligible"] == 7
    content = response.content.decode()
    assert 'data-count="eligible">4<' in content and 'data-count="total">7<' in content
    codes = {row["verdict"].subject_code for row in response.context["rows"]}
    assert org.person_b.code not in codes and org.person_a.code in codes


def test_collective_awards_check_the_units_of_the_subtree(as_persona, org):
    response = _check(as_persona("officer_a"), org.unit_a.code, award="TTLDTT")
    assert {row["verdict"].subject_code for row in response.context["rows"]} == {"SGD", "LQD"}


def test_filter_by_status_and_pagination(as_persona, org):
    _people(org.unit_a, 60, rated=55)
    client = as_persona("officer_a")
    eligible = _check(client, org.unit_a.code, status="eligible")
    assert eligible.context["page"].paginator.count == 55
    assert len(eligible.context["rows"]) == 50
    assert all(row["verdict"].status == "eligible" for row in eligible.context["rows"])
    second = _check(client, org.unit_a.code, status="eligible", page=2)
    assert len(second.context["rows"]) == 5


def test_excel_export_has_every_row(as_persona, org):
    _people(org.unit_a, 60, rated=20)
    response = _check(as_persona("secretariat"), org.unit_a.code, format="xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == (gettext("Subject code"), gettext("Subject"), gettext("Subject type"))
    assert len(rows) == 1 + 61
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code[org.person_a.code][1] == org.person_a.full_name
    assert by_code[org.person_a.code][3] == org.unit_a.name
    assert by_code[org.person_a.code][5] == YEAR
    assert all(row[7] for row in rows[1:])  # every row says why


def test_excel_export_follows_the_status_filter(as_persona, org):
    _people(org.unit_a, 6, rated=2)
    response = _check(as_persona("officer_a"), org.unit_a.code, status="eligible", format="xlsx")
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 1 + 2


@pytest.mark.parametrize("size", [5, 50])
def test_query_count_does_not_grow_with_the_subtree(size, as_persona, org, django_assert_max_num_queries):
    _people(org.unit_a, size, rated=size // 2)
    for _n in range(size // 5):
        factories.make_unit(parent=org.unit_a)
    client = as_persona("officer_a")
    with django_assert_max_num_queries(40):
        assert _check(client, org.unit_a.code).status_code == 200
    with django_assert_max_num_queries(40):
        assert _check(client, org.unit_a.code, award="GK").status_code == 200
    with django_assert_max_num_queries(40):
        assert _check(client, org.unit_a.code, format="xlsx").status_code == 200
