"""Every write on emulation blocs: one function per action, one transaction, a row lock on the bloc or the
sheet, one audit event each. Rules are enforced here; the forms only shape the input.

By topic: `setup` (blocs, members, pledge), `templates` (score templates and their versions), `scoring`
(sheets, self scores, cross-check, lock), `results` (the year-end meeting), `common` (the error and the
checks they share), `registry` (audit labels and object types). Callers import from this package only."""

from .common import EVIDENCE_MAX_BYTES, EVIDENCE_TYPES, BlocError, check_evidence, check_points
from .registry import OBJECT_TYPES, VERB_LABELS, fetch_bloc, fetch_sheet
from .results import result_record
from .scoring import sheet_save_self, sheet_submit, sheet_verify, sheets_lock
from .setup import bloc_create, bloc_members_set, bloc_update, pledge_record
from .templates import template_create, template_edit, template_in_use, template_new_version

__all__ = [
    "EVIDENCE_MAX_BYTES",
    "EVIDENCE_TYPES",
    "OBJECT_TYPES",
    "VERB_LABELS",
    "BlocError",
    "bloc_create",
    "bloc_members_set",
    "bloc_update",
    "check_evidence",
    "check_points",
    "fetch_bloc",
    "fetch_sheet",
    "pledge_record",
    "result_record",
    "sheet_save_self",
    "sheet_submit",
    "sheet_verify",
    "sheets_lock",
    "template_create",
    "template_edit",
    "template_in_use",
    "template_new_version",
]
