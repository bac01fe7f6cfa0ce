"""What the history sheets share: years, dates, subjects looked up by code, duplicate rows, existing records."""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.bulk import CHUNK
from organizations.imports.rows import Choices, ImportRow
from organizations.models import Household, Person, Unit
from thiduakt.lib import excel
from thiduakt.lib.vn import fold

FIRST_YEAR = 1945
PERSON, UNIT, HOUSEHOLD = "person", "unit", "household"
SUBJECT_MODELS = {PERSON: Person, UNIT: Unit, HOUSEHOLD: Household}
NAME_FIELDS = {PERSON: "full_name", UNIT: "name", HOUSEHOLD: "head_name"}  # what str() of each shows
SUBJECT_ALIASES = {
    "ca nhan": PERSON,
    "nguoi": PERSON,
    "tap the": UNIT,
    "don vi": UNIT,
    "ho gia dinh": HOUSEHOLD,
    "ho": HOUSEHOLD,
}


def subject_choices(*allowed: str) -> Choices:
    lookup = {alias: value for alias, value in SUBJECT_ALIASES.items() if value in allowed}
    lookup.update({fold(value): value for value in allowed})
    return Choices(allowed=", ".join(allowed), lookup=lookup)


def last_year() -> int:
    return timezone.localdate().year + 1


def year(row: ImportRow, name: str) -> int | None:
    raw = row.raw[name]
    text = excel.cell_text(raw)
    value = None
    if isinstance(raw, int | float) and not isinstance(raw, bool) and float(raw).is_integer():
        value = int(raw)
    elif text.isdigit():
        value = int(text)
    if value is None or not FIRST_YEAR <= value <= last_year():
        row.errors.append(
            _("Column %(column)s: %(value)s is not a year between %(first)s and %(last)s.")
            % {"column": name, "value": text or "—", "first": FIRST_YEAR, "last": last_year()}
        )
        return None
    return value


def date(row: ImportRow, name: str, *, required: bool = True) -> datetime.date | None:
    """A date cell, or text dd/mm/yyyy (yyyy-mm-dd is accepted too), within the years an import accepts."""
    raw = row.raw[name]
    if raw is None:
        if required:
            row.errors.append(_("Column %(column)s is empty.") % {"column": name})
        return None
    value = None
    if isinstance(raw, datetime.datetime):
        value = raw.date()
    elif isinstance(raw, datetime.date):
        value = raw
    else:
        for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                value = datetime.datetime.strptime(str(raw).strip(), pattern).date()
                break
            except ValueError:
                continue
    if value is None:
        row.errors.append(
            _("Column %(column)s: %(value)s is not a date; write it as dd/mm/yyyy.")
            % {"column": name, "value": excel.cell_text(raw)}
        )
        return None
    if not FIRST_YEAR <= value.year <= last_year():
        row.errors.append(
            _("Column %(column)s: %(value)s is not between %(first)s and %(last)s.")
            % {"column": name, "value": value.strftime("%d/%m/%Y"), "first": FIRST_YEAR, "last": last_year()}
        )
        return None
    return value


def flag_duplicates(rows: list[ImportRow], key: Callable[[ImportRow], tuple | None]) -> None:
    """Rows that describe the same record (same key) are all errors: the file must say it once."""
    groups = defaultdict(list)
    for row in rows:
        value = key(row)
        if value is not None:
            groups[value].append(row)
    for same in groups.values():
        if len(same) > 1:
            numbers = ", ".join(str(row.number) for row in same)
            for row in same:
                row.errors.append(
                    _("The same record appears more than once in this sheet (rows %(rows)s).") % {"rows": numbers}
                )


@dataclass
class Subjects:
    """People, units and households by code: those in the system, and those the workbook's units and people
    sheets will create (`known`), which have no pk until then."""

    lock: bool = False
    known: dict = field(default_factory=dict)  # subject type → set of codes created by earlier sheets
    found: dict = field(default_factory=dict)  # (subject type, code) → object (pk, code and name only)

    def load(self, wanted: Iterable[tuple[str, str]]) -> None:
        by_type = defaultdict(set)
        for subject_type, code in wanted:
            if subject_type in SUBJECT_MODELS and code:
                by_type[subject_type].add(code)
        for subject_type, codes in by_type.items():
            queryset = SUBJECT_MODELS[subject_type].objects.order_by().only("pk", "code", NAME_FIELDS[subject_type])
            if self.lock:  # kept until the import ends: nobody deletes a subject it writes records for
                queryset = queryset.select_for_update(no_key=True)
            codes = sorted(codes)
            for start in range(0, len(codes), CHUNK):
                for subject in queryset.filter(code__in=codes[start : start + CHUNK]):
                    self.found[subject_type, subject.code] = subject

    def exists(self, subject_type: str, code: str) -> bool:
        return (subject_type, code) in self.found or code in self.known.get(subject_type, ())

    def get(self, subject_type: str, code: str):
        """The subject in the system, or None if only the workbook has it (in a preview)."""
        return self.found.get((subject_type, code))

    def check(self, row: ImportRow, subject_type: str, code: str) -> bool:
        """False, with a row error, if no such subject exists in the system or in the workbook."""
        if not code or not subject_type or self.exists(subject_type, code):
            return bool(code and subject_type)
        messages = {
            PERSON: _("Person code %(code)s exists neither in this workbook nor in the system."),
            UNIT: _("Unit code %(code)s exists neither in this workbook nor in the system."),
            HOUSEHOLD: _("Household code %(code)s does not exist in the system."),
        }
        row.errors.append(messages[subject_type] % {"code": code})
        return False


def in_chunks(queryset, name: str, values: Iterable) -> list:
    """`queryset.filter(<name>__in=values)`, one query per CHUNK values."""
    values = sorted(set(values))
    found = []
    for start in range(0, len(values), CHUNK):
        found += queryset.filter(**{f"{name}__in": values[start : start + CHUNK]})
    return found


def subject_ids(subjects: Subjects, rows: list[ImportRow], *types: str) -> dict[str, list[int]]:
    """The pks of the rows' subjects that exist already, by subject type."""
    ids = defaultdict(set)
    for row in rows:
        subject = subjects.get(row.data.get("subject_type"), row.data.get("subject_code"))
        if subject is not None:
            ids[row.data["subject_type"]].add(subject.pk)
    return {subject_type: sorted(ids[subject_type]) for subject_type in types if ids[subject_type]}
