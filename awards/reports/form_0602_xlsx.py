"""Form 0602.N as an Excel workbook in the form's own layout: the form code and the unit lines on top, the title
and the period, the four header rows of the table with their merged cells, the column numbering row (A, B, C,
1 to 9), the rows with their codes, the notes and the signature block, in Times New Roman (Decree 30/2020).

Always rendered in Vietnamese, whatever the language of the page that asked for it: it is a statutory form."""

import io
from datetime import date

from django.conf import settings
from django.utils import translation
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from .form_0602 import FORM_CODE, Report

FONT = "Times New Roman"
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
FIRST_COLUMN = 5  # A label, B code, C unit of measure, D total; the awards from E on
HEADER_ROW = 9


def vn_date_line(place: str, day: date) -> str:
    """ "Sông Hồng, ngày 05 tháng 02 năm 2026": Decree 30/2020 pads days under 10, and months 1 and 2."""
    return pgettext("form 0602", "%(place)s, day %(day)s month %(month)s year %(year)s") % {
        "place": place or "……",
        "day": f"{day.day:02d}",
        "month": f"{day.month:02d}" if day.month < 3 else str(day.month),
        "year": day.year,
    }


class _Writer:
    def __init__(self, worksheet, width: int):
        self.ws = worksheet
        self.width = width

    def put(self, row, column, value, *, bold=False, italic=False, size=12, align=CENTRE, box=False):
        cell = self.ws.cell(row=row, column=column, value=value)
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # a unit named "=..." stays text, never a formula
        cell.font = Font(name=FONT, size=size, bold=bold, italic=italic)
        cell.alignment = align
        if box:
            cell.border = BOX
        return cell

    def merge(self, row, column, last_row, last_column, value=None, *, box=False, **style):
        self.put(row, column, value, box=box, **style)
        if box:
            for r in range(row, last_row + 1):
                for c in range(column, last_column + 1):
                    self.ws.cell(row=r, column=c).border = BOX
        if (row, column) != (last_row, last_column):
            self.ws.merge_cells(start_row=row, start_column=column, end_row=last_row, end_column=last_column)

    def line(self, row, value, **style):
        self.merge(row, 1, row, self.width, value, **style)


def _header(writer: _Writer, report: Report, receiver: str) -> None:
    right = max(FIRST_COLUMN, writer.width - 5)
    left_end = right - 1
    writer.merge(
        1, 1, 1, left_end, pgettext("form 0602", "Form No.: %(code)s") % {"code": FORM_CODE}, bold=True, align=LEFT
    )
    writer.merge(
        2,
        1,
        2,
        left_end,
        pgettext("form 0602", "Issued with Circular No. 02/2023/TT-BNV of 23/3/2023"),
        italic=True,
        align=LEFT,
    )
    writer.merge(
        3,
        1,
        3,
        left_end,
        pgettext("form 0602", "Date of receipt: 15 December of the report year"),
        italic=True,
        align=LEFT,
    )
    writer.merge(
        1,
        right,
        1,
        writer.width,
        pgettext("form 0602", "Reporting unit: %(unit)s") % {"unit": report.unit.name},
        align=LEFT,
    )
    writer.merge(
        2, right, 2, writer.width, pgettext("form 0602", "Receiving unit: %(unit)s") % {"unit": receiver}, align=LEFT
    )
    writer.line(5, pgettext("form 0602", "NUMBER OF STATE-LEVEL AWARDS"), bold=True, size=14)
    writer.line(6, pgettext("form 0602", "Year %(year)s") % {"year": report.year}, italic=True)
    writer.line(
        7,
        pgettext("form 0602", "(Report period from %(start)s to %(end)s)")
        % {"start": f"{report.start:%d/%m/%Y}", "end": f"{report.end:%d/%m/%Y}"},
        italic=True,
    )


