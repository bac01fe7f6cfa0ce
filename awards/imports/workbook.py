"""A history workbook: its sheets read and checked together, then written in one transaction, all or nothing.

Sheets are checked against the system and against the workbook itself: a person of the `people` sheet may be
the subject of an award although nobody has saved the person yet. Writing goes sheet by sheet in `SHEETS`
order, each sheet checked again just before it is written, so that it finds what the sheets before it wrote.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.imports import (
    PERSON_COLUMNS,
    UNIT_COLUMNS,
    ImportPreview,
    ImportRejected,
    people_plan,
    people_write,
    units_plan,
    units_write,
)
from organizations.imports.rows import sheet_rows
from thiduakt.lib import excel

from .cells import PERSON, UNIT, Subjects
from .person_records import (
    DISCIPLINE_COLUMNS,
    INITIATIVE_COLUMNS,
    MEMBER_COLUMNS,
    disciplines_plan,
    disciplines_write,
    initiatives_plan,
    initiatives_write,
    members_plan,
    members_write,
)
from .subject_records import AWARD_COLUMNS, RATING_COLUMNS, awards_plan, awards_write, ratings_plan, ratings_write

GUIDE_SHEET = "huong_dan"  # the template's instructions: never imported


@dataclass(frozen=True)
class HistorySheet:
    name: str
    label: Promise
    columns: tuple[str, ...]
    plan: Callable  # (preview, *, known, lock) → what `write` needs
    write: Callable  # (plan, *, by)


def _history_plan(plan: Callable) -> Callable:
    def run(preview, *, known, lock):
        return plan(preview, subjects=Subjects(lock=lock, known=known), lock=lock)

    return run


SHEETS = {
    sheet.name: sheet
    for sheet in [
        HistorySheet(
            "units",
            gettext_lazy("Units"),
            UNIT_COLUMNS,
            lambda preview, *, known, lock: units_plan(preview, lock=lock),
            units_write,
        ),
        HistorySheet(
            "people",
            gettext_lazy("People"),
            PERSON_COLUMNS,
            lambda preview, *, known, lock: people_plan(preview, lock=lock, known_unit_codes=known[UNIT]),
            people_write,
        ),
        HistorySheet("ratings", gettext_lazy("Ratings"), RATING_COLUMNS, _history_plan(ratings_plan), ratings_write),
        HistorySheet("awards", gettext_lazy("Awards"), AWARD_COLUMNS, _history_plan(awards_plan), awards_write),
        HistorySheet(
            "initiatives",
            gettext_lazy("Initiatives"),
            INITIATIVE_COLUMNS,
            _history_plan(initiatives_plan),
            initiatives_write,
        ),
        HistorySheet(
            "disciplines",
            gettext_lazy("Disciplines"),
            DISCIPLINE_COLUMNS,
            _history_plan(disciplines_plan),
            disciplines_write,
        ),
        HistorySheet(
            "members",
            gettext_lazy("Members of collectives"),
            MEMBER_COLUMNS,
            _history_plan(members_plan),
            members_write,
        ),
    ]
}

VERB_LABELS = {
    "history.rating_imported": gettext_lazy("Rating imported"),
    "history.rating_updated": gettext_lazy("Rating updated by import"),
    "history.award_imported": gettext_lazy("Award imported"),
    "history.award_updated": gettext_lazy("Award updated by import"),
    "history.initiative_imported": gettext_lazy("Initiative imported"),
    "history.initiative_updated": gettext_lazy("Initiative updated by import"),
    "history.discipline_imported": gettext_lazy("Discipline imported"),
    "history.discipline_updated": gettext_lazy("Discipline updated by import"),
    "history.membership_imported": gettext_lazy("Membership of a collective imported"),
}


@dataclass
class HistoryPreview:
    """The sheets of the workbook in the order they are written, each with its rows and their errors."""

    sheets: list[ImportPreview] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    def _total(self, name: str) -> int:
        return sum(getattr(sheet, name) for sheet in self.sheets)

    @property
    def to_create(self) -> int:
        return self._total("to_create")

    @property
    def to_update(self) -> int:
        return self._total("to_update")

    @property
    def unchanged(self) -> int:
        return self._total("unchanged")

    @property
    def rows_with_errors(self) -> int:
        return self._total("rows_with_errors")

    @property
    def error_count(self) -> int:
        return len(self.file_errors) + self._total("error_count")

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    def error_lines(self) -> list[str]:
        lines = list(self.file_errors)
        for sheet in self.sheets:
            lines += [
                _("Sheet %(sheet)s: %(error)s") % {"sheet": sheet.kind, "error": error} for error in sheet.file_errors
            ]
            lines += [
                _("Sheet %(sheet)s, row %(row)s: %(error)s") % {"sheet": sheet.kind, "row": row.number, "error": error}
                for row in sheet.rows
                for error in row.errors
            ]
        return lines


def read_history(source) -> HistoryPreview:
    """The workbook's known sheets as rows, not yet checked; unknown sheet names are file errors."""
    preview = HistoryPreview()
    try:
        book = excel.read_workbook(source)
    except excel.ExcelError as error:
        preview.file_errors.append(str(error))
        return preview
    allowed = ", ".join(SHEETS)
    for name in book:
        if name not in SHEETS and name != GUIDE_SHEET:
            preview.file_errors.append(
                _("Unknown sheet %(name)s: the sheets of a history workbook are %(allowed)s (and %(guide)s, ignored).")
                % {"name": name, "allowed": allowed, "guide": GUIDE_SHEET}
            )
    for name, sheet in SHEETS.items():
        if name in book and (book[name].header or book[name].rows):
            preview.sheets.append(sheet_rows(book[name], name, sheet.columns))
    if not preview.file_errors and not preview.sheets:
        preview.file_errors.append(_("The workbook has none of the sheets %(allowed)s.") % {"allowed": allowed})
    elif not preview.has_errors and not any(sheet.rows for sheet in preview.sheets):
        preview.file_errors.append(_("The workbook has no data rows below the header rows."))
    return preview


