"""The kinds of import (units, people), with their downloadable templates."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thiduakt.lib import excel

from ..models import Person, Unit
from .people import PERSON_COLUMNS, people_apply, people_preview
from .units import UNIT_COLUMNS, units_apply, units_preview

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
