"""What the bloc services share: the error they raise, the row lock on a bloc, the checks of points and
evidence files, and the sheets kept in step with the members and the template."""

from decimal import Decimal

from django.utils.translation import gettext as _

from thiduakt.lib import uploads

from ...models import Bloc, ScoreCriterion, ScoreEntry, ScoreSheet
from ...selectors import blocs as selectors

EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
EVIDENCE_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


class BlocError(Exception):
    """A rule refused the action; the message is shown to the user. `field_errors` maps form field names
    to messages shown next to those fields."""

    def __init__(self, message: str = "", field_errors: dict | None = None):
        self.field_errors = field_errors or {}
        super().__init__(message or " ".join(str(m) for m in self.field_errors.values()))


def _lock_bloc(bloc: Bloc) -> Bloc:
    return (
        Bloc.objects.select_for_update(no_key=True, of=("self",))
        .select_related("organising_unit", "template")
        .get(pk=bloc.pk)
    )


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise BlocError(message)


def _require_organiser(by, bloc: Bloc) -> None:
    _require(
        selectors.may_organise_in(by, bloc.organising_unit),
        _("Only an officer or head of the organising unit may do this."),
    )


def _require_not_locked(bloc: Bloc) -> None:
    _require(bloc.sheets_locked_at is None, _("The score sheets of this bloc are locked."))


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


def check_points(points, criterion: ScoreCriterion) -> str | None:
    """The message for points outside 0..maximum, or None."""
    if points is None:
        return None
    if points < 0:
        return _("Points cannot be negative.")
    if points > criterion.max_points:
        return _("At most %(max)s points for this criterion.") % {"max": _fmt(criterion.max_points)}
    return None


def check_evidence(upload) -> str | None:
    """The message for an evidence file that is too large or not a PDF, JPEG or PNG by content, or None."""
    if upload.size > EVIDENCE_MAX_BYTES:
        return _("The evidence file is larger than 20 MB.")
    if uploads.sniff_content_type(upload) not in EVIDENCE_TYPES:
        return _("Evidence must be a PDF, JPEG or PNG file.")
    return None


def _sync_sheets(bloc: Bloc) -> None:
    """One sheet per member, one entry per criterion of the bloc's template. Sheets of units no longer
    members are deleted (only drafts reach here); entries of another template are replaced."""
    members = list(bloc.memberships.values_list("unit_id", flat=True))
    ScoreSheet.objects.filter(bloc=bloc).exclude(unit_id__in=members).delete()
    if bloc.template_id is None:
        ScoreEntry.objects.filter(sheet__bloc=bloc).delete()
        return
    existing = set(ScoreSheet.objects.filter(bloc=bloc).values_list("unit_id", flat=True))
    ScoreSheet.objects.bulk_create(
        [ScoreSheet(bloc=bloc, unit_id=unit_id) for unit_id in members if unit_id not in existing]
    )
    criteria = list(ScoreCriterion.objects.filter(group__template_id=bloc.template_id).values_list("pk", flat=True))
    ScoreEntry.objects.filter(sheet__bloc=bloc).exclude(criterion_id__in=criteria).delete()
    have = set(ScoreEntry.objects.filter(sheet__bloc=bloc).values_list("sheet_id", "criterion_id"))
    ScoreEntry.objects.bulk_create(
        [
            ScoreEntry(sheet_id=sheet_id, criterion_id=criterion_id)
            for sheet_id in ScoreSheet.objects.filter(bloc=bloc).values_list("pk", flat=True)
            for criterion_id in criteria
            if (sheet_id, criterion_id) not in have
        ]
    )
