"""Every object-permission question and grant goes through this module (django-guardian underneath).

Unit roles (officer, head, viewer, signer) are permissions on a `Unit` and cover its whole subtree;
the secretariat role is a permission on a `Council`. System admins are superusers or members of the
`system_admin` group and see everything.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import assign_perm, remove_perm

from notifications.models import Notification
from organizations.models import (
    Council,
    CouncilMember,
    CouncilUserObjectPermission,
    Unit,
    UnitUserObjectPermission,
)

SYSTEM_ADMIN_GROUP = "system_admin"
SECRETARIAT = "secretariat"
UNIT_ROLES = frozenset(Unit.Role.values)
EDITOR_ROLES = frozenset({Unit.Role.OFFICER, Unit.Role.HEAD})


def role_label(codename: str) -> str:
    if codename == SECRETARIAT:
        return str(_("Secretariat"))
    return str(dict(Unit.Role.choices).get(codename, codename))


def is_system_admin(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_system_admin", None)
    if cached is None:
        cached = user.groups.filter(name=SYSTEM_ADMIN_GROUP).exists()
        user._is_system_admin = cached
    return cached


def set_system_admin(user, value: bool) -> None:
    group, _ = Group.objects.get_or_create(name=SYSTEM_ADMIN_GROUP)
    if value:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    user._is_system_admin = value


# Unit roles ------------------------------------------------------------------------------------------


def grant_unit_role(user, role: str, unit: Unit) -> bool:
    """Returns False when the user already held the role on that unit."""
    if role not in UNIT_ROLES:
        raise ValueError(f"unknown unit role {role!r}")
    if has_direct_unit_role(user, role, unit):
        return False
    assign_perm(f"organizations.{role}", user, unit)
    return True


def revoke_unit_role(user, role: str, unit: Unit) -> bool:
    """Returns False when the user did not hold the role on that unit."""
    if not has_direct_unit_role(user, role, unit):
        return False
    remove_perm(f"organizations.{role}", user, unit)
    return True


def has_direct_unit_role(user, role: str, unit: Unit) -> bool:
    return UnitUserObjectPermission.objects.filter(user=user, content_object=unit, permission__codename=role).exists()


def unit_roles(user, unit: Unit) -> set[str]:
    """Roles the user holds on the unit, directly or through an ancestor (one query)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    return set(
        UnitUserObjectPermission.objects.filter(
            user=user, content_object_id__in=unit.ancestor_ids, permission__codename__in=UNIT_ROLES
        ).values_list("permission__codename", flat=True)
    )


def role_assignments(user):
    """(role, unit) pairs granted directly to the user, for the home page and menus."""
    return (
        UnitUserObjectPermission.objects.filter(user=user, permission__codename__in=UNIT_ROLES)
        .select_related("content_object", "permission")
        .order_by("content_object__path", "permission__codename")
    )


def is_signer(user, unit: Unit) -> bool:
    """May sign the unit's decisions: the signer role held on the unit or an ancestor (one query)."""
    return Unit.Role.SIGNER in unit_roles(user, unit)


def may_edit_somewhere(user) -> bool:
    """True for admins and for anyone who is an officer or head of some unit."""
    return is_system_admin(user) or (
        user.is_authenticated
        and UnitUserObjectPermission.objects.filter(user=user, permission__codename__in=EDITOR_ROLES).exists()
    )


def may_check_eligibility(user) -> bool:
    """Admins, officers and heads of some unit, and council secretariats."""
    return may_edit_somewhere(user) or (user.is_authenticated and secretariat_councils(user).exists())


def role_holders(unit: Unit):
    """Who holds which role on the unit or one of its ancestors (one query)."""
    return (
        UnitUserObjectPermission.objects.filter(
            content_object_id__in=unit.ancestor_ids, permission__codename__in=UNIT_ROLES
        )
        .select_related("user", "permission", "content_object")
        .order_by("content_object__path", "permission__codename", "user__username")
    )


