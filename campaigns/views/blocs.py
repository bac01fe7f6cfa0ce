"""Bloc pages: list, create and edit a bloc for a year, its pledge, lock of the sheets, the ranking (screen,
Excel, PDF), the year-end result, and the score templates of the organising units."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organizations.models import Unit
from thiduakt.lib import excel, pdf, permissions

from ..forms.blocs import BlocForm, PledgeForm, ResultForm, TemplateForm, template_text
from ..models import Bloc, BlocMembership, Pledge, ScoreEntry, ScoreSheet, ScoreTemplate
from ..selectors import blocs as selectors
from ..services import blocs as services

HISTORY_YEARS = 10


def _pledge(bloc):
    try:
        return bloc.pledge
    except Pledge.DoesNotExist:
        return None


def _result(bloc):
    try:
        return bloc.result
    except Bloc.result.RelatedObjectDoesNotExist:
        return None


def _apply_errors(form, error: services.BlocError) -> None:
    for name, message in error.field_errors.items():
        form.add_error(name if name in form.fields else None, message)
    if not error.field_errors:
        form.add_error(None, str(error))
    for name in error.field_errors:
        if name in form.fields:
            widget = form.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
            widget.attrs["aria-invalid"] = "true"
            widget.attrs["aria-describedby"] = f"{form[name].id_for_label}_error"


# Blocs -----------------------------------------------------------------------------------------------


@login_required
def bloc_list(request):
    blocs = selectors.visible_blocs(request.user).select_related("organising_unit", "template")
    year = request.GET.get("year", "")
    kind = request.GET.get("kind", "")
    if year.isdigit():
        blocs = blocs.filter(year=int(year))
    if kind in Bloc.Kind.values:
        blocs = blocs.filter(kind=kind)
    page = Paginator(blocs.order_by("-year", "name"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "campaigns/blocs/bloc_list.html",
        {
            "page": page,
            "year": year,
            "kind": kind,
            "kinds": Bloc.Kind.choices,
            "can_create": permissions.may_edit_somewhere(request.user),
        },
    )


def _template_choices(user, unit: Unit | None):
    templates = ScoreTemplate.objects.select_related("organising_unit")
    if unit is not None:
        return templates.filter(organising_unit=unit)
    return templates.filter(
        permissions.covered_units_q(user, roles=permissions.EDITOR_ROLES, field="organising_unit__")
    )


def _previous_initial(request) -> dict:
    """?from=<pk>: next year's bloc from this one, with the leader and deputy its meeting elected."""
    if not request.GET.get("from", "").isdigit():
        return {}
    previous, access = selectors.get_bloc_for_user(request, request.GET["from"], need="manages")
    result = _result(previous)
    leader = result.next_leader if result and result.next_leader else None
    deputy = result.next_deputy if result and result.next_deputy else None
    return {
        "name": previous.name,
        "kind": previous.kind,
        "year": previous.year + 1,
        "organising_unit": previous.organising_unit.code,
        "members": "\n".join(m.unit.code for m in access.memberships),
        "leader": leader.code if leader else "",
        "deputy": deputy.code if deputy else "",
        "template": previous.template_id,
        "previous": previous.pk,
    }


