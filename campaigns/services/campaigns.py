"""Every write on campaigns and registrations: one function per action, one transaction, one audit event.

Registration (đăng ký thi đua) is a plan, not a legal basis for a title since Luật TĐKT 2022 Art. 7: nothing
here blocks a nomination of a unit that did not register."""

import datetime
from decimal import Decimal

from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record
from organizations.models import Person, Unit

from ..models import Campaign, CampaignAmendment, CampaignCriterion, Registration, RegistrationTarget
from ..selectors_campaigns import EDITORS, get_campaign_for_user, get_registration_for_user, unit_in_scope


class CampaignError(Exception):
    """A rule of campaigns refused the action; the message is shown to the user."""


# Next state of `campaign_advance`; a campaign without a mid-term review goes from launched to closed.
NEXT_STATE = {
    Campaign.State.LAUNCHED: Campaign.State.MIDTERM_REVIEWED,
    Campaign.State.MIDTERM_REVIEWED: Campaign.State.CLOSED,
    Campaign.State.CLOSED: Campaign.State.SUMMARISED,
}
OPEN_FOR_REGISTRATION = (Campaign.State.LAUNCHED, Campaign.State.MIDTERM_REVIEWED)
EDITABLE_REGISTRATION = (Registration.State.NOT_SENT, Registration.State.RETURNED)

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


# Registrations ---------------------------------------------------------------------------------------


def _check_open(campaign: Campaign) -> None:
    if campaign.state not in OPEN_FOR_REGISTRATION:
        raise CampaignError(_("This campaign does not take registrations."))
    if timezone.localdate() > campaign.registration_deadline:
        raise CampaignError(
            _("The registration deadline (%(date)s) has passed.")
            % {"date": campaign.registration_deadline.strftime("%d/%m/%Y")}
        )


def _check_in_scope(campaign: Campaign, unit: Unit) -> None:
    if not unit_in_scope(campaign, unit):
        raise CampaignError(_("%(unit)s is not in the scope of this campaign.") % {"unit": unit.name})


def _check_targets(campaign: Campaign, unit: Unit, targets) -> list[tuple[Person | None, str]]:
    known = known_award_codes()
    allowed = set(campaign.award_codes) or set(known)
    cleaned = []
    for person, code in targets:
        if code not in known:
            raise CampaignError(_("Unknown award codes: %(codes)s.") % {"codes": code})
        if code not in allowed:
            raise CampaignError(_("This campaign does not lead to the award %(code)s.") % {"code": code})
        subject = "unit" if person is None else "person"
        if subject not in known[code]:
            if person is None:
                raise CampaignError(_("The award %(code)s is not for collectives.") % {"code": code})
            raise CampaignError(_("The award %(code)s is not for individuals.") % {"code": code})
        if person is not None and not person.unit.path.startswith(unit.path):
            raise CampaignError(_("%(person)s does not work in %(unit)s.") % {"person": person, "unit": unit.name})
        if (person, code) not in cleaned:
            cleaned.append((person, code))
    return cleaned


def _locked_registration(campaign: Campaign, unit: Unit) -> Registration:
    try:
        with transaction.atomic():
            Registration.objects.get_or_create(campaign=campaign, unit=unit)
    except IntegrityError:  # another officer created it at the same moment: theirs is the one
        pass
    return Registration.objects.select_for_update(no_key=True).get(campaign=campaign, unit=unit)


def registration_save(*, by, campaign: Campaign, unit: Unit, targets, note: str = "") -> Registration:
    """Create or replace a unit's registration: `targets` are (person or None for the unit, award code)."""
    with transaction.atomic():
        campaign = Campaign.objects.select_related("launching_unit").get(pk=campaign.pk)
        _check_open(campaign)
        _check_in_scope(campaign, unit)
        targets = _check_targets(campaign, unit, targets)
        registration = _locked_registration(campaign, unit)
        if registration.state not in EDITABLE_REGISTRATION:
            raise CampaignError(_("This registration has been sent and can no longer be changed."))
        registration.targets.all().delete()
        RegistrationTarget.objects.bulk_create(
            RegistrationTarget(registration=registration, person=person, award_code=code) for person, code in targets
        )
        registration.note = note
        registration.save(update_fields=["note"])
        audit_record(
            actor=by,
            verb="registration.saved",
            obj=registration,
            data={"targets": [[person.code if person else None, code] for person, code in targets], "note": note},
        )
    return registration


def _locked(registration: Registration) -> Registration:
    return (
        Registration.objects.select_for_update(no_key=True).select_related("campaign", "unit").get(pk=registration.pk)
    )


def registration_submit(*, by, registration: Registration) -> Registration:
    with transaction.atomic():
        registration = _locked(registration)
        _check_open(registration.campaign)
        if registration.state not in EDITABLE_REGISTRATION:
            raise CampaignError(_("This registration has already been sent."))
        if not registration.targets.exists():
            raise CampaignError(_("Add at least one title before sending the registration."))
        registration.state = Registration.State.AWAITING_APPROVAL
        registration.submitted_at = timezone.now()
        registration.save(update_fields=["state", "submitted_at"])
        audit_record(actor=by, verb="registration.submitted", obj=registration)
    return registration


def registration_approve(*, by, registration: Registration) -> Registration:
    with transaction.atomic():
        registration = _locked(registration)
        if registration.state != Registration.State.AWAITING_APPROVAL:
            raise CampaignError(_("Only a registration awaiting approval can be approved."))
        registration.state = Registration.State.APPROVED
        registration.approved_at = timezone.now()
        registration.approved_by = by
        registration.return_reason = ""
        registration.save(update_fields=["state", "approved_at", "approved_by", "return_reason"])
        audit_record(actor=by, verb="registration.approved", obj=registration)
    return registration


def registration_return(*, by, registration: Registration, reason: str) -> Registration:
    reason = (reason or "").strip()
    if not reason:
        raise CampaignError(_("Give the reason for returning the registration."))
    with transaction.atomic():
        registration = _locked(registration)
        if registration.state != Registration.State.AWAITING_APPROVAL:
            raise CampaignError(_("Only a registration awaiting approval can be returned."))
        registration.state = Registration.State.RETURNED
        registration.return_reason = reason
        registration.save(update_fields=["state", "return_reason"])
        audit_record(actor=by, verb="registration.returned", obj=registration, data={"reason": reason})
    return registration


# Audit -----------------------------------------------------------------------------------------------


def fetch_campaign(request, pk):
    campaign = get_campaign_for_user(request, pk, allowed=EDITORS)
    return campaign, campaign.title, reverse("campaign_detail", args=[campaign.pk])


def fetch_registration(request, pk):
    registration = get_registration_for_user(request, pk, allowed=EDITORS)
    url = reverse("registration_edit", args=[registration.campaign_id, registration.unit_id])
    return registration, str(registration), url


# Audit verb labels and browsable object types of this module, registered in CampaignsConfig.ready().
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