def direct_role_holders(unit_ids, roles=EDITOR_ROLES):
    """Who holds one of `roles` on these units themselves (not through an ancestor): the people who act for the
    unit, told of what happens to its nominations (one query)."""
    return (
        UnitUserObjectPermission.objects.filter(
            content_object_id__in=list(unit_ids), permission__codename__in=roles, user__is_active=True
        )
        .select_related("user", "permission")
        .order_by("content_object_id", "user__username")
    )


def covered_units_q(user, roles=UNIT_ROLES, field: str = "") -> Q:
    """A filter on units (or, with `field="unit__"`, on rows with a unit) inside the subtrees where the
    user holds one of `roles`. System admins see every unit."""
    if is_system_admin(user):
        return Q()
    if not user.is_authenticated:
        return Q(pk__in=[])
    paths = list(
        UnitUserObjectPermission.objects.filter(user=user, permission__codename__in=roles)
        .values_list("content_object__path", flat=True)
        .distinct()
    )
    query = Q(pk__in=[]) if not field else Q(**{f"{field}pk__in": []})
    for path in paths:
        query |= Q(**{f"{field}path__startswith": path})
    return query


# Councils --------------------------------------------------------------------------------------------


def grant_secretariat(user, council: Council) -> bool:
    if is_secretariat(user, council):
        return False
    assign_perm(f"organizations.{SECRETARIAT}", user, council)
    return True


def revoke_secretariat(user, council: Council) -> bool:
    if not is_secretariat(user, council):
        return False
    remove_perm(f"organizations.{SECRETARIAT}", user, council)
    return True


def is_secretariat(user, council: Council) -> bool:
    if not user.is_authenticated:
        return False
    return CouncilUserObjectPermission.objects.filter(
        user=user, content_object=council, permission__codename=SECRETARIAT
    ).exists()


def secretariat_users(council: Council):
    return (
        CouncilUserObjectPermission.objects.filter(content_object=council, permission__codename=SECRETARIAT)
        .select_related("user")
        .order_by("user__username")
    )


def secretariat_holders(council_ids):
    """The secretariat of each of these councils, active users only (one query)."""
    return CouncilUserObjectPermission.objects.filter(
        content_object_id__in=list(council_ids), permission__codename=SECRETARIAT, user__is_active=True
    ).select_related("user")


def secretariat_councils(user):
    return Council.objects.filter(
        pk__in=CouncilUserObjectPermission.objects.filter(user=user, permission__codename=SECRETARIAT).values(
            "content_object_id"
        )
    ).select_related("unit")


def menu_roles(user) -> dict[str, bool | int]:
    """What the header's menu needs to know of a user, in one query: whether the user is an officer or head of some
    unit ("editor"), holds any role on a unit ("unit_role"), is secretariat of some council, a current member of
    one, or a signer somewhere, and how many of the user's notifications are unread ("unread")."""
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            editor=Exists(
                UnitUserObjectPermission.objects.filter(user=OuterRef("pk"), permission__codename__in=EDITOR_ROLES)
            ),
            unit_role=Exists(
                UnitUserObjectPermission.objects.filter(user=OuterRef("pk"), permission__codename__in=UNIT_ROLES)
            ),
            secretariat=Exists(
                CouncilUserObjectPermission.objects.filter(user=OuterRef("pk"), permission__codename=SECRETARIAT)
            ),
            member=Exists(CouncilMember.objects.filter(user=OuterRef("pk"), end__isnull=True)),
            signer=Exists(
                UnitUserObjectPermission.objects.filter(user=OuterRef("pk"), permission__codename=Unit.Role.SIGNER)
            ),
            unread=Coalesce(
                Subquery(
                    Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
                    .order_by()
                    .values("recipient")
                    .annotate(count=Count("pk"))
                    .values("count")
                ),
                0,
            ),
        )
        .values("editor", "unit_role", "secretariat", "member", "signer", "unread")
        .first()
    )
    return row or {
        "editor": False,
        "unit_role": False,
        "secretariat": False,
        "member": False,
        "signer": False,
        "unread": 0,
    }


def is_council_member(user, council: Council) -> bool:
    if not user.is_authenticated:
        return False
    return CouncilMember.objects.filter(council=council, user=user, end__isnull=True).exists()
