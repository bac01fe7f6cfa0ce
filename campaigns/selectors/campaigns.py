"""Who may see which campaign and registration, and the reads the campaign pages share.

Access helpers answer 404 to outsiders (no role covering the launching unit, and not a participant of a
launched campaign) and 403 to insiders without the right, like organizations/access.py."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from organizations.models import Unit, UnitUserObjectPermission
from thiduakt.lib import permissions
from thiduakt.lib.vn import fold

from ..models import Campaign, Registration, RegistrationTarget

ANY_ROLE = permissions.UNIT_ROLES
EDITORS = permissions.EDITOR_ROLES
OFFICER = frozenset({Unit.Role.OFFICER})
HEAD = frozenset({Unit.Role.HEAD})


def _role_paths(user) -> list[str]:
    if not user.is_authenticated:
        return []
    return list(
        UnitUserObjectPermission.objects.filter(user=user, permission__codename__in=permissions.UNIT_ROLES)
        .values_list("content_object__path", flat=True)
        .distinct()
    )


def visible_campaigns(user):
    """Campaigns launched by units the user covers (drafts included), and launched campaigns whose scope
    reaches a unit the user covers. Admins see all."""
    if permissions.is_system_admin(user):
        return Campaign.objects.all()
    paths = _role_paths(user)
    if not paths:
        return Campaign.objects.none()
    ancestor_ids = {int(segment) for path in paths for segment in path.split("/") if segment}
    launched_by_covered = Q(pk__in=[])
    below_a_role = Q(pk__in=[])
    for path in paths:
        launched_by_covered |= Q(launching_unit__path__startswith=path)
        below_a_role |= Q(unit__path__startswith=path)
    # A chosen unit reaches the user when it is one of their units' ancestors or lies inside their subtree.
    chosen_hits = Campaign.chosen_units.through.objects.filter(Q(unit_id__in=ancestor_ids) | below_a_role)
    participant = Q(scope=Campaign.Scope.SUBTREE, launching_unit_id__in=ancestor_ids) | Q(
        scope=Campaign.Scope.CHOSEN, pk__in=chosen_hits.values("campaign_id")
    )
    return Campaign.objects.filter(launched_by_covered | (~Q(state=Campaign.State.DRAFT) & participant))


def get_campaign_for_user(request, pk, allowed: frozenset = ANY_ROLE, participants: bool = False) -> Campaign:
    """The campaign, for admins and holders of an `allowed` role covering the launching unit; with
    `participants`, also for anyone who sees the (launched) campaign through its scope."""
    campaign = get_object_or_404(Campaign.objects.select_related("launching_unit"), pk=pk)
    user = request.user
    if permissions.is_system_admin(user):
        return campaign
    held = permissions.unit_roles(user, campaign.launching_unit)
    if held & allowed:
        return campaign
    if held:
        raise PermissionDenied
    if visible_campaigns(user).filter(pk=campaign.pk).exists():
        if participants:
            return campaign
        raise PermissionDenied
    raise Http404


def unit_in_scope(campaign: Campaign, unit: Unit) -> bool:
    if campaign.scope == Campaign.Scope.SUBTREE:
        return unit.path.startswith(campaign.launching_unit.path)
    return any(unit.path.startswith(chosen.path) for chosen in campaign.chosen_units.all())


def scope_units(campaign: Campaign):
    """Units that may register: the launching unit's subtree, or the chosen units and their subtrees."""
    if campaign.scope == Campaign.Scope.SUBTREE:
        return Unit.objects.filter(path__startswith=campaign.launching_unit.path)
    query = Q(pk__in=[])
    for path in campaign.chosen_units.values_list("path", flat=True):
        query |= Q(path__startswith=path)
    return Unit.objects.filter(query)


def get_registration_unit_for_user(request, campaign: Campaign, unit_pk) -> tuple[Unit, set[str]]:
    """The registering unit and the roles the user holds on it (admins: every editor role).

    The campaign must be launched and the unit in its scope, and the user must cover the unit or the
    launching unit; otherwise 404."""
    unit = get_object_or_404(Unit, pk=unit_pk)
    if campaign.state == Campaign.State.DRAFT or not unit_in_scope(campaign, unit):
        raise Http404
    if permissions.is_system_admin(request.user):
        return unit, set(EDITORS)
    held = permissions.unit_roles(request.user, unit)
    if not held and not permissions.unit_roles(request.user, campaign.launching_unit):
        raise Http404
    return unit, held


