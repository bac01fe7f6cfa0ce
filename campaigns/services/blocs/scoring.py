"""Score sheets: the member's self scores and evidence, the submission, the leader's cross-check, the lock."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from thiduakt.lib import uploads

from ...models import Bloc, ScoreCriterion, ScoreEntry, ScoreSheet
from ...selectors import blocs as selectors
from .common import (
    EVIDENCE_TYPES,
    BlocError,
    _lock_bloc,
    _require,
    _require_not_locked,
    _require_organiser,
    check_evidence,
    check_points,
)


def _lock_sheet(sheet: ScoreSheet) -> ScoreSheet:
    # Lock order: bloc first, then sheet (sheets_lock takes the bloc and then all its sheets).
    Bloc.objects.select_for_update(no_key=True).get(pk=sheet.bloc_id)
    return (
        ScoreSheet.objects.select_for_update(no_key=True, of=("self",))
        .select_related("bloc__organising_unit", "unit")
        .get(pk=sheet.pk)
    )


def _entries(sheet: ScoreSheet) -> list[ScoreEntry]:
    return list(
        sheet.entries.select_related("criterion__group").order_by("criterion__group__order", "criterion__order")
    )


def _check_open_for_self_scores(sheet: ScoreSheet, today: date) -> None:
    _require_not_locked(sheet.bloc)
    _require(sheet.state == ScoreSheet.State.DRAFT, _("This sheet was already submitted: it can no longer change."))
    deadline = sheet.bloc.self_score_deadline
    if deadline is not None and today > deadline:
        raise BlocError(_("The self-score deadline (%(date)s) has passed.") % {"date": deadline.strftime("%d/%m/%Y")})


def sheet_save_self(*, by, sheet: ScoreSheet, points: dict, evidence: dict | None = None) -> ScoreSheet:
    """The member's self scores, {criterion pk: Decimal or None}, and evidence files {criterion pk: file}.
    Nothing is saved unless every value is acceptable."""
    evidence = evidence or {}
    with transaction.atomic():
        sheet = _lock_sheet(sheet)
        _require(selectors.bloc_access(by, sheet.bloc).fills_sheet(sheet), _("Only the member unit fills its sheet."))
        _check_open_for_self_scores(sheet, timezone.localdate())
        entries = {entry.criterion_id: entry for entry in _entries(sheet)}
        errors = {}
        for criterion_id, value in points.items():
            entry = entries.get(criterion_id)
            if entry is None:
                raise BlocError(_("This criterion is not on the sheet."))
            if message := check_points(value, entry.criterion):
                errors[f"points_{criterion_id}"] = message
        for criterion_id, upload in evidence.items():
            if criterion_id not in entries:
                raise BlocError(_("This criterion is not on the sheet."))
            if message := check_evidence(upload):
                errors[f"evidence_{criterion_id}"] = message
        if errors:
            raise BlocError(field_errors=errors)
        changed = {}
        for criterion_id, value in points.items():
            entry = entries[criterion_id]
            if entry.self_points != value:
                changed[str(criterion_id)] = [entry.self_points, value]
                entry.self_points = value
                entry.save(update_fields=["self_points"])
        for criterion_id, upload in evidence.items():
            entry = entries[criterion_id]
            extension = EVIDENCE_TYPES[uploads.sniff_content_type(upload)]
            if entry.evidence:
                entry.evidence.delete(save=False)
            entry.evidence.save(f"minh-chung-{sheet.pk}-{criterion_id}.{extension}", upload, save=False)
            entry.save(update_fields=["evidence"])
            changed[f"evidence_{criterion_id}"] = entry.evidence.name
        if changed:
            audit_record(actor=by, verb="score_sheet.saved", obj=sheet, data=changed)
    return sheet


def sheet_submit(*, by, sheet: ScoreSheet) -> ScoreSheet:
    """Send the sheet to the bloc leader; every criterion (not bonus or penalty items) must be scored."""
    with transaction.atomic():
        sheet = _lock_sheet(sheet)
        _require(selectors.bloc_access(by, sheet.bloc).fills_sheet(sheet), _("Only the member unit fills its sheet."))
        _check_open_for_self_scores(sheet, timezone.localdate())
        entries = _entries(sheet)
        _require(bool(entries), _("The bloc has no score template yet."))
        missing = [e for e in entries if e.criterion.kind == ScoreCriterion.Kind.NORMAL and e.self_points is None]
        if missing:
            raise BlocError(
                _("Score every criterion before submitting: %(count)s are empty.") % {"count": len(missing)}
            )
        ScoreEntry.objects.filter(sheet=sheet, self_points__isnull=True).update(self_points=Decimal("0"))
        sheet.state = ScoreSheet.State.SUBMITTED
        sheet.submitted_at = timezone.now()
        sheet.save(update_fields=["state", "submitted_at"])
        audit_record(actor=by, verb="score_sheet.submitted", obj=sheet, data={})
    return sheet


def sheet_verify(*, by, sheet: ScoreSheet, verified: dict) -> ScoreSheet:
    """The cross-check: {criterion pk: (points, comment)} for every criterion. A comment is required where
    the verified points differ from the self score. The sheet may be checked again until the lock."""
    with transaction.atomic():
        sheet = _lock_sheet(sheet)
        _require(
            selectors.bloc_access(by, sheet.bloc).verifies_sheet(sheet),
            _("Only the bloc leader cross-checks the sheets (the deputy checks the leader's own)."),
        )
        _require_not_locked(sheet.bloc)
        _require(
            sheet.state in (ScoreSheet.State.SUBMITTED, ScoreSheet.State.VERIFIED),
            _("Only a submitted sheet can be cross-checked."),
        )
        entries = _entries(sheet)
        errors = {}
        for entry in entries:
            value, comment = verified.get(entry.criterion_id, (None, ""))
            if value is None:
                errors[f"verified_{entry.criterion_id}"] = _("Enter the verified points.")
            elif message := check_points(value, entry.criterion):
                errors[f"verified_{entry.criterion_id}"] = message
            elif value != entry.self_points and not (comment or "").strip():
                errors[f"comment_{entry.criterion_id}"] = _(
                    "Explain why the verified points differ from the self score."
                )
        if errors:
            raise BlocError(field_errors=errors)
        changed = {}
        for entry in entries:
            value, comment = verified[entry.criterion_id]
            comment = (comment or "").strip()
            if entry.verified_points != value or entry.comment != comment:
                changed[str(entry.criterion_id)] = [value, comment]
                entry.verified_points, entry.comment = value, comment
                entry.save(update_fields=["verified_points", "comment"])
        sheet.state = ScoreSheet.State.VERIFIED
        sheet.verified_at = timezone.now()
        sheet.verified_by = by
        sheet.save(update_fields=["state", "verified_at", "verified_by"])
        audit_record(actor=by, verb="score_sheet.verified", obj=sheet, data=changed)
    return sheet


def sheets_lock(*, by, bloc: Bloc) -> Bloc:
    """The organiser locks every sheet once all are verified; the ranking is then final."""
    with transaction.atomic():
        bloc = _lock_bloc(bloc)
        _require_organiser(by, bloc)
        _require_not_locked(bloc)
        sheets = list(ScoreSheet.objects.select_for_update(no_key=True).filter(bloc=bloc).select_related("unit"))
        _require(bool(sheets), _("The bloc has no score sheets yet."))
        pending = [s.unit.name for s in sheets if s.state != ScoreSheet.State.VERIFIED]
        if pending:
            raise BlocError(
                _("Every sheet must be cross-checked before the lock; still waiting: %(units)s.")
                % {"units": ", ".join(pending)}
            )
        bloc.sheets_locked_at = timezone.now()
        bloc.save(update_fields=["sheets_locked_at"])
        ScoreSheet.objects.filter(bloc=bloc).update(state=ScoreSheet.State.LOCKED)
        audit_record(actor=by, verb="bloc.sheets_locked", obj=bloc, data={"sheets": len(sheets)})
    return bloc
