import datetime as dt
import io
import re
from html import unescape

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext

from audit.models import AuditEvent
from campaigns.models import Campaign, Registration
from campaigns.services import campaigns as services
from organizations.models import Unit
from tests import factories
from tests.campaigns.test_campaigns import days, make_campaign
from thiduakt.lib import permissions


@pytest.fixture
def school(org):
    """The school LQD under unit A, with its own officer and head, and a teacher."""
    officer = factories.make_user("officer_lqd")
    permissions.grant_unit_role(officer, Unit.Role.OFFICER, org.unit_a_child)
    head = factories.make_user("head_lqd")
    permissions.grant_unit_role(head, Unit.Role.HEAD, org.unit_a_child)
    teacher = factories.make_person(org.unit_a_child, "Phạm Thị Lan", code="GV0001")
    return type("School", (), {"unit": org.unit_a_child, "officer": officer, "head": head, "teacher": teacher})


@pytest.fixture
def campaign(org, officer_a):
    return make_campaign(officer_a, org.unit_a, award_codes=["TTLDTT", "LDTT", "CSTDCS"])


def registration_post(unit_awards=(), people=(), note=""):
    data = {
        "unit_awards": list(unit_awards),
        "note": note,
        "people-TOTAL_FORMS": str(max(len(people), 1)),
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "500",
        "people-0-person": "",
        "people-0-award_code": "",
    }
    for i, (person, code) in enumerate(people):
        data[f"people-{i}-person"] = str(person.pk)
        data[f"people-{i}-award_code"] = code
    return data


def register(campaign, school, *, submit=True):
    registration = services.registration_save(
        by=school.officer,
        campaign=campaign,
        unit=school.unit,
        targets=[(None, "TTLDTT"), (school.teacher, "LDTT")],
    )
    if submit:
        registration = services.registration_submit(by=school.officer, registration=registration)
    return registration


# The officer registers ------------------------------------------------------------------------------


