"""Rows of an import file, their preview, and the reading and checking that units and people share."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from thiduakt.lib import excel
from thiduakt.lib.vn import fold

from ..bulk import CHUNK

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


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


def read_rows(source, kind: str, columns: tuple[str, ...]) -> ImportPreview:
    try:
        sheet = excel.read_sheet(source)
    except excel.ExcelError as error:
        return ImportPreview(kind=kind, columns=columns, file_errors=[str(error)])
    preview = sheet_rows(sheet, kind, columns)
    if not preview.has_errors and not preview.rows:
        preview.file_errors.append(_("The file has no data rows below the header row."))
    return preview


def sheet_rows(sheet: excel.Sheet, kind: str, columns: tuple[str, ...]) -> ImportPreview:
    """The rows of a sheet already read, or a file error if its header is not exactly `columns`."""
    preview = ImportPreview(kind=kind, columns=columns)
    header_error = _header_error(sheet.header, columns)
    if header_error:
        preview.file_errors.append(header_error)
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


def text(row: ImportRow, name: str, *, max_length: int, required: bool = True) -> str:
    value = excel.cell_text(row.raw[name])
    if not value and required:
        row.errors.append(_("Column %(column)s is empty.") % {"column": name})
    elif len(value) > max_length:
        row.errors.append(
            _("Column %(column)s is longer than %(max)s characters.") % {"column": name, "max": max_length}
        )
    return value


@dataclass
class Choices:
    """What a choice column accepts: the codes, the labels in Vietnamese and English, and common words;
    compared without case or accents."""

    allowed: str
    lookup: dict

    @classmethod
    def of(cls, choices, aliases: dict) -> "Choices":
        lookup = dict(aliases)
        for language in ("vi", None):
            with translation.override(language):
                lookup.update({fold(str(label)): value for value, label in choices.choices})
        lookup.update({fold(value): value for value in choices.values})
        return cls(allowed=", ".join(choices.values), lookup=lookup)


def choice(row: ImportRow, name: str, choices: Choices, message, *, default: str = "") -> str:
    text = excel.cell_text(row.raw[name])
    if not text and default:
        return default
    value = choices.lookup.get(fold(text))
    if value is None:
        row.errors.append(message % {"value": text or "—", "allowed": choices.allowed})
        return ""
    return value


def flag_duplicate_codes(rows: list[ImportRow]) -> None:
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


def by_codes(queryset, codes: Iterable[str]) -> dict:
    codes = sorted(set(codes))
    found = {}
    for start in range(0, len(codes), CHUNK):
        for obj in queryset.filter(code__in=codes[start : start + CHUNK]):
            found[obj.code] = obj
    return found


def preview_file(source, *, kind: str, columns: tuple[str, ...], plan: Callable) -> ImportPreview:
    """Read and check a file against the database; writes nothing, raises nothing on bad input."""
    preview = read_rows(source, kind, columns)
    if not preview.has_errors:
        plan(preview)
    return preview


def apply_file(source, *, kind: str, columns: tuple[str, ...], plan: Callable, write: Callable, by) -> ImportPreview:
    """Check the file again inside one transaction, against rows locked until it ends, then write every row;
    or raise ImportRejected having written nothing."""
    preview = read_rows(source, kind, columns)
    if preview.has_errors:
        raise ImportRejected(preview)
    with transaction.atomic():
        planned = plan(preview, lock=True)
        if preview.has_errors:
            raise ImportRejected(preview)
        write(planned, by=by)
    return preview
