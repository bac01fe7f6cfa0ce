"""The statistics page (issue 9) for a unit subtree and a range of years, its workbook (one sheet per table) and its
printable PDF report.

Who sees what: system admins every unit; unit officers, heads, viewers and signers the subtrees of their units;
a council's secretariat the subtree of the council's unit. Anyone else gets 403. A unit outside what the user
covers is refused like an unknown one, with the same message, so that nobody learns which units exist."""

from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.db.models.functions import Length
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from awards.statistics import selectors
from awards.statistics.tables import tables as build_tables
from organizations.models import PATH_STEP, Unit
from thiduakt.lib import excel, permissions
from thiduakt.lib.pdf import pdf_response, render_pdf
from thiduakt.lib.vn import thousands

DEFAULT_YEARS = 5
PICKER_DEPTH = 1  # the picker lists each covered unit and its direct children; the unit table links deeper


# Access -----------------------------------------------------------------------------------------------------


def statistics_roots(user) -> list[Unit]:
    """The tops of the subtrees the user may read statistics of, shallowest first; none for a user without a role."""
    if permissions.is_system_admin(user):
        return list(Unit.objects.filter(parent__isnull=True).order_by("path"))
    if not user.is_authenticated:
        return []
    units = [assignment.content_object for assignment in permissions.role_assignments(user)]
    units += [council.unit for council in permissions.secretariat_councils(user)]
    roots: list[Unit] = []
    for unit in sorted(units, key=lambda unit: (unit.depth, unit.path)):
        if not any(unit.path.startswith(root.path) for root in roots):
            roots.append(unit)
    return roots


def covers(roots: list[Unit], unit: Unit) -> bool:
    return any(unit.path.startswith(root.path) for root in roots)


def picker_units(roots: list[Unit]) -> list[Unit]:
    """Each root and the units down to PICKER_DEPTH levels below it, in tree order (one query)."""
    if not roots:
        return []
    near = Q(pk__in=[])
    for root in roots:
        near |= Q(path__startswith=root.path, path_length__lte=len(root.path) + PICKER_DEPTH * PATH_STEP)
    return list(Unit.objects.annotate(path_length=Length("path")).filter(near).order_by("path"))


# Form -------------------------------------------------------------------------------------------------------


class StatisticsForm(forms.Form):
    unit = forms.IntegerField(
        label=gettext_lazy("Unit"),
        required=False,
        error_messages={"invalid": gettext_lazy("Choose a unit from the list.")},
    )
    first_year = forms.IntegerField(label=gettext_lazy("From year"), min_value=1945, max_value=2100, required=False)
    last_year = forms.IntegerField(label=gettext_lazy("To year"), min_value=1945, max_value=2100, required=False)

    def __init__(self, *args, roots: list[Unit], choices: list[Unit], **kwargs):
        super().__init__(*args, **kwargs)
        self.roots, self.choices = roots, choices

    def clean_unit(self) -> Unit:
        pk = self.cleaned_data.get("unit")
        if pk is None:
            return self.roots[0]
        unit = next((unit for unit in self.choices if unit.pk == pk), None)
        if unit is None:
            unit = Unit.objects.filter(pk=pk).first()
        if unit is None or not covers(self.roots, unit):
            raise forms.ValidationError(_("Choose a unit from the list."))
        return unit

    def clean(self):
        data = super().clean()
        if "first_year" not in data or "last_year" not in data:
            return data
        first, last = data["first_year"], data["last_year"]
        if first is None and last is None:
            last = timezone.localdate().year
        if last is None:
            last = first + DEFAULT_YEARS - 1
        if first is None:
            first = last - DEFAULT_YEARS + 1
        data.update(first_year=first, last_year=last)
        if first > last:
            self.add_error("first_year", _("The first year must not be after the last year."))
        elif last - first >= selectors.MAX_YEARS:
            self.add_error(
                "first_year", _("Choose at most %(count)s years at a time.") % {"count": selectors.MAX_YEARS}
            )
        return data


def _form(request) -> StatisticsForm:
    roots = statistics_roots(request.user)
    if not roots:
        raise PermissionDenied
    choices = picker_units(roots)
    form = StatisticsForm(request.GET, roots=roots, choices=choices)
    form.is_valid()
    chosen = form.cleaned_data.get("unit") if "unit" not in form.errors else None
    if chosen is not None and all(unit.pk != chosen.pk for unit in choices):
        choices.append(chosen)  # a unit opened from the table, deeper than the picker goes
    form.picker = [(unit, "— " * (unit.depth - roots[0].depth) + unit.name) for unit in choices]
    form.selected = chosen.pk if chosen is not None else None
    form.first_value = form.cleaned_data.get("first_year", form["first_year"].value())
    form.last_value = form.cleaned_data.get("last_year", form["last_year"].value())
    return form


def _figures(form: StatisticsForm):
    data = form.cleaned_data
    stats = selectors.statistics(data["unit"], data["first_year"], data["last_year"])
    return stats, build_tables(stats)


def _invalid(request, form: StatisticsForm, status: int = 200):
    return render(request, "awards/statistics/page.html", {"form": form, "tables": []}, status=status)


# Views ------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def statistics_page(request):
    form = _form(request)
    if form.errors:
        return _invalid(request, form)
    stats, tables = _figures(form)
    charts = [data for data in (table.chart_data() for table in tables) if data]
    # The exports ask for what the page shows, not for the defaults again.
    query = urlencode({"unit": stats.unit.pk, "first_year": stats.first_year, "last_year": stats.last_year})
    context = {"form": form, "stats": stats, "tables": tables, "charts": charts, "query": query,
               "total": thousands(stats.total())}  # fmt: skip
    return render(request, "awards/statistics/page.html", context)


def _filename(stats, extension: str) -> str:
    code = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in stats.unit.code)
    return f"thong-ke-khen-thuong-{code}-{stats.first_year}-{stats.last_year}.{extension}"


@login_required
@require_GET
def statistics_xlsx(request):
    form = _form(request)
    if form.errors:
        return _invalid(request, form, status=400)
    stats, tables = _figures(form)
    scope = excel.SheetSpec(
        _("Scope"),
        [_("Item"), _("Value")],
        [
            (_("Unit"), f"{stats.unit.name} ({stats.unit.code})"),
            (_("From year"), stats.first_year),
            (_("To year"), stats.last_year),
            (_("Made at"), timezone.localtime().strftime("%d/%m/%Y %H:%M")),
        ],
        widths=[24, 60],
    )
    sheets = [scope]
    for number, table in enumerate(tables, start=1):
        rows = [*table.rows, *([table.total] if table.total else [])]
        sheets.append(excel.SheetSpec(f"{number}. {table.sheet}"[:31], table.header, rows))
    return excel.xlsx_response(_filename(stats, "xlsx"), sheets)


@login_required
@require_GET
def statistics_pdf(request):
    form = _form(request)
    if form.errors:
        return _invalid(request, form, status=400)
    stats, _tables = _figures(form)
    with translation.override("vi"):
        # Built again under the document's language: the tables carry translated labels.
        context = {
            "stats": stats,
            "tables": build_tables(stats),
            "on": timezone.localdate(),
            "total": thousands(stats.total()),
        }
        pdf = render_pdf("awards/statistics/report_pdf.html", context)
    response = pdf_response(_filename(stats, "pdf"), pdf, inline=True)
    response["Cache-Control"] = "private, no-store"
    return response
