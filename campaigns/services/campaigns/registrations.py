"""Every write on registrations: saved, sent for approval, approved or returned.

Registration (đăng ký thi đua) is a plan, not a legal basis for a title since Luật TĐKT 2022 Art. 7: nothing
here blocks a nomination of a unit that did not register."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from organizations.models import Person, Unit

from ...models import Campaign, Registration, RegistrationTarget
from ...selectors.campaigns import unit_in_scope
from .campaigns import CampaignError, known_award_codes

OPEN_FOR_REGISTRATION = (Campaign.State.LAUNCHED, Campaign.State.MIDTERM_REVIEWED)
EDITABLE_REGISTRATION = (Registration.State.NOT_SENT, Registration.State.RETURNED)


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
