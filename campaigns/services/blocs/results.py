"""The year-end meeting: the ranking recorded with the units proposed for the flag and the certificate of
merit, how ties were settled, and next year's leader and deputy."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from organizations.models import Unit

from ...models import Bloc, BlocResult
from ...selectors import blocs as selectors
from .common import BlocError, _lock_bloc, _require, _require_organiser


def _check_result(rows, flag_unit: Unit, merit_units, tie_resolution: str) -> dict:
    by_unit = {row.unit_id: row for row in rows}
    errors = {}
    if flag_unit.pk not in by_unit:
        errors["flag_unit"] = _("The unit proposed for the flag must be a member of the bloc.")
    elif by_unit[flag_unit.pk].rank != 1:
        errors["flag_unit"] = _("The unit proposed for the emulation flag must have the highest score.")
    merit_ids = {unit.pk for unit in merit_units}
    if merit_ids - by_unit.keys():
        errors["merit_units"] = _("Units proposed for the certificate of merit must be members of the bloc.")
    elif flag_unit.pk in merit_ids:
        errors["merit_units"] = _("The flag unit is not proposed for the certificate of merit as well.")
    if errors:
        return errors
    chosen = merit_ids | {flag_unit.pk}
    others = [row for row in rows if row.unit_id not in chosen]
    best_other = max((row.total for row in others), default=None)
    worst_merit = min((by_unit[pk].total for pk in merit_ids), default=None)
    if worst_merit is not None and best_other is not None and worst_merit < best_other:
        errors["merit_units"] = _("The certificate of merit goes to the next ranks: a higher-ranked unit was left out.")
        return errors
    tie_at_top = sum(1 for row in rows if row.rank == 1) > 1
    cut = worst_merit if worst_merit is not None else by_unit[flag_unit.pk].total
    tie_at_cut = best_other is not None and best_other == cut
    if (tie_at_top or tie_at_cut) and not tie_resolution.strip():
        errors["tie_resolution"] = _("Units are tied: record how the bloc meeting settled the tie.")
    return errors


def result_record(
    *,
    by,
    bloc: Bloc,
    meeting_on: date,
    flag_unit: Unit,
    merit_units=(),
    next_leader: Unit | None = None,
    next_deputy: Unit | None = None,
    tie_resolution: str = "",
) -> BlocResult:
    """The year-end meeting: the leading unit proposed for the flag (CO_TINH), the next ones for the
    certificate of merit (BK_TINH), how ties were settled, and next year's leader and deputy."""
    merit_units = list(merit_units)
    with transaction.atomic():
        bloc = _lock_bloc(bloc)
        _require_organiser(by, bloc)
        _require(bloc.sheets_locked_at is not None, _("Lock the score sheets before recording the result."))
        rows = selectors.bloc_ranking(bloc)
        errors = _check_result(rows, flag_unit, merit_units, tie_resolution)
        if meeting_on > timezone.localdate():
            errors["meeting_on"] = _("The meeting date cannot be in the future.")
        elif meeting_on < timezone.localtime(bloc.sheets_locked_at).date():
            errors["meeting_on"] = _("The meeting cannot be before the sheets were locked.")
        members = set(bloc.memberships.values_list("unit_id", flat=True))
        if next_leader is not None and next_leader.pk not in members:
            errors["next_leader"] = _("Next year's leader must be a member of the bloc.")
        if next_deputy is not None and next_deputy.pk not in members:
            errors["next_deputy"] = _("Next year's deputy must be a member of the bloc.")
        elif next_deputy is not None and next_leader is not None and next_deputy.pk == next_leader.pk:
            errors["next_deputy"] = _("The deputy cannot be the leader too.")
        if errors:
            raise BlocError(field_errors=errors)
        result, _created = BlocResult.objects.update_or_create(
            bloc=bloc,
            defaults={
                "ranking": [row.as_json() for row in rows],
                "tie_resolution": tie_resolution.strip(),
                "flag_unit": flag_unit,
                "next_leader": next_leader,
                "next_deputy": next_deputy,
                "meeting_on": meeting_on,
                "recorded_by": by,
            },
        )
        result.merit_units.set(merit_units)
        audit_record(
            actor=by,
            verb="bloc.result_recorded",
            obj=bloc,
            data={
                "meeting_on": meeting_on,
                "flag_unit": flag_unit.pk,
                "merit_units": sorted(unit.pk for unit in merit_units),
                "next_leader": next_leader.pk if next_leader else None,
                "next_deputy": next_deputy.pk if next_deputy else None,
                "tie_resolution": tie_resolution.strip(),
                "ranking": [row.as_json() for row in rows],
            },
        )
    return result
