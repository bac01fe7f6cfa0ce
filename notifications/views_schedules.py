"""Reminder schedules per organisation ("Lịch nhắc hạn"), for system admins: the organisations that have schedules of
their own, a picker to open any unit, and per unit the schedule in force for each kind with where it comes from, a
form to set its own and a button to go back to the inherited one."""

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from organizations.models import Unit
from thiduakt.lib import permissions
from thiduakt.lib.forms import BootstrapMixin
from thiduakt.lib.pagination import page_by_keys
from thiduakt.lib.vn import fold

from . import schedules
from .reminders import MAX_DAYS_AFTER, MAX_DAYS_BEFORE, Schedule

PAGE_SIZE = 50
PICK_LIMIT = 20


class ScheduleForm(BootstrapMixin, forms.Form):
    """Parses what was typed; whether the schedule is allowed is for schedules.schedule_set to say."""

    days_before = forms.CharField(
        label=gettext_lazy("Days before the deadline"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=gettext_lazy("Separated by commas, e.g. 7, 3, 1. Empty: no reminder before the deadline."),
    )
    overdue = forms.BooleanField(label=gettext_lazy("Remind on the deadline once it has passed"), required=False)
    escalate_after_days = forms.CharField(
        label=gettext_lazy("Tell the head of the unit after (days overdue)"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=gettext_lazy("Empty: never."),
    )

    def clean_days_before(self) -> list[int]:
        tokens = [token for token in re.split(r"[,;\s]+", self.cleaned_data["days_before"]) if token]
        wrong = [token for token in tokens if not (token.isascii() and token.isdigit())]
        if wrong:
            raise forms.ValidationError(
                _("Not a whole number of days: %(values)s.") % {"values": ", ".join(wrong)}, code="invalid"
            )
        return [int(token) for token in tokens]

    def clean_escalate_after_days(self) -> int | None:
        value = self.cleaned_data["escalate_after_days"].strip()
        if not value:
            return None
        if not (value.isascii() and value.isdigit()):
            message = _("Not a whole number of days: %(values)s.") % {"values": value}
            raise forms.ValidationError(message, code="invalid")
        return int(value)

    @classmethod
    def for_entry(cls, entry: schedules.EffectiveSchedule, data=None) -> "ScheduleForm":
        """The form of one kind, filled with the schedule in force (prefix: the kind, so each form's fields have
        their own ids on the page)."""
        initial = {
            "days_before": ", ".join(str(day) for day in entry.days_before),
            "overdue": entry.schedule.overdue,
            "escalate_after_days": entry.schedule.escalate_after_days or "",
        }
        return cls(data, prefix=entry.kind, initial=initial)


class PickForm(forms.Form):
    unit = forms.CharField(label=gettext_lazy("Organisation (code or name)"), max_length=100, required=False)


def _require_admin(request) -> None:
    if not permissions.is_system_admin(request.user):
        raise PermissionDenied


def _kind_or_404(kind: str) -> str:
    if kind not in schedules.reminder_kinds():
        raise Http404
    return kind


@login_required
def reminder_schedule_list(request):
    _require_admin(request)
    picker, picked = _pick(request)
    if isinstance(picked, Unit):
        return redirect("reminder_schedule_detail", pk=picked.pk)
    query = request.GET.get("q", "").strip()
    units = schedules.organisations_with_rules().select_related("parent")
    if query:
        units = units.filter(search_name__contains=fold(query))
    page = page_by_keys(units.order_by("path"), request.GET.get("page"), PAGE_SIZE)
    own = schedules.own_rules_by_unit(unit.pk for unit in page.object_list)
    rows = [(unit, own.get(unit.pk, [])) for unit in page.object_list]
    context = {
        "page": page,
        "rows": rows,
        "query": query,
        "picker": picker,
        "candidates": picked[:PICK_LIMIT] if isinstance(picked, list) else None,
        "too_many": isinstance(picked, list) and len(picked) > PICK_LIMIT,
        "default": Schedule.default(),
    }
    return render(request, "notifications/schedule_list.html", context)


def _pick(request):
    """The unit picker: a code opens that unit; a part of a name lists the units it matches (folded, like the unit
    search). Returns (form, a unit to open | candidate units | None)."""
    picker = PickForm(request.GET if "unit" in request.GET else None)
    if not picker.is_bound or not picker.is_valid():
        return picker, None
    text = picker.cleaned_data["unit"].strip()
    if not text:
        picker.add_error("unit", _("Type the code or part of the name of an organisation."))
        return picker, None
    exact = Unit.objects.filter(code=text).first()
    if exact is not None:
        return picker, exact
    candidates = list(Unit.objects.filter(search_name__contains=fold(text)).select_related("parent")[: PICK_LIMIT + 1])
    if not candidates:
        picker.add_error("unit", _("No organisation matches %(text)s.") % {"text": text})
        return picker, None
    if len(candidates) == 1:
        return picker, candidates[0]
    return picker, candidates


def _detail_context(unit: Unit, forms_by_kind: dict | None = None) -> dict:
    entries = schedules.effective_schedules(unit)
    deeper = schedules.deeper_rule_counts(unit)
    forms_by_kind = forms_by_kind or {}
    return {
        "unit": unit,
        "ancestors": list(unit.ancestors()),
        "rows": [
            (entry, forms_by_kind.get(entry.kind) or ScheduleForm.for_entry(entry), deeper.get(entry.kind, 0))
            for entry in entries
        ],
        "max_before": MAX_DAYS_BEFORE,
        "max_after": MAX_DAYS_AFTER,
    }


@login_required
def reminder_schedule_detail(request, pk: int):
    _require_admin(request)
    unit = get_object_or_404(Unit.objects.select_related("parent"), pk=pk)
    return render(request, "notifications/schedule_detail.html", _detail_context(unit))


@login_required
@require_POST
def reminder_schedule_set(request, pk: int, kind: str):
    _require_admin(request)
    unit = get_object_or_404(Unit, pk=pk)
    kind = _kind_or_404(kind)
    entry = next(entry for entry in schedules.effective_schedules(unit) if entry.kind == kind)
    form = ScheduleForm.for_entry(entry, data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            schedules.schedule_set(
                by=request.user,
                organisation=unit,
                kind=kind,
                days_before=data["days_before"],
                overdue=data["overdue"],
                escalate_after_days=data["escalate_after_days"],
            )
        except schedules.ScheduleError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(
                request,
                _("The schedule of %(unit)s for “%(kind)s” was saved.") % {"unit": unit.name, "kind": entry.label},
            )
            return redirect(f"{_detail_url(unit)}#kind-{kind}")
    messages.error(request, _("The schedule was not saved: correct the errors below."))
    context = _detail_context(unit, {kind: form})
    return render(request, "notifications/schedule_detail.html", context, status=400)


@login_required
@require_POST
def reminder_schedule_reset(request, pk: int, kind: str):
    _require_admin(request)
    unit = get_object_or_404(Unit, pk=pk)
    kind = _kind_or_404(kind)
    try:
        after = schedules.schedule_reset(by=request.user, organisation=unit, kind=kind)
    except schedules.ScheduleError as error:
        messages.error(request, error.message)
    else:
        if after.source is not None:
            text = _("%(unit)s follows the schedule of %(source)s for “%(kind)s” again.") % {
                "unit": unit.name,
                "source": after.source.name,
                "kind": after.label,
            }
        else:
            text = _("%(unit)s follows the national default schedule for “%(kind)s” again.") % {
                "unit": unit.name,
                "kind": after.label,
            }
        messages.success(request, text)
    return redirect(f"{_detail_url(unit)}#kind-{kind}")


def _detail_url(unit: Unit) -> str:
    return reverse("reminder_schedule_detail", args=[unit.pk])
