"""The secretariat's check of a whole unit subtree for one award: who is eligible, who needs a person's
judgement, who is not, and why; exported to Excel for the council's papers."""

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from awards import eligibility
from awards.forms import SUBJECT_LABELS, EligibilityCheckForm
from awards.models import AwardType
from organizations import access
from organizations.models import Household, Person, Unit
from thiduakt.lib import excel, permissions

from .history import STATUS_BADGES

PAGE_SIZE = 50
STATUS_CHOICES = [
    ("eligible", gettext_lazy("Eligible")),
    ("review", gettext_lazy("To be judged")),
    ("ineligible", gettext_lazy("Not eligible")),
]
STATUS_LABELS = dict(STATUS_CHOICES)


def _checkable_roots(user) -> list[Unit]:
    """The top units of the subtrees the user may check, shallowest first."""
    if permissions.is_system_admin(user):
        return list(Unit.objects.filter(parent__isnull=True).order_by("path")[:1])
    roots = [
        assignment.content_object
        for assignment in permissions.role_assignments(user)
        if assignment.permission.codename in access.EDITORS
    ]
    roots += [council.unit for council in permissions.secretariat_councils(user)]
    return sorted(roots, key=lambda unit: (unit.depth, unit.path))


def _unit_for_checker(request, code: str) -> Unit:
    """The unit if the user may check its subtree; 404 when they hold nothing that covers it."""
    unit = get_object_or_404(Unit.objects.select_related("parent"), code=code.strip())
    secretariat_of = permissions.secretariat_councils(request.user)
    if any(unit.path.startswith(council.unit.path) for council in secretariat_of):
        return unit
    return access.get_unit_for_user(request, unit.pk, allowed=access.EDITORS)


def _subjects(award_type: AwardType, unit: Unit) -> list:
    """Everyone in the unit's subtree whom the award can be given to, one kind of subject after another."""
    groups = []
    if award_type.fits("person"):
        groups.append(
            Person.objects.filter(unit__path__startswith=unit.path).select_related("unit").order_by("search_name")
        )
    if award_type.fits("unit"):
        groups.append(unit.subtree().select_related("parent").order_by("path"))
    if award_type.fits("household"):
        groups.append(
            Household.objects.filter(unit__path__startswith=unit.path).select_related("unit").order_by("search_name")
        )
    return groups


def _verdicts(award_type: AwardType, unit: Unit, year: int) -> list:
    verdicts = []
    for subjects in _subjects(award_type, unit):
        verdicts += eligibility.check_many(list(subjects), year, award_codes=[award_type.code])
    return verdicts


def _subject_unit(verdict) -> Unit | None:
    subject = verdict.subject
    return subject if verdict.subject_type == "unit" else subject.unit


def _reasons_text(verdict) -> str:
    return "\n".join(reason.message for reason in verdict.reasons)


def _xlsx(award_type: AwardType, unit: Unit, year: int, verdicts: list):
    header = [
        _("Subject code"),
        _("Subject"),
        _("Subject type"),
        _("Unit"),
        _("Award"),
        _("Year"),
        _("Result"),
        _("Reasons"),
    ]
    rows = (
        [
            verdict.subject_code,
            str(verdict.subject),
            str(SUBJECT_LABELS.get(verdict.subject_type, verdict.subject_type)),
            _subject_unit(verdict).name,
            award_type.name,
            year,
            str(STATUS_LABELS.get(verdict.status, verdict.status)),
            _reasons_text(verdict),
        ]
        for verdict in verdicts
    )
    sheet = excel.SheetSpec(title=award_type.code, header=header, rows=rows, widths=[16, 32, 14, 32, 32, 8, 14, 80])
    return excel.xlsx_response(f"kiem-tra-{award_type.code}-{unit.code}-{year}.xlsx", [sheet])


@login_required
def eligibility_check(request):
    if not permissions.may_check_eligibility(request.user):
        raise PermissionDenied
    roots = _checkable_roots(request.user)
    initial = {"unit": roots[0].code if roots else "", "year": timezone.localdate().year}
    form = EligibilityCheckForm(
        request.GET if "award" in request.GET else None, initial=initial, status_choices=STATUS_CHOICES
    )
    context = {"form": form, "roots": roots}
    if form.is_valid():
        data = form.cleaned_data
        unit = _unit_for_checker(request, data["unit"])
        award_type = get_object_or_404(AwardType, code=data["award"])
        verdicts = _verdicts(award_type, unit, data["year"])
        counts = Counter(verdict.status for verdict in verdicts)
        if data["status"]:
            verdicts = [verdict for verdict in verdicts if verdict.status == data["status"]]
        if request.GET.get("format") == "xlsx":
            return _xlsx(award_type, unit, data["year"], verdicts)
        page = Paginator(verdicts, PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(
            unit=unit,
            award_type=award_type,
            year=data["year"],
            total=sum(counts.values()),
            counts=[
                {"status": status, "label": label, "count": counts.get(status, 0), "badge": STATUS_BADGES[status]}
                for status, label in STATUS_CHOICES
            ],
            page=page,
            rows=[
                {
                    "verdict": verdict,
                    "label": STATUS_LABELS.get(verdict.status, verdict.status),
                    "badge": STATUS_BADGES.get(verdict.status, "text-bg-light"),
                    "subject_type": SUBJECT_LABELS.get(verdict.subject_type, verdict.subject_type),
                    "unit": _subject_unit(verdict),
                }
                for verdict in page
            ],
        )
    return render(request, "awards/eligibility_check.html", context)
