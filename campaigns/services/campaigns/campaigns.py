"""Every write on campaigns: created, changed, launched, amended once launched, moved to the next stage."""

import datetime
from decimal import Decimal

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from organizations.models import Unit

from ...models import Campaign, CampaignAmendment, CampaignCriterion


class CampaignError(Exception):
    """A rule of campaigns refused the action; the message is shown to the user."""


# Next state of `campaign_advance`; a campaign without a mid-term review goes from launched to closed.
NEXT_STATE = {
    Campaign.State.LAUNCHED: Campaign.State.MIDTERM_REVIEWED,
    Campaign.State.MIDTERM_REVIEWED: Campaign.State.CLOSED,
    Campaign.State.CLOSED: Campaign.State.SUMMARISED,
}

CAMPAIGN_FIELDS = (
    "code",
    "title",
    "kind",
    "scope",
    "period_start",
    "period_end",
    "description",
    "registration_deadline",
    "midterm_review_on",
    "nomination_deadline",
    "final_review_on",
)


def _plain(value):
    if isinstance(value, (datetime.date, Decimal)):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def known_award_codes() -> dict[str, list[str]]:
    """Award codes of the catalogue → the subject types they fit. Read through the app registry: campaigns
    never imports awards."""
    award_type = apps.get_model("awards", "AwardType")
    return dict(award_type.objects.values_list("code", "subject_types"))


# Checks ----------------------------------------------------------------------------------------------


def check_dates(campaign: Campaign) -> None:
    """The order of a campaign's dates; the database holds the first two as constraints too."""
    if campaign.period_end < campaign.period_start:
        raise CampaignError(_("The end of the period cannot be before its start."))
    if campaign.nomination_deadline < campaign.registration_deadline:
        raise CampaignError(_("The nomination deadline cannot be before the registration deadline."))
    if campaign.midterm_review_on and campaign.midterm_review_on < campaign.period_start:
        raise CampaignError(_("The mid-term review cannot be before the start of the period."))
    if (
        campaign.final_review_on
        and campaign.midterm_review_on
        and campaign.final_review_on < campaign.midterm_review_on
    ):
        raise CampaignError(_("The final review cannot be before the mid-term review."))
    if campaign.launched_on and campaign.registration_deadline < campaign.launched_on:
        raise CampaignError(
            _("The registration deadline cannot be before the launch date (%(date)s).")
            % {"date": campaign.launched_on.strftime("%d/%m/%Y")}
        )


def _check_award_codes(codes) -> list[str]:
    codes = sorted(set(codes))
    unknown = sorted(set(codes) - known_award_codes().keys())
    if unknown:
        raise CampaignError(_("Unknown award codes: %(codes)s.") % {"codes": ", ".join(unknown)})
    return codes


def _check_scope(launching_unit: Unit, scope: str, chosen_units) -> list[Unit]:
    chosen_units = list(chosen_units or ())
    if scope == Campaign.Scope.CHOSEN:
        if not chosen_units:
            raise CampaignError(_("Choose at least one unit for a campaign of chosen units."))
        outside = [u.code for u in chosen_units if not u.path.startswith(launching_unit.path)]
        if outside:
            raise CampaignError(
                _("These units are not under the launching unit: %(codes)s.") % {"codes": ", ".join(outside)}
            )
        return chosen_units
    return []


def _clean_criteria(criteria) -> list[tuple[str, Decimal | None]]:
    cleaned = []
    for text, points in criteria:
        text = (text or "").strip()
        if not text:
            continue
        if points is not None and points < 0:
            raise CampaignError(_("Points cannot be negative."))
        cleaned.append((text, points))
    return cleaned


def _replace_criteria(campaign: Campaign, criteria) -> list[list]:
    campaign.criteria.all().delete()
    CampaignCriterion.objects.bulk_create(
        CampaignCriterion(campaign=campaign, order=i, text=text, points=points)
        for i, (text, points) in enumerate(criteria, start=1)
    )
    return [[text, _plain(points)] for text, points in criteria]


def _locked_campaign(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update(no_key=True).select_related("launching_unit").get(pk=campaign.pk)


# Campaigns -------------------------------------------------------------------------------------------


def campaign_create(
    *,
    by,
    launching_unit: Unit,
    criteria=(),
    chosen_units=(),
    award_codes=(),
    plan_document=None,
    **fields,
) -> Campaign:
    """A draft campaign. `fields`: the CAMPAIGN_FIELDS; `criteria`: (text, points or None) pairs."""
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"unknown campaign fields: {sorted(unknown)}")
    with transaction.atomic():
        campaign = Campaign(launching_unit=launching_unit, created_by=by, **fields)
        campaign.award_codes = _check_award_codes(award_codes)
        chosen = _check_scope(launching_unit, campaign.scope, chosen_units)
        check_dates(campaign)
        criteria = _clean_criteria(criteria)
        if plan_document:
            campaign.plan_document = plan_document
        if Campaign.objects.filter(code=campaign.code).exists():
            raise CampaignError(_("Another campaign already has the code %(code)s.") % {"code": campaign.code})
        campaign.save()
        campaign.chosen_units.set(chosen)
        saved_criteria = _replace_criteria(campaign, criteria)
        audit_record(
            actor=by,
            verb="campaign.created",
            obj=campaign,
            data={
                **{name: _plain(getattr(campaign, name)) for name in CAMPAIGN_FIELDS},
                "launching_unit": launching_unit.pk,
                "chosen_units": sorted(u.pk for u in chosen),
                "award_codes": campaign.award_codes,
                "criteria": saved_criteria,
            },
        )
    return campaign


