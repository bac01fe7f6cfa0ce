from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from thiduakt.lib import permissions

from ..forms.campaigns import (
    AmendmentForm,
    CampaignFilterForm,
    CampaignForm,
    CriterionFormSet,
    award_choices,
    criteria_initial,
    criteria_values,
)
from ..models import Campaign
from ..selectors import campaigns as selectors
from ..services import campaigns as services

PAGE_SIZE = 30
CAMPAIGN_FIELDS = services.CAMPAIGN_FIELDS


@login_required
def campaign_list(request):
    campaigns = selectors.visible_campaigns(request.user).select_related("launching_unit")
    filters = CampaignFilterForm(request.GET or None)
    if filters.is_valid():
        data = filters.cleaned_data
        if data["year"]:
            campaigns = campaigns.filter(period_start__year__lte=data["year"], period_end__year__gte=data["year"])
        if data["kind"]:
            campaigns = campaigns.filter(kind=data["kind"])
        if data["unit"]:
            campaigns = campaigns.filter(launching_unit__code=data["unit"].strip())
        if data["state"]:
            campaigns = campaigns.filter(state=data["state"])
    page = Paginator(campaigns.order_by("-period_start", "code"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "filters": filters, "can_create": permissions.may_edit_somewhere(request.user)}
    return render(request, "campaigns/campaigns/list.html", context)


def _save_form(request, form, formset, campaign=None):
    """Create or update from valid forms; a refusal of the service goes to the form. Returns the campaign."""
    data = form.cleaned_data
    fields = {name: data[name] for name in CAMPAIGN_FIELDS}
    upload = request.FILES.get("plan_document")
    try:
        if campaign is None:
            unit = data["launching_unit_code"]
            if not (
                permissions.is_system_admin(request.user)
                or permissions.unit_roles(request.user, unit) & selectors.EDITORS
            ):
                form.add_error(
                    "launching_unit_code", _("You may only launch campaigns of units where you are an officer or head.")
                )
                return None
            return services.campaign_create(
                by=request.user,
                launching_unit=unit,
                criteria=criteria_values(formset),
                chosen_units=data["chosen_unit_codes"],
                award_codes=data["award_codes"],
                plan_document=upload,
                **fields,
            )
        return services.campaign_update(
            by=request.user,
            campaign=campaign,
            criteria=criteria_values(formset),
            chosen_units=data["chosen_unit_codes"],
            award_codes=data["award_codes"],
            plan_document=upload,
            **fields,
        )
    except services.CampaignError as error:
        form.add_error(None, str(error))
        return None


@login_required
def campaign_create(request):
    if not permissions.may_edit_somewhere(request.user):
        raise PermissionDenied
    form = CampaignForm(request.POST or None, request.FILES or None)
    formset = CriterionFormSet(request.POST or None, prefix="criteria")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        campaign = _save_form(request, form, formset)
        if campaign is not None:
            messages.success(request, _("The campaign was saved as a draft."))
            return redirect("campaign_detail", pk=campaign.pk)
    return render(request, "campaigns/campaigns/form.html", {"form": form, "formset": formset})


@login_required
def campaign_edit(request, pk):
    campaign = selectors.get_campaign_for_user(request, pk, allowed=selectors.EDITORS)
    if campaign.state != Campaign.State.DRAFT:
        messages.info(request, _("The campaign has been launched: its dates change only by an amendment."))
        return redirect("campaign_amend", pk=campaign.pk)
    form = CampaignForm(request.POST or None, request.FILES or None, instance=campaign)
    formset = CriterionFormSet(request.POST or None, prefix="criteria", initial=criteria_initial(campaign))
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        if _save_form(request, form, formset, campaign) is not None:
            messages.success(request, _("The campaign was saved."))
            return redirect("campaign_detail", pk=campaign.pk)
    return render(request, "campaigns/campaigns/form.html", {"form": form, "formset": formset, "campaign": campaign})


@login_required
def campaign_detail(request, pk):
    campaign = selectors.get_campaign_for_user(request, pk, participants=True)
    user = request.user
    held = (
        set(selectors.EDITORS)
        if permissions.is_system_admin(user)
        else permissions.unit_roles(user, campaign.launching_unit)
    )
    context = {
        "campaign": campaign,
        "criteria": campaign.criteria.all(),
        "amendments": selectors.announced_amendments(campaign),
        "chosen_units": campaign.chosen_units.order_by("path") if campaign.scope == Campaign.Scope.CHOSEN else [],
        "award_names": _award_names(campaign.award_codes),
        "progress": selectors.campaign_progress(campaign),
        "my_units": selectors.officer_units_in_scope(user, campaign),
        "can_manage": bool(held & selectors.EDITORS),
        "can_consolidate": bool(held),
        "next_state": services.NEXT_STATE.get(campaign.state),
    }
    return render(request, "campaigns/campaigns/detail.html", context)


def _award_names(codes) -> list[str]:
    return [label for code, label in award_choices(codes=codes)] if codes else []


@login_required
@require_POST
def campaign_launch(request, pk):
    campaign = selectors.get_campaign_for_user(request, pk, allowed=selectors.EDITORS)
    try:
        services.campaign_launch(by=request.user, campaign=campaign)
    except services.CampaignError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The campaign was launched."))
    return redirect("campaign_detail", pk=campaign.pk)


@login_required
@require_POST
def campaign_advance(request, pk):
    campaign = selectors.get_campaign_for_user(request, pk, allowed=selectors.EDITORS)
    try:
        campaign = services.campaign_advance(by=request.user, campaign=campaign)
    except services.CampaignError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The campaign is now: %(state)s.") % {"state": campaign.get_state_display()})
    return redirect("campaign_detail", pk=campaign.pk)


@login_required
def campaign_amend(request, pk):
    campaign = selectors.get_campaign_for_user(request, pk, allowed=selectors.EDITORS)
    if campaign.state == Campaign.State.DRAFT:
        return redirect("campaign_edit", pk=campaign.pk)
    form = AmendmentForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_amend(
                by=request.user, campaign=campaign, reason=form.cleaned_data["reason"], **form.changes()
            )
        except services.CampaignError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The amendment was recorded and is shown on the campaign's pages."))
            return redirect("campaign_detail", pk=campaign.pk)
    return render(request, "campaigns/campaigns/amend.html", {"form": form, "campaign": campaign})


def _public_campaign(**lookup) -> Campaign:
    published = Campaign.objects.select_related("launching_unit").filter(~Q(state=Campaign.State.DRAFT))
    return get_object_or_404(published, **lookup)


def campaign_public(request, code):
    """The announcement of a launched campaign, for anyone: no login, no draft."""
    campaign = _public_campaign(code=code)
    context = {
        "campaign": campaign,
        "criteria": campaign.criteria.all(),
        "amendments": selectors.announced_amendments(campaign),
        "award_names": _award_names(campaign.award_codes),
    }
    return render(request, "campaigns/campaigns/public.html", context)


def campaign_document(request, pk):
    """The plan document: public once the campaign is launched, for the launching unit's roles before."""
    campaign = get_object_or_404(Campaign.objects.select_related("launching_unit"), pk=pk)
    if campaign.state == Campaign.State.DRAFT:
        if not request.user.is_authenticated:
            raise Http404
        campaign = selectors.get_campaign_for_user(request, pk)
    if not campaign.plan_document:
        raise Http404
    return FileResponse(
        campaign.plan_document.open("rb"), as_attachment=True, filename=campaign.plan_document.name.rsplit("/", 1)[-1]
    )
