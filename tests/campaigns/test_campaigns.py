import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext

from audit.models import AuditEvent
from campaigns.models import Campaign, CampaignAmendment
from campaigns.services import campaigns as services
from organizations.models import Unit
from tests import factories
from thiduakt.lib import permissions


def today():
    return timezone.localdate()


def days(n):
    return today() + dt.timedelta(days=n)


def make_campaign(by, unit, *, launch=True, criteria=(("Hoàn thành xuất sắc nhiệm vụ", 50),), **fields):
    values = {
        "code": f"PT{factories._next():04d}",
        "title": "Thi đua dạy tốt, học tốt",
        "kind": Campaign.Kind.REGULAR,
        "scope": Campaign.Scope.SUBTREE,
        "period_start": days(0),
        "period_end": days(300),
        "registration_deadline": days(30),
        "nomination_deadline": days(280),
    }
    values.update(fields)
    campaign = services.campaign_create(by=by, launching_unit=unit, criteria=criteria, **values)
    if launch:
        campaign = services.campaign_launch(by=by, campaign=campaign)
    return campaign


def form_data(**overrides):
    data = {
        "code": "PT-2026-01",
        "title": "Phong trào thi đua đổi mới, sáng tạo",
        "launching_unit_code": "SGD",
        "kind": "thematic",
        "scope": "subtree",
        "period_start": days(0).isoformat(),
        "period_end": days(200).isoformat(),
        "description": "Kế hoạch phát động",
        "registration_deadline": days(20).isoformat(),
        "midterm_review_on": "",
        "nomination_deadline": days(180).isoformat(),
        "final_review_on": "",
        "chosen_unit_codes": "",
        "award_codes": ["TTLDTT", "LDTT"],
        "criteria-TOTAL_FORMS": "3",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "100",
        "criteria-0-text": "Có sáng kiến được công nhận",
        "criteria-0-points": "30",
        "criteria-1-text": "Không có vi phạm",
        "criteria-1-points": "",
        "criteria-2-text": "",
        "criteria-2-points": "",
    }
    data.update(overrides)
    return data


def page_text(response) -> str:
    return response.content.decode()


# Creating and editing a draft ------------------------------------------------------------------------


def test_officer_creates_a_draft_with_criteria_and_a_plan(org, client, officer_a):
    client.force_login(officer_a)
    plan = SimpleUploadedFile("ke-hoach.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
    response = client.post(reverse("campaign_create"), {**form_data(), "plan_document": plan})
    campaign = Campaign.objects.get(code="PT-2026-01")
    assert response.status_code == 302 and response["Location"] == reverse("campaign_detail", args=[campaign.pk])
    assert campaign.state == Campaign.State.DRAFT and campaign.launching_unit == org.unit_a
    assert campaign.award_codes == ["LDTT", "TTLDTT"]
    assert [(c.text, c.points) for c in campaign.criteria.all()] == [
        ("Có sáng kiến được công nhận", 30),
        ("Không có vi phạm", None),
    ]
    assert AuditEvent.objects.filter(verb="campaign.created", object_id=str(campaign.pk)).exists()
    download = client.get(reverse("campaign_document", args=[campaign.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 plan"
    Path(campaign.plan_document.path).unlink()


def test_officer_cannot_launch_for_a_unit_they_do_not_cover(org, client, officer_b):
    client.force_login(officer_b)
    response = client.post(reverse("campaign_create"), form_data())
    assert response.status_code == 200
    assert escape(gettext("You may only launch campaigns of units where you are an officer or head.")) in page_text(
        response
    )
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("persona", ["secretariat", "member"])
def test_people_without_a_unit_role_cannot_create(persona, org, as_persona):
    assert as_persona(persona).get(reverse("campaign_create")).status_code == 403


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"period_end": days(-10).isoformat()},
            "The end of the period cannot be before its start.",
        ),
        (
            {"nomination_deadline": days(10).isoformat()},
            "The nomination deadline cannot be before the registration deadline.",
        ),
        ({"criteria-0-points": "-5"}, "Points cannot be negative."),
        ({"criteria-2-points": "10"}, "Write the criterion that these points are for."),
    ],
)
def test_bad_dates_and_negative_points_are_refused(overrides, message, org, client, officer_a):
    client.force_login(officer_a)
    response = client.post(reverse("campaign_create"), form_data(**overrides))
    assert response.status_code == 200
    assert escape(gettext(message)) in page_text(response)
    assert not Campaign.objects.exists()