def campaign_update(
    *, by, campaign: Campaign, criteria=None, chosen_units=None, award_codes=None, plan_document=None, **fields
) -> Campaign:
    """Change a draft; `criteria`, when given, replaces all the criteria. A launched campaign changes only
    through `campaign_amend`."""
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"unknown campaign fields: {sorted(unknown)}")
    with transaction.atomic():
        campaign = _locked_campaign(campaign)
        if campaign.state != Campaign.State.DRAFT:
            raise CampaignError(_("A launched campaign can only be changed by an amendment."))
        changed = {}
        for name, value in fields.items():
            old = getattr(campaign, name)
            if old != value:
                changed[name] = [_plain(old), _plain(value)]
                setattr(campaign, name, value)
        if award_codes is not None:
            codes = _check_award_codes(award_codes)
            if codes != sorted(campaign.award_codes):
                changed["award_codes"] = [campaign.award_codes, codes]
                campaign.award_codes = codes
        if "code" in changed and Campaign.objects.filter(code=campaign.code).exclude(pk=campaign.pk).exists():
            raise CampaignError(_("Another campaign already has the code %(code)s.") % {"code": campaign.code})
        if plan_document:
            campaign.plan_document = plan_document
            changed["plan_document"] = ["", plan_document.name]
        check_dates(campaign)
        old_chosen = sorted(campaign.chosen_units.values_list("pk", flat=True))
        chosen = _check_scope(
            campaign.launching_unit,
            campaign.scope,
            chosen_units if chosen_units is not None else campaign.chosen_units.all(),
        )
        campaign.save()
        if sorted(u.pk for u in chosen) != old_chosen:
            campaign.chosen_units.set(chosen)
            changed["chosen_units"] = [old_chosen, sorted(u.pk for u in chosen)]
        if criteria is not None:
            criteria = _clean_criteria(criteria)
            old_criteria = [[c.text, _plain(c.points)] for c in campaign.criteria.all()]
            new_criteria = [[text, _plain(points)] for text, points in criteria]
            if old_criteria != new_criteria:
                _replace_criteria(campaign, criteria)
                changed["criteria"] = [old_criteria, new_criteria]
        if changed:
            audit_record(actor=by, verb="campaign.updated", obj=campaign, data=changed)
    return campaign


def campaign_launch(*, by, campaign: Campaign) -> Campaign:
    """Draft → launched, today. From then on the dates and criteria are frozen."""
    with transaction.atomic():
        campaign = _locked_campaign(campaign)
        if campaign.state != Campaign.State.DRAFT:
            raise CampaignError(_("This campaign has already been launched."))
        today = timezone.localdate()
        if campaign.registration_deadline < today:
            raise CampaignError(
                _("The registration deadline cannot be before the launch date (%(date)s).")
                % {"date": today.strftime("%d/%m/%Y")}
            )
        check_dates(campaign)
        if not campaign.criteria.exists():
            raise CampaignError(_("Add at least one criterion before launching the campaign."))
        campaign.state = Campaign.State.LAUNCHED
        campaign.launched_on = today
        campaign.save(update_fields=["state", "launched_on"])
        audit_record(actor=by, verb="campaign.launched", obj=campaign, data={"launched_on": today})
    return campaign


def campaign_amend(*, by, campaign: Campaign, reason: str, **changes) -> CampaignAmendment:
    """Change frozen fields of a launched campaign, with a reason; the amendment is announced on the
    campaign's pages and recorded in the audit trail."""
    not_frozen = sorted(set(changes) - set(Campaign.FROZEN_FIELDS))
    if not_frozen:
        raise CampaignError(_("Only the dates of a campaign can be amended: %(fields)s.") % {"fields": not_frozen})
    reason = (reason or "").strip()
    if not reason:
        raise CampaignError(_("Give the reason for the amendment."))
    with transaction.atomic():
        campaign = _locked_campaign(campaign)
        if campaign.state == Campaign.State.DRAFT:
            raise CampaignError(_("A draft is edited directly; amendments are for launched campaigns."))
        diff = {}
        for name, value in changes.items():
            old = getattr(campaign, name)
            if old != value:
                diff[name] = [_plain(old), _plain(value)]
                setattr(campaign, name, value)
        if not diff:
            raise CampaignError(_("The amendment changes nothing."))
        check_dates(campaign)
        campaign.save(update_fields=list(diff))
        amendment = CampaignAmendment.objects.create(campaign=campaign, made_by=by, reason=reason, changes=diff)
        audit_record(actor=by, verb="campaign.amended", obj=campaign, data={"reason": reason, "changes": diff})
    return amendment


def campaign_advance(*, by, campaign: Campaign) -> Campaign:
    """Launched → mid-term reviewed → closed → summarised."""
    with transaction.atomic():
        campaign = _locked_campaign(campaign)
        target = NEXT_STATE.get(campaign.state)
        if target is None:
            raise CampaignError(_("This campaign cannot move to a next stage."))
        if target == Campaign.State.MIDTERM_REVIEWED and campaign.midterm_review_on is None:
            target = Campaign.State.CLOSED
        old = campaign.state
        campaign.state = target
        campaign.save(update_fields=["state"])
        audit_record(actor=by, verb="campaign.advanced", obj=campaign, data={"state": [old, target]})
    return campaign
