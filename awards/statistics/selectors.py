"""The figures of the statistics page, for a unit's subtree and a range of years.

Every count is made by the database with GROUP BY queries, in a fixed number of queries whatever the row count:

- the awards (AwardRecord, revoked ones left out) in one query grouped by award type, kind, year, subject type,
  the person's position kind and the child of the chosen unit the subject belongs to; the tables by type, level,
  subject, kind, unit, year and position are sums over that small result;
- the quotas in one query grouped by unit, award and year (awards/eligibility/quotas.py counts the same way, one
  unit and year at a time) and one query for the rule sets;
- the stage durations in one query with percentile_cont on PostgreSQL; SQLite (`make run`) has no percentile
  aggregate, so there the durations are read in one query and the same interpolation is done in Python;
- the returns and rejections in one query per table; their reasons (a JSON list on ReviewStage) are unnested by
  jsonb_array_elements on PostgreSQL and read row by row on SQLite.

The subtree is a prefix of Unit.path: a person counts where Person.unit is now, a household where its commune or
hamlet is, a collective where it sits; a nomination counts at its proposing unit.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, Substr

from awards.eligibility.quotas import allowed_count
from awards.models import AwardRecord, AwardRuleSet, AwardType, Nomination, NominationRevision, ReviewStage
from awards.models.catalogue import AwardKind
from organizations.models import PATH_STEP, Person, Unit

SUBJECTS = ("person", "unit", "household")
POSITIONS = tuple(Person.PositionKind.values)
MAX_YEARS = 20
REASON_WORDS = 6  # a reason is grouped by its first words: "Thiếu biên bản họp bình xét" and its variants
TOP_REASONS = 30
SELF = ""  # the child key of awards given in the chosen unit itself (its people, itself, its households)

StageState = ReviewStage.State


# Result ------------------------------------------------------------------------------------------------------


@dataclass
class StageDurations:
    """One stage of the route (its order and the level of its council): how many were decided, and the median and
    90th percentile of the days from the letter's sending (or the receipt when no letter) to the decision, and from
    the receipt to the decision. None where nothing was measured."""

    order: int
    level: str
    decided: int
    sent_median: float | None
    sent_p90: float | None
    received_median: float | None
    received_p90: float | None


@dataclass
class Outcomes:
    """Nominations that left the draft, and how many were returned for supplement (at least once), rejected at
    appraisal, or not passed by a council."""

    total: int = 0
    returned: int = 0
    rejected: int = 0
    not_passed: int = 0


@dataclass
class QuotaLine:
    """A quota-bearing award in a year, summed over the units of the subtree (each unit's quota is rounded on its
    own, as quotas.py does): units with a base or a grant, base count, allowed, granted, units over their quota;
    and the quota of the chosen unit itself (its own people: quotas.py's quota_usage of that unit)."""

    code: str
    of_award: str
    max_pct: float
    year: int
    units: int = 0
    base: int = 0
    allowed: int = 0
    granted: int = 0
    over: int = 0
    own_allowed: int = 0  # the chosen unit's own people
    own_granted: int = 0


@dataclass
class Statistics:
    unit: Unit
    first_year: int
    last_year: int
    award_types: dict[str, AwardType]  # by code, in catalogue order
    children: list[Unit]
    # (code, kind, year, subject, position or None, child key) → awards
    cube: dict[tuple, int] = field(default_factory=dict)
    quotas: list[QuotaLine] = field(default_factory=list)
    durations: list[StageDurations] = field(default_factory=list)
    outcomes: dict[str, Outcomes] = field(default_factory=dict)  # by award code
    reasons_by_document: dict[tuple[str, str], int] = field(default_factory=dict)  # (outcome, document kind)
    top_reasons: list[tuple[str, str, str, int]] = field(default_factory=list)  # (outcome, document, words, n)

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))

    def total(self) -> int:
        return sum(self.cube.values())

    def sum_by(self, *positions: int, where=None) -> dict:
        """Awards summed by some of the cube's key parts (0 code, 1 kind, 2 year, 3 subject, 4 position, 5 child)."""
        sums: dict = defaultdict(int)
        for key, count in self.cube.items():
            if where is None or where(key):
                sums[key[positions[0]] if len(positions) == 1 else tuple(key[p] for p in positions)] += count
        return dict(sums)

    def by_type(self) -> dict[tuple[str, str], int]:
        return self.sum_by(0, 3)

    def by_level(self) -> dict[str, int]:
        levels: dict[str, int] = defaultdict(int)
        for code, count in self.sum_by(0).items():
            levels[self.award_types[code].granting_level] += count
        return dict(levels)

    def by_subject(self) -> dict[str, int]:
        return self.sum_by(3)

    def by_kind(self) -> dict[str, int]:
        return self.sum_by(1)

    def by_year(self) -> dict[tuple[int, str], int]:
        return self.sum_by(2, 3)

    def by_child(self) -> dict[tuple[str, str], int]:
        return self.sum_by(5, 3)

    def by_position(self) -> dict[tuple[str, str], int]:
        """Individual awards by award code and the person's position kind."""
        return self.sum_by(0, 4, where=lambda key: key[3] == "person")