def test_a_registration_deadline_before_the_launch_is_refused(org, client, officer_a):
    client.force_login(officer_a)
    response = client.post(reverse("campaign_create"), form_data(registration_deadline=days(-1).isoformat()))
    message = gettext("The registration deadline cannot be before the launch date (%(date)s).") % {
        "date": today().strftime("%d/%m/%Y")
    }
    assert escape(message) in page_text(response)
    assert not Campaign.objects.exists()


def test_services_refuse_negative_points_and_unknown_awards(org, officer_a):
    with pytest.raises(services.CampaignError, match=gettext("Points cannot be negative.")):
        make_campaign(officer_a, org.unit_a, launch=False, criteria=[("Tiêu chí", -1)])
    with pytest.raises(services.CampaignError):
        make_campaign(officer_a, org.unit_a, launch=False, award_codes=["KHONG_CO"])
    assert not Campaign.objects.exists()


def test_chosen_units_must_lie_under_the_launching_unit(org, officer_a):
    with pytest.raises(services.CampaignError):
        make_campaign(officer_a, org.unit_a, launch=False, scope=Campaign.Scope.CHOSEN, chosen_units=[org.unit_b])
    campaign = make_campaign(
        officer_a, org.unit_a, launch=False, scope=Campaign.Scope.CHOSEN, chosen_units=[org.unit_a_child]
    )
    assert list(campaign.chosen_units.all()) == [org.unit_a_child]


def test_draft_criteria_are_edited_in_the_form(org, client, head_a):
    campaign = make_campaign(head_a, org.unit_a, launch=False)
    client.force_login(head_a)
    assert client.get(reverse("campaign_edit", args=[campaign.pk])).status_code == 200
    data = form_data(
        code=campaign.code,
        **{
            "criteria-0-text": "Tiêu chí mới",
            "criteria-0-points": "12.5",
            "criteria-1-text": "",
            "criteria-INITIAL_FORMS": "1",
        },
    )
    response = client.post(reverse("campaign_edit", args=[campaign.pk]), data)
    assert response.status_code == 302
    assert [(c.text, str(c.points)) for c in campaign.criteria.all()] == [("Tiêu chí mới", "12.50")]
    assert AuditEvent.objects.filter(verb="campaign.updated", object_id=str(campaign.pk)).exists()


# Launch, amendments, stages --------------------------------------------------------------------------


def test_launch_checks_deadline_and_criteria(org, officer_a):
    campaign = make_campaign(officer_a, org.unit_a, launch=False, criteria=[])
    with pytest.raises(
        services.CampaignError, match=gettext("Add at least one criterion before launching the campaign.")
    ):
        services.campaign_launch(by=officer_a, campaign=campaign)
    Campaign.objects.filter(pk=campaign.pk).update(registration_deadline=days(-1))
    services.campaign_update(by=officer_a, campaign=campaign, criteria=[("Tiêu chí", None)])
    with pytest.raises(services.CampaignError):
        services.campaign_launch(by=officer_a, campaign=campaign)
    Campaign.objects.filter(pk=campaign.pk).update(registration_deadline=days(0))
    campaign = services.campaign_launch(by=officer_a, campaign=campaign)
    assert campaign.state == Campaign.State.LAUNCHED and campaign.launched_on == today()
    assert AuditEvent.objects.filter(verb="campaign.launched", object_id=str(campaign.pk)).exists()


def test_launch_button_asks_for_confirmation_and_launches(org, client, officer_a):
    campaign = make_campaign(officer_a, org.unit_a, launch=False)
    client.force_login(officer_a)
    detail = page_text(client.get(reverse("campaign_detail", args=[campaign.pk])))
    assert f'action="{reverse("campaign_launch", args=[campaign.pk])}" data-confirm=' in detail
    response = client.post(reverse("campaign_launch", args=[campaign.pk]))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.LAUNCHED


def test_viewers_cannot_launch_and_outsiders_get_404(org, client, officer_b):
    campaign = make_campaign(factories.make_user(), org.unit_a, launch=False)
    viewer = factories.make_user()
    permissions.grant_unit_role(viewer, Unit.Role.VIEWER, org.unit_a)
    client.force_login(viewer)
    assert client.post(reverse("campaign_launch", args=[campaign.pk])).status_code == 403
    assert client.get(reverse("campaign_detail", args=[campaign.pk])).status_code == 200
    client.force_login(officer_b)
    assert client.post(reverse("campaign_launch", args=[campaign.pk])).status_code == 404
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.DRAFT