def get_registration_for_user(request, pk, allowed: frozenset) -> Registration:
    """A registration, for admins and holders of an `allowed` role covering its unit; 403 for those who
    cover its unit or the launching unit otherwise; 404 for everyone else."""
    registration = get_object_or_404(
        Registration.objects.select_related("unit", "campaign", "campaign__launching_unit"), pk=pk
    )
    user = request.user
    if permissions.is_system_admin(user):
        return registration
    held = permissions.unit_roles(user, registration.unit)
    if held & allowed:
        return registration
    if held or permissions.unit_roles(user, registration.campaign.launching_unit):
        raise PermissionDenied
    raise Http404


def officer_units_in_scope(user, campaign: Campaign):
    """Units where the user holds the officer role directly and that may register: the register links."""
    if campaign.state == Campaign.State.DRAFT or not user.is_authenticated:
        return []
    units = Unit.objects.filter(
        pk__in=UnitUserObjectPermission.objects.filter(user=user, permission__codename=Unit.Role.OFFICER).values(
            "content_object_id"
        )
    ).order_by("path")
    chosen = list(campaign.chosen_units.all()) if campaign.scope == Campaign.Scope.CHOSEN else []
    roots = [campaign.launching_unit.path] if campaign.scope == Campaign.Scope.SUBTREE else [u.path for u in chosen]
    return [unit for unit in units if any(unit.path.startswith(root) for root in roots)]


def campaign_progress(campaign: Campaign) -> dict:
    """Units in scope, and registrations by state (two queries)."""
    counts = campaign.registrations.aggregate(
        registered=Count("pk", filter=~Q(state=Registration.State.NOT_SENT)),
        awaiting=Count("pk", filter=Q(state=Registration.State.AWAITING_APPROVAL)),
        returned=Count("pk", filter=Q(state=Registration.State.RETURNED)),
        approved=Count("pk", filter=Q(state=Registration.State.APPROVED)),
    )
    counts["in_scope"] = scope_units(campaign).filter(valid_to__isnull=True).count()
    return counts


def consolidated_rows(campaign: Campaign, *, state: str = "", query: str = ""):
    """Units in scope with their registration's pk, state and target count; a unit without a registration
    is "not sent"."""
    registrations = Registration.objects.filter(campaign=campaign, unit=OuterRef("pk"))
    units = (
        scope_units(campaign)
        .filter(valid_to__isnull=True)
        .annotate(
            registration_pk=Subquery(registrations.values("pk")[:1], output_field=IntegerField()),
            registration_state=Subquery(registrations.values("state")[:1]),
        )
        .order_by("path")
    )
    if state == Registration.State.NOT_SENT:
        units = units.filter(Q(registration_state__isnull=True) | Q(registration_state=state))
    elif state in Registration.State.values:
        units = units.filter(registration_state=state)
    if query:
        units = units.filter(Q(search_name__contains=fold(query)) | Q(code=query.strip()))
    return units


def consolidated_counts(campaign: Campaign) -> dict:
    counts = dict(campaign.registrations.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    in_scope = scope_units(campaign).filter(valid_to__isnull=True).count()
    sent = sum(n for s, n in counts.items() if s != Registration.State.NOT_SENT)
    return {
        Registration.State.NOT_SENT: in_scope - sent,
        Registration.State.AWAITING_APPROVAL: counts.get(Registration.State.AWAITING_APPROVAL, 0),
        Registration.State.RETURNED: counts.get(Registration.State.RETURNED, 0),
        Registration.State.APPROVED: counts.get(Registration.State.APPROVED, 0),
    }


def targets_by_registration(registration_pks) -> dict[int, list[RegistrationTarget]]:
    targets: dict[int, list[RegistrationTarget]] = {}
    rows = (
        RegistrationTarget.objects.filter(registration_id__in=list(registration_pks))
        .select_related("person")
        .order_by("registration_id", "person__search_name", "award_code")
    )
    for target in rows:
        targets.setdefault(target.registration_id, []).append(target)
    return targets


def registration_dates(registration_pks) -> dict[int, Registration]:
    return {
        r.pk: r
        for r in Registration.objects.filter(pk__in=list(registration_pks)).only(
            "pk", "submitted_at", "approved_at", "return_reason"
        )
    }


def announced_amendments(campaign: Campaign) -> list[dict]:
    """The campaign's amendments with readable changes: (field label, old date, new date)."""
    labels = {name: Campaign._meta.get_field(name).verbose_name for name in Campaign.FROZEN_FIELDS}
    return [
        {
            "amendment": amendment,
            "changes": [
                (labels.get(name, name), _as_date(old), _as_date(new)) for name, (old, new) in amendment.changes.items()
            ],
        }
        for amendment in campaign.amendments.select_related("made_by")
    ]


def _as_date(value):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return value
