"""Who may see and change a nomination. Like organizations.access: the helper returns the object or answers 404
to outsiders (they must not learn the nomination exists) and 403 to insiders without the right.

A user's relations to a nomination: the unit roles they hold on its proposing unit (officer, head, viewer,
signer; through an ancestor too), "secretariat" when they serve a council on its route, "admin" for system
admins, who may do everything."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from thiduakt.lib import permissions

from .models import Nomination, Submission

SECRETARIAT = permissions.SECRETARIAT
ADMIN = "admin"
# Everyone who may read the dossier: the proposing unit (any role) and the councils it climbs through.
READERS = frozenset({*permissions.UNIT_ROLES, SECRETARIAT})
# Who writes the dossier while it is with the proposing unit.
EDITORS = permissions.EDITOR_ROLES


def nomination_relations(user, nomination: Nomination) -> frozenset[str]:
    if permissions.is_system_admin(user):
        return frozenset({ADMIN})
    if not user.is_authenticated:
        return frozenset()
    relations = set(permissions.unit_roles(user, nomination.proposing_unit))
    if permissions.secretariat_councils(user).filter(stages__nomination=nomination).exists():
        relations.add(SECRETARIAT)
    return frozenset(relations)


def get_nomination_for_user(request, pk, allowed: frozenset = READERS) -> Nomination:
    """The nomination, with `relations` set to what the user is to it (templates show buttons from it)."""
    nomination = get_object_or_404(
        Nomination.objects.select_related("award_type", "proposing_unit", "person", "unit", "household"), pk=pk
    )
    relations = nomination_relations(request.user, nomination)
    if not relations:
        raise Http404
    if ADMIN not in relations and not relations & allowed:
        raise PermissionDenied
    nomination.relations = relations
    return nomination


def may_edit_dossier(nomination: Nomination) -> bool:
    """For a nomination returned by `get_nomination_for_user`: may this user add and remove documents?
    (The state is the service's business; this is only about who.)"""
    return bool(nomination.relations & (EDITORS | {ADMIN}))


def get_submission_for_user(request, pk, allowed: frozenset = permissions.UNIT_ROLES):
    """The proposal letter, with `relations` set: the unit roles covering its unit (or "admin"). Outsiders get
    404, holders of other roles 403, as for nominations."""
    submission = get_object_or_404(Submission.objects.select_related("unit"), pk=pk)
    if permissions.is_system_admin(request.user):
        relations = frozenset({ADMIN})
    else:
        relations = frozenset(permissions.unit_roles(request.user, submission.unit))
    if not relations:
        raise Http404
    if ADMIN not in relations and not relations & allowed:
        raise PermissionDenied
    submission.relations = relations
    return submission