def _known(preview: HistoryPreview) -> dict[str, set[str]]:
    """Codes of the units and people that the workbook's own sheets create or update."""
    known = {UNIT: set(), PERSON: set()}
    for sheet, subject_type in (("units", UNIT), ("people", PERSON)):
        for sheet_preview in preview.sheets:
            if sheet_preview.kind == sheet:
                known[subject_type] = {excel.cell_text(row.raw["code"]) for row in sheet_preview.rows} - {""}
    return known


def history_preview(source) -> HistoryPreview:
    """Read and check a workbook; writes nothing, raises nothing on bad input."""
    preview = read_history(source)
    if preview.file_errors:
        return preview
    known = _known(preview)
    for sheet_preview in preview.sheets:
        if not sheet_preview.file_errors:
            SHEETS[sheet_preview.kind].plan(sheet_preview, known=known, lock=False)
    return preview


def history_apply(*, by, source) -> HistoryPreview:
    """Write every sheet of the workbook in one transaction, or raise ImportRejected having written nothing."""
    preview = read_history(source)
    if preview.has_errors:
        raise ImportRejected(preview)
    known = _known(preview)
    try:
        with transaction.atomic():
            for sheet_preview in preview.sheets:
                sheet = SHEETS[sheet_preview.kind]
                planned = sheet.plan(sheet_preview, known=known, lock=True)
                if not preview.has_errors:  # after an error, the later sheets are still checked, not written
                    sheet.write(planned, by=by)
            if preview.has_errors:
                raise ImportRejected(preview)
    except IntegrityError:  # a concurrent import or edit wrote one of the same records first
        preview.file_errors.append(_("The same records were changed meanwhile by someone else; nothing was saved."))
        raise ImportRejected(preview) from None
    return preview