# Scope ------------------------------------------------------------------------------------------------------


def statistics(unit: Unit, first_year: int, last_year: int) -> Statistics:
    """Every figure of the page for `unit`'s subtree and the years first_year..last_year (both included)."""
    if first_year > last_year or last_year - first_year >= MAX_YEARS:
        raise ValueError("bad year range")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A grouped count over the whole province reads 100,000+ joined rows into a few hundred groups, but the
            # planner cannot know how few (a substring of the path is among the keys): with the default 4 MB it
            # sorts them on disk instead of hashing them. The setting ends with this transaction.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '32MB'")
        award_types = {award_type.code: award_type for award_type in AwardType.objects.order_by("order", "code")}
        children = list(Unit.objects.filter(parent=unit).order_by("code"))
        result = Statistics(
            unit=unit, first_year=first_year, last_year=last_year, award_types=award_types, children=children
        )
        result.cube = award_cube(unit, first_year, last_year, award_types)
        result.quotas = quota_lines(unit, first_year, last_year, award_types)
        result.durations = stage_durations(unit, first_year, last_year)
        result.outcomes = nomination_outcomes(unit, first_year, last_year, award_types)
        result.reasons_by_document, result.top_reasons = return_reasons(unit, first_year, last_year)
    return result


# Where each kind of subject sits. One query per kind, each filtering a plain Unit.path column: the planner then
# knows how many rows a prefix keeps (a filter on COALESCE over the three joins left it guessing a few hundred rows
# for the whole province, and it sorted 130,000 rows on disk instead of hashing them).
SUBJECT_PATHS = {"person": "person__unit__path", "unit": "unit__path", "household": "household__unit__path"}


def subtree_awards(unit: Unit, first_year: int, last_year: int, subject: str):
    """Awards not revoked, in the years, to subjects of one kind ("person", "unit", "household") in the subtree."""
    return AwardRecord.objects.filter(
        **{f"{subject}__isnull": False, f"{SUBJECT_PATHS[subject]}__startswith": unit.path},
        revoked=False,
        year__gte=first_year,
        year__lte=last_year,
    )


def subtree_nominations(unit: Unit, first_year: int, last_year: int):
    return Nomination.objects.filter(
        proposing_unit__path__startswith=unit.path, year__gte=first_year, year__lte=last_year
    )


# Awards -----------------------------------------------------------------------------------------------------


def award_cube(unit: Unit, first_year: int, last_year: int, award_types: dict[str, AwardType]) -> dict:
    codes = {award_type.pk: code for code, award_type in award_types.items()}
    cube = {}
    for subject, path in SUBJECT_PATHS.items():
        fields = ["award_type_id", "kind", "year", "child"] + (["person__position_kind"] if subject == "person" else [])
        rows = (
            subtree_awards(unit, first_year, last_year, subject)
            .annotate(child=Substr(path, len(unit.path) + 1, PATH_STEP))
            .values(*fields)
            .annotate(awards=Count("pk"))
            .order_by()
        )
        for row in rows:
            position = row.get("person__position_kind")
            key = (codes[row["award_type_id"]], row["kind"], row["year"], subject, position, row["child"] or SELF)
            cube[key] = row["awards"]
    return cube


