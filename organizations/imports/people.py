"""Import of people: a new unit or position closes the current employment and opens the next."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record_many
from thiduakt.lib import excel
from thiduakt.lib.vn import fold

from ..bulk import BATCH, employments_move, update_grouped
from ..models import Employment, Person, Unit
from .rows import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Choices,
    ImportPreview,
    ImportRow,
    apply_file,
    by_codes,
    choice,
    flag_duplicate_codes,
    preview_file,
    text,
)

PERSON_COLUMNS = ("code", "full_name", "gender", "birth_date", "unit_code", "position", "position_kind")
GENDER_ALIASES = {"nam": Person.Gender.MALE, "nu": Person.Gender.FEMALE, "khac": Person.Gender.OTHER}
POSITION_KIND_ALIASES = {
    "lanh dao": Person.PositionKind.LEADER,
    "quan ly": Person.PositionKind.LEADER,
    "lanh dao quan ly": Person.PositionKind.LEADER,
    "truc tiep lao dong": Person.PositionKind.DIRECT_WORKER,
    "khac": Person.PositionKind.OTHER,
}


# People ----------------------------------------------------------------------------------------------


def _parse_date(row: ImportRow, name: str):
    raw = row.raw[name]
    if raw is None:
        return None
    if isinstance(raw, datetime.datetime):
        value = raw.date()
    elif isinstance(raw, datetime.date):
        value = raw
    else:
        value = None
        for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                value = datetime.datetime.strptime(str(raw).strip(), pattern).date()
                break
            except ValueError:
                continue
        if value is None:
            row.errors.append(
                _("Birth date %(value)s is not a date: write it as dd/mm/yyyy.") % {"value": excel.cell_text(raw)}
            )
            return None
    if not datetime.date(1900, 1, 1) <= value <= timezone.localdate():
        row.errors.append(_("Birth date %(value)s is not plausible.") % {"value": value.strftime("%d/%m/%Y")})
        return None
    return value


def _clean_person_row(row: ImportRow, genders: Choices, position_kinds: Choices) -> None:
    row.data = {
        "code": text(row, "code", max_length=32),
        "full_name": text(row, "full_name", max_length=150),
        "gender": choice(row, "gender", genders, _("Unknown gender %(value)s. Allowed: %(allowed)s.")),
        "birth_date": _parse_date(row, "birth_date"),
        "unit_code": text(row, "unit_code", max_length=32),
        "position": text(row, "position", max_length=150, required=False),
        "position_kind": choice(
            row,
            "position_kind",
            position_kinds,
            _("Unknown position kind %(value)s. Allowed: %(allowed)s."),
            default=Person.PositionKind.OTHER,
        ),
    }


@dataclass
class _PersonPlan:
    preview: ImportPreview
    units: dict  # code → Unit
    people: dict  # code → Person already in the database


def people_plan(preview: ImportPreview, *, lock: bool = False, known_unit_codes=frozenset()) -> _PersonPlan:
    """`known_unit_codes`: units not yet in the system that will be when the people are written (the units
    sheet of the same workbook)."""
    genders = Choices.of(Person.Gender, GENDER_ALIASES)
    position_kinds = Choices.of(Person.PositionKind, POSITION_KIND_ALIASES)
    for row in preview.rows:
        _clean_person_row(row, genders, position_kinds)
    flag_duplicate_codes(preview.rows)
    units = by_codes(
        Unit.objects.only("pk", "code", "name"),
        {row.data["unit_code"] for row in preview.rows if row.data["unit_code"]},
    )
    people_qs = Person.objects.select_related("unit").only(
        "pk",
        "code",
        "full_name",
        "gender",
        "birth_date",
        "position",
        "position_kind",
        "unit__code",
        "unit__name",
    )
    if lock:
        people_qs = people_qs.select_for_update(no_key=True, of=("self",))
    people = by_codes(people_qs, {row.data["code"] for row in preview.rows if row.data["code"]})
    for row in preview.rows:
        unit_code = row.data["unit_code"]
        if unit_code and unit_code not in units and unit_code not in known_unit_codes:
            row.errors.append(_("Unit code %(code)s does not exist in the system.") % {"code": unit_code})
        if row.errors:
            continue
        person = people.get(row.data["code"])
        if person is None:
            row.action = CREATE
            continue
        current = {
            name: getattr(person, name) for name in ("full_name", "gender", "birth_date", "position", "position_kind")
        }
        current["unit_code"] = person.unit.code
        wanted = {name: row.data[name] for name in current}
        row.changes = {name: [current[name], value] for name, value in wanted.items() if current[name] != value}
        row.action = UPDATE if row.changes else UNCHANGED
    return _PersonPlan(preview=preview, units=units, people=people)


def people_preview(source) -> ImportPreview:
    return preview_file(source, kind="people", columns=PERSON_COLUMNS, plan=people_plan)


def people_apply(*, by, source) -> ImportPreview:
    """Create and update the file's people and their employment history in one transaction; all or nothing."""
    return apply_file(source, kind="people", columns=PERSON_COLUMNS, plan=people_plan, write=people_write, by=by)


PERSON_FIELDS = ("full_name", "gender", "birth_date", "position", "position_kind")
EMPLOYMENT_FIELDS = {"unit_code", "position", "position_kind"}


def people_write(plan: _PersonPlan, *, by) -> None:
    today = timezone.localdate()
    creates = [row for row in plan.preview.rows if row.action == CREATE]
    updates = [row for row in plan.preview.rows if row.action == UPDATE]

    created = [
        Person(
            code=row.data["code"],
            unit=plan.units[row.data["unit_code"]],
            search_name=fold(row.data["full_name"]),
            **{name: row.data[name] for name in PERSON_FIELDS},
        )
        for row in creates
    ]
    Person.objects.bulk_create(created, batch_size=BATCH)

    updated, writes = [], []
    for row in updates:
        person = plan.people[row.data["code"]]
        values = {name: row.data[name] for name in PERSON_FIELDS if name in row.changes}
        if "full_name" in values:
            values["search_name"] = fold(values["full_name"])
        if "unit_code" in row.changes:
            person.unit = plan.units[row.data["unit_code"]]
            values["unit_id"] = person.unit.pk
        for name, value in values.items():
            setattr(person, name, value)
        updated.append(person)
        writes.append((person.pk, values))
    update_grouped(Person, writes)

    moved = [person for row, person in zip(updates, updated, strict=True) if EMPLOYMENT_FIELDS & row.changes.keys()]
    employments_move(moved, today)
    Employment.objects.bulk_create(
        [
            Employment(
                person=person,
                unit=person.unit,
                position=person.position,
                position_kind=person.position_kind,
                start=today,
            )
            for person in created
        ],
        batch_size=BATCH,
    )

    events = [
        (
            "person.imported_create",
            person,
            {**{name: row.data[name] for name in PERSON_COLUMNS}, "row": row.number},
        )
        for row, person in zip(creates, created, strict=True)
    ]
    events += [
        ("person.imported_update", person, {**row.changes, "row": row.number})
        for row, person in zip(updates, updated, strict=True)
    ]
    audit_record_many(actor=by, events=events)
