"""The history of many subjects, read in a fixed number of queries into plain in-memory indexes.

Every query selects by a list of ids. On PostgreSQL the list travels as one array parameter (`= ANY`), so
the number of queries is the same for 10 subjects or 100,000; other databases get chunked IN lists.
Only records of the year checked or earlier are read: a later record can never change a verdict.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models.expressions import RawSQL

from awards.models import AwardRecord, Discipline, Initiative, Membership, Rating
from organizations.models import Household, Person, Unit

CHUNK = 10_000  # IN-list size where arrays are not available (SQLite allows 32,766 parameters)
AWARD_FIELDS = ("award_type__code", "year", "kind", "decision_number", "decision_date", "revoked")


@dataclass(frozen=True, slots=True)
class AwardRow:
    code: str
    year: int
    kind: str
    decision_number: str
    decision_date: date | None
    revoked: bool


@dataclass(frozen=True, slots=True)
class DisciplineRow:
    level: str
    start: date
    end: date | None  # None: in force
    decision_number: str

    def overlaps(self, year: int) -> bool:
        return self.start <= date(year, 12, 31) and (self.end is None or self.end >= date(year, 1, 1))


@dataclass(frozen=True, slots=True)
class InitiativeRow:
    scope: str
    year: int
    decision_number: str
    title: str


@dataclass(slots=True)
class SubjectHistory:
    """Records of one subject up to the year checked (a unit's include those of the units it succeeded)."""

    awards: dict[str, list[AwardRow]] = field(default_factory=dict)  # by award code
    ratings: dict[int, str] = field(default_factory=dict)  # year → best rating of that year
    disciplines: list[DisciplineRow] = field(default_factory=list)
    initiatives: list[InitiativeRow] = field(default_factory=list)
    members: set[int] = field(default_factory=set)  # a unit's members in the year checked (person ids)


@dataclass
class History:
    year: int
    person: dict[int, SubjectHistory] = field(default_factory=dict)
    unit: dict[int, SubjectHistory] = field(default_factory=dict)
    household: dict[int, SubjectHistory] = field(default_factory=dict)
    # Records of the members of the units checked, in the year checked only.
    member_awards: dict[int, dict[str, list[AwardRow]]] = field(default_factory=dict)
    member_ratings: dict[int, str] = field(default_factory=dict)
    member_disciplines: dict[int, list[DisciplineRow]] = field(default_factory=dict)
    member_labels: dict[int, str] = field(default_factory=dict)  # person id → "Name (code)"
    units: dict[int, Unit] = field(default_factory=dict)  # the subjects' own units (person.unit, ...)

    def of(self, subject_type: str, pk: int) -> SubjectHistory:
        return getattr(self, subject_type).get(pk) or SubjectHistory()


def subject_type_of(subject) -> str:
    if isinstance(subject, Person):
        return "person"
    if isinstance(subject, Unit):
        return "unit"
    if isinstance(subject, Household):
        return "household"
    raise TypeError(f"not a subject of an award: {subject!r}")


def where_in(queryset, field_name: str, ids: Iterable[int]):
    """Querysets selecting rows whose `field_name` is one of `ids`: one on PostgreSQL, chunks elsewhere."""
    ids = sorted(set(ids))
    if not ids:
        return []
    if connection.vendor == "postgresql":
        return [queryset.filter(**{f"{field_name}__in": RawSQL("SELECT unnest(%s::bigint[])", (ids,))})]
    return [queryset.filter(**{f"{field_name}__in": ids[i : i + CHUNK]}) for i in range(0, len(ids), CHUNK)]


def rows(queryset, field_name: str, ids: Iterable[int], *fields: str):
    for chunk in where_in(queryset, field_name, ids):
        yield from chunk.values_list(*fields)


def predecessors_closure(unit_ids: Iterable[int]) -> dict[int, set[int]]:
    """Unit id → itself and every unit it succeeded, transitively (merges of merges)."""
    edges: dict[int, list[int]] = defaultdict(list)
    for successor, predecessor in Unit.successor_of.through.objects.values_list("from_unit_id", "to_unit_id"):
        edges[successor].append(predecessor)
    closure = {}
    for unit_id in unit_ids:
        seen, stack = {unit_id}, [unit_id]
        while stack:
            for predecessor in edges.get(stack.pop(), ()):
                if predecessor not in seen:  # a cycle in bad data must not loop forever
                    seen.add(predecessor)
                    stack.append(predecessor)
        closure[unit_id] = seen
    return closure


def _award_row(values) -> AwardRow:
    return AwardRow(*values)


def _add_award(target: dict[str, list[AwardRow]], row: AwardRow) -> None:
    target.setdefault(row.code, []).append(row)


def _better(current: str | None, new: str) -> str:
    if current is None or Rating.RANK[new] > Rating.RANK[current]:
        return new
    return current


def load_history(subjects: list, year: int) -> History:
    history = History(year=year)
    by_type: dict[str, list] = defaultdict(list)
    for subject in subjects:
        by_type[subject_type_of(subject)].append(subject)
    unit_ids = {s.unit_id for s in by_type["person"]} | {s.unit_id for s in by_type["household"]}
    unit_ids |= {s.pk for s in by_type["unit"]}
    for chunk in where_in(Unit.objects.all(), "id", unit_ids):
        history.units.update({unit.pk: unit for unit in chunk})
    if by_type["person"]:
        _load_people(history, [s.pk for s in by_type["person"]], year)
    if by_type["unit"]:
        _load_units(history, [s.pk for s in by_type["unit"]], year)
    if by_type["household"]:
        _load_households(history, [s.pk for s in by_type["household"]], year)
    return history


def _load_people(history: History, ids: list[int], year: int) -> None:
    people = history.person = {pk: SubjectHistory() for pk in ids}
    awards = AwardRecord.objects.filter(year__lte=year)
    for person_id, *values in rows(awards, "person_id", ids, "person_id", *AWARD_FIELDS):
        _add_award(people[person_id].awards, _award_row(values))
    for person_id, rating_year, rating in rows(
        Rating.objects.filter(year__lte=year), "person_id", ids, "person_id", "year", "rating"
    ):
        people[person_id].ratings[rating_year] = rating
    for person_id, *values in rows(
        Discipline.objects.filter(start__lte=date(year, 12, 31)),
        "person_id",
        ids,
        "person_id",
        "level",
        "start",
        "end",
        "decision_number",
    ):
        people[person_id].disciplines.append(DisciplineRow(*values))
    authorship = Initiative.authors.through.objects.filter(initiative__year__lte=year)
    for person_id, *values in rows(
        authorship,
        "person_id",
        ids,
        "person_id",
        "initiative__scope",
        "initiative__year",
        "initiative__decision_number",
        "initiative__title",
    ):
        people[person_id].initiatives.append(InitiativeRow(*values))


def _load_units(history: History, ids: list[int], year: int) -> None:
    """A unit's history is its own and that of every unit it succeeded: a commune formed by the 2025 merger
    keeps the titles and ratings its predecessors earned."""
    closure = predecessors_closure(ids)
    owners: dict[int, list[int]] = defaultdict(list)  # a stored unit id → the subjects whose history it is
    for unit_id, family in closure.items():
        for member in family:
            owners[member].append(unit_id)
    units = history.unit = {pk: SubjectHistory() for pk in ids}
    for unit_id, *values in rows(
        AwardRecord.objects.filter(year__lte=year), "unit_id", owners, "unit_id", *AWARD_FIELDS
    ):
        row = _award_row(values)
        for owner in owners[unit_id]:
            _add_award(units[owner].awards, row)
    for unit_id, rating_year, rating in rows(
        Rating.objects.filter(year__lte=year), "unit_id", owners, "unit_id", "year", "rating"
    ):
        for owner in owners[unit_id]:
            units[owner].ratings[rating_year] = _better(units[owner].ratings.get(rating_year), rating)
    for unit_id, *values in rows(
        Initiative.objects.filter(year__lte=year),
        "unit_id",
        owners,
        "unit_id",
        "scope",
        "year",
        "decision_number",
        "title",
    ):
        for owner in owners[unit_id]:
            units[owner].initiatives.append(InitiativeRow(*values))
    for unit_id, person_id in rows(Membership.objects.filter(year=year), "unit_id", owners, "unit_id", "person_id"):
        for owner in owners[unit_id]:
            units[owner].members.add(person_id)
    _load_members(history, set().union(*(unit.members for unit in units.values())), year)


def _load_members(history: History, ids: set[int], year: int) -> None:
    for person_id, *values in rows(AwardRecord.objects.filter(year=year), "person_id", ids, "person_id", *AWARD_FIELDS):
        _add_award(history.member_awards.setdefault(person_id, {}), _award_row(values))
    for person_id, rating in rows(Rating.objects.filter(year=year), "person_id", ids, "person_id", "rating"):
        history.member_ratings[person_id] = rating
    in_year = Discipline.objects.filter(start__lte=date(year, 12, 31)).exclude(end__lt=date(year, 1, 1))
    for person_id, *values in rows(in_year, "person_id", ids, "person_id", "level", "start", "end", "decision_number"):
        history.member_disciplines.setdefault(person_id, []).append(DisciplineRow(*values))
    disciplined = set(history.member_disciplines)
    for pk, code, name in rows(Person.objects.all(), "id", disciplined, "id", "code", "full_name"):
        history.member_labels[pk] = f"{name} ({code})"


def _load_households(history: History, ids: list[int], year: int) -> None:
    households = history.household = {pk: SubjectHistory() for pk in ids}
    awards = AwardRecord.objects.filter(year__lte=year)
    for household_id, *values in rows(awards, "household_id", ids, "household_id", *AWARD_FIELDS):
        _add_award(households[household_id].awards, _award_row(values))
