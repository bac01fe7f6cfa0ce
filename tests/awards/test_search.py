"""The search box (issue 9): people, units, households, nominations and decisions by name or code without accents,
each through its own list's visibility; and a person's page with the whole award history and the nominations under
way."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from awards.models import AwardRecord, AwardType, Decision, DecisionItem, Nomination
from organizations.models import Employment
from tests import factories

pytestmark = pytest.mark.usefixtures("catalogue")
State = Nomination.State


def nominate(person, proposing_unit, *, code="LDTT", year=2025, state=State.SUBMITTED) -> Nomination:
    return Nomination.objects.create(
        person=person, award_type=AwardType.objects.get(code=code), year=year, proposing_unit=proposing_unit,
        achievement="Hoàn thành xuất sắc nhiệm vụ", state=state,
    )  # fmt: skip


def issue_decision(org, nomination, *, number=5) -> DecisionItem:
    """An issued decision of the province with one line for the nomination's person, and the award record."""
    decision = Decision.objects.create(
        issuer=org.province, award_type=nomination.award_type, state=Decision.State.ISSUED, number=number,
        year=nomination.year, decided_on=date(nomination.year, 12, 20), place="Sông Hồng",
        title="Về việc tặng danh hiệu", issuer_title="CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH", signer_title="CHỦ TỊCH",
        signer_name="Trần Văn Chính", achievement="Đã có thành tích",
    )  # fmt: skip
    record = AwardRecord.objects.create(
        person=nomination.person, award_type=nomination.award_type, year=nomination.year,
        decision_number=decision.number_label, decision_date=decision.decided_on, source=AwardRecord.Source.DECISION,
    )  # fmt: skip
    return DecisionItem.objects.create(
        decision=decision, nomination=nomination, group=DecisionItem.Group.INDIVIDUAL, order=1,
        recipient_name=nomination.person.full_name, recipient_unit=nomination.person.unit.name, award_record=record,
    )  # fmt: skip


def search(client, query, **headers):
    return client.get(reverse("search"), {"q": query}, headers=headers)


def rows(response, key):
    return next((group.rows for group in response.context["groups"] if group.key == key), [])


def test_a_name_typed_without_accents_finds_the_person_her_nomination_and_her_decision(org, as_persona):
    nomination = nominate(org.person_a, org.unit_a, state=State.AWARDED)
    item = issue_decision(org, nomination)
    response = search(as_persona("admin_user"), "nguyen thi hoa")
    assert org.person_a in rows(response, "people")
    assert nomination in rows(response, "nominations")
    decisions = rows(response, "decisions")
    assert decisions == [item.decision] and decisions[0].matched_recipient == "Nguyễn Thị Hoà"
    content = response.content.decode()
    for url in (
        reverse("person_detail", args=[org.person_a.pk]),
        reverse("nomination_detail", args=[nomination.pk]),
        reverse("decision_detail", args=[item.decision.pk]),
    ):
        assert f'href="{url}"' in content


def test_words_may_come_in_any_order_and_each_must_be_there(org, as_persona):
    client = as_persona("officer_a")
    assert org.person_a in rows(search(client, "HOA nguyễn"), "people")
    assert rows(search(client, "hoa nguyen khanh"), "people") == []
    assert org.person_b not in rows(search(client, "le van an"), "people")  # unit B: not officer A's


def test_a_code_finds_the_unit_and_the_person_first(org, as_persona):
    factories.make_unit("Trường SGD thực hành", code="SGD2", parent=org.unit_a)
    client = as_persona("officer_a")
    units = rows(search(client, "sgd"), "units")
    assert units[0] == org.unit_a and len(units) == 2
    assert rows(search(client, "CB0001"), "people")[0] == org.person_a
    household = factories.make_household(org.unit_a, head_name="Đặng Văn Đức")
    assert rows(search(client, "dang van duc"), "households") == [household]
    assert rows(search(client, household.code), "households") == [household]
    collective = Nomination.objects.create(
        unit=org.unit_a_child, award_type=AwardType.objects.get(code="TTLDTT"), year=2025, proposing_unit=org.unit_a,
        achievement="Hoàn thành xuất sắc nhiệm vụ",
    )  # fmt: skip
    assert rows(search(client, "lqd"), "nominations") == [collective]
    assert rows(search(client, "le quy don"), "nominations") == [collective]


def test_the_query_is_shown_escaped(org, as_persona):
    content = search(as_persona("officer_a"), "<b>xyz</b>").content.decode()
    assert "<b>xyz</b>" not in content and "&lt;b&gt;xyz&lt;/b&gt;" in content


