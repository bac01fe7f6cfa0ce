"""The award panel of a person, a unit and a household: history across years and units, and what can be
proposed in a year."""

import datetime as dt

import pytest
from django.urls import reverse

from awards.models import AwardRecord, AwardType, Discipline, Initiative, Membership, Rating
from organizations.models import Unit
from tests import factories

PANELS = ["person_awards", "unit_awards", "household_awards"]
# officer_a, head_a, officer_b, secretariat, member, admin_user: the panel follows the subject's page.
EXPECTED = {
    "officer_a": 200,
    "head_a": 200,
    "officer_b": 404,
    "secretariat": 404,
    "member": 404,
    "admin_user": 200,
}
YEAR = 2025


# The seeded catalogue, seeded again if a transactional test elsewhere flushed it (tests/awards/conftest.py).
pytestmark = pytest.mark.usefixtures("catalogue")


def _award(code, year, number, **subject):
    return AwardRecord.objects.create(
        award_type=AwardType.objects.get(code=code), year=year, decision_number=number, **subject
    )


def _subject_pk(url_name, org):
    if url_name == "person_awards":
        return org.person_a.pk
    if url_name == "unit_awards":
        return org.unit_a.pk
    return factories.make_household(org.unit_a).pk


@pytest.mark.parametrize("url_name", PANELS)
@pytest.mark.parametrize("persona", list(EXPECTED))
def test_panel_access_follows_the_subject(url_name, persona, org, as_persona):
    url = reverse(url_name, args=[_subject_pk(url_name, org)])
    assert as_persona(persona).get(url).status_code == EXPECTED[persona]