def test_officer_registers_the_unit_and_its_people(org, client, school, campaign):
    client.force_login(school.officer)
    url = reverse("registration_edit", args=[campaign.pk, school.unit.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, registration_post(["TTLDTT"], [(school.teacher, "CSTDCS")], note="Kế hoạch năm"))
    assert response.status_code == 302
    registration = Registration.objects.get(campaign=campaign, unit=school.unit)
    assert registration.state == Registration.State.NOT_SENT and registration.note == "Kế hoạch năm"
    assert {(t.person_id, t.award_code) for t in registration.targets.all()} == {
        (None, "TTLDTT"),
        (school.teacher.pk, "CSTDCS"),
    }
    response = client.post(reverse("registration_submit", args=[registration.pk]))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.state == Registration.State.AWAITING_APPROVAL and registration.submitted_at
    assert AuditEvent.objects.filter(verb="registration.submitted", object_id=str(registration.pk)).exists()
    # Sent: no more changes.
    with pytest.raises(services.CampaignError):
        register(campaign, school, submit=False)


def test_targets_are_checked(org, school, campaign):
    def save(targets):
        services.registration_save(by=school.officer, campaign=campaign, unit=school.unit, targets=targets)

    with pytest.raises(services.CampaignError, match="HCLD3"):  # not an award of this campaign
        save([(None, "HCLD3")])
    with pytest.raises(services.CampaignError):  # an individual title for the unit itself
        save([(None, "LDTT")])
    with pytest.raises(services.CampaignError):  # a collective title for a person
        save([(school.teacher, "TTLDTT")])
    with pytest.raises(services.CampaignError):  # person_a works in unit A, above the school
        save([(org.person_a, "LDTT")])
    with pytest.raises(services.CampaignError):
        save([(None, "KHONG_CO")])
    assert not Registration.objects.filter(targets__isnull=False).exists()


def test_any_known_award_when_the_campaign_names_none(org, school, officer_a):
    campaign = make_campaign(officer_a, org.unit_a)
    registration = services.registration_save(
        by=school.officer, campaign=campaign, unit=school.unit, targets=[(None, "CO_TINH")]
    )
    assert [t.award_code for t in registration.targets.all()] == ["CO_TINH"]


def test_sending_needs_a_title(org, school, campaign):
    registration = services.registration_save(by=school.officer, campaign=campaign, unit=school.unit, targets=[])
    with pytest.raises(services.CampaignError):
        services.registration_submit(by=school.officer, registration=registration)


def test_registration_refused_after_the_deadline(org, client, school, campaign):
    registration = register(campaign, school, submit=False)
    url = reverse("registration_edit", args=[campaign.pk, school.unit.pk])
    message = gettext("The registration deadline (%(date)s) has passed.") % {"date": f"{days(30):%d/%m/%Y}"}
    with time_machine.travel(timezone.make_aware(dt.datetime.combine(days(31), dt.time(9))), tick=False):
        client.force_login(school.officer)
        with pytest.raises(services.CampaignError, match=re.escape(message)):
            register(campaign, school, submit=False)
        response = client.post(reverse("registration_submit", args=[registration.pk]), follow=True)
        assert escape(message) in response.content.decode()
        page = client.get(url)
        assert page.context["can_edit"] is False
        assert client.post(url, registration_post(["TTLDTT"])).status_code == 200
    registration.refresh_from_db()
    assert registration.state == Registration.State.NOT_SENT


def test_drafts_and_units_out_of_scope_take_no_registration(org, client, school, officer_a, officer_b):
    draft = make_campaign(officer_a, org.unit_a, launch=False)
    client.force_login(school.officer)
    assert client.get(reverse("registration_edit", args=[draft.pk, school.unit.pk])).status_code == 404
    campaign = make_campaign(officer_a, org.unit_a)
    client.force_login(officer_a)  # unit B is not under unit A
    assert client.get(reverse("registration_edit", args=[campaign.pk, org.unit_b.pk])).status_code == 404
    client.force_login(officer_b)
    assert client.get(reverse("registration_edit", args=[campaign.pk, school.unit.pk])).status_code == 404
    with pytest.raises(services.CampaignError):
        services.registration_save(by=officer_b, campaign=campaign, unit=org.unit_b, targets=[(None, "TTLDTT")])


def test_only_officers_save_and_send(org, client, school, campaign):
    registration = register(campaign, school, submit=False)
    client.force_login(school.head)
    url = reverse("registration_edit", args=[campaign.pk, school.unit.pk])
    assert client.get(url).status_code == 200  # the head reads it
    assert client.post(url, registration_post(["TTLDTT"])).status_code == 403
    assert client.post(reverse("registration_submit", args=[registration.pk])).status_code == 403


# The head decides -----------------------------------------------------------------------------------


def test_head_approves(org, client, school, campaign):
    registration = register(campaign, school)
    client.force_login(school.officer)
    assert client.post(reverse("registration_approve", args=[registration.pk])).status_code == 403
    client.force_login(school.head)
    page = client.get(reverse("registration_edit", args=[campaign.pk, school.unit.pk])).content.decode()
    assert reverse("registration_approve", args=[registration.pk]) in page and "Phạm Thị Lan" in page
    assert client.post(reverse("registration_approve", args=[registration.pk])).status_code == 302
    registration.refresh_from_db()
    assert registration.state == Registration.State.APPROVED and registration.approved_by == school.head
    assert AuditEvent.objects.filter(verb="registration.approved", object_id=str(registration.pk)).exists()


def test_head_of_the_launching_unit_may_approve_too(org, client, school, campaign, head_a, officer_b):
    registration = register(campaign, school)
    client.force_login(officer_b)
    assert client.post(reverse("registration_approve", args=[registration.pk])).status_code == 404
    client.force_login(head_a)
    assert client.post(reverse("registration_approve", args=[registration.pk])).status_code == 302
    registration.refresh_from_db()
    assert registration.state == Registration.State.APPROVED


def test_head_returns_with_a_reason_and_the_officer_sends_again(org, client, school, campaign):
    registration = register(campaign, school)
    client.force_login(school.head)
    client.post(reverse("registration_return", args=[registration.pk]), {"reason": ""})
    registration.refresh_from_db()
    assert registration.state == Registration.State.AWAITING_APPROVAL
    client.post(reverse("registration_return", args=[registration.pk]), {"reason": "Thiếu danh sách cá nhân"})
    registration.refresh_from_db()
    assert registration.state == Registration.State.RETURNED
    assert registration.return_reason == "Thiếu danh sách cá nhân"
    assert AuditEvent.objects.get(verb="registration.returned").data == {"reason": "Thiếu danh sách cá nhân"}
    client.force_login(school.officer)
    page = client.get(reverse("registration_edit", args=[campaign.pk, school.unit.pk]))
    assert "Thiếu danh sách cá nhân" in page.content.decode() and page.context["can_edit"]
    register(campaign, school)
    registration.refresh_from_db()
    assert registration.state == Registration.State.AWAITING_APPROVAL


# The launching unit's consolidated view -------------------------------------------------------------


def _consolidated_setup(org, school, campaign, officer_a):
    """LQD approved, a second school awaiting, a third returned, unit A itself not sent."""
    register(campaign, school)
    services.registration_approve(by=school.head, registration=Registration.objects.get(unit=school.unit))
    second = factories.make_unit("Trường THPT Chu Văn An", code="CVA", parent=org.unit_a)
    third = factories.make_unit("Trường THCS Kim Đồng", code="KD", parent=org.unit_a)
    for unit in (second, third):
        registration = services.registration_save(
            by=officer_a, campaign=campaign, unit=unit, targets=[(None, "TTLDTT")]
        )
        services.registration_submit(by=officer_a, registration=registration)
    services.registration_return(by=officer_a, registration=Registration.objects.get(unit=third), reason="Bổ sung")


def _screen_rows(html: str) -> list[list[str]]:
    table = html.split('id="registrations"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        rows.append([unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells])
    return rows


def test_consolidated_view_counts_by_state_and_filters(org, client, school, campaign, officer_a):
    _consolidated_setup(org, school, campaign, officer_a)
    client.force_login(officer_a)
    url = reverse("campaign_registrations", args=[campaign.pk])
    response = client.get(url)
    counts = {value: count for value, _label, count in response.context["counts"]}
    assert counts == {"not_sent": 1, "awaiting_approval": 1, "returned": 1, "approved": 1}
    rows = {row[0]: row for row in _screen_rows(response.content.decode())}
    assert rows["LQD"][2] == str(Registration.State.APPROVED.label)
    assert rows["LQD"][3] == "TTLDTT" and rows["LQD"][4] == "Phạm Thị Lan (GV0001): LDTT"
    assert rows["SGD"][2] == str(Registration.State.NOT_SENT.label)
    only_returned = _screen_rows(client.get(url, {"state": "returned"}).content.decode())
    assert [row[0] for row in only_returned] == ["KD"]
    not_sent = _screen_rows(client.get(url, {"state": "not_sent"}).content.decode())
    assert [row[0] for row in not_sent] == ["SGD"]
    searched = _screen_rows(client.get(url, {"q": "chu van an"}).content.decode())
    assert [row[0] for row in searched] == ["CVA"]
    detail = client.get(reverse("campaign_detail", args=[campaign.pk]))
    assert detail.context["progress"] == {"in_scope": 4, "registered": 3, "awaiting": 1, "returned": 1, "approved": 1}


def test_excel_export_matches_the_screen(org, client, school, campaign, officer_a):
    _consolidated_setup(org, school, campaign, officer_a)
    client.force_login(officer_a)
    url = reverse("campaign_registrations", args=[campaign.pk])
    screen = _screen_rows(client.get(url).content.decode())
    response = client.get(url, {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == gettext("Unit code")

    def text(value):
        if isinstance(value, dt.datetime):
            return f"{value:%d/%m/%Y}"
        return "" if value is None else str(value)

    assert [[text(v) for v in row] for row in rows[1:]] == screen
    filtered = client.get(url, {"format": "xlsx", "state": "approved"})
    approved = list(openpyxl.load_workbook(io.BytesIO(filtered.content)).worksheets[0].iter_rows(values_only=True))
    assert [row[0] for row in approved[1:]] == ["LQD"]


def test_consolidated_view_access(org, as_persona, campaign):
    url = reverse("campaign_registrations", args=[campaign.pk])
    assert as_persona("head_a").get(url).status_code == 200
    assert as_persona("officer_b").get(url).status_code == 404
    assert as_persona("secretariat").get(url).status_code == 404


@pytest.mark.parametrize("size", [3, 60])
def test_consolidated_queries_do_not_grow(size, org, client, campaign, officer_a, django_assert_max_num_queries):
    for i in range(size):
        unit = factories.make_unit(parent=org.unit_a)
        person = factories.make_person(unit)
        registration = services.registration_save(
            by=officer_a, campaign=campaign, unit=unit, targets=[(None, "TTLDTT"), (person, "LDTT")]
        )
        if i % 2:
            services.registration_submit(by=officer_a, registration=registration)
    client.force_login(officer_a)
    url = reverse("campaign_registrations", args=[campaign.pk])
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(url, {"format": "xlsx"}).status_code == 200


def test_campaign_state_guards_registration(org, school, officer_a):
    campaign = make_campaign(officer_a, org.unit_a)
    services.campaign_advance(by=officer_a, campaign=campaign)  # closed: no mid-term review
    assert Campaign.objects.get(pk=campaign.pk).state == Campaign.State.CLOSED
    with pytest.raises(services.CampaignError):
        register(campaign, school, submit=False)