def test_an_officer_of_unit_b_never_sees_a_nomination_of_unit_a(org, as_persona):
    nomination = nominate(org.person_a, org.unit_a)
    url = reverse("nomination_detail", args=[nomination.pk])
    client = as_persona("officer_b")
    for user in (None, factories.make_user("no_role")):
        if user is not None:
            client.force_login(user)
        for query in ("nguyen thi hoa", "CB0001", "hoa"):
            response = search(client, query)
            content = response.content.decode()
            assert url not in content and "Nguyễn Thị Hoà" not in content
            assert rows(response, "nominations") == [] and rows(response, "people") == []

    response = search(as_persona("officer_a"), "nguyen thi hoa")
    assert rows(response, "nominations") == [nomination] and url in response.content.decode()


def test_a_unit_b_nomination_of_a_unit_a_person_stays_with_unit_b(org, as_persona):
    """The person moved to unit B, which proposes her: her old unit's officer finds her, not unit B's nomination."""
    theirs = nominate(org.person_a, org.unit_b, code="CSTDCS")
    officer_a = search(as_persona("officer_a"), "nguyen thi hoa")
    assert org.person_a in rows(officer_a, "people") and theirs not in rows(officer_a, "nominations")
    assert reverse("nomination_detail", args=[theirs.pk]) not in officer_a.content.decode()
    assert rows(search(as_persona("officer_b"), "nguyen thi hoa"), "nominations") == [theirs]


def test_admins_see_everything_and_decisions_follow_the_decision_list(org, as_persona):
    mine = nominate(org.person_a, org.unit_a, state=State.AWARDED)
    theirs = nominate(org.person_b, org.unit_b)
    item = issue_decision(org, mine)
    admin = as_persona("admin_user")
    assert set(rows(search(admin, "nguyen thi hoa"), "nominations")) == {mine}
    assert set(rows(search(admin, "le van an"), "nominations")) == {theirs}
    assert rows(search(admin, "05/QĐ-UBND"), "decisions") == [item.decision]
    # Decisions are the issuer's business: the province council's secretariat sees them, unit officers do not.
    assert rows(search(as_persona("secretariat"), "nguyen thi hoa"), "decisions") == [item.decision]
    officer = search(as_persona("officer_a"), "nguyen thi hoa")
    assert rows(officer, "decisions") == []
    assert reverse("decision_detail", args=[item.decision.pk]) not in officer.content.decode()


@pytest.mark.parametrize("query", ["", "  ", "a", "ẫ", " đ "])
def test_an_empty_or_one_letter_query_gives_a_hint_and_searches_nothing(org, as_persona, query):
    client = as_persona("officer_a")
    with CaptureQueriesContext(connection) as queries:
        response = search(client, query)
    assert response.status_code == 200
    assert response.context["groups"] == [] and 'id="search-hint"' in response.content.decode()
    assert not [q for q in queries.captured_queries if "organizations_person" in q["sql"]]
    with translation.override("vi"):
        hint = gettext("Accents are optional: “nguyen thi hoa” finds “Nguyễn Thị Hoà”.")
    assert hint in response.content.decode()


def _matches(org, count):
    for n in range(count):
        person = factories.make_person(org.unit_a, f"Nguyễn Thị Hoà Số {n}")
        nominate(person, org.unit_a, state=State.AWARDED if n % 2 else State.SUBMITTED)
        factories.make_household(org.unit_a, head_name=f"Nguyễn Thị Hoà {n}")
    for nomination in Nomination.objects.filter(state=State.AWARDED, decision_item__isnull=True):
        issue_decision(org, nomination, number=100 + nomination.pk)


@pytest.mark.parametrize("persona", ["officer_a", "admin_user", "secretariat"])
def test_query_count_does_not_grow_with_the_matches(org, as_persona, persona, django_assert_max_num_queries):
    client = as_persona(persona)
    _matches(org, 2)
    with CaptureQueriesContext(connection) as few:
        search(client, "nguyen thi hoa")
    _matches(org, 14)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = search(client, "nguyen thi hoa")
    assert len(few.captured_queries) <= 16
    groups = {group.key: group for group in response.context["groups"]}
    if persona != "secretariat":
        assert len(groups["people"].rows) == 10 and groups["people"].more
        assert groups["people"].see_all == reverse("person_list") + "?q=nguyen+thi+hoa"
        assert len(groups["nominations"].rows) == 10 and groups["nominations"].more


