"""Excel import of units and people: read and validate into a preview, then apply every row or none.

`units_preview` / `people_preview` never write and never raise on bad input: every problem becomes a message
on the file or on a row. `units_apply` / `people_apply` validate again inside one transaction, against rows
locked for the duration, and either write everything or raise `ImportRejected` with the preview.
Re-importing the same file finds every row unchanged and writes nothing, not even an audit event.
"""

import datetime
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record_many
from thiduakt.lib import excel
from thiduakt.lib.vn import fold

from .bulk import BATCH, CHUNK, employments_move, rewrite_subtree_paths, update_grouped
from .models import Employment, Person, Unit

UNIT_COLUMNS = ("code", "name", "kind", "parent_code")
PERSON_COLUMNS = ("code", "full_name", "gender", "birth_date", "unit_code", "position", "position_kind")

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"

LEVEL_OF_KIND = {
    Unit.Kind.MINISTRY: Unit.Level.PROVINCE,
    Unit.Kind.PROVINCE: Unit.Level.PROVINCE,
    Unit.Kind.COMMUNE: Unit.Level.COMMUNE,
}

# Vietnamese words people type in these columns, folded (no accents, lower case), beyond the codes and the
# Vietnamese labels of the choices, which are accepted too.
KIND_ALIASES = {
    "bo": Unit.Kind.MINISTRY,
    "bo, nganh": Unit.Kind.MINISTRY,
    "tinh": Unit.Kind.PROVINCE,
    "thanh pho": Unit.Kind.PROVINCE,
    "xa": Unit.Kind.COMMUNE,
    "phuong": Unit.Kind.COMMUNE,
    "so": Unit.Kind.DEPARTMENT,
    "truong": Unit.Kind.SCHOOL,
    "thon": Unit.Kind.HAMLET,
    "to dan pho": Unit.Kind.HAMLET,
}
GENDER_ALIASES = {"nam": Person.Gender.MALE, "nu": Person.Gender.FEMALE, "khac": Person.Gender.OTHER}
POSITION_KIND_ALIASES = {
    "lanh dao": Person.PositionKind.LEADER,
    "quan ly": Person.PositionKind.LEADER,
    "lanh dao quan ly": Person.PositionKind.LEADER,
    "truc tiep lao dong": Person.PositionKind.DIRECT_WORKER,
    "khac": Person.PositionKind.OTHER,
}


class ImportRejected(Exception):
    """The file has errors; nothing was written. `preview` lists them."""

    def __init__(self, preview: "ImportPreview"):
        self.preview = preview
        super().__init__(
            _("The import was refused because of %(count)s error(s); nothing was saved.")
            % {"count": preview.error_count}
        )


@dataclass
class ImportRow:
    number: int  # the row number Excel shows
    values: list[str]  # cell text, in the order of the preview's columns
    raw: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)  # cleaned values
    errors: list[str] = field(default_factory=list)
    action: str = ""
    changes: dict = field(default_factory=dict)  # field → [old, new], for updates


