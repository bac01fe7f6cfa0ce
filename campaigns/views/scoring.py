"""Score sheet pages: the member fills its self scores with evidence and submits; the bloc leader cross-checks
with a verified score and a comment per criterion; evidence is downloaded through a permission check."""

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..forms.blocs import SelfScoreForm, VerifyForm
from ..models import ScoreEntry, ScoreSheet
from ..selectors import blocs as selectors
from ..services import blocs as services


def _entries(sheet):
    return list(
        sheet.entries.select_related("criterion__group").order_by(
            "criterion__group__order", "criterion__group__pk", "criterion__order", "criterion__pk"
        )
    )


def _with_groups(rows):
    """Rows with the group title set on the first row of each group, for the table's group lines."""
    previous = None
    for row in rows:
        entry = row[0]
        group = entry.criterion.group
        entry.group_start = group.title if group.pk != previous else None
        previous = group.pk
    return rows


def _totals(entries):
    def total(attr):
        values = [(e.criterion.kind, getattr(e, attr)) for e in entries if getattr(e, attr) is not None]
        if not values:
            return None
        return sum((-v if kind == "penalty" else v) for kind, v in values)

    return {"self": total("self_points"), "verified": total("verified_points")}


@login_required
def sheet_detail(request, pk):
    sheet, access = selectors.get_sheet_for_user(request, pk)
    entries = _entries(sheet)
    editable = (
        access.fills_sheet(sheet) and sheet.state == ScoreSheet.State.DRAFT and sheet.bloc.sheets_locked_at is None
    )
    form = None
    status = 200
    if editable:
        form = SelfScoreForm(request.POST or None, request.FILES or None, entries=entries)
        if request.method == "POST":
            if form.is_valid():
                try:
                    services.sheet_save_self(
                        by=request.user, sheet=sheet, points=form.points(), evidence=form.evidence()
                    )
                except services.BlocError as error:
                    form.add_service_errors(error.field_errors)
                    if not error.field_errors:
                        form.add_error(None, str(error))
                else:
                    messages.success(request, _("The self scores were saved."))
                    return redirect("sheet_detail", pk=sheet.pk)
            form.mark_invalid()
            status = 400
    elif request.method == "POST":
        messages.error(request, _("This sheet can no longer be changed."))
        return redirect("sheet_detail", pk=sheet.pk)
    return render(
        request,
        "campaigns/blocs/sheet_detail.html",
        {
            "sheet": sheet,
            "bloc": sheet.bloc,
            "access": access,
            "entries": entries,
            "form": form,
            "rows": _with_groups(form.rows()) if form else _with_groups([(e,) for e in entries]),
            "totals": _totals(entries),
            "can_submit": editable,
            "can_verify": access.verifies_sheet(sheet)
            and sheet.state in (ScoreSheet.State.SUBMITTED, ScoreSheet.State.VERIFIED)
            and sheet.bloc.sheets_locked_at is None,
            "show_verified": sheet.state != ScoreSheet.State.DRAFT,
        },
        status=status,
    )


@login_required
@require_POST
def sheet_submit(request, pk):
    sheet, _access = selectors.get_sheet_for_user(request, pk, need="fills_sheet")
    try:
        services.sheet_submit(by=request.user, sheet=sheet)
    except services.BlocError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The sheet was sent to the bloc leader for cross-checking."))
    return redirect("sheet_detail", pk=sheet.pk)


@login_required
def sheet_verify(request, pk):
    sheet, access = selectors.get_sheet_for_user(request, pk, need="verifies_sheet")
    entries = _entries(sheet)
    form = VerifyForm(request.POST or None, entries=entries)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.sheet_verify(by=request.user, sheet=sheet, verified=form.verified())
            except services.BlocError as error:
                form.add_service_errors(error.field_errors)
                if not error.field_errors:
                    form.add_error(None, str(error))
            else:
                messages.success(request, _("The cross-checked scores were saved."))
                return redirect("bloc_detail", pk=sheet.bloc_id)
        form.mark_invalid()
        status = 400
    return render(
        request,
        "campaigns/blocs/sheet_verify.html",
        {
            "sheet": sheet,
            "bloc": sheet.bloc,
            "form": form,
            "rows": _with_groups(form.rows()),
            "totals": _totals(entries),
            "open": sheet.state in (ScoreSheet.State.SUBMITTED, ScoreSheet.State.VERIFIED)
            and sheet.bloc.sheets_locked_at is None,
        },
        status=status,
    )


@login_required
def sheet_evidence(request, pk, entry_pk):
    sheet, _access = selectors.get_sheet_for_user(request, pk)
    entry = get_object_or_404(ScoreEntry, pk=entry_pk, sheet=sheet)
    if not entry.evidence:
        raise Http404
    name = entry.evidence.name.rsplit("/", 1)[-1]
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(entry.evidence.open("rb"), as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