def test_see_all_lists_show_the_matches(org, as_persona):
    _matches(org, 12)
    nominate(org.person_b, org.unit_a, code="CSTDCS")  # proposed by unit A, not a match
    client = as_persona("officer_a")
    listed = client.get(reverse("nomination_list"), {"q": "nguyen thi hoa"}).context["page"]
    assert listed.paginator.count == 12 and all("Hoà" in str(n.subject) for n in listed)
    assert client.get(reverse("nomination_list"), {"q": "le van an"}).context["page"].paginator.count == 1
    people = client.get(reverse("person_list"), {"q": "nguyen thi hoa"}).context["page"]
    assert people.paginator.count == 13  # the twelve and person_a


def test_htmx_gets_the_results_only(org, as_persona):
    response = search(as_persona("officer_a"), "nguyen thi hoa", HX_Request="true")
    content = response.content.decode()
    assert "<html" not in content and 'id="search-results"' in content and "Nguyễn Thị Hoà" in content
    assert "HX-Request" in response["Vary"]
    full = search(as_persona("officer_a"), "nguyen thi hoa").content.decode()
    assert "<html" in full and f'action="{reverse("search")}"' in full


def test_the_header_carries_the_search_box_for_logged_in_users(org, as_persona, client):
    assert f'action="{reverse("search")}"' not in client.get(reverse("login")).content.decode()
    content = as_persona("officer_a").get(reverse("home")).content.decode()
    assert f'action="{reverse("search")}"' in content and 'id="header-search"' in content


# The person's page -------------------------------------------------------------------------------------------


def test_person_page_shows_the_whole_history_across_units_and_the_nominations_under_way(org, as_persona):
    person = org.person_a
    Employment.objects.create(person=person, unit=org.unit_b, start=date(2018, 1, 1), end=date(2021, 6, 30))
    Employment.objects.create(person=person, unit=org.unit_a, start=date(2021, 7, 1))
    ldtt, cstdcs = AwardType.objects.get(code="LDTT"), AwardType.objects.get(code="CSTDCS")
    AwardRecord.objects.create(person=person, award_type=ldtt, year=2019, decision_number="12/QĐ-SYT")
    AwardRecord.objects.create(
        person=person, award_type=cstdcs, year=2020, decision_number="31/QĐ-SYT", revoked=True,
        revoked_reason="Khai man thành tích",
    )  # fmt: skip
    awarded = nominate(person, org.unit_a, code="LDTT", year=2023, state=State.AWARDED)
    item = issue_decision(org, awarded)
    under_way = nominate(person, org.unit_a, code="LDTT", year=2025, state=State.IN_APPRAISAL)
    ended = nominate(person, org.unit_a, code="CSTDCS", year=2025, state=State.REJECTED)
    elsewhere = nominate(person, org.unit_b, code="GK", year=2025)  # proposed by unit B

    response = as_persona("officer_a").get(reverse("person_awards", args=[person.pk]))
    history = response.context["awards"]
    assert [(r.year, r.unit_then) for r in history] == [(2023, org.unit_a), (2020, org.unit_b), (2019, org.unit_b)]
    content = response.content.decode()
    assert "12/QĐ-SYT" in content and "31/QĐ-SYT" in content and org.unit_b.name in content
    revoked_row = content.split("31/QĐ-SYT")[0].rsplit("<tr", 1)[1]
    assert "text-decoration-line-through" in revoked_row and "Khai man thành tích" in content
    assert list(response.context["open_nominations"]) == [under_way]
    assert reverse("nomination_detail", args=[under_way.pk]) in content
    for hidden in (ended, elsewhere, awarded):
        assert reverse("nomination_detail", args=[hidden.pk]) not in content
    # The decision is the province's: unit A's officer reads its number, not a link to it; an admin gets the link.
    decision_url = reverse("decision_detail", args=[item.decision.pk])
    assert "05/QĐ-UBND" in content and decision_url not in content
    admin = as_persona("admin_user").get(reverse("person_awards", args=[person.pk])).content.decode()
    assert decision_url in admin
    assert reverse("nomination_detail", args=[elsewhere.pk]) in admin


def test_person_page_queries_do_not_grow_with_the_history(org, as_persona, django_assert_max_num_queries):
    client = as_persona("officer_a")
    person = org.person_a
    Employment.objects.create(person=person, unit=org.unit_a, start=date(2015, 1, 1))
    nominate(person, org.unit_a, year=2020, state=State.AWARDED)
    issue_decision(org, Nomination.objects.get(person=person, year=2020))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("person_awards", args=[person.pk]))
    for year in range(2021, 2025):
        issue_decision(org, nominate(person, org.unit_a, year=year, state=State.AWARDED), number=year)
        nominate(person, org.unit_a, code="CSTDCS", year=year)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("person_awards", args=[person.pk]))