@login_required
def bloc_create(request):
    if not permissions.may_edit_somewhere(request.user):
        raise PermissionDenied
    form = BlocForm(
        request.POST or None, initial=_previous_initial(request), templates=_template_choices(request.user, None)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        previous = None
        if data["previous"]:
            previous, _access = selectors.get_bloc_for_user(request, data["previous"], need="manages")
        try:
            bloc = services.bloc_create(
                by=request.user,
                name=data["name"],
                kind=data["kind"],
                year=data["year"],
                organising_unit=data["organising_unit"],
                members=data["members"],
                leader=data["leader"],
                deputy=data["deputy"],
                template=data["template"],
                self_score_deadline=data["self_score_deadline"],
                previous=previous,
            )
        except services.BlocError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The bloc was created."))
            return redirect("bloc_detail", pk=bloc.pk)
    return render(request, "campaigns/blocs/bloc_form.html", {"form": form}, status=400 if form.errors else 200)


def _rotation_history(bloc) -> list:
    """The bloc's earlier years with their leader and deputy, following `previous` (a query a year)."""
    chain, current = [], bloc.previous_id
    while current and len(chain) < HISTORY_YEARS:
        earlier = Bloc.objects.filter(pk=current).only("pk", "year", "previous_id").first()
        if earlier is None:
            break
        chain.append(earlier)
        current = earlier.previous_id
    leaders = BlocMembership.objects.filter(
        bloc__in=chain, role__in=[BlocMembership.Role.LEADER, BlocMembership.Role.DEPUTY]
    ).select_related("unit")
    by_bloc = {}
    for membership in leaders:
        by_bloc.setdefault(membership.bloc_id, {})[membership.role] = membership.unit
    return [
        {"bloc": earlier, "leader": by_bloc.get(earlier.pk, {}).get("leader"),
         "deputy": by_bloc.get(earlier.pk, {}).get("deputy")}
        for earlier in chain
    ]  # fmt: skip


@login_required
def bloc_detail(request, pk):
    bloc, access = selectors.get_bloc_for_user(request, pk)
    sheets = [sheet for sheet in bloc.sheets.select_related("unit").order_by("unit__name") if access.sees_sheet(sheet)]
    ranking = selectors.bloc_ranking(bloc) if access.sees_ranking and bloc.sheets_locked_at else None
    result = _result(bloc)
    context = {
        "bloc": bloc,
        "access": access,
        "memberships": access.memberships,
        "pledge": _pledge(bloc),
        "sheets": sheets,
        "ranking": ranking,
        "ties": selectors.ties(ranking) if ranking else [],
        "result": result,
        "merit_units": list(result.merit_units.order_by("name")) if result else [],
        "history": _rotation_history(bloc),
        "all_verified": bool(sheets) and all(s.state == ScoreSheet.State.VERIFIED for s in sheets),
    }
    return render(request, "campaigns/blocs/bloc_detail.html", context)


@login_required
def bloc_edit(request, pk):
    bloc, access = selectors.get_bloc_for_user(request, pk, need="manages")
    memberships = access.memberships
    leader = next((m.unit for m in memberships if m.role == BlocMembership.Role.LEADER), None)
    deputy = next((m.unit for m in memberships if m.role == BlocMembership.Role.DEPUTY), None)
    initial = {
        "name": bloc.name,
        "kind": bloc.kind,
        "members": "\n".join(m.unit.code for m in memberships),
        "leader": leader.code if leader else "",
        "deputy": deputy.code if deputy else "",
        "template": bloc.template_id,
        "self_score_deadline": bloc.self_score_deadline,
    }
    form = BlocForm(
        request.POST or None,
        initial=initial,
        editing=True,
        templates=_template_choices(request.user, bloc.organising_unit),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                services.bloc_members_set(
                    by=request.user, bloc=bloc, members=data["members"], leader=data["leader"], deputy=data["deputy"]
                )
                services.bloc_update(
                    by=request.user,
                    bloc=bloc,
                    name=data["name"],
                    kind=data["kind"],
                    template=data["template"],
                    self_score_deadline=data["self_score_deadline"],
                )
        except services.BlocError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The bloc was saved."))
            return redirect("bloc_detail", pk=bloc.pk)
    return render(
        request, "campaigns/blocs/bloc_form.html", {"form": form, "bloc": bloc}, status=400 if form.errors else 200
    )


@login_required
def pledge_edit(request, pk):
    bloc, _access = selectors.get_bloc_for_user(request, pk, need="may_record_pledge")
    pledge = _pledge(bloc)
    initial = {"signed_on": pledge.signed_on, "targets": pledge.targets} if pledge else {}
    form = PledgeForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.pledge_record(
                by=request.user,
                bloc=bloc,
                signed_on=data["signed_on"],
                targets=data["targets"],
                document=data["document"] or None,
            )
        except services.BlocError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The pledge was recorded."))
            return redirect("bloc_detail", pk=bloc.pk)
    return render(
        request,
        "campaigns/blocs/pledge_form.html",
        {"form": form, "bloc": bloc, "pledge": pledge},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def bloc_lock(request, pk):
    bloc, _access = selectors.get_bloc_for_user(request, pk, need="manages")
    try:
        services.sheets_lock(by=request.user, bloc=bloc)
    except services.BlocError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The score sheets are locked; the ranking is final."))
    return redirect("bloc_detail", pk=bloc.pk)


# Ranking ---------------------------------------------------------------------------------------------


def _ranking_header():
    return [_("Rank"), _("Unit code"), _("Unit"), _("Self score"), _("Criteria"), _("Bonus"), _("Penalty"),
            _("Total"), _("Tied")]  # fmt: skip


def _ranking_rows(ranking):
    return [
        [row.rank, row.unit_code, row.unit_name, row.self_total, row.normal, row.bonus, row.penalty, row.total,
         _("yes") if row.tied else ""]
        for row in ranking
    ]  # fmt: skip


def _detail_entries(bloc):
    return (
        ScoreEntry.objects.filter(sheet__bloc=bloc)
        .select_related("sheet__unit", "criterion__group")
        .order_by("sheet__unit__name", "criterion__group__order", "criterion__order", "criterion__pk")
    )


def _detail_rows(entries):
    return [
        [e.sheet.unit.code, e.sheet.unit.name, e.criterion.group.title, e.criterion.text,
         e.criterion.get_kind_display(), e.criterion.max_points, e.self_points, e.verified_points, e.comment]
        for e in entries
    ]  # fmt: skip


def _detail_header():
    return [_("Unit code"), _("Unit"), _("Group"), _("Criterion"), _("Kind"), _("Maximum"), _("Self score"),
            _("Verified score"), _("Comment")]  # fmt: skip


@login_required
def bloc_ranking(request, pk):
    bloc, access = selectors.get_bloc_for_user(request, pk, need="sees_ranking")
    ranking = selectors.bloc_ranking(bloc)
    export = request.GET.get("format", "")
    filename = f"xep-hang-{bloc.pk}-{bloc.year}"
    if export == "xlsx":
        sheets = [excel.SheetSpec(_("Ranking"), _ranking_header(), _ranking_rows(ranking), (8, 12, 40) + (12,) * 6)]
        if access.sees_all_sheets:
            sheets.append(excel.SheetSpec(_("Score sheets"), _detail_header(), _detail_rows(_detail_entries(bloc))))
        return excel.xlsx_response(f"{filename}.xlsx", sheets)
    context = {
        "bloc": bloc,
        "access": access,
        "ranking": ranking,
        "ties": selectors.ties(ranking),
        "final": bloc.sheets_locked_at is not None,
    }
    if export == "pdf":
        context["entries"] = list(_detail_entries(bloc)) if access.sees_all_sheets else []
        context["today"] = timezone.localdate()
        return pdf.pdf_response(f"{filename}.pdf", pdf.render_pdf("pdf/bloc_ranking.html", context))
    if export:
        raise Http404
    return render(request, "campaigns/blocs/bloc_ranking.html", context)


@login_required
def bloc_result(request, pk):
    bloc, access = selectors.get_bloc_for_user(request, pk, need="manages")
    if bloc.sheets_locked_at is None:
        return render(request, "campaigns/blocs/bloc_result.html", {"bloc": bloc, "not_locked": True})
    ranking = selectors.bloc_ranking(bloc)
    units = Unit.objects.filter(bloc_memberships__bloc=bloc).order_by("name")
    result = _result(bloc)
    initial = {"flag_unit": ranking[0].unit_id if ranking else None, "meeting_on": timezone.localdate()}
    if result:
        initial = {
            "meeting_on": result.meeting_on,
            "flag_unit": result.flag_unit_id,
            "merit_units": list(result.merit_units.values_list("pk", flat=True)),
            "tie_resolution": result.tie_resolution,
            "next_leader": result.next_leader_id,
            "next_deputy": result.next_deputy_id,
        }
    form = ResultForm(request.POST or None, initial=initial, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.result_record(by=request.user, bloc=bloc, **data)
        except services.BlocError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The bloc's result was recorded."))
            return redirect("bloc_detail", pk=bloc.pk)
    return render(
        request,
        "campaigns/blocs/bloc_result.html",
        {"form": form, "bloc": bloc, "ranking": ranking, "ties": selectors.ties(ranking)},
        status=400 if form.errors else 200,
    )


# Score templates -------------------------------------------------------------------------------------


@login_required
def template_list(request):
    if not permissions.may_edit_somewhere(request.user):
        raise PermissionDenied
    templates = selectors.visible_templates(request.user).select_related("organising_unit")
    page = Paginator(templates.order_by("organising_unit__name", "name", "-version"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "campaigns/blocs/template_list.html", {"page": page})


@login_required
def template_create(request):
    if not permissions.may_edit_somewhere(request.user):
        raise PermissionDenied
    form = TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            template = services.template_create(
                by=request.user, organising_unit=data["organising_unit"], name=data["name"], groups=data["content"]
            )
        except services.BlocError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The score template was created."))
            return redirect("template_detail", pk=template.pk)
    return render(request, "campaigns/blocs/template_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def template_detail(request, pk):
    template = get_object_or_404(ScoreTemplate.objects.select_related("organising_unit"), pk=pk)
    if not selectors.visible_templates(request.user).filter(pk=template.pk).exists():
        raise Http404
    groups = selectors.template_criteria(template)
    can_edit = selectors.may_organise_in(request.user, template.organising_unit)
    in_use = services.template_in_use(template)
    form = None
    if can_edit:
        form = TemplateForm(request.POST or None, editing=True, initial={"content": template_text(groups)})
        if request.method == "POST" and form.is_valid():
            try:
                saved = services.template_edit(by=request.user, template=template, groups=form.cleaned_data["content"])
            except services.BlocError as error:
                _apply_errors(form, error)
            else:
                if saved.pk != template.pk:
                    messages.success(
                        request, _("The template is in use: version %(v)s was made.") % {"v": saved.version}
                    )
                else:
                    messages.success(request, _("The score template was saved."))
                return redirect("template_detail", pk=saved.pk)
    elif request.method == "POST":
        raise PermissionDenied
    versions = ScoreTemplate.objects.filter(organising_unit=template.organising_unit, name=template.name).order_by(
        "-version"
    )
    return render(
        request,
        "campaigns/blocs/template_detail.html",
        {"template": template, "groups": groups, "form": form, "in_use": in_use, "versions": versions},
        status=400 if form is not None and form.errors else 200,
    )
