"""Excel import of units and people: read and validate into a preview, then apply every row or none.

`units_preview` / `people_preview` never write and never raise on bad input: every problem becomes a message
on the file or on a row. `units_apply` / `people_apply` validate again inside one transaction, against rows
locked for the duration, and either write everything or raise `ImportRejected` with the preview.
Re-importing the same file finds every row unchanged and writes nothing, not even an audit event.
"""

from .kinds import IMPORT_KINDS, ImportKind, template_sheets
from .people import PERSON_COLUMNS, people_apply, people_plan, people_preview, people_write
from .rows import ImportPreview, ImportRejected, ImportRow
from .units import UNIT_COLUMNS, units_apply, units_plan, units_preview, units_write

__all__ = [
    "IMPORT_KINDS",
    "PERSON_COLUMNS",
    "UNIT_COLUMNS",
    "ImportKind",
    "ImportPreview",
    "ImportRejected",
    "ImportRow",
    "people_apply",
    "people_plan",
    "people_preview",
    "people_write",
    "template_sheets",
    "units_apply",
    "units_plan",
    "units_preview",
    "units_write",
]