def child_key(unit: Unit, child: Unit) -> str:
    return child.path[len(unit.path) :]


# Quotas -----------------------------------------------------------------------------------------------------


class QuotaRules:
    """The quota rule of each award in force for a unit in a year: the latest rule set dated on or before
    31 December, of the deepest organisation above the unit that has its own (engine.Catalogue.rule_set), read
    in one query for every year."""

    def __init__(self, last_year: int):
        self.rule_sets = list(
            AwardRuleSet.objects.filter(valid_from__lte=date(last_year, 12, 31))
            .order_by("-valid_from", "-pk")
            .values("award_type__code", "organisation_id", "valid_from", "quota_rule")
        )
        self._in_force: dict[int, dict[str, dict]] = {}

    def in_force(self, year: int) -> dict[str, dict]:
        """code → organisation id (None: national) → quota rule ({} when that rule set has none)."""
        if year not in self._in_force:
            found: dict[str, dict] = {}
            for rule_set in self.rule_sets:
                if rule_set["valid_from"] <= date(year, 12, 31):
                    by_organisation = found.setdefault(rule_set["award_type__code"], {})
                    by_organisation.setdefault(rule_set["organisation_id"], rule_set["quota_rule"] or {})
            self._in_force[year] = found
        return self._in_force[year]

    def codes(self, years) -> set[str]:
        """Awards with a quota somewhere in the years."""
        return {
            code
            for year in years
            for code, by_organisation in self.in_force(year).items()
            if any(rule for rule in by_organisation.values())
        }

    def rule(self, code: str, year: int, unit_path: str) -> dict:
        by_organisation = self.in_force(year).get(code, {})
        for ancestor in reversed([int(segment) for segment in unit_path.split("/") if segment]):
            if ancestor in by_organisation:
                return by_organisation[ancestor]
        return by_organisation.get(None, {})


def quota_lines(unit: Unit, first_year: int, last_year: int, award_types: dict[str, AwardType]) -> list[QuotaLine]:
    rules = QuotaRules(last_year)
    # Only the years in which some quota is in force (the 2024 rules have none before 2024): fewer rows to read.
    years = [year for year in range(first_year, last_year + 1) if rules.codes([year])]
    codes = rules.codes(years)
    if not codes:
        return []
    in_force = [rules.in_force(year).get(code, {}) for year in years for code in codes]
    bases = {rule["of_award"] for by_organisation in in_force for rule in by_organisation.values() if rule}
    ids = {award_types[code].pk: code for code in codes | bases if code in award_types}
    # As quotas.award_counts: people of the unit itself holding the award in the year, and those holding it as a
    # regular award (the base of the quota). Grouped by integer keys: sorting 100,000 rows by a path costs more.
    rows = (
        AwardRecord.objects.filter(
            revoked=False,
            year__gte=years[0],
            year__lte=years[-1],
            award_type_id__in=sorted(ids),
            person__unit__path__startswith=unit.path,
        )
        .values("person__unit_id", "award_type_id", "year")
        .annotate(
            people=Count("person", distinct=True),
            regular=Count("person", distinct=True, filter=Q(kind=AwardKind.REGULAR)),
        )
        .order_by()
    )
    counts = {(row["person__unit_id"], ids[row["award_type_id"]], row["year"]): row for row in rows}
    # An organisation's own rules apply in its subtree: the units' paths say which; national rules need none.
    per_organisation = any(key is not None for by_organisation in in_force for key in by_organisation)
    paths = dict(Unit.objects.filter(path__startswith=unit.path).values_list("pk", "path")) if per_organisation else {}
    unit_ids = {unit_id for unit_id, _code, _year in counts}
    lines: dict[tuple[str, int], QuotaLine] = {}
    for year in years:
        for code in sorted(codes):
            for unit_id in unit_ids:
                rule = rules.rule(code, year, paths.get(unit_id, ""))
                if not rule:
                    continue
                base_row = counts.get((unit_id, rule["of_award"], year))
                used_row = counts.get((unit_id, code, year))
                base = base_row["regular"] if base_row else 0
                used = used_row["people"] if used_row else 0
                if not base and not used:
                    continue
                allowed = allowed_count(base, rule["max_pct"], rule.get("rounding", "floor"))
                line = lines.setdefault(
                    (code, year), QuotaLine(code=code, of_award=rule["of_award"], max_pct=rule["max_pct"], year=year)
                )
                line.units += 1
                line.base += base
                line.allowed += allowed
                line.granted += used
                line.over += used > allowed
                if unit_id == unit.pk:
                    line.own_allowed, line.own_granted = allowed, used
    return [lines[key] for key in sorted(lines, key=lambda key: (key[0], key[1]))]


