from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organizations.models import Unit
from thiduakt.lib import excel

from ..forms.campaigns import RegistrationFilterForm, ReturnForm, registration_forms, registration_targets
from ..models import Registration
from ..selectors import campaigns as selectors
from ..services import campaigns as services

PAGE_SIZE = 50


@login_required
def registration_edit(request, pk, unit_pk):
    """A unit's registration: its officer fills and sends it, its head approves or returns it."""
    campaign = selectors.get_campaign_for_user(request, pk, participants=True)
    unit, held = selectors.get_registration_unit_for_user(request, campaign, unit_pk)
    registration = Registration.objects.filter(campaign=campaign, unit=unit).first()
    is_officer = Unit.Role.OFFICER in held
    if request.method == "POST" and not is_officer:
        raise PermissionDenied
    form, formset = registration_forms(request.POST or None, campaign=campaign, unit=unit, registration=registration)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.registration_save(
                by=request.user,
                campaign=campaign,
                unit=unit,
                targets=registration_targets(form, formset, unit),
                note=form.cleaned_data["note"],
            )
        except services.CampaignError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The registration was saved. Send it to the head of the unit when ready."))
            return redirect("registration_edit", pk=campaign.pk, unit_pk=unit.pk)
    editable = registration is None or registration.state in services.EDITABLE_REGISTRATION
    is_open = (
        campaign.state in services.OPEN_FOR_REGISTRATION and timezone.localdate() <= campaign.registration_deadline
    )
    awaiting = registration is not None and registration.state == Registration.State.AWAITING_APPROVAL
    context = {
        "campaign": campaign,
        "unit": unit,
        "registration": registration,
        "targets": registration.targets.select_related("person").order_by("person__search_name", "award_code")
        if registration
        else [],
        "form": form,
        "formset": formset,
        "can_edit": is_officer and editable and is_open,
        "can_submit": is_officer and editable and is_open and registration is not None,
        "can_decide": Unit.Role.HEAD in held and awaiting,
        "is_open": is_open,
        "return_form": ReturnForm(),
    }
    return render(request, "campaigns/campaigns/registration.html", context)


def _after(request, registration, action, success: str):
    try:
        action()
    except services.CampaignError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect("registration_edit", pk=registration.campaign_id, unit_pk=registration.unit_id)


@login_required
@require_POST
def registration_submit(request, pk):
    registration = selectors.get_registration_for_user(request, pk, allowed=selectors.OFFICER)
    return _after(
        request,
        registration,
        lambda: services.registration_submit(by=request.user, registration=registration),
        _("The registration was sent to the head of the unit for approval."),
    )


@login_required
@require_POST
def registration_approve(request, pk):
    registration = selectors.get_registration_for_user(request, pk, allowed=selectors.HEAD)
    return _after(
        request,
        registration,
        lambda: services.registration_approve(by=request.user, registration=registration),
        _("The registration was approved."),
    )


@login_required
@require_POST
def registration_return(request, pk):
    registration = selectors.get_registration_for_user(request, pk, allowed=selectors.HEAD)
    form = ReturnForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _after(
        request,
        registration,
        lambda: services.registration_return(by=request.user, registration=registration, reason=reason),
        _("The registration was returned to the unit's officer."),
    )


# Consolidated view -----------------------------------------------------------------------------------


def _rows(units) -> list[dict]:
    """One row per unit, with the texts both the page and the workbook show."""
    units = list(units)
    pks = [u.registration_pk for u in units if u.registration_pk]
    targets = selectors.targets_by_registration(pks)
    registrations = selectors.registration_dates(pks)
    state_labels = dict(Registration.State.choices)
    rows = []
    for unit in units:
        registration = registrations.get(unit.registration_pk)
        unit_targets = [t for t in targets.get(unit.registration_pk, []) if t.person_id is None]
        person_targets = [t for t in targets.get(unit.registration_pk, []) if t.person_id is not None]
        rows.append(
            {
                "unit": unit,
                "state": unit.registration_state or Registration.State.NOT_SENT,
                "state_label": str(state_labels[unit.registration_state or Registration.State.NOT_SENT]),
                "unit_titles": ", ".join(t.award_code for t in unit_targets),
                "person_titles": "; ".join(
                    f"{t.person.full_name} ({t.person.code}): {t.award_code}" for t in person_targets
                ),
                "submitted_on": timezone.localdate(registration.submitted_at)
                if registration and registration.submitted_at
                else None,
                "approved_on": timezone.localdate(registration.approved_at)
                if registration and registration.approved_at
                else None,
            }
        )
    return rows


def _workbook(campaign, rows):
    header = [_("Unit code"), _("Unit"), _("State"), _("Titles of the unit"), _("Titles of individuals"),
              _("Sent on"), _("Approved on")]  # fmt: skip
    values = (
        (
            r["unit"].code,
            r["unit"].name,
            r["state_label"],
            r["unit_titles"],
            r["person_titles"],
            r["submitted_on"],
            r["approved_on"],
        )  # fmt: skip
        for r in rows
    )
    filename = f"dang-ky-thi-dua-{campaign.code}.xlsx"
    return excel.xlsx_response(filename, [excel.SheetSpec(_("Registrations"), header, values)])


@login_required
def campaign_registrations(request, pk):
    """What the launching unit sees: every unit in scope and its registration, by state."""
    campaign = selectors.get_campaign_for_user(request, pk)
    filters = RegistrationFilterForm(request.GET or None)
    state, query = "", ""
    if filters.is_valid():
        state, query = filters.cleaned_data["state"], filters.cleaned_data["q"].strip()
    units = selectors.consolidated_rows(campaign, state=state, query=query)
    if request.GET.get("format") == "xlsx":
        return _workbook(campaign, _rows(units.iterator(chunk_size=2000)))
    page = Paginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.consolidated_counts(campaign)
    context = {
        "campaign": campaign,
        "filters": filters,
        "page": page,
        "rows": _rows(page),
        "counts": [(value, label, counts[value]) for value, label in Registration.State.choices],
    }
    return render(request, "campaigns/campaigns/registrations.html", context)
