"""Acceptance of issue 4 in the browser: a province launches a campaign, a commune registers, its head
approves, the province sees it, and a later change of the deadline is an audited amendment."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from campaigns.models import Campaign, CampaignAmendment, Registration
from organizations.models import Unit
from tests import factories
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD
from thiduakt.lib import permissions

pytestmark = pytest.mark.django_db(transaction=True)


def _user_with_role(username, role, unit):
    user = factories.make_user(username)
    permissions.grant_unit_role(user, role, unit)
    return user


def _switch_user(page, live_server, username):
    page.context.clear_cookies()
    log_in(page, live_server, username, PASSWORD)


def test_campaign_from_launch_to_consolidation_and_amendment(page, live_server, org):
    commune = factories.make_unit("Xã An Bình", code="XAB", parent=org.province, kind=Unit.Kind.COMMUNE,
                                  level=Unit.Level.COMMUNE)  # fmt: skip
    _user_with_role("officer_province", Unit.Role.OFFICER, org.province)
    _user_with_role("officer_commune", Unit.Role.OFFICER, commune)
    _user_with_role("head_commune", Unit.Role.HEAD, commune)
    today = timezone.localdate()
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations before launching

    # The province's officer drafts the campaign with a criterion and a registration deadline, then launches it.
    log_in(page, live_server, "officer_province", PASSWORD)
    page.goto(f"{live_server.url}{reverse('campaign_create')}")
    page.fill("input[name=code]", "PT-NTM-2026")
    page.fill("input[name=title]", "Chung sức xây dựng nông thôn mới")
    page.fill("input[name=launching_unit_code]", "T01")
    page.select_option("select[name=kind]", "thematic")
    page.fill("input[name=period_start]", today.isoformat())
    page.fill("input[name=period_end]", (today + dt.timedelta(days=365)).isoformat())
    page.fill("input[name=registration_deadline]", (today + dt.timedelta(days=30)).isoformat())
    page.fill("input[name=nomination_deadline]", (today + dt.timedelta(days=330)).isoformat())
    page.select_option("select[name=award_codes]", ["TTLDTT", "LDTT"])
    page.fill("textarea[name=criteria-0-text]", "Hoàn thành 19 tiêu chí nông thôn mới")
    page.fill("input[name=criteria-0-points]", "60")
    page.click("main form button[type=submit].btn-primary")
    campaign = Campaign.objects.get(code="PT-NTM-2026")
    assert page.url == f"{live_server.url}{reverse('campaign_detail', args=[campaign.pk])}"
    page.click("button[name=launch]")
    page.wait_for_load_state()
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.LAUNCHED
    assert page.locator("#campaign-state").inner_text() == gettext("Launched")

    # The commune's officer registers the commune and sends it.
    _switch_user(page, live_server, "officer_commune")
    page.goto(f"{live_server.url}{reverse('campaign_detail', args=[campaign.pk])}")
    page.click(f"a[href='{reverse('registration_edit', args=[campaign.pk, commune.pk])}']")
    page.select_option("select[name=unit_awards]", ["TTLDTT"])
    page.click("button[name=save]")
    page.click("button[name=submit]")
    page.wait_for_load_state()
    assert Registration.objects.get(campaign=campaign, unit=commune).state == Registration.State.AWAITING_APPROVAL

    # The commune's head approves.
    _switch_user(page, live_server, "head_commune")
    page.goto(f"{live_server.url}{reverse('registration_edit', args=[campaign.pk, commune.pk])}")
    page.click("button[name=approve]")
    page.wait_for_load_state()
    assert page.locator("#registration-state").inner_text() == gettext("Approved")

    # The province sees it in the consolidated view.
    _switch_user(page, live_server, "officer_province")
    page.goto(f"{live_server.url}{reverse('campaign_registrations', args=[campaign.pk])}")
    row = page.locator("tr[data-unit=XAB]")
    assert gettext("Approved") in row.inner_text() and "TTLDTT" in row.inner_text()

    # After the launch, editing the deadline leads to an amendment, which the audit trail shows.
    page.goto(f"{live_server.url}{reverse('campaign_edit', args=[campaign.pk])}")
    assert page.url == f"{live_server.url}{reverse('campaign_amend', args=[campaign.pk])}"
    new_deadline = today + dt.timedelta(days=45)
    page.fill("input[name=registration_deadline]", new_deadline.isoformat())
    page.fill("textarea[name=reason]", "Các xã đề nghị thêm thời gian")
    page.click("main form button[type=submit].btn-primary")
    page.wait_for_load_state()
    assert page.locator("#registration-deadline").inner_text() == f"{new_deadline:%d/%m/%Y}"
    assert "Các xã đề nghị thêm thời gian" in page.locator("main").inner_text()
    assert CampaignAmendment.objects.filter(campaign=campaign).count() == 1
    page.click(f"a[href='{reverse('audit_object', args=['campaigns.campaign', campaign.pk])}']")
    trail = page.locator("main").inner_text()
    assert gettext("Campaign amended") in trail and "Các xã đề nghị thêm thời gian" in trail