# Durations --------------------------------------------------------------------------------------------------


class PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont(fraction) WITHIN GROUP (ORDER BY expression): linear interpolation."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), output_field=DurationField(), **extra)


def percentile_cont(ordered: list, fraction: float):
    """The same interpolation as PostgreSQL's percentile_cont over sorted values; None when there are none."""
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _days(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 86400, 1)


def decided_stages(unit: Unit, first_year: int, last_year: int):
    return ReviewStage.objects.filter(
        decided_at__isnull=False,
        nomination__proposing_unit__path__startswith=unit.path,
        nomination__year__gte=first_year,
        nomination__year__lte=last_year,
    )


def stage_durations(unit: Unit, first_year: int, last_year: int, *, in_python: bool | None = None):
    """Per stage order and council level. `in_python` forces (or refuses) the Python computation; by default it
    is used where the database has no percentile_cont."""
    stages = decided_stages(unit, first_year, last_year)
    if in_python is None:
        in_python = connection.vendor != "postgresql"
    if in_python:
        return _durations_in_python(stages)
    since_sent = ExpressionWrapper(
        F("decided_at") - Coalesce("letter__sent_at", "received_at"), output_field=DurationField()
    )
    since_received = ExpressionWrapper(F("decided_at") - F("received_at"), output_field=DurationField())
    rows = (
        stages.values("order", "council__unit__level")
        .annotate(
            decided=Count("pk"),
            sent_median=PercentileCont(since_sent, 0.5),
            sent_p90=PercentileCont(since_sent, 0.9),
            received_median=PercentileCont(since_received, 0.5),
            received_p90=PercentileCont(since_received, 0.9),
        )
        .order_by("order", "council__unit__level")
    )
    return [
        StageDurations(
            order=row["order"],
            level=row["council__unit__level"],
            decided=row["decided"],
            sent_median=_days(row["sent_median"]),
            sent_p90=_days(row["sent_p90"]),
            received_median=_days(row["received_median"]),
            received_p90=_days(row["received_p90"]),
        )
        for row in rows
    ]


def _durations_in_python(stages) -> list[StageDurations]:
    groups: dict[tuple, dict[str, list]] = defaultdict(lambda: {"sent": [], "received": [], "decided": []})
    rows = stages.values_list("order", "council__unit__level", "decided_at", "letter__sent_at", "received_at")
    for order, level, decided_at, sent_at, received_at in rows.order_by():
        group = groups[order, level]
        group["decided"].append(decided_at)
        start = sent_at or received_at
        if start is not None:
            group["sent"].append(decided_at - start)
        if received_at is not None:
            group["received"].append(decided_at - received_at)
    lines = []
    for (order, level), group in sorted(groups.items()):
        sent, received = sorted(group["sent"]), sorted(group["received"])
        lines.append(
            StageDurations(
                order=order,
                level=level,
                decided=len(group["decided"]),
                sent_median=_days(percentile_cont(sent, 0.5)),
                sent_p90=_days(percentile_cont(sent, 0.9)),
                received_median=_days(percentile_cont(received, 0.5)),
                received_p90=_days(percentile_cont(received, 0.9)),
            )
        )
    return lines


# Returns and rejections -------------------------------------------------------------------------------------


