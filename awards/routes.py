"""The route of a nomination: which councils it passes, bottom up, and which of them decides.

The rule:
1. The authority row of the award type in force on the date (valid_from <= date < valid_to) gives the deciding
   level; none in force is a RouteError (an admin must complete the table, awards/views/authorities.py).
2. The proposing unit and its ancestors, bottom up, read off the materialised path: every one with an active
   council on the date (established on or before it, not dissolved on or before it) is a stage; units without
   a council are skipped. One unit with several active councils counts once, with the oldest council.
3. The route stops at the first stage whose unit can decide at that level:
   - grassroots: a unit of level grassroots or commune, or a department, school, enterprise or commune
     (heads of units with legal personality and of provincial departments, Art. 80(1), (4) Law 06/2022; the
     commune chair, Art. 80(3) and Decree 129/2025). A hamlet never decides: it has no legal personality.
     In practice this is the first stage.
   - commune: a commune (kind or level): the commune chair (Decree 129/2025).
   - province: a province or a ministry (Art. 79).
   - national: the first province or ministry, which does not decide: it forwards to the central level,
     outside this system (Arts 78, 83). Its stage has decides=False.
4. No stage able to decide (or, for national, to forward) is a RouteError.

Two queries whatever the depth: the authority row, and the councils of the ancestors with their units."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from audit.services import audit_record
from awards.models import Authority, AwardType
from organizations.models import Council, Unit


class RouteError(Exception):
    """No route can be computed; the message says why, for the user."""


class AuthorityError(Exception):
    """An authority version that cannot be recorded; the message says why, for the user."""


@dataclass(frozen=True)
class RouteStep:
    council: Council
    decides: bool
    unit: Unit


HEAD_OF_UNIT_KINDS = {Unit.Kind.DEPARTMENT, Unit.Kind.SCHOOL, Unit.Kind.ENTERPRISE, Unit.Kind.COMMUNE}


def _grassroots_decides(unit: Unit) -> bool:
    if unit.kind == Unit.Kind.HAMLET:
        return False
    return unit.kind in HEAD_OF_UNIT_KINDS or unit.level in {Unit.Level.GRASSROOTS, Unit.Level.COMMUNE}


def _commune_decides(unit: Unit) -> bool:
    return unit.kind == Unit.Kind.COMMUNE or unit.level == Unit.Level.COMMUNE


def _province_decides(unit: Unit) -> bool:
    return unit.kind in {Unit.Kind.PROVINCE, Unit.Kind.MINISTRY}


STOPS_AT = {
    Unit.Level.GRASSROOTS: _grassroots_decides,
    Unit.Level.COMMUNE: _commune_decides,
    Unit.Level.PROVINCE: _province_decides,
    Unit.Level.NATIONAL: _province_decides,
}


def authority_in_force(*, award_type: AwardType, on: date) -> Authority:
    authority = (
        Authority.objects.filter(award_type=award_type, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        .order_by("-valid_from")
        .first()
    )
    if authority is None:
        raise RouteError(
            _(
                "No deciding authority for %(award)s is recorded on %(date)s: "
                "a system administrator must add it to the authority table."
            )
            % {"award": award_type.name, "date": f"{on:%d/%m/%Y}"}
        )
    return authority


def active_councils(*, unit: Unit, on: date) -> list[Council]:
    """The active councils of the unit and its ancestors, bottom up, one per unit."""
    councils = (
        Council.objects.filter(unit_id__in=unit.ancestor_ids)
        .filter(Q(established_on__isnull=True) | Q(established_on__lte=on))
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on))
        .select_related("unit")
        .order_by("-unit__path", "established_on", "pk")
    )
    seen, result = set(), []
    for council in councils:
        if council.unit_id not in seen:
            seen.add(council.unit_id)
            result.append(council)
    return result


def compute_route(*, proposing_unit: Unit, award_type: AwardType, on: date) -> list[RouteStep]:
    authority = authority_in_force(award_type=award_type, on=on)
    level = authority.deciding_level
    stops_here = STOPS_AT[level]
    steps = []
    for council in active_councils(unit=proposing_unit, on=on):
        if stops_here(council.unit):
            steps.append(RouteStep(council=council, decides=level != Unit.Level.NATIONAL, unit=council.unit))
            return steps
        steps.append(RouteStep(council=council, decides=False, unit=council.unit))
    raise RouteError(
        _(
            "No emulation and commendation council with authority is on the route of the unit %(unit)s: "
            "%(award)s is decided at the level “%(level)s”."
        )
        % {"unit": proposing_unit.name, "award": award_type.name, "level": authority.get_deciding_level_display()}
    )


def authority_set(
    *, by, award_type: AwardType, deciding_level: str, valid_from: date, legal_basis: str = ""
) -> Authority:
    """A new version of who decides the award type from `valid_from` on; the latest version ends that day.

    Routes already computed keep their stages: only routes computed for a date from `valid_from` on change."""
    with transaction.atomic():
        # Two admins changing the same award type queue here, so both see the latest version.
        AwardType.objects.select_for_update(no_key=True).filter(pk=award_type.pk).get()
        latest = Authority.objects.filter(award_type=award_type).order_by("-valid_from").first()
        if latest is not None and valid_from <= latest.valid_from:
            raise AuthorityError(
                _("The new version must start after %(date)s, the start of the latest version.")
                % {"date": f"{latest.valid_from:%d/%m/%Y}"}
            )
        if latest is not None and (latest.valid_to is None or latest.valid_to > valid_from):
            latest.valid_to = valid_from
            latest.save(update_fields=["valid_to"])
        authority = Authority.objects.create(
            award_type=award_type, deciding_level=deciding_level, valid_from=valid_from, legal_basis=legal_basis
        )
        audit_record(
            actor=by,
            verb="authority.changed",
            obj=authority,
            data={
                "award_type": award_type.code,
                "deciding_level": deciding_level,
                "valid_from": valid_from,
                "legal_basis": legal_basis,
                "previous": (
                    {"id": latest.pk, "deciding_level": latest.deciding_level, "valid_from": latest.valid_from}
                    if latest
                    else None
                ),
            },
        )
    return authority
