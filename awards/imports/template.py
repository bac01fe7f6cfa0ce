"""The downloadable history workbook: each sheet with its header and one example row, and a `huong_dan` sheet
that explains the columns and lists the allowed values and the award codes.

The example rows fit together and fit the demo province (unit code SH): the unedited template imports one
example person under an example unit. Elsewhere the only error is that unit's parent, named on its row."""

import datetime

from django.utils.translation import gettext as _

from organizations.imports.kinds import IMPORT_KINDS
from organizations.models import Unit
from thiduakt.lib import excel

from ..models import AwardType, Discipline, Initiative, Rating
from ..models.catalogue import AwardKind
from .cells import FIRST_YEAR, HOUSEHOLD, PERSON, UNIT
from .workbook import GUIDE_SHEET, SHEETS

TEMPLATE_FILENAME = "mau-nhap-lich-su-khen-thuong.xlsx"
EXAMPLE_UNIT, EXAMPLE_PERSON = "VD.DV01", "VD000001"
EXAMPLES = {
    "units": (EXAMPLE_UNIT, "Phòng ví dụ (xoá dòng này)", Unit.Kind.OTHER, "SH"),
    "people": (
        EXAMPLE_PERSON,
        "Nguyễn Văn Ví Dụ",
        "male",
        datetime.date(1985, 5, 17),
        EXAMPLE_UNIT,
        "Chuyên viên",
        "direct_worker",
    ),
    "ratings": (PERSON, EXAMPLE_PERSON, 2024, Rating.Level.EXCELLENT),
    "awards": (
        PERSON,
        EXAMPLE_PERSON,
        "LDTT",
        2024,
        AwardKind.REGULAR,
        "VD-01/QĐ-UBND",
        datetime.date(2024, 12, 20),
    ),
    "initiatives": (EXAMPLE_PERSON, "Sáng kiến ví dụ (xoá dòng này)", Initiative.Scope.UNIT, 2024, "VD-02/QĐ-SKKN"),
    "disciplines": (EXAMPLE_PERSON, Discipline.Level.REPRIMAND, datetime.date(2020, 3, 1), datetime.date(2021, 3, 1)),
    "members": (EXAMPLE_UNIT, EXAMPLE_PERSON, 2024),
}


def _allowed(choices) -> str:
    return "; ".join(f"{value} ({label})" for value, label in choices.choices)


def _year() -> str:
    return _("A year from %(first)s to next year.") % {"first": FIRST_YEAR}


def _date() -> str:
    return _("A date cell, or text dd/mm/yyyy.")


def _subject_types(*types: str) -> str:
    return ", ".join(types)


def _history_guide() -> list[tuple]:
    subject = _("person: a person's code; unit: a unit's code; household: a household's code.")
    return [
        ("ratings", "subject_type", _("Whose rating: a person or a unit."), _subject_types(PERSON, UNIT)),
        ("ratings", "subject_code", subject, _("In this workbook or in the system")),
        ("ratings", "year", _year(), ""),
        (
            "ratings",
            "rating",
            _("Rating of the year. A second rating for the same year replaces it."),
            _allowed(Rating.Level),
        ),
        ("awards", "subject_type", _("Who received the award."), _subject_types(PERSON, UNIT, HOUSEHOLD)),
        ("awards", "subject_code", subject, _("In this workbook or in the system")),
        ("awards", "award_code", _("Code of the award: see the list below."), ""),
        ("awards", "year", _year(), ""),
        ("awards", "kind", _("Kind of commendation; empty means regular."), _allowed(AwardKind)),
        ("awards", "decision_number", _("Number of the award decision."), _("Required")),
        ("awards", "decision_date", _date() + " " + _("Not before the award's year."), _("Optional")),
        ("initiatives", "person_codes", _("Codes of the authors, separated by ;"), _("Required")),
        ("initiatives", "title", _("Title of the initiative."), _("Required")),
        ("initiatives", "scope", _("Scope at which it was recognised."), _allowed(Initiative.Scope)),
        ("initiatives", "year", _year(), ""),
        ("initiatives", "decision_number", _("Number of the recognition decision."), _("Required")),
        ("disciplines", "person_code", _("Code of the person disciplined."), _("Required")),
        ("disciplines", "level", _("Level of the discipline."), _allowed(Discipline.Level)),
        ("disciplines", "start_date", _date(), _("Required")),
        ("disciplines", "end_date", _date() + " " + _("Empty while the discipline is in force."), _("Optional")),
        ("members", "unit_code", _("Code of the collective."), _("Required")),
        ("members", "person_code", _("Code of a person counted as its member that year."), _("Required")),
        ("members", "year", _year(), ""),
    ]


def _guide_rows() -> list[tuple]:
    rows = [
        ("", "", _("Every sheet is optional; delete the example rows before importing."), ""),
        (
            "",
            "",
            _("Importing the same workbook again changes nothing; nothing is saved while any row has an error."),
            "",
        ),
        ("", "", _("Codes of units and people may come from the units and people sheets of this workbook."), ""),
    ]
    for name in ("units", "people"):
        rows += [(name, column, meaning, allowed) for column, meaning, allowed in IMPORT_KINDS[name].guide()]
    rows += _history_guide()
    rows.append(("", "", "", ""))
    rows.append((_("Award code"), _("Subject types"), _("Award"), _("Kinds allowed")))
    rows += [
        (award.code, ", ".join(award.subject_types), award.name, ", ".join(award.kinds))
        for award in AwardType.objects.order_by("order", "code")
    ]
    return rows


def history_template_sheets() -> list[excel.SheetSpec]:
    sheets = [
        excel.SheetSpec(title=name, header=sheet.columns, rows=[EXAMPLES[name]]) for name, sheet in SHEETS.items()
    ]
    sheets.append(
        excel.SheetSpec(
            title=GUIDE_SHEET,
            header=[_("Sheet"), _("Column"), _("Meaning"), _("Allowed values")],
            rows=_guide_rows(),
            widths=[16, 18, 70, 60],
        )
    )
    return sheets