def nomination_outcomes(unit: Unit, first_year: int, last_year: int, award_types) -> dict[str, Outcomes]:
    """Per award code. Returned: a stage is returned now, or the dossier was resubmitted (a second revision is
    written at each resubmission, and only a return allows one)."""

    # Uncorrelated IN (...) subqueries: PostgreSQL hashes each once, where EXISTS would run once per nomination.
    def with_stage(state):
        return Q(pk__in=ReviewStage.objects.filter(state=state).values("nomination_id"))

    resubmitted = Q(pk__in=NominationRevision.objects.filter(number__gte=2).values("nomination_id"))
    rows = (
        subtree_nominations(unit, first_year, last_year)
        .exclude(state=Nomination.State.DRAFT)
        .values("award_type_id")
        .annotate(
            total=Count("pk"),
            returned=Count("pk", filter=with_stage(StageState.RETURNED) | resubmitted),
            rejected=Count("pk", filter=with_stage(StageState.REJECTED)),
            not_passed=Count("pk", filter=with_stage(StageState.FAILED)),
        )
        .order_by()
    )
    codes = {award_type.pk: code for code, award_type in award_types.items()}
    return {
        codes[row["award_type_id"]]: Outcomes(
            total=row["total"], returned=row["returned"], rejected=row["rejected"], not_passed=row["not_passed"]
        )
        for row in rows
    }


def outcome_of(state: str) -> str:
    """Which outcome a stage's reasons explain: its rejection, its failure in council, or (any other state: the
    stage was returned, then maybe resubmitted and moved on) a return for supplement."""
    if state == StageState.REJECTED:
        return "rejected"
    if state == StageState.FAILED:
        return "not_passed"
    return "returned"


def first_words(text: str) -> str:
    return " ".join((text or "").split()[:REASON_WORDS])


class JsonbArrayElements(Func):
    function = "jsonb_array_elements"


class FirstWords(Func):
    """PostgreSQL: the first REASON_WORDS words of a text, joined by one space (as first_words)."""

    template = f"array_to_string((regexp_split_to_array(btrim(%(expressions)s), '\\s+'))[1:{REASON_WORDS}], ' ')"
    output_field = TextField()


def return_reasons(unit: Unit, first_year: int, last_year: int, *, in_python: bool | None = None):
    """The reasons written on the stages of the subtree's nominations: counts by (outcome, document kind), and
    the TOP_REASONS most frequent (outcome, document kind, first words). One query grouped by the three; the
    counts by document are its sums (a reason text is grouped by its first words, so the groups stay few)."""
    stages = ReviewStage.objects.filter(
        nomination__proposing_unit__path__startswith=unit.path,
        nomination__year__gte=first_year,
        nomination__year__lte=last_year,
    )
    if in_python is None:
        in_python = connection.vendor != "postgresql"
    if in_python:
        return _summarise_reasons(_reasons_in_python(stages))
    outcome = Case(
        When(state=StageState.REJECTED, then=Value("rejected")),
        When(state=StageState.FAILED, then=Value("not_passed")),
        default=Value("returned"),
        output_field=CharField(),
    )
    rows = (
        stages.exclude(reason=[])
        .annotate(item=JsonbArrayElements("reason"), outcome=outcome)
        # No COALESCE around a set-returning function: a missing key comes back as None.
        .annotate(document=KeyTextTransform("document", "item"), words=FirstWords(KeyTextTransform("text", "item")))
        .values("outcome", "document", "words")
        .annotate(n=Count("*"))
        .order_by()
    )
    by_words: dict[tuple[str, str, str], int] = defaultdict(int)
    for row in rows:
        by_words[row["outcome"], row["document"] or "", row["words"] or ""] += row["n"]
    return _summarise_reasons(by_words)


def _reasons_in_python(stages) -> dict[tuple[str, str, str], int]:
    by_words: dict[tuple[str, str, str], int] = defaultdict(int)
    for state, reasons in stages.values_list("state", "reason").order_by():
        for reason in reasons or []:
            by_words[outcome_of(state), reason.get("document") or "", first_words(reason.get("text") or "")] += 1
    return by_words


def _summarise_reasons(by_words: dict[tuple[str, str, str], int]):
    by_document: dict[tuple[str, str], int] = defaultdict(int)
    for (outcome, document, _words), count in by_words.items():
        by_document[outcome, document] += count
    top = sorted(by_words.items(), key=lambda item: (-item[1], *item[0]))[:TOP_REASONS]
    return dict(by_document), [(*key, count) for key, count in top]
