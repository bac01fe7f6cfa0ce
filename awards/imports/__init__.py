"""Excel import of legacy history: one workbook whose sheets hold units, people, ratings, awards, initiatives,
disciplines and members of collectives.

`history_preview` never writes and never raises on bad input: every problem is a message on the workbook, a
sheet or a row. `history_apply` checks again inside one transaction and either writes every sheet or raises
`ImportRejected` with the preview. Re-importing the same workbook finds every row unchanged and writes
nothing, not even an audit event.
"""

from organizations.imports import ImportRejected

from .template import TEMPLATE_FILENAME, history_template_sheets
from .workbook import GUIDE_SHEET, SHEETS, VERB_LABELS, HistoryPreview, history_apply, history_preview

__all__ = [
    "GUIDE_SHEET",
    "SHEETS",
    "TEMPLATE_FILENAME",
    "VERB_LABELS",
    "HistoryPreview",
    "ImportRejected",
    "history_apply",
    "history_preview",
    "history_template_sheets",
]
