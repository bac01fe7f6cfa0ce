"""The sheets about people: initiatives (with their authors), disciplines, and members of collectives."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from audit.services import audit_record_many
from organizations.bulk import BATCH, update_grouped
from organizations.imports.rows import CREATE, UNCHANGED, UPDATE, Choices, ImportPreview, ImportRow, choice, text

from ..models import Discipline, Initiative, Membership
from .cells import PERSON, UNIT, Subjects, date, flag_duplicates, in_chunks, year

INITIATIVE_COLUMNS = ("person_codes", "title", "scope", "year", "decision_number")
DISCIPLINE_COLUMNS = ("person_code", "level", "start_date", "end_date")
MEMBER_COLUMNS = ("unit_code", "person_code", "year")

SCOPE_ALIASES = {
    "co so": Initiative.Scope.UNIT,
    "cap co so": Initiative.Scope.UNIT,
    "don vi": Initiative.Scope.UNIT,
    "tinh": Initiative.Scope.PROVINCE,
    "cap tinh": Initiative.Scope.PROVINCE,
    "bo": Initiative.Scope.PROVINCE,
    "cap bo": Initiative.Scope.PROVINCE,
    "toan quoc": Initiative.Scope.NATIONAL,
}
LEVEL_ALIASES = {
    "khien trach": Discipline.Level.REPRIMAND,
    "canh cao": Discipline.Level.WARNING,
    "ha bac luong": Discipline.Level.DEMOTION,
    "giang chuc": Discipline.Level.DEMOTION,
    "cach chuc": Discipline.Level.DISMISSAL,
    "buoc thoi viec": Discipline.Level.DISMISSAL,
}


@dataclass
class PersonSheetPlan:
    preview: ImportPreview
    subjects: Subjects
    existing: dict  # key → the record already in the system
    authors: dict | None = None  # initiative pk → set of author codes, for initiatives already in the system


def _key(row: ImportRow, names: tuple[str, ...]) -> tuple | None:
    values = tuple(row.data[name] for name in names)
    return None if any(value in (None, "", []) for value in values) else values


def _classify(row: ImportRow, record, current: dict) -> None:
    if record is None:
        row.action = CREATE
        return
    row.changes = {name: [value, row.data[name]] for name, value in current.items() if value != row.data[name]}
    row.action = UPDATE if row.changes else UNCHANGED


def _locked(model, lock: bool):
    queryset = model.objects.order_by()
    return queryset.select_for_update(no_key=True) if lock else queryset


# Initiatives -----------------------------------------------------------------------------------------


def _person_codes(row: ImportRow) -> list[str]:
    codes = sorted({code.strip() for code in text(row, "person_codes", max_length=2000).split(";") if code.strip()})
    if not codes and not row.errors:
        row.errors.append(_("Column %(column)s is empty.") % {"column": "person_codes"})
    return codes


INITIATIVE_KEY = ("decision_number", "title")


def initiatives_plan(preview: ImportPreview, *, subjects: Subjects, lock: bool = False) -> PersonSheetPlan:
    scopes = Choices.of(Initiative.Scope, SCOPE_ALIASES)
    for row in preview.rows:
        row.data = {
            "person_codes": _person_codes(row),
            "title": text(row, "title", max_length=500),
            "scope": choice(row, "scope", scopes, _("Unknown scope %(value)s. Allowed: %(allowed)s.")),
            "year": year(row, "year"),
            "decision_number": text(row, "decision_number", max_length=50),
        }
    flag_duplicates(preview.rows, lambda row: _key(row, INITIATIVE_KEY))
    subjects.load((PERSON, code) for row in preview.rows for code in row.data["person_codes"])
    for row in preview.rows:
        for code in row.data["person_codes"]:
            subjects.check(row, PERSON, code)

    numbers = {row.data["decision_number"] for row in preview.rows if row.data["decision_number"]}
    existing = {
        (initiative.decision_number, initiative.title): initiative
        for initiative in in_chunks(_locked(Initiative, lock), "decision_number", numbers)
    }
    authors = {initiative.pk: set() for initiative in existing.values()}
    through = Initiative.authors.through.objects.order_by().values_list("initiative_id", "person__code")
    for initiative_id, code in in_chunks(through, "initiative_id", authors):
        authors[initiative_id].add(code)
    for row in preview.rows:
        if row.errors:
            continue
        initiative = existing.get(_key(row, INITIATIVE_KEY))
        current = {}
        if initiative:
            current = {
                "person_codes": sorted(authors[initiative.pk]),
                "scope": initiative.scope,
                "year": initiative.year,
            }
        _classify(row, initiative, current)
    return PersonSheetPlan(preview=preview, subjects=subjects, existing=existing, authors=authors)


def initiatives_write(plan: PersonSheetPlan, *, by) -> None:
    creates = [row for row in plan.preview.rows if row.action == CREATE]
    updates = [row for row in plan.preview.rows if row.action == UPDATE]
    created = [
        Initiative(
            title=row.data["title"],
            scope=row.data["scope"],
            year=row.data["year"],
            decision_number=row.data["decision_number"],
        )
        for row in creates
    ]
    Initiative.objects.bulk_create(created, batch_size=BATCH)
    Through = Initiative.authors.through
    links = [
        Through(initiative_id=initiative.pk, person_id=plan.subjects.get(PERSON, code).pk)
        for row, initiative in zip(creates, created, strict=True)
        for code in row.data["person_codes"]
    ]
    updated, writes, dropped = [], [], []
    for row in updates:
        initiative = plan.existing[_key(row, INITIATIVE_KEY)]
        values = {name: row.data[name] for name in ("scope", "year") if name in row.changes}
        for name, value in values.items():
            setattr(initiative, name, value)
        writes.append((initiative.pk, values))
        if "person_codes" in row.changes:
            old, new = map(set, row.changes["person_codes"])
            links += [
                Through(initiative_id=initiative.pk, person_id=plan.subjects.get(PERSON, code).pk)
                for code in sorted(new - old)
            ]
            dropped += [(initiative.pk, code) for code in sorted(old - new)]
        updated.append(initiative)
    update_grouped(Initiative, writes)
    for initiative_id, code in dropped:
        Through.objects.filter(initiative_id=initiative_id, person__code=code).delete()
    Through.objects.bulk_create(links, batch_size=BATCH)
    events = [
        ("history.initiative_imported", initiative, {**row.data, "row": row.number})
        for row, initiative in zip(creates, created, strict=True)
    ]
    events += [
        ("history.initiative_updated", initiative, {**row.changes, "row": row.number})
        for row, initiative in zip(updates, updated, strict=True)
    ]
    audit_record_many(actor=by, events=events)


# Disciplines -----------------------------------------------------------------------------------------

DISCIPLINE_KEY = ("person_code", "level", "start_date")


def disciplines_plan(preview: ImportPreview, *, subjects: Subjects, lock: bool = False) -> PersonSheetPlan:
    levels = Choices.of(Discipline.Level, LEVEL_ALIASES)
    for row in preview.rows:
        row.data = {
            "person_code": text(row, "person_code", max_length=32),
            "level": choice(row, "level", levels, _("Unknown discipline level %(value)s. Allowed: %(allowed)s.")),
            "start_date": date(row, "start_date"),
            "end_date": date(row, "end_date", required=False),
        }
        start, end = row.data["start_date"], row.data["end_date"]
        if start and end and end < start:
            row.errors.append(
                _("The end date %(end)s is before the start date %(start)s.")
                % {"end": end.strftime("%d/%m/%Y"), "start": start.strftime("%d/%m/%Y")}
            )
    flag_duplicates(preview.rows, lambda row: _key(row, DISCIPLINE_KEY))
    subjects.load((PERSON, row.data["person_code"]) for row in preview.rows)
    for row in preview.rows:
        subjects.check(row, PERSON, row.data["person_code"])
    person_ids = {person.pk for (kind, _code), person in subjects.found.items() if kind == PERSON}
    existing = {
        (discipline.person_id, discipline.level, discipline.start): discipline
        for discipline in in_chunks(_locked(Discipline, lock), "person_id", person_ids)
    }
    for row in preview.rows:
        if row.errors:
            continue
        person = subjects.get(PERSON, row.data["person_code"])
        discipline = person and existing.get((person.pk, row.data["level"], row.data["start_date"]))
        _classify(row, discipline, {"end_date": discipline.end} if discipline else {})
    return PersonSheetPlan(preview=preview, subjects=subjects, existing=existing)


def disciplines_write(plan: PersonSheetPlan, *, by) -> None:
    creates = [row for row in plan.preview.rows if row.action == CREATE]
    updates = [row for row in plan.preview.rows if row.action == UPDATE]
    created = [
        Discipline(
            person=plan.subjects.get(PERSON, row.data["person_code"]),
            level=row.data["level"],
            start=row.data["start_date"],
            end=row.data["end_date"],
        )
        for row in creates
    ]
    Discipline.objects.bulk_create(created, batch_size=BATCH)
    updated = []
    for row in updates:
        person = plan.subjects.get(PERSON, row.data["person_code"])
        discipline = plan.existing[person.pk, row.data["level"], row.data["start_date"]]
        discipline.end = row.data["end_date"]
        updated.append(discipline)
    update_grouped(Discipline, [(discipline.pk, {"end": discipline.end}) for discipline in updated])
    events = [
        ("history.discipline_imported", discipline, {**row.data, "row": row.number})
        for row, discipline in zip(creates, created, strict=True)
    ]
    events += [
        ("history.discipline_updated", discipline, {**row.changes, "row": row.number})
        for row, discipline in zip(updates, updated, strict=True)
    ]
    audit_record_many(actor=by, events=events)


# Members of collectives ------------------------------------------------------------------------------


def members_plan(preview: ImportPreview, *, subjects: Subjects, lock: bool = False) -> PersonSheetPlan:
    for row in preview.rows:
        row.data = {
            "unit_code": text(row, "unit_code", max_length=32),
            "person_code": text(row, "person_code", max_length=32),
            "year": year(row, "year"),
        }
    flag_duplicates(preview.rows, lambda row: _key(row, MEMBER_COLUMNS))
    subjects.load(
        pair for row in preview.rows for pair in ((UNIT, row.data["unit_code"]), (PERSON, row.data["person_code"]))
    )
    for row in preview.rows:
        subjects.check(row, UNIT, row.data["unit_code"])
        subjects.check(row, PERSON, row.data["person_code"])
    person_ids = {person.pk for (kind, _code), person in subjects.found.items() if kind == PERSON}
    existing = {
        (membership.unit_id, membership.person_id, membership.year): membership
        for membership in in_chunks(_locked(Membership, lock), "person_id", person_ids)
    }
    for row in preview.rows:
        if row.errors:
            continue
        unit, person = subjects.get(UNIT, row.data["unit_code"]), subjects.get(PERSON, row.data["person_code"])
        membership = unit and person and existing.get((unit.pk, person.pk, row.data["year"]))
        _classify(row, membership, {})
    return PersonSheetPlan(preview=preview, subjects=subjects, existing=existing)


def members_write(plan: PersonSheetPlan, *, by) -> None:
    creates = [row for row in plan.preview.rows if row.action == CREATE]
    created = [
        Membership(
            unit=plan.subjects.get(UNIT, row.data["unit_code"]),
            person=plan.subjects.get(PERSON, row.data["person_code"]),
            year=row.data["year"],
        )
        for row in creates
    ]
    Membership.objects.bulk_create(created, batch_size=BATCH)
    audit_record_many(
        actor=by,
        events=[
            ("history.membership_imported", membership, {**row.data, "row": row.number})
            for row, membership in zip(creates, created, strict=True)
        ],
    )