@dataclass
class ImportPreview:
    kind: str
    columns: tuple[str, ...]
    rows: list[ImportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    def _count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action and not row.errors)

    @property
    def to_create(self) -> int:
        return self._count(CREATE)

    @property
    def to_update(self) -> int:
        return self._count(UPDATE)

    @property
    def unchanged(self) -> int:
        return self._count(UNCHANGED)

    @property
    def rows_with_errors(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def error_count(self) -> int:
        return len(self.file_errors) + sum(len(row.errors) for row in self.rows)

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    def error_lines(self) -> list[str]:
        lines = list(self.file_errors)
        for row in self.rows:
            lines += [_("Row %(row)s: %(error)s") % {"row": row.number, "error": error} for error in row.errors]
        return lines

    def rows_for_display(self, limit: int) -> tuple[list[ImportRow], int]:
        """Every row with an error, and the first `limit` rows; also how many rows were left out."""
        shown = [row for index, row in enumerate(self.rows) if index < limit or row.errors]
        return shown, len(self.rows) - len(shown)


# Reading ---------------------------------------------------------------------------------------------


def _read(source, kind: str, columns: tuple[str, ...]) -> ImportPreview:
    preview = ImportPreview(kind=kind, columns=columns)
    try:
        sheet = excel.read_sheet(source)
    except excel.ExcelError as error:
        preview.file_errors.append(str(error))
        return preview
    header_error = _header_error(sheet.header, columns)
    if header_error:
        preview.file_errors.append(header_error)
        return preview
    if not sheet.rows:
        preview.file_errors.append(_("The file has no data rows below the header row."))
        return preview
    position = {name: index for index, name in enumerate(sheet.header)}
    for number, values in sheet.rows:
        raw = {name: values[position[name]] for name in columns}
        preview.rows.append(ImportRow(number=number, values=[excel.cell_text(raw[name]) for name in columns], raw=raw))
    return preview


def _header_error(header: list[str], columns: tuple[str, ...]) -> str:
    missing = [name for name in columns if name not in header]
    unexpected = [name or _("(empty)") for name in header if name not in columns]
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if not (missing or unexpected or repeated):
        return ""
    parts = [_("The first row must hold exactly these columns: %(columns)s.") % {"columns": ", ".join(columns)}]
    if missing:
        parts.append(_("Missing: %(columns)s.") % {"columns": ", ".join(missing)})
    if unexpected:
        parts.append(_("Not expected: %(columns)s.") % {"columns": ", ".join(unexpected)})
    if repeated:
        parts.append(_("Repeated: %(columns)s.") % {"columns": ", ".join(repeated)})
    return " ".join(parts)


def _text(row: ImportRow, name: str, *, max_length: int, required: bool = True) -> str:
    value = excel.cell_text(row.raw[name])
    if not value and required:
        row.errors.append(_("Column %(column)s is empty.") % {"column": name})
    elif len(value) > max_length:
        row.errors.append(
            _("Column %(column)s is longer than %(max)s characters.") % {"column": name, "max": max_length}
        )
    return value


@dataclass
class _Choices:
    """What a choice column accepts: the codes, the labels in Vietnamese and English, and common words;
    compared without case or accents."""

    allowed: str
    lookup: dict

    @classmethod
    def of(cls, choices, aliases: dict) -> "_Choices":
        lookup = dict(aliases)
        for language in ("vi", None):
            with translation.override(language):
                lookup.update({fold(str(label)): value for value, label in choices.choices})
        lookup.update({fold(value): value for value in choices.values})
        return cls(allowed=", ".join(choices.values), lookup=lookup)


def _choice(row: ImportRow, name: str, choices: _Choices, message, *, default: str = "") -> str:
    text = excel.cell_text(row.raw[name])
    if not text and default:
        return default
    value = choices.lookup.get(fold(text))
    if value is None:
        row.errors.append(message % {"value": text or "—", "allowed": choices.allowed})
        return ""
    return value


def _flag_duplicate_codes(rows: list[ImportRow]) -> None:
    by_code = defaultdict(list)
    for row in rows:
        if row.data.get("code"):
            by_code[row.data["code"]].append(row)
    for code, same in by_code.items():
        if len(same) > 1:
            numbers = ", ".join(str(row.number) for row in same)
            for row in same:
                row.errors.append(
                    _("Code %(code)s appears more than once in the file (rows %(rows)s).")
                    % {"code": code, "rows": numbers}
                )


def _by_codes(queryset, codes: Iterable[str]) -> dict:
    codes = sorted(set(codes))
    found = {}
    for start in range(0, len(codes), CHUNK):
        for obj in queryset.filter(code__in=codes[start : start + CHUNK]):
            found[obj.code] = obj
    return found


# Units -----------------------------------------------------------------------------------------------


@dataclass
class _UnitPlan:
    preview: ImportPreview
    units: dict  # code → Unit, every unit of the database the import reads
    depth: dict  # code → depth in the tree as it will be after the import


def _clean_unit_row(row: ImportRow, kinds: _Choices) -> None:
    row.data = {
        "code": _text(row, "code", max_length=32),
        "name": _text(row, "name", max_length=255),
        "kind": _choice(row, "kind", kinds, _("Unknown unit kind %(value)s. Allowed: %(allowed)s.")),
        "parent_code": _text(row, "parent_code", max_length=32, required=False),
    }


def _load_units(codes: set[str], *, lock: bool) -> dict:
    """The units with these codes and all their ancestors, by code."""
    queryset = Unit.objects.only("pk", "code", "name", "kind", "level", "parent_id", "path", "short_name")
    units = _by_codes(queryset.select_for_update(no_key=True) if lock else queryset, codes)
    loaded = {unit.pk for unit in units.values()}
    ancestor_ids = sorted({pk for unit in units.values() for pk in unit.ancestor_ids} - loaded)
    for start in range(0, len(ancestor_ids), CHUNK):
        for unit in queryset.filter(pk__in=ancestor_ids[start : start + CHUNK]):
            units[unit.code] = unit
    return units


def _final_depths(file_parent: dict, units: dict) -> tuple[dict, list[list[str]]]:
    """Depth of every unit on the chains of the file's units once the file is applied, and the cycles.

    A unit in the file hangs under its `parent_code`; any other unit under its present parent. The tree in
    the database has no cycle, so every cycle goes through a unit of the file."""
    code_of_pk = {unit.pk: code for code, unit in units.items()}

    def parent_of(code):
        if code in file_parent:
            return file_parent[code]
        unit = units.get(code)
        return code_of_pk.get(unit.parent_id) if unit is not None and unit.parent_id else None

    depth, cycles = {}, []
    for start in file_parent:
        chain, on_chain, code = [], {}, start
        while code is not None and code not in depth:
            if code in on_chain:
                cycle = chain[on_chain[code] :]
                cycles.append(cycle)
                depth.update(dict.fromkeys(cycle, 0))
                break
            if code not in file_parent and code not in units:  # unknown parent, reported elsewhere
                depth[code] = -1
                break
            on_chain[code] = len(chain)
            chain.append(code)
            code = parent_of(code)
        base = depth.get(code, -1)
        for code in reversed(chain):
            if code in depth:
                base = depth[code]
            else:
                base += 1
                depth[code] = base
    return depth, cycles


def _plan_units(preview: ImportPreview, *, lock: bool = False) -> _UnitPlan:
    kinds = _Choices.of(Unit.Kind, KIND_ALIASES)
    for row in preview.rows:
        _clean_unit_row(row, kinds)
    _flag_duplicate_codes(preview.rows)
    file_codes = {row.data["code"] for row in preview.rows if row.data["code"]}
    parent_codes = {row.data["parent_code"] for row in preview.rows if row.data["parent_code"]}
    units = _load_units(file_codes | parent_codes, lock=lock)

    for row in preview.rows:
        parent_code = row.data["parent_code"]
        if parent_code and parent_code not in file_codes and parent_code not in units:
            row.errors.append(
                _("Parent unit code %(code)s exists neither in this file nor in the system.") % {"code": parent_code}
            )
    file_parent = {row.data["code"]: row.data["parent_code"] or None for row in preview.rows if row.data["code"]}
    depth, cycles = _final_depths(file_parent, units)
    rows_by_code = {row.data["code"]: row for row in preview.rows if row.data["code"]}
    for cycle in cycles:
        for index, code in enumerate(cycle):
            if code in rows_by_code:
                loop = cycle[index:] + cycle[:index] + [code]
                rows_by_code[code].errors.append(
                    _("Unit %(code)s would become its own ancestor: %(cycle)s.")
                    % {"code": code, "cycle": " → ".join(loop)}
                )

    code_of_pk = {unit.pk: code for code, unit in units.items()}
    for row in preview.rows:
        if row.errors:
            continue
        unit = units.get(row.data["code"])
        if unit is None:
            row.action = CREATE
            continue
        current = {"name": unit.name, "kind": unit.kind, "parent_code": code_of_pk.get(unit.parent_id)}
        wanted = {
            "name": row.data["name"],
            "kind": row.data["kind"],
            "parent_code": row.data["parent_code"] or None,
        }
        row.changes = {name: [current[name], value] for name, value in wanted.items() if current[name] != value}
        row.action = UPDATE if row.changes else UNCHANGED
    return _UnitPlan(preview=preview, units=units, depth=depth)


def units_preview(source) -> ImportPreview:
    preview = _read(source, "units", UNIT_COLUMNS)
    if not preview.has_errors:
        _plan_units(preview)
    return preview


def units_apply(*, by, source) -> ImportPreview:
    """Create and update the file's units, parents first, in one transaction; all or nothing."""
    preview = _read(source, "units", UNIT_COLUMNS)
    if preview.has_errors:
        raise ImportRejected(preview)
    with transaction.atomic():
        plan = _plan_units(preview, lock=True)
        if preview.has_errors:
            raise ImportRejected(preview)
        _write_units(plan, by=by)
    return preview


def _write_units(plan: _UnitPlan, *, by) -> None:
    units = plan.units
    pending = sorted(
        (row for row in plan.preview.rows if row.action in (CREATE, UPDATE)),
        key=lambda row: plan.depth[row.data["code"]],
    )
    events = []
    for _depth, group in itertools.groupby(pending, key=lambda row: plan.depth[row.data["code"]]):
        group = list(group)
        events += _create_units([row for row in group if row.action == CREATE], units)
        events += [_update_unit(row, units) for row in group if row.action == UPDATE]
    audit_record_many(actor=by, events=events)


def _create_units(rows: list[ImportRow], units: dict) -> list[tuple]:
    """One level of new units: their parents exist already, with their final paths."""
    if not rows:
        return []
    created = []
    for row in rows:
        data = row.data
        created.append(
            Unit(
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                level=LEVEL_OF_KIND.get(data["kind"], Unit.Level.GRASSROOTS),
                parent=units[data["parent_code"]] if data["parent_code"] else None,
                search_name=fold(f"{data['code']} {data['name']}"),
            )
        )
    Unit.objects.bulk_create(created, batch_size=BATCH)
    for unit in created:
        unit.path = unit.compute_path()
        units[unit.code] = unit
    Unit.objects.bulk_update(created, ["path"], batch_size=BATCH)
    return [
        (
            "unit.imported_create",
            unit,
            {
                "code": unit.code,
                "name": unit.name,
                "kind": unit.kind,
                "level": unit.level,
                "parent_code": row.data["parent_code"] or None,
                "row": row.number,
            },
        )
        for row, unit in zip(rows, created, strict=True)
    ]


def _update_unit(row: ImportRow, units: dict) -> tuple:
    unit = units[row.data["code"]]
    old_path = unit.path
    unit.name, unit.kind = row.data["name"], row.data["kind"]
    if "parent_code" in row.changes:
        unit.parent = units[row.data["parent_code"]] if row.data["parent_code"] else None
    unit.save()  # an unchanged parent is read afresh here: its path may have moved earlier in this import
    if unit.path != old_path:
        # The whole former subtree follows, in the database and in the units this import still uses.
        rewrite_subtree_paths(old_prefix=old_path, new_prefix=unit.path)
        for other in units.values():
            if other.path.startswith(old_path):
                other.path = unit.path + other.path[len(old_path) :]
    return ("unit.imported_update", unit, {**row.changes, "row": row.number})


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


def _clean_person_row(row: ImportRow, genders: _Choices, position_kinds: _Choices) -> None:
    row.data = {
        "code": _text(row, "code", max_length=32),
        "full_name": _text(row, "full_name", max_length=150),
        "gender": _choice(row, "gender", genders, _("Unknown gender %(value)s. Allowed: %(allowed)s.")),
        "birth_date": _parse_date(row, "birth_date"),
        "unit_code": _text(row, "unit_code", max_length=32),
        "position": _text(row, "position", max_length=150, required=False),
        "position_kind": _choice(
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


def _plan_people(preview: ImportPreview, *, lock: bool = False) -> _PersonPlan:
    genders = _Choices.of(Person.Gender, GENDER_ALIASES)
    position_kinds = _Choices.of(Person.PositionKind, POSITION_KIND_ALIASES)
    for row in preview.rows:
        _clean_person_row(row, genders, position_kinds)
    _flag_duplicate_codes(preview.rows)
    units = _by_codes(
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
    people = _by_codes(people_qs, {row.data["code"] for row in preview.rows if row.data["code"]})
    for row in preview.rows:
        unit_code = row.data["unit_code"]
        if unit_code and unit_code not in units:
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
    preview = _read(source, "people", PERSON_COLUMNS)
    if not preview.has_errors:
        _plan_people(preview)
    return preview


def people_apply(*, by, source) -> ImportPreview:
    """Create and update the file's people and their employment history in one transaction; all or nothing."""
    preview = _read(source, "people", PERSON_COLUMNS)
    if preview.has_errors:
        raise ImportRejected(preview)
    with transaction.atomic():
        plan = _plan_people(preview, lock=True)
        if preview.has_errors:
            raise ImportRejected(preview)
        _write_people(plan, by=by)
    return preview


PERSON_FIELDS = ("full_name", "gender", "birth_date", "position", "position_kind")
EMPLOYMENT_FIELDS = {"unit_code", "position", "position_kind"}


def _write_people(plan: _PersonPlan, *, by) -> None:
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


# Kinds of import, and their templates ------------------------------------------------------------------


@dataclass(frozen=True)
class ImportKind:
    name: str
    label: str
    columns: tuple[str, ...]
    preview: Callable
    apply: Callable
    template_filename: str
    example: tuple
    guide: Callable  # () → rows of (column, meaning, allowed values)


def _allowed(choices) -> str:
    return "; ".join(f"{value} ({label})" for value, label in choices.choices)


def _unit_guide():
    return [
        (
            "code",
            _("Unique code of the unit. A code already in the system updates that unit."),
            _("Required"),
        ),
        ("name", _("Full name of the unit."), _("Required")),
        ("kind", _("Kind of unit: the code or its Vietnamese name."), _allowed(Unit.Kind)),
        (
            "parent_code",
            _("Code of the parent unit, in this file or already in the system. Empty for a top unit."),
            _("Optional"),
        ),
    ]


def _person_guide():
    return [
        (
            "code",
            _("Civil-servant code or another stable unique id. A code already in the system updates that person."),
            _("Required"),
        ),
        ("full_name", _("Full name."), _("Required")),
        ("gender", _("Gender: the code or its Vietnamese name."), _allowed(Person.Gender)),
        ("birth_date", _("Birth date: a date cell, or text dd/mm/yyyy or yyyy-mm-dd."), _("Optional")),
        ("unit_code", _("Code of a unit already in the system."), _("Required")),
        ("position", _("Position held."), _("Optional")),
        (
            "position_kind",
            _("Kind of position: the code or its Vietnamese name; empty means other."),
            _allowed(Person.PositionKind),
        ),
    ]


IMPORT_KINDS = {
    "units": ImportKind(
        name="units",
        label=gettext_lazy("Units"),
        columns=UNIT_COLUMNS,
        preview=units_preview,
        apply=units_apply,
        template_filename="mau-nhap-don-vi.xlsx",
        example=("SGD", "Sở Giáo dục và Đào tạo", "department", "T01"),
        guide=_unit_guide,
    ),
    "people": ImportKind(
        name="people",
        label=gettext_lazy("People"),
        columns=PERSON_COLUMNS,
        preview=people_preview,
        apply=people_apply,
        template_filename="mau-nhap-ca-nhan.xlsx",
        example=(
            "CB0001",
            "Nguyễn Văn An",
            "male",
            datetime.date(1985, 5, 17),
            "SGD",
            "Chuyên viên",
            "direct_worker",
        ),
        guide=_person_guide,
    ),
}


def template_sheets(kind: ImportKind) -> list[excel.SheetSpec]:
    """The header and an example row, then a second sheet explaining each column and its allowed values."""
    return [
        excel.SheetSpec(title=_("Data"), header=kind.columns, rows=[kind.example]),
        excel.SheetSpec(
            title=_("Instructions"),
            header=[_("Column"), _("Meaning"), _("Allowed values")],
            rows=kind.guide(),
            widths=[16, 70, 70],
        ),
    ]
