"""Reading and writing .xlsx files with openpyxl, for imports, templates and exports.

Reading refuses, with a message the user can act on, anything that is too large or is not a workbook,
before openpyxl parses it; writing streams rows (write-only mode) and never lets a text cell become a
formula, so exported names like "=HYPERLINK(...)" stay plain text.
"""

import datetime
import io
import os
import warnings
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A workbook is a zip: a few kilobytes can inflate to gigabytes. Refuse archives that claim to.
MAX_INFLATION = 40
DATE_FORMAT = "dd/mm/yyyy"


class ExcelError(Exception):
    """The file cannot be read as a workbook; the message is shown to the user."""


@dataclass
class Sheet:
    """The first row as column names (stripped, lower-case) and the data rows under it.

    Each row is (number, values): `number` is the row number Excel shows, values are padded or cut to the
    header's length, text stripped, empty cells None. Rows with no value at all are left out."""

    header: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)


def _size_of(source) -> int:
    if isinstance(source, (str, os.PathLike)):
        return os.path.getsize(source)
    if isinstance(source, (bytes, bytearray)):
        return len(source)
    size = getattr(source, "size", None)
    if size is not None:
        return size
    position = source.tell()
    source.seek(0, os.SEEK_END)
    size = source.tell()
    source.seek(position)
    return size


def _clean(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def check_size(source, max_bytes: int | None = None) -> None:
    max_bytes = settings.IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    if _size_of(source) > max_bytes:
        raise ExcelError(
            _("The file is larger than %(limit)s MB. Split it into smaller files.")
            % {"limit": f"{max_bytes / (1024 * 1024):g}"}
        )


def read_sheet(source, *, max_bytes: int | None = None) -> Sheet:
    """Read the first worksheet of an .xlsx file (a path, bytes or an open binary file)."""

    def first(workbook) -> Sheet:
        if not workbook.worksheets:
            raise ExcelError(_("The workbook has no worksheet."))
        return _read_worksheet(workbook.worksheets[0])

    return _read(source, max_bytes, first)


def read_workbook(source, *, max_bytes: int | None = None) -> dict[str, Sheet]:
    """Read every worksheet of an .xlsx file, by name (stripped, lower-case), in the workbook's order."""

    def every(workbook) -> dict[str, Sheet]:
        if not workbook.worksheets:
            raise ExcelError(_("The workbook has no worksheet."))
        return {worksheet.title.strip().lower(): _read_worksheet(worksheet) for worksheet in workbook.worksheets}

    return _read(source, max_bytes, every)


def _read(source, max_bytes: int | None, read: Callable):
    """Check the size and the archive, open the workbook read-only and return `read(workbook)`."""
    check_size(source, max_bytes)
    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(source)
    elif hasattr(source, "seek"):
        source.seek(0)
    not_a_workbook = ExcelError(_("The file is not a valid Excel workbook (.xlsx). Save it as .xlsx and try again."))
    try:
        if not zipfile.is_zipfile(source):
            raise not_a_workbook
        if hasattr(source, "seek"):
            source.seek(0)
        with zipfile.ZipFile(source) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
        if inflated > MAX_INFLATION * max(_size_of(source), 1) and inflated > 50 * 1024 * 1024:
            raise not_a_workbook
        if hasattr(source, "seek"):
            source.seek(0)
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it skips; they do not matter for values.
            warnings.simplefilter("ignore")
            workbook = load_workbook(source, read_only=True, data_only=True)
            try:
                return read(workbook)
            finally:
                workbook.close()
    except ExcelError:
        raise
    except Exception as error:  # openpyxl raises many kinds on a damaged file; all mean the same to a user
        raise not_a_workbook from error


def _read_worksheet(worksheet) -> Sheet:
    rows = worksheet.iter_rows(values_only=True)
    first = next(rows, None)
    if first is None:
        return Sheet(header=[])
    header = [str(_clean(value) or "").lower() for value in first]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    sheet = Sheet(header=header)
    for number, values in enumerate(rows, start=2):
        values = [_clean(value) for value in values[:width]]
        if any(value is not None for value in values):
            sheet.rows.append((number, values + [None] * (width - len(values))))
    return sheet


def cell_text(value) -> str:
    """A cell's value as text: whole numbers without ".0" (codes typed as numbers), dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


# Writing ---------------------------------------------------------------------------------------------


@dataclass
class SheetSpec:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence] = ()
    widths: Sequence[int] = ()


def _cell(worksheet, value, *, bold: bool = False):
    cell = WriteOnlyCell(worksheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula
    if isinstance(value, (datetime.date, datetime.datetime)):
        cell.number_format = DATE_FORMAT
    if bold:
        cell.font = Font(bold=True)
    return cell


def build_workbook(sheets: Sequence[SheetSpec]) -> bytes:
    workbook = Workbook(write_only=True)
    for spec in sheets:
        worksheet = workbook.create_sheet(title=spec.title[:31])
        widths = list(spec.widths) or [max(12, len(str(name)) + 4) for name in spec.header]
        for index, width in enumerate(widths, start=1):
            worksheet.column_dimensions[get_column_letter(index)].width = width
        worksheet.append([_cell(worksheet, name, bold=True) for name in spec.header])
        for row in spec.rows:
            worksheet.append([_cell(worksheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, sheets: Sequence[SheetSpec]) -> HttpResponse:
    response = HttpResponse(build_workbook(sheets), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