def _table_header(writer: _Writer, report: Report) -> int:
    """The four header rows and the numbering row; returns the first data row."""
    top = HEADER_ROW
    boxed = {"box": True, "bold": True, "size": 11}
    writer.merge(top, 1, top + 3, 1, "", **boxed)
    writer.merge(top, 2, top + 3, 2, pgettext("form 0602", "Code"), **boxed)
    writer.merge(top, 3, top + 3, 3, pgettext("form 0602", "Unit of measure"), **boxed)
    writer.merge(top, 4, top + 3, 4, pgettext("form 0602", "Total"), **boxed)
    writer.merge(top, FIRST_COLUMN, top, writer.width, pgettext("form 0602", "Of which"), **boxed)
    column = FIRST_COLUMN
    numbering = top + 4
    for label, value in (("A", 1), ("B", 2), ("C", 3), ("1", 4)):
        writer.put(numbering, value, label, bold=True, size=11, box=True)
    for group in report.groups:
        first = column
        named = [(name, columns) for name, columns in group.awards if name]
        if named:
            writer.merge(top + 1, first, top + 1, first + len(group.columns) - 1, str(group.spec.label), **boxed)
            for name, columns in named:
                writer.merge(top + 2, column, top + 2, column + len(columns) - 1, name, **boxed)
                for offset, award_column in enumerate(columns):
                    writer.put(top + 3, column + offset, award_column.subject_label, size=11, box=True)
                column += len(columns)
        else:
            columns = group.columns
            writer.merge(top + 1, first, top + 2, first + len(columns) - 1, str(group.spec.label), **boxed)
            for offset, award_column in enumerate(columns):
                writer.put(top + 3, column + offset, award_column.subject_label, size=11, box=True)
            column += len(columns)
        writer.merge(numbering, first, numbering, column - 1, str(group.spec.number), **boxed)
    return numbering + 1


def _body(writer: _Writer, report: Report, first_row: int) -> int:
    row_number = first_row
    for row in report.rows:
        spec = row.spec
        writer.put(row_number, 1, str(spec.label), bold=spec.bold, size=11, align=LEFT, box=True)
        writer.put(row_number, 2, spec.code, size=11, box=True)
        writer.put(row_number, 3, str(spec.measure), size=11, box=True)
        writer.put(row_number, 4, row.total, bold=spec.bold, size=11, box=True)
        for offset, value in enumerate(row.cells):
            writer.put(row_number, FIRST_COLUMN + offset, value, bold=spec.bold, size=11, box=True)
        row_number += 1
    return row_number


def _footer(writer: _Writer, report: Report, row: int, place: str, today: date) -> None:
    row += 1
    writer.line(row, pgettext("form 0602", "Notes:"), bold=True, italic=True, size=11, align=LEFT)
    for note in report.notes():
        row += 1
        writer.line(row, note, italic=True, size=11, align=LEFT)
        writer.ws.row_dimensions[row].height = 30
    row += 2
    right = max(FIRST_COLUMN, writer.width - 5)
    writer.merge(row, right, row, writer.width, vn_date_line(place, today), italic=True)
    row += 1
    writer.merge(row, 1, row, 3, pgettext("form 0602", "Prepared by"), bold=True)
    writer.merge(row, right, row, writer.width, pgettext("form 0602", "Head of unit"), bold=True)
    row += 1
    writer.merge(row, 1, row, 3, pgettext("form 0602", "(Signature, full name)"), italic=True)
    writer.merge(row, right, row, writer.width, pgettext("form 0602", "(Signature, seal, full name)"), italic=True)


def form_0602_workbook(report: Report, *, place: str = "", receiver: str = "", today: date) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        receiver = receiver or pgettext("form 0602", "Ministry of Home Affairs")
        workbook = Workbook()
        worksheet = workbook.active
        worksheet.title = "0602.N"
        width = FIRST_COLUMN - 1 + len(report.columns)
        writer = _Writer(worksheet, width)
        _header(writer, report, receiver)
        first_row = _table_header(writer, report)
        last_row = _body(writer, report, first_row)
        _footer(writer, report, last_row, place, today)
        for index, size in enumerate([52, 7, 11, 9], start=1):
            worksheet.column_dimensions[get_column_letter(index)].width = size
        for index in range(FIRST_COLUMN, width + 1):
            worksheet.column_dimensions[get_column_letter(index)].width = 12
        for row in range(HEADER_ROW, HEADER_ROW + 4):
            worksheet.row_dimensions[row].height = 45
        worksheet.freeze_panes = worksheet.cell(row=first_row, column=FIRST_COLUMN)
        worksheet.page_setup.orientation = "landscape"
        worksheet.page_setup.paperSize = worksheet.PAPERSIZE_A4
        worksheet.page_setup.fitToWidth = 1
        worksheet.page_setup.fitToHeight = 0
        worksheet.sheet_properties.pageSetUpPr.fitToPage = True
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