@pytest.mark.parametrize("url_name", PANELS)
def test_anonymous_is_sent_to_login(url_name, org, client):
    response = client.get(reverse(url_name, args=[_subject_pk(url_name, org)]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_htmx_gets_the_panel_and_a_browser_without_javascript_the_whole_page(org, as_persona):
    client = as_persona("officer_a")
    url = reverse("person_awards", args=[org.person_a.pk])
    full = client.get(url)
    partial = client.get(url, headers={"HX-Request": "true"})
    assert "<html" in full.content.decode() and "data-awards-panel" in full.content.decode()
    assert "<html" not in partial.content.decode() and "data-awards-panel" in partial.content.decode()
    assert "HX-Request" in partial["Vary"]


def test_subject_pages_load_the_panel_and_link_to_it(org, as_persona):
    client = as_persona("officer_a")
    household = factories.make_household(org.unit_a)
    for page, panel, pk in [
        ("person_detail", "person_awards", org.person_a.pk),
        ("unit_detail", "unit_awards", org.unit_a.pk),
        ("household_detail", "household_awards", household.pk),
    ]:
        content = client.get(reverse(page, args=[pk])).content.decode()
        panel_url = reverse(panel, args=[pk])
        assert f'hx-get="{panel_url}" hx-trigger="load"' in content
        assert f'href="{panel_url}"' in content


def test_person_history_lists_awards_ratings_disciplines_and_initiatives(org, as_persona):
    person = org.person_a
    _award("LDTT", 2022, "12/QĐ-SGD", person=person)
    revoked = _award("CSTDCS", 2023, "45/QĐ-SGD", person=person)
    revoked.revoked, revoked.revoked_reason = True, "Khai man thành tích"
    revoked.save()
    Rating.objects.create(person=person, year=2023, rating=Rating.Level.EXCELLENT)
    Discipline.objects.create(person=person, level=Discipline.Level.REPRIMAND, start=dt.date(2021, 3, 1))
    initiative = Initiative.objects.create(
        title="Số hoá hồ sơ thi đua", scope=Initiative.Scope.UNIT, year=2023, decision_number="7/QĐ-SGD"
    )
    initiative.authors.add(person)
    response = as_persona("head_a").get(reverse("person_awards", args=[person.pk]), {"year": YEAR})
    content = response.content.decode()
    for text in ["12/QĐ-SGD", "45/QĐ-SGD", "Khai man thành tích", "Số hoá hồ sơ thi đua", "7/QĐ-SGD", "01/03/2021"]:
        assert text in content
    assert [r.year for r in response.context["ratings"]] == [2023]


def test_unit_history_includes_the_units_it_succeeded_transitively(org, as_persona):
    oldest = factories.make_unit("Phòng Giáo dục huyện Cũ", parent=org.province)
    old = factories.make_unit("Sở Giáo dục cũ", parent=org.province)
    old.successor_of.add(oldest)
    org.unit_a.successor_of.add(old)
    _award("TTLDXS", 2019, "3/QĐ-UBND", unit=oldest)
    _award("TTLDTT", 2021, "9/QĐ-UBND", unit=old)
    _award("TTLDTT", 2024, "88/QĐ-UBND", unit=org.unit_a)
    _award("TTLDTT", 2024, "99/QĐ-KHAC", unit=org.unit_b)  # not in the lineage
    Rating.objects.create(unit=old, year=2021, rating=Rating.Level.GOOD)
    Membership.objects.create(unit=old, person=org.person_a, year=2021)
    Membership.objects.create(unit=org.unit_a, person=org.person_a, year=2024)
    response = as_persona("officer_a").get(reverse("unit_awards", args=[org.unit_a.pk]), {"year": YEAR})
    content = response.content.decode()
    assert {"3/QĐ-UBND", "9/QĐ-UBND", "88/QĐ-UBND"} <= {r.decision_number for r in response.context["awards"]}
    assert "99/QĐ-KHAC" not in content
    assert oldest.name in content and old.name in content
    by_number = {r.decision_number: r for r in response.context["awards"]}
    assert by_number["3/QĐ-UBND"].unit == oldest and by_number["88/QĐ-UBND"].unit == org.unit_a
    assert {(row["year"], row["count"], row["unit"].pk) for row in response.context["members"]} == {
        (2021, 1, old.pk),
        (2024, 1, org.unit_a.pk),
    }
    assert [r.year for r in response.context["ratings"]] == [2021]


def test_proposable_panel_shows_an_eligible_award_with_its_reason(org, as_persona):
    Rating.objects.create(person=org.person_a, year=YEAR, rating=Rating.Level.GOOD)
    response = as_persona("officer_a").get(reverse("person_awards", args=[org.person_a.pk]), {"year": YEAR})
    rows = {row["verdict"].award_code: row for row in response.context["proposable"]}
    assert {"LDTT", "CSTDCS", "GK"} <= set(rows) and "TTLDTT" not in rows
    ldtt = rows["LDTT"]["verdict"]
    assert ldtt.status == "eligible" and ldtt.year == YEAR
    assert all(reason.ok for reason in ldtt.reasons)
    content = response.content.decode()
    for reason in ldtt.reasons:
        assert reason.message in content
    assert rows["LDTT"]["badge"] == "text-bg-success"
    assert rows["CSTDCS"]["verdict"].status != "eligible"  # no LDTT yet in the year


def test_proposable_panel_shows_the_quota_of_the_person_unit(org, as_persona):
    for n in range(7):
        colleague = factories.make_person(org.unit_a)
        _award("LDTT", YEAR, f"{n}/QĐ", person=colleague)
    response = as_persona("officer_a").get(reverse("person_awards", args=[org.person_a.pk]), {"year": YEAR})
    rows = {row["verdict"].award_code: row for row in response.context["proposable"]}
    quota = rows["CSTDCS"]["quota"]
    assert quota is not None and quota.unit == org.unit_a
    assert (quota.used, quota.allowed) == (0, 1)  # 15 % of 7 LĐTT, rounded down
    assert rows["LDTT"]["quota"] is None
    assert f"{quota.used} / {quota.allowed}" in response.content.decode()


def test_unit_and_household_panels_check_collective_and_household_awards(org, as_persona):
    household = factories.make_household(org.unit_a)
    client = as_persona("officer_a")
    unit_codes = {
        r["verdict"].award_code for r in client.get(reverse("unit_awards", args=[org.unit_a.pk])).context["proposable"]
    }
    assert "TTLDTT" in unit_codes and "LDTT" not in unit_codes
    household_rows = client.get(reverse("household_awards", args=[household.pk])).context["proposable"]
    assert {r["verdict"].award_code for r in household_rows} == {"GK", "GDVH"}
    assert all(r["verdict"].status == "review" for r in household_rows)  # judged by people


def test_year_defaults_to_this_year_in_vietnam_and_ignores_nonsense(org, as_persona):
    client = as_persona("officer_a")
    url = reverse("person_awards", args=[org.person_a.pk])
    this_year = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).year
    assert client.get(url).context["year"] == this_year
    assert client.get(url, {"year": "abc"}).context["year"] == this_year
    assert client.get(url, {"year": "2019"}).context["year"] == 2019


def test_panels_use_few_queries(org, as_persona, django_assert_max_num_queries):
    client = as_persona("officer_a")
    for n in range(3):
        _award("LDTT", 2020 + n, f"{n}/QĐ", person=org.person_a)
        Rating.objects.create(person=org.person_a, year=2020 + n, rating=Rating.Level.GOOD)
    with django_assert_max_num_queries(40):
        client.get(reverse("person_awards", args=[org.person_a.pk]))
    predecessor = factories.make_unit(parent=org.province, kind=Unit.Kind.DEPARTMENT)
    org.unit_a.successor_of.add(predecessor)
    with django_assert_max_num_queries(40):
        client.get(reverse("unit_awards", args=[org.unit_a.pk]))
