"""Access helpers: each returns the object or answers 404 to outsiders and 403 to insiders without the right.

An outsider has no role covering the object: they must not learn that it exists."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from thiduakt.lib import permissions

from .models import Council, CouncilMember, Household, Person, Unit

ANY_ROLE = permissions.UNIT_ROLES
EDITORS = permissions.EDITOR_ROLES
ADMIN_ONLY = frozenset()


def _check(user, unit: Unit, allowed: frozenset) -> None:
    if permissions.is_system_admin(user):
        return
    held = permissions.unit_roles(user, unit)
    if not held:
        raise Http404
    if not held & allowed:
        raise PermissionDenied


def get_unit_for_user(request, pk, allowed: frozenset = ANY_ROLE) -> Unit:
    unit = get_object_or_404(Unit.objects.select_related("parent"), pk=pk)
    _check(request.user, unit, allowed)
    return unit


def get_person_for_user(request, pk, allowed: frozenset = ANY_ROLE) -> Person:
    person = get_object_or_404(Person.objects.select_related("unit", "user"), pk=pk)
    _check(request.user, person.unit, allowed)
    return person


def get_household_for_user(request, pk, allowed: frozenset = ANY_ROLE) -> Household:
    household = get_object_or_404(Household.objects.select_related("unit"), pk=pk)
    _check(request.user, household.unit, allowed)
    return household


def can_edit_in(user, unit: Unit) -> bool:
    return permissions.is_system_admin(user) or bool(permissions.unit_roles(user, unit) & EDITORS)


def council_relation(user, council: Council) -> str | None:
    """ "admin", "secretariat", "member", "unit" (a role covering the council's unit) or None."""
    if permissions.is_system_admin(user):
        return "admin"
    if permissions.is_secretariat(user, council):
        return "secretariat"
    if permissions.is_council_member(user, council):
        return "member"
    if permissions.unit_roles(user, council.unit):
        return "unit"
    return None


def get_council_for_user(request, pk, allowed: frozenset = frozenset({"admin", "secretariat", "member", "unit"})):
    council = get_object_or_404(Council.objects.select_related("unit"), pk=pk)
    relation = council_relation(request.user, council)
    if relation is None:
        raise Http404
    if relation not in allowed:
        raise PermissionDenied
    return council, relation


def visible_councils(user):
    if permissions.is_system_admin(user):
        return Council.objects.all()
    memberships = CouncilMember.objects.filter(user=user, end__isnull=True).values("council_id")
    return Council.objects.filter(
        permissions.covered_units_q(user, field="unit__")
        | Q(pk__in=memberships)
        | Q(pk__in=permissions.secretariat_councils(user).values("pk"))
    )


def require_admin(request) -> None:
    if not permissions.is_system_admin(request.user):
        raise PermissionDenied