def test_frozen_fields_change_only_by_an_amendment(org, client, officer_a):
    campaign = make_campaign(officer_a, org.unit_a)
    with pytest.raises(services.CampaignError):
        services.campaign_update(by=officer_a, campaign=campaign, registration_deadline=days(40))
    with pytest.raises(services.CampaignError):
        services.campaign_amend(by=officer_a, campaign=campaign, reason="Đổi tên", title="Tên khác")
    with pytest.raises(services.CampaignError, match=gettext("Give the reason for the amendment.")):
        services.campaign_amend(by=officer_a, campaign=campaign, reason=" ", registration_deadline=days(40))
    with pytest.raises(services.CampaignError):
        services.campaign_amend(by=officer_a, campaign=campaign, reason="Lùi", registration_deadline=days(-1))
    client.force_login(officer_a)
    response = client.get(reverse("campaign_edit", args=[campaign.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("campaign_amend", args=[campaign.pk])
    campaign.refresh_from_db()
    assert campaign.registration_deadline == days(30) and not CampaignAmendment.objects.exists()


def test_amendment_is_recorded_audited_and_announced(org, client, officer_a):
    campaign = make_campaign(officer_a, org.unit_a)
    client.force_login(officer_a)
    url = reverse("campaign_amend", args=[campaign.pk])
    assert client.get(url).status_code == 200
    data = {
        name: getattr(campaign, name).isoformat() if getattr(campaign, name) else "" for name in Campaign.FROZEN_FIELDS
    }
    data.update(registration_deadline=days(45).isoformat(), reason="Kéo dài theo đề nghị của các đơn vị")
    response = client.post(url, data)
    assert response.status_code == 302
    amendment = CampaignAmendment.objects.get(campaign=campaign)
    assert amendment.made_by == officer_a
    assert amendment.changes == {"registration_deadline": [days(30).isoformat(), days(45).isoformat()]}
    event = AuditEvent.objects.get(verb="campaign.amended", object_id=str(campaign.pk))
    assert event.data["reason"] == "Kéo dài theo đề nghị của các đơn vị"
    for page_url in (reverse("campaign_detail", args=[campaign.pk]), reverse("campaign_public", args=[campaign.code])):
        page = page_text(client.get(page_url))
        assert "Kéo dài theo đề nghị của các đơn vị" in page
        assert f"{days(30):%d/%m/%Y} → <strong>{days(45):%d/%m/%Y}</strong>" in page
    trail = page_text(client.get(reverse("audit_object", args=["campaigns.campaign", campaign.pk])))
    assert escape(gettext("Campaign amended")) in trail


def test_amendment_with_a_deadline_before_the_launch_is_refused_in_vietnamese(org, client, officer_a):
    campaign = make_campaign(officer_a, org.unit_a)
    client.force_login(officer_a)
    data = {
        name: getattr(campaign, name).isoformat() if getattr(campaign, name) else "" for name in Campaign.FROZEN_FIELDS
    }
    data.update(registration_deadline=days(-3).isoformat(), reason="Rút ngắn")
    response = client.post(reverse("campaign_amend", args=[campaign.pk]), data)
    message = gettext("The registration deadline cannot be before the launch date (%(date)s).") % {
        "date": today().strftime("%d/%m/%Y")
    }
    assert response.status_code == 200 and escape(message) in page_text(response)
    assert not CampaignAmendment.objects.exists()


def test_stages_follow_in_order(org, client, officer_a):
    campaign = make_campaign(officer_a, org.unit_a, midterm_review_on=days(150))
    client.force_login(officer_a)
    states = []
    for _ in range(4):
        client.post(reverse("campaign_advance", args=[campaign.pk]))
        campaign.refresh_from_db()
        states.append(campaign.state)
    assert states == ["midterm_reviewed", "closed", "summarised", "summarised"]
    assert AuditEvent.objects.filter(verb="campaign.advanced").count() == 3


def test_a_campaign_without_mid_term_review_goes_straight_to_closed(org, officer_a):
    campaign = make_campaign(officer_a, org.unit_a)
    assert services.campaign_advance(by=officer_a, campaign=campaign).state == Campaign.State.CLOSED


# Pages and access ------------------------------------------------------------------------------------


def test_public_page_for_anyone_but_not_for_drafts(org, client, officer_a):
    launched = make_campaign(officer_a, org.unit_a, title="Phong trào công khai")
    draft = make_campaign(officer_a, org.unit_a, launch=False)
    response = client.get(reverse("campaign_public", args=[launched.code]))
    assert response.status_code == 200 and "Phong trào công khai" in page_text(response)
    assert "Hoàn thành xuất sắc nhiệm vụ" in page_text(response)
    assert client.get(reverse("campaign_public", args=[draft.code])).status_code == 404


def test_detail_shows_progress_to_the_launching_unit(org, client, officer_a):
    campaign = make_campaign(officer_a, org.unit_a)
    client.force_login(officer_a)
    response = client.get(reverse("campaign_detail", args=[campaign.pk]))
    assert response.status_code == 200
    assert response.context["progress"] == {"in_scope": 2, "registered": 0, "awaiting": 0, "returned": 0, "approved": 0}


def test_units_in_scope_see_a_province_campaign_but_not_its_consolidation(org, client, officer_b):
    province_officer = factories.make_user()
    permissions.grant_unit_role(province_officer, Unit.Role.OFFICER, org.province)
    campaign = make_campaign(province_officer, org.province)
    draft = make_campaign(province_officer, org.province, launch=False)
    client.force_login(officer_b)
    assert client.get(reverse("campaign_detail", args=[campaign.pk])).status_code == 200
    assert client.get(reverse("campaign_registrations", args=[campaign.pk])).status_code == 403
    assert client.get(reverse("campaign_amend", args=[campaign.pk])).status_code == 403
    assert client.get(reverse("campaign_detail", args=[draft.pk])).status_code == 404
    listed = [c.pk for c in client.get(reverse("campaign_list")).context["page"]]
    assert listed == [campaign.pk]


def test_chosen_scope_reaches_only_the_chosen_units(org, client, officer_a, officer_b):
    province_officer = factories.make_user()
    permissions.grant_unit_role(province_officer, Unit.Role.OFFICER, org.province)
    campaign = make_campaign(
        province_officer, org.province, scope=Campaign.Scope.CHOSEN, chosen_units=[org.unit_a_child]
    )
    client.force_login(officer_a)  # officer of the chosen school's parent
    assert client.get(reverse("campaign_detail", args=[campaign.pk])).status_code == 200
    client.force_login(officer_b)
    assert client.get(reverse("campaign_detail", args=[campaign.pk])).status_code == 404


def test_list_filters(org, client, admin_user):
    make_campaign(admin_user, org.unit_a, title="Thường xuyên SGD")
    make_campaign(admin_user, org.unit_b, title="Chuyên đề SYT", kind=Campaign.Kind.THEMATIC, launch=False)
    make_campaign(
        admin_user,
        org.unit_b,
        title="Năm sau",
        period_start=dt.date(2031, 1, 1),
        period_end=dt.date(2031, 12, 31),
        nomination_deadline=dt.date(2031, 12, 1),
    )
    client.force_login(admin_user)

    def titles(**params):
        return sorted(c.title for c in client.get(reverse("campaign_list"), params).context["page"])

    assert titles() == ["Chuyên đề SYT", "Năm sau", "Thường xuyên SGD"]
    assert titles(kind="thematic") == ["Chuyên đề SYT"]
    assert titles(unit="SYT") == ["Chuyên đề SYT", "Năm sau"]
    assert titles(state="draft") == ["Chuyên đề SYT"]
    assert titles(year=2031) == ["Năm sau"]


def test_list_shows_only_what_the_user_may_see(org, client, officer_a, officer_b):
    mine = make_campaign(officer_a, org.unit_a)
    make_campaign(officer_b, org.unit_b)
    client.force_login(officer_a)
    assert [c.pk for c in client.get(reverse("campaign_list")).context["page"]] == [mine.pk]


@pytest.mark.parametrize("size", [3, 40])
def test_list_queries_do_not_grow(size, org, client, officer_a, django_assert_max_num_queries):
    for _ in range(size):
        make_campaign(officer_a, org.unit_a)
    client.force_login(officer_a)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("campaign_list"))
    assert response.status_code == 200 and len(response.context["page"]) == min(size, 30)


def test_campaigns_never_import_awards():
    root = Path(__file__).resolve().parents[2] / "campaigns"
    for source in root.rglob("*.py"):
        text = source.read_text()
        assert "from awards" not in text and "import awards" not in text, source
