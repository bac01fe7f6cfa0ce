"""The award panel of a person, a unit or a household: the whole history, and what can be proposed in a year.

Loaded by htmx into the subject's page; without JavaScript the same URL is a page of its own."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from awards import eligibility
from awards.models import AwardRecord, AwardType, Membership, Nomination, Rating
from awards.models.nominations import ENDED_STATES
from awards.selectors_decisions import visible_decisions
from awards.selectors_nominations import visible_nominations
from organizations import access
from organizations.models import Unit

STATUS_BADGES = {"eligible": "text-bg-success", "review": "text-bg-warning", "ineligible": "text-bg-secondary"}
MIN_YEAR, MAX_YEAR = 1945, 2100


def selected_year(request) -> int:
    """?year=, else the current year in Vietnam."""
    value = request.GET.get("year", "")
    if value.isascii() and value.isdigit() and MIN_YEAR <= int(value) <= MAX_YEAR:
        return int(value)
    return timezone.localdate().year


def unit_lineage(unit: Unit) -> dict[int, Unit]:
    """The unit and every unit it succeeded, transitively (a merger of mergers), by pk: one query per
    generation of predecessors."""
    lineage = {unit.pk: unit}
    frontier = [unit.pk]
    links = Unit.successor_of.through.objects.select_related("to_unit")
    while frontier:
        found = [link.to_unit for link in links.filter(from_unit_id__in=frontier) if link.to_unit_id not in lineage]
        lineage.update((predecessor.pk, predecessor) for predecessor in found)
        frontier = [predecessor.pk for predecessor in found]
    return lineage


def _proposable(subject, year: int) -> list[dict]:
    """Each award type that fits the subject with the engine's verdict and, where the award has a quota, how
    much of it the unit has used (the engine computes it with the verdict)."""
    verdicts = eligibility.check(subject, year)
    names = dict(
        AwardType.objects.filter(code__in=[verdict.award_code for verdict in verdicts]).values_list("code", "name")
    )
    return [
        {
            "verdict": verdict,
            "name": names.get(verdict.award_code, verdict.award_code),
            "badge": STATUS_BADGES.get(verdict.status, "text-bg-light"),
            "quota": verdict.quota,
        }
        for verdict in verdicts
    ]


def _render(request, context):
    context.setdefault("year", selected_year(request))
    context["years"] = range(timezone.localdate().year + 1, timezone.localdate().year - 10, -1)
    template = "awards/subject_awards.html"
    if request.headers.get("HX-Request") == "true":
        template += "#panel"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def unit_at_year_end(employments, year: int):
    """Where the person worked at the end of `year`, from their employment history (latest start first), or None
    when the history does not say."""
    last_day = date(year, 12, 31)
    for job in employments:
        if job.start <= last_day and (job.end is None or job.end.year >= year):
            return job.unit
    return None


def person_history(user, person) -> list[AwardRecord]:
    """Every award of the person, all years, whichever unit they were in: each with `unit_then` (from the
    employment history) and `decision_link` (the decision's pk when it came from a decision the user may open)."""
    records = list(
        person.awards.select_related("award_type", "decision_item").order_by("-year", "award_type__order", "pk")
    )
    employments = list(person.employments.select_related("unit").order_by("-start", "-pk"))
    decision_ids = {item.decision_id for item in map(_decision_item, records) if item}
    openable = (
        set(visible_decisions(user).filter(pk__in=decision_ids).values_list("pk", flat=True)) if decision_ids else set()
    )
    for record in records:
        record.unit_then = unit_at_year_end(employments, record.year)
        item = _decision_item(record)
        record.decision_link = item.decision_id if item and item.decision_id in openable else None
    return records


def _decision_item(record: AwardRecord):
    try:
        return record.decision_item
    except ObjectDoesNotExist:
        return None


def open_nominations(user, person):
    """The person's nominations still under way, as far as the nomination list lets the user see them."""
    return (
        visible_nominations(user)
        .filter(person=person)
        .exclude(state__in=[*ENDED_STATES, Nomination.State.AWARDED])
        .select_related("award_type", "proposing_unit")
        .order_by("-year", "-pk")
    )


@login_required
def person_awards(request, pk):
    person = access.get_person_for_user(request, pk)
    year = selected_year(request)
    return _render(
        request,
        {
            "subject_kind": "person",
            "subject": person,
            "subject_url": reverse("person_detail", args=[person.pk]),
            "panel_url": reverse("person_awards", args=[person.pk]),
            "year": year,
            "awards": person_history(request.user, person),
            "open_nominations": open_nominations(request.user, person),
            "ratings": person.ratings.order_by("-year"),
            "disciplines": person.disciplines.order_by("-start"),
            "initiatives": person.initiatives.select_related("unit").order_by("-year", "title"),
            "proposable": _proposable(person, year),
        },
    )


@login_required
def unit_awards(request, pk):
    unit = access.get_unit_for_user(request, pk)
    year = selected_year(request)
    lineage = unit_lineage(unit)
    members = (
        Membership.objects.filter(unit_id__in=lineage)
        .values("unit_id", "year")
        .annotate(count=Count("id"))
        .order_by("-year", "unit_id")
    )
    return _render(
        request,
        {
            "subject_kind": "unit",
            "subject": unit,
            "subject_url": reverse("unit_detail", args=[unit.pk]),
            "panel_url": reverse("unit_awards", args=[unit.pk]),
            "year": year,
            "awards": AwardRecord.objects.filter(unit_id__in=lineage)
            .select_related("award_type", "unit")
            .order_by("-year", "award_type__order"),
            "ratings": Rating.objects.filter(unit_id__in=lineage).select_related("unit").order_by("-year"),
            "members": [{**row, "unit": lineage[row["unit_id"]]} for row in members],
            "predecessors": [other for other in lineage.values() if other.pk != unit.pk],
            "proposable": _proposable(unit, year),
        },
    )


@login_required
def household_awards(request, pk):
    household = access.get_household_for_user(request, pk)
    year = selected_year(request)
    return _render(
        request,
        {
            "subject_kind": "household",
            "subject": household,
            "subject_url": reverse("household_detail", args=[household.pk]),
            "panel_url": reverse("household_awards", args=[household.pk]),
            "year": year,
            "awards": household.awards.select_related("award_type").order_by("-year", "award_type__order"),
            "proposable": _proposable(household, year),
        },
    )
