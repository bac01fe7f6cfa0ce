"""Reads on blocs shared by views, exports and services: who is what to a bloc, the blocs a user sees,
and the ranking computed from the verified scores.

Relations to a bloc come from unit roles, which cover subtrees: the organiser is an officer or head covering
the organising unit; a member user holds any role covering a member unit; the leader (and, for the leader's
own sheet, the deputy) is an officer or head covering that unit. Everyone else is an outsider and gets 404."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from organizations.models import Unit, UnitUserObjectPermission
from thiduakt.lib import permissions

from ..models import Bloc, BlocMembership, ScoreCriterion, ScoreSheet, ScoreTemplate

ZERO = Decimal("0")


def role_paths(user) -> list[tuple[str, str]]:
    """(unit path, role) for every unit role the user holds directly (one query)."""
    if not user.is_authenticated or not user.is_active:
        return []
    return list(
        UnitUserObjectPermission.objects.filter(user=user, permission__codename__in=permissions.UNIT_ROLES).values_list(
            "content_object__path", "permission__codename"
        )
    )


def _covers(paths, unit: Unit, roles=permissions.UNIT_ROLES) -> bool:
    return any(unit.path.startswith(path) for path, role in paths if role in roles)


@dataclass
class BlocAccess:
    bloc: Bloc
    is_admin: bool = False
    organiser: bool = False
    leader: bool = False  # officer/head covering the leader unit
    deputy: bool = False  # officer/head covering the deputy unit
    member_units: set[int] = field(default_factory=set)  # member units covered by any role
    editor_units: set[int] = field(default_factory=set)  # member units covered as officer/head
    leader_unit_id: int | None = None
    deputy_unit_id: int | None = None

    @property
    def related(self) -> bool:
        return self.is_admin or self.organiser or self.leader or self.deputy or bool(self.member_units)

    @property
    def manages(self) -> bool:
        """Organiser or admin: edits the bloc, locks the sheets, records the result."""
        return self.is_admin or self.organiser

    @property
    def sees_all_sheets(self) -> bool:
        return self.manages or self.leader

    @property
    def sees_ranking(self) -> bool:
        """Members see the ranking once the sheets are locked; before that only who checks or organises."""
        return self.sees_all_sheets or (self.bloc.sheets_locked_at is not None and bool(self.member_units))

    @property
    def may_record_pledge(self) -> bool:
        return self.manages or self.leader

    def sees_sheet(self, sheet: ScoreSheet) -> bool:
        if self.sees_all_sheets or sheet.unit_id in self.member_units:
            return True
        return self.deputy and sheet.unit_id == self.leader_unit_id

    def fills_sheet(self, sheet: ScoreSheet) -> bool:
        return self.is_admin or sheet.unit_id in self.editor_units

    def verifies_sheet(self, sheet: ScoreSheet) -> bool:
        """The leader cross-checks every sheet but its own, which the deputy checks."""
        if self.is_admin:
            return True
        if sheet.unit_id == self.leader_unit_id and self.deputy_unit_id is not None:
            return self.deputy
        return self.leader


def bloc_access(user, bloc: Bloc, memberships=None) -> BlocAccess:
    """`memberships` may be passed already loaded (with their units) to save a query."""
    if memberships is None:
        memberships = list(bloc.memberships.select_related("unit"))
    access = BlocAccess(bloc=bloc)
    for membership in memberships:
        if membership.role == BlocMembership.Role.LEADER:
            access.leader_unit_id = membership.unit_id
        elif membership.role == BlocMembership.Role.DEPUTY:
            access.deputy_unit_id = membership.unit_id
    if permissions.is_system_admin(user):
        access.is_admin = True
        access.member_units = {m.unit_id for m in memberships}
        access.editor_units = set(access.member_units)
        return access
    paths = role_paths(user)
    if not paths:
        return access
    editors = permissions.EDITOR_ROLES
    access.organiser = _covers(paths, bloc.organising_unit, editors)
    for membership in memberships:
        if _covers(paths, membership.unit):
            access.member_units.add(membership.unit_id)
        if _covers(paths, membership.unit, editors):
            access.editor_units.add(membership.unit_id)
            if membership.role == BlocMembership.Role.LEADER:
                access.leader = True
            elif membership.role == BlocMembership.Role.DEPUTY:
                access.deputy = True
    return access


def get_bloc_for_user(request, pk, *, need: str = "related", for_update_queryset=None):
    """The bloc and the user's access to it: 404 to outsiders, 403 to insiders without `need` (an attribute
    of BlocAccess: "related", "manages", "sees_ranking", "may_record_pledge")."""
    bloc = get_object_or_404(
        Bloc.objects.select_related("organising_unit", "template", "previous", "pledge", "result"), pk=pk
    )
    memberships = list(bloc.memberships.select_related("unit").order_by("unit__name"))
    access = bloc_access(request.user, bloc, memberships)
    if not access.related:
        raise Http404
    if not getattr(access, need):
        raise PermissionDenied
    access.memberships = memberships
    return bloc, access


def get_sheet_for_user(request, pk, *, need: str = "sees_sheet"):
    """A score sheet the user may see (404 otherwise, also to members of the bloc who may not see it: other
    members' sheets are not theirs to know before the lock); 403 when seen but `need` is refused."""
    sheet = get_object_or_404(
        ScoreSheet.objects.select_related("bloc__organising_unit", "bloc__template", "unit"), pk=pk
    )
    access = bloc_access(request.user, sheet.bloc)
    if not access.related or not access.sees_sheet(sheet):
        raise Http404
    if need != "sees_sheet" and not getattr(access, need)(sheet):
        raise PermissionDenied
    return sheet, access


def visible_blocs(user):
    """Blocs the user organises (officer/head covering the organising unit) or belongs to (any role)."""
    if permissions.is_system_admin(user):
        return Bloc.objects.all()
    if not user.is_authenticated:
        return Bloc.objects.none()
    organised = permissions.covered_units_q(user, roles=permissions.EDITOR_ROLES, field="organising_unit__")
    member_units = Unit.objects.filter(permissions.covered_units_q(user))
    belongs = Q(pk__in=BlocMembership.objects.filter(unit__in=member_units).values("bloc_id"))
    return Bloc.objects.filter(organised | belongs)


def visible_templates(user):
    """Templates of units the user organises for, and those used by blocs the user sees."""
    if permissions.is_system_admin(user):
        return ScoreTemplate.objects.all()
    own = permissions.covered_units_q(user, roles=permissions.EDITOR_ROLES, field="organising_unit__")
    used = Q(pk__in=visible_blocs(user).filter(template__isnull=False).values("template_id"))
    return ScoreTemplate.objects.filter(own | used)


def template_criteria(template: ScoreTemplate) -> list:
    """The template's groups with their criteria prefetched (two queries)."""
    return list(template.groups.prefetch_related("criteria").order_by("order", "pk"))


def may_organise_in(user, unit: Unit) -> bool:
    return permissions.is_system_admin(user) or bool(permissions.unit_roles(user, unit) & permissions.EDITOR_ROLES)


# Ranking ---------------------------------------------------------------------------------------------


@dataclass
class RankRow:
    sheet_id: int
    unit_id: int
    unit_code: str
    unit_name: str
    state: str
    self_total: Decimal
    normal: Decimal
    bonus: Decimal
    penalty: Decimal
    total: Decimal
    rank: int = 0
    tied: bool = False

    def as_json(self) -> dict:
        return {"unit": self.unit_id, "name": self.unit_name, "total": str(self.total), "rank": self.rank,
                "tied": self.tied}  # fmt: skip


def _points_sum(field_name: str, kind: str | None = None):
    condition = Q(entries__criterion__kind=kind) if kind else Q()
    zero = Value(ZERO, output_field=DecimalField(max_digits=9, decimal_places=2))
    if kind is None:
        # the self total, signed like the verified total: penalties subtract
        return Coalesce(
            Sum(f"entries__{field_name}", filter=~Q(entries__criterion__kind=ScoreCriterion.Kind.PENALTY)), zero
        ) - Coalesce(
            Sum(f"entries__{field_name}", filter=Q(entries__criterion__kind=ScoreCriterion.Kind.PENALTY)), zero
        )
    return Coalesce(Sum(f"entries__{field_name}", filter=condition), zero)


def bloc_ranking(bloc: Bloc) -> list[RankRow]:
    """Every member's totals from the verified points, ranked (one query).

    Each entry is already capped by its criterion's maximum (bonus and penalty items included: their maximum
    is their cap), so total = Σ normal + Σ bonus − Σ penalty. Ranks are dense, by total descending; units
    with equal totals share a rank and are flagged as tied, for the bloc meeting to settle."""
    sheets = (
        ScoreSheet.objects.filter(bloc=bloc)
        .select_related("unit")
        .annotate(
            normal=_points_sum("verified_points", ScoreCriterion.Kind.NORMAL),
            bonus=_points_sum("verified_points", ScoreCriterion.Kind.BONUS),
            penalty=_points_sum("verified_points", ScoreCriterion.Kind.PENALTY),
            self_total=_points_sum("self_points"),
        )
    )
    rows = [
        RankRow(
            sheet_id=sheet.pk,
            unit_id=sheet.unit_id,
            unit_code=sheet.unit.code,
            unit_name=sheet.unit.name,
            state=sheet.state,
            self_total=sheet.self_total,
            normal=sheet.normal,
            bonus=sheet.bonus,
            penalty=sheet.penalty,
            total=sheet.normal + sheet.bonus - sheet.penalty,
        )
        for sheet in sheets
    ]
    rows.sort(key=lambda row: (-row.total, row.unit_name, row.unit_id))
    counts: dict[Decimal, int] = {}
    for row in rows:
        counts[row.total] = counts.get(row.total, 0) + 1
    rank, previous = 0, None
    for row in rows:
        if row.total != previous:
            rank, previous = rank + 1, row.total
        row.rank = rank
        row.tied = counts[row.total] > 1
    return rows


def ties(rows: list[RankRow]) -> list[list[RankRow]]:
    """Groups of units sharing a total, best first."""
    groups: dict[int, list[RankRow]] = {}
    for row in rows:
        if row.tied:
            groups.setdefault(row.rank, []).append(row)
    return [groups[rank] for rank in sorted(groups)]
