"""Nominations created in bulk from a source (a campaign's approved registration, a bloc's result): the list of
sources a user may use, a preview per source whose POST creates the ticked rows, and the page of a campaign's
registered targets with what became of them.

The confirm POST carries only the keys of the ticked rows: the candidates are read again from the source, so
nothing the browser sends can change what a nomination says."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from awards import access
from awards import bulk_nominations as services
from awards.models import AwardType, Nomination
from awards.models.catalogue import AwardKind
from awards.nominations import NominationError
from awards.selectors_targets import NOT_NOMINATED, campaign_target_rows
from awards.views.nominations import STATE_BADGES
from campaigns.models import Bloc, Campaign, Registration
from campaigns.selectors.blocs import get_bloc_for_user
from campaigns.selectors.campaigns import get_campaign_for_user
from organizations.models import Unit
from thiduakt.lib import excel, permissions
from thiduakt.lib.forms import BootstrapMixin

PAGE_SIZE = 50
SOURCES_SHOWN = 50
# Beyond this many, the list after a bulk creation shows the year's drafts rather than a URL of every pk.
MAX_IDS_IN_URL = 500


def _report(request, error: NominationError) -> None:
    for line in str(error).split("\n"):
        messages.error(request, line)


# Sources ---------------------------------------------------------------------------------------------------


@login_required
def bulk_nomination_sources(request):
    """Approved registrations of units the user prepares for, bloc results of blocs the user organises, and
    the campaigns whose targets the user may follow."""
    user = request.user
    if not permissions.may_edit_somewhere(user):
        raise PermissionDenied
    registrations = (
        Registration.objects.filter(state=Registration.State.APPROVED)
        .filter(permissions.covered_units_q(user, roles=access.EDITORS, field="unit__"))
        .select_related("campaign", "unit")
        .annotate(target_count=Count("targets"))
        .order_by("-campaign__period_end", "campaign__code", "unit__path")
    )
    blocs = (
        Bloc.objects.filter(result__isnull=False)
        .filter(permissions.covered_units_q(user, roles=access.EDITORS, field="organising_unit__"))
        .select_related("organising_unit", "result__flag_unit")
        .annotate(merit_count=Count("result__merit_units"))
        .order_by("-year", "name")[:SOURCES_SHOWN]
    )
    campaigns = (
        Campaign.objects.exclude(state=Campaign.State.DRAFT)
        .filter(permissions.covered_units_q(user, field="launching_unit__"))
        .order_by("-period_end", "code")[:SOURCES_SHOWN]
    )
    return render(
        request,
        "awards/bulk/sources.html",
        {
            "page": Paginator(registrations, PAGE_SIZE).get_page(request.GET.get("page")),
            "blocs": blocs,
            "campaigns": campaigns,
        },
    )


# Preview and confirmation ----------------------------------------------------------------------------------


def _preparer_unit(request, pk) -> Unit:
    """A unit the user prepares nominations for: 404 to outsiders, 403 to viewers and signers."""
    unit = get_object_or_404(Unit, pk=pk)
    if permissions.is_system_admin(request.user):
        return unit
    held = permissions.unit_roles(request.user, unit)
    if held & access.EDITORS:
        return unit
    if held:
        raise PermissionDenied
    raise Http404


def _created_list_url(nominations: list[Nomination]) -> str:
    if len(nominations) > MAX_IDS_IN_URL:
        return f"{reverse('nomination_list')}?state={Nomination.State.DRAFT}&year={nominations[0].year}"
    return f"{reverse('nomination_list')}?ids={','.join(str(n.pk) for n in nominations)}"


def _confirm(request, candidates: list[services.Candidate], back: str):
    """Create the ticked candidates; any unknown key or refused row refuses the whole batch."""
    keys = list(dict.fromkeys(request.POST.getlist("rows")))
    if not keys:
        messages.error(request, _("Tick at least one nomination to create."))
        return redirect(back)
    by_key = {candidate.key: candidate for candidate in candidates}
    unknown = [key for key in keys if key not in by_key]
    if unknown:
        messages.error(
            request,
            _("Some ticked rows are not proposals of this source (%(count)d). Nothing was created: reload the page.")
            % {"count": len(unknown)},
        )
        return redirect(back)
    try:
        created = services.nominations_create_many(by=request.user, candidates=[by_key[key] for key in keys])
    except NominationError as error:
        _report(request, error)
        return redirect(back)
    count = len(created)
    messages.success(
        request,
        ngettext(
            "%(count)d draft nomination was created. Complete its dossier and add it to a proposal letter.",
            "%(count)d draft nominations were created. Complete their dossiers and add them to a proposal letter.",
            count,
        )
        % {"count": count},
    )
    return redirect(_created_list_url(created))


def _preview(request, *, candidates, error: str, title: str, source: str, back: str):
    for candidate in candidates:
        candidate.award_label = candidate.award_type.name if candidate.award_type else candidate.award_code
        candidate.kind_label = dict(AwardKind.choices).get(candidate.kind, candidate.kind)
    ready = sum(1 for c in candidates if c.ready)
    return render(
        request,
        "awards/bulk/preview.html",
        {
            "candidates": candidates,
            "error": error,
            "title": title,
            "source": source,
            "back": back,
            "ready_count": ready,
            "refused_count": len(candidates) - ready,
        },
    )


@login_required
def bulk_from_registration(request, pk, unit_pk):
    """GET: the targets of the unit's approved registration as draft nominations to create; POST: create the
    ticked ones."""
    unit = _preparer_unit(request, unit_pk)
    registration = get_object_or_404(
        Registration.objects.select_related("campaign__launching_unit", "unit"), campaign_id=pk, unit=unit
    )
    campaign = registration.campaign
    candidates, error = [], ""
    try:
        candidates = services.candidates_from_registrations(by=request.user, campaign=campaign, unit=unit)
    except NominationError as refusal:
        error = str(refusal)
    here = reverse("bulk_from_registration", args=[campaign.pk, unit.pk])
    if request.method == "POST":
        if error:
            messages.error(request, error)
            return redirect(here)
        return _confirm(request, candidates, here)
    return _preview(
        request,
        candidates=candidates,
        error=error,
        title=_("Nominations from the registration of %(unit)s") % {"unit": unit.name},
        source=_("Campaign «%(campaign)s» (%(code)s), nominations for %(year)s")
        % {"campaign": campaign.title, "code": campaign.code, "year": services.campaign_year(campaign)},
        back=here,
    )


@login_required
def bulk_from_bloc(request, pk):
    """GET: the units the bloc's year-end meeting proposed, as draft nominations of the organising unit;
    POST: create the ticked ones."""
    bloc, _access = get_bloc_for_user(request, pk, need="manages")
    candidates, error = [], ""
    try:
        candidates = services.candidates_from_bloc_result(by=request.user, bloc=bloc)
    except NominationError as refusal:
        error = str(refusal)
    here = reverse("bulk_from_bloc", args=[bloc.pk])
    if request.method == "POST":
        if error:
            messages.error(request, error)
            return redirect(here)
        return _confirm(request, candidates, here)
    return _preview(
        request,
        candidates=candidates,
        error=error,
        title=_("Nominations from the result of %(bloc)s") % {"bloc": bloc},
        source=_("Proposed by %(unit)s for %(year)s") % {"unit": bloc.organising_unit.name, "year": bloc.year},
        back=here,
    )


# Registered targets and their nominations ------------------------------------------------------------------


class TargetFilterForm(BootstrapMixin, forms.Form):
    unit = forms.CharField(label=gettext_lazy("Unit code"), required=False, max_length=32)
    state = forms.ChoiceField(
        label=gettext_lazy("Nomination"),
        required=False,
        choices=[("", gettext_lazy("All")), (NOT_NOMINATED, gettext_lazy("Not nominated")), *Nomination.State.choices],
    )


def _target_rows(targets, award_names: dict[str, str]):
    states = dict(Nomination.State.choices)
    for target in targets:
        unit = target.registration.unit
        yield {
            "target": target,
            "unit": unit,
            "subject": target.person.full_name if target.person_id else unit.name,
            "subject_code": target.person.code if target.person_id else unit.code,
            "collective": target.person_id is None,
            "award": award_names.get(target.award_code, target.award_code),
            "state_label": str(states.get(target.nomination_state, _("Not nominated"))),
            "badge": STATE_BADGES.get(target.nomination_state, "text-bg-secondary")
            if target.nomination_state
            else "text-bg-light",
        }


def _targets_workbook(campaign, rows):
    header = [_("Unit code"), _("Unit"), _("Subject"), _("Subject code"), _("Award code"), _("Award"),
              _("Nomination"), _("No."), _("Awarded"), _("Decision number")]  # fmt: skip
    values = (
        (
            r["unit"].code,
            r["unit"].name,
            r["subject"],
            r["subject_code"],
            r["target"].award_code,
            r["award"],
            r["state_label"],
            r["target"].nomination_pk,
            _("Yes") if r["target"].awarded else _("No"),
            r["target"].decision_number or "",
        )
        for r in rows
    )
    filename = f"muc-tieu-dang-ky-{campaign.code}.xlsx"
    return excel.xlsx_response(filename, [excel.SheetSpec(_("Registered targets"), header, values)])


@login_required
def campaign_targets(request, pk):
    """Who sees the campaign's consolidated registrations sees what became of each registered target."""
    campaign = get_campaign_for_user(request, pk)
    filters = TargetFilterForm(request.GET or None)
    unit_code, state = "", ""
    if filters.is_valid():
        unit_code, state = filters.cleaned_data["unit"].strip(), filters.cleaned_data["state"]
    targets = campaign_target_rows(campaign, unit_code=unit_code, state=state)
    award_names = dict(AwardType.objects.values_list("code", "name"))
    if request.GET.get("format") == "xlsx":
        return _targets_workbook(campaign, _target_rows(targets.iterator(chunk_size=2000), award_names))
    page = Paginator(targets, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "awards/bulk/targets.html",
        {
            "campaign": campaign,
            "year": services.campaign_year(campaign),
            "filters": filters,
            "page": page,
            "rows": list(_target_rows(page, award_names)),
        },
    )
