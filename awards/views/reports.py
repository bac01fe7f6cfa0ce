"""The national statistical report of state-level awards (form 0602.N of Circular 02/2023/TT-BNV), issue 9: the
user picks a unit they cover and a report year, sees the form filled in and downloads it as Excel in the form's
layout. Units are those under any role the user holds on a unit (admins: every unit); any other unit
answers 404, as if it did not exist."""

import re

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from awards.reports.form_0602 import FORM_CODE, MIN_YEAR, Report, form_0602
from awards.reports.form_0602_xlsx import form_0602_workbook
from organizations.models import Unit
from thiduakt.lib import permissions
from thiduakt.lib.excel import XLSX_CONTENT_TYPE
from thiduakt.lib.forms import BootstrapMixin

MAX_CHOICES = 300
UNIT_FIELDS = ("pk", "code", "name", "path")  # what the list, the report and the file name read of a unit


def latest_report_year(today) -> int:
    """The last year whose report period has begun: from 01/12 the next year's period is running."""
    return today.year + 1 if today.month == 12 else today.year


class Report0602Form(BootstrapMixin, forms.Form):
    unit = forms.TypedChoiceField(label=gettext_lazy("Reporting unit"), coerce=int, choices=())
    year = forms.IntegerField(label=gettext_lazy("Report year"))
    place = forms.CharField(label=gettext_lazy("Place (for the date line)"), max_length=100, required=False, strip=True)
    receiver = forms.CharField(label=gettext_lazy("Receiving unit"), max_length=255, required=False, strip=True)

    def __init__(self, *args, units, max_year, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_year = max_year
        self.fields["unit"].choices = [(unit.pk, "\u00a0\u00a0" * unit.indent + unit.name) for unit in units]
        self.fields["unit"].error_messages["invalid_choice"] = _("Choose a unit from the list.")
        self.fields["receiver"].widget.attrs["placeholder"] = pgettext("form 0602", "Ministry of Home Affairs")
        year_message = _("Choose a report year from %(min)s to %(max)s.") % {"min": MIN_YEAR, "max": max_year}
        self.fields["year"].error_messages.update(invalid=year_message, required=year_message)
        self.year_message = year_message

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not MIN_YEAR <= year <= self.max_year:
            raise forms.ValidationError(self.year_message)
        return year


def _covered_units(user):
    """The units under any role the user holds (officer, head, viewer, signer), as for the statistics page."""
    return Unit.objects.filter(permissions.covered_units_q(user))


def _unit_choices(covered) -> list[Unit]:
    """The units offered in the list: those above grassroots level in the user's subtrees (a grassroots unit's
    own report is asked for by its pk), or every covered unit when there is nothing above grassroots."""
    units = list(covered.exclude(level=Unit.Level.GRASSROOTS).only(*UNIT_FIELDS).order_by("path")[:MAX_CHOICES])
    if not units:
        units = list(covered.only(*UNIT_FIELDS).order_by("path")[:MAX_CHOICES])
    if units:
        shallowest = min(unit.depth for unit in units)
        for unit in units:
            unit.indent = unit.depth - shallowest
    return units


def _selected(request):
    """(form, report) from the query string; the first unit offered and this year when none is asked."""
    covered = _covered_units(request.user)
    units = _unit_choices(covered)
    if not units:
        raise PermissionDenied(_("The report is for users who hold a role on a unit; you hold none."))
    today = timezone.localdate()
    max_year = latest_report_year(today)
    # By default the report due on 15/12 of this year, also in December when next year's period has begun.
    data = {"unit": str(units[0].pk), "year": str(today.year)}
    data.update({key: value for key, value in request.GET.items() if key in Report0602Form.base_fields})
    asked = data["unit"]
    form = Report0602Form(data, units=units, max_year=max_year)
    if asked.isascii() and asked.isdigit() and all(unit.pk != int(asked) for unit in units):
        # A unit outside the list: allowed when the user covers it (a grassroots unit), 404 otherwise.
        unit = get_object_or_404(covered.only(*UNIT_FIELDS), pk=int(asked))
        unit.indent = 0
        units = [*units, unit]
        form = Report0602Form(data, units=units, max_year=max_year)
    if not form.is_valid():
        return form, None
    unit = next(unit for unit in units if unit.pk == form.cleaned_data["unit"])
    return form, form_0602(unit=unit, year=form.cleaned_data["year"])


def header_rows(report: Report) -> list[list[dict]]:
    """The table's header as rows of cells with their spans, as the form prints it (the page's <thead>)."""
    groups = report.groups
    top = [
        {"text": "", "rowspan": 4},
        {"text": pgettext("form 0602", "Code"), "rowspan": 4},
        {"text": pgettext("form 0602", "Unit of measure"), "rowspan": 4},
        {"text": pgettext("form 0602", "Total"), "rowspan": 4},
        {"text": pgettext("form 0602", "Of which"), "colspan": len(report.columns)},
    ]
    second, third, fourth = [], [], []
    for group in groups:
        named = [(name, columns) for name, columns in group.awards if name]
        if named:
            second.append({"text": group.spec.label, "colspan": len(group.columns)})
            third.extend({"text": name, "colspan": len(columns)} for name, columns in named)
        else:
            second.append({"text": group.spec.label, "colspan": len(group.columns), "rowspan": 2})
        fourth.extend({"text": column.subject_label} for column in group.columns)
    numbering = [{"text": label} for label in ("A", "B", "C", "1")]
    numbering.extend({"text": str(group.spec.number), "colspan": len(group.columns)} for group in groups)
    return [top, second, third, fourth, numbering]


@login_required
def report_0602(request):
    form, report = _selected(request)
    context = {"form": form, "report": report, "form_code": FORM_CODE}
    if report is not None:
        context.update(header=header_rows(report), notes=report.notes())
    return render(request, "awards/reports/form_0602.html", context, status=200 if report else 400)


@login_required
def report_0602_xlsx(request):
    form, report = _selected(request)
    if report is None:
        context = {"form": form, "report": None, "form_code": FORM_CODE}
        return render(request, "awards/reports/form_0602.html", context, status=400)
    content = form_0602_workbook(
        report,
        place=form.cleaned_data["place"],
        receiver=form.cleaned_data["receiver"],
        today=timezone.localdate(),
    )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    code = re.sub(r"[^A-Za-z0-9_-]", "", report.unit.code) or report.unit.pk
    filename = f"bieu-0602N-{code}-{report.year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
