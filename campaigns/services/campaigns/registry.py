"""Audit verb labels and browsable object types of the campaign services, registered in
CampaignsConfig.ready()."""

from django.urls import reverse
from django.utils.translation import gettext_lazy

from ...selectors.campaigns import EDITORS, get_campaign_for_user, get_registration_for_user


def fetch_campaign(request, pk):
    campaign = get_campaign_for_user(request, pk, allowed=EDITORS)
    return campaign, campaign.title, reverse("campaign_detail", args=[campaign.pk])


def fetch_registration(request, pk):
    registration = get_registration_for_user(request, pk, allowed=EDITORS)
    url = reverse("registration_edit", args=[registration.campaign_id, registration.unit_id])
    return registration, str(registration), url


VERB_LABELS: dict = {
    "campaign.created": gettext_lazy("Campaign created"),
    "campaign.updated": gettext_lazy("Campaign changed"),
    "campaign.launched": gettext_lazy("Campaign launched"),
    "campaign.amended": gettext_lazy("Campaign amended"),
    "campaign.advanced": gettext_lazy("Campaign moved to its next stage"),
    "registration.saved": gettext_lazy("Registration saved"),
    "registration.submitted": gettext_lazy("Registration sent for approval"),
    "registration.approved": gettext_lazy("Registration approved"),
    "registration.returned": gettext_lazy("Registration returned"),
}
OBJECT_TYPES: dict = {
    "campaigns.campaign": fetch_campaign,
    "campaigns.registration": fetch_registration,
}
