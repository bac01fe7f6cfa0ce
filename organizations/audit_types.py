"""The organisation objects whose audit trail can be browsed, and labels for the verbs this app records.

Registered with the audit app in OrganizationsConfig.ready(): heads of unit see the events of the units
and people they cover, the secretariat those of its council, admins everything."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import access
from .models import Unit

HEAD_ONLY = frozenset({Unit.Role.HEAD})
ADMIN_OR_SECRETARIAT = frozenset({"admin", "secretariat"})


def fetch_unit(request, pk):
    unit = access.get_unit_for_user(request, pk, allowed=HEAD_ONLY)
    return unit, unit.name, reverse("unit_detail", args=[unit.pk])


def fetch_person(request, pk):
    person = access.get_person_for_user(request, pk, allowed=HEAD_ONLY)
    return person, person.full_name, reverse("person_detail", args=[person.pk])


def fetch_council(request, pk):
    council, _relation = access.get_council_for_user(request, pk, allowed=ADMIN_OR_SECRETARIAT)
    return council, council.name, reverse("council_detail", args=[council.pk])


OBJECT_TYPES = {
    "organizations.unit": fetch_unit,
    "organizations.person": fetch_person,
    "organizations.council": fetch_council,
}

VERB_LABELS = {
    "unit.created": _("Unit created"),
    "unit.updated": _("Unit changed"),
    "person.created": _("Person created"),
    "person.updated": _("Person changed"),
    "household.created": _("Household created"),
    "household.updated": _("Household changed"),
    "council.created": _("Council created"),
    "council.updated": _("Council changed"),
    "council.member_added": _("Council member added"),
    "council.member_ended": _("Council membership ended"),
    "role.granted": _("Role granted"),
    "role.revoked": _("Role revoked"),
    "secretariat.granted": _("Added to the secretariat"),
    "secretariat.revoked": _("Removed from the secretariat"),
    "unit.imported_create": _("Unit imported"),
    "unit.imported_update": _("Unit updated by import"),
    "person.imported_create": _("Person imported"),
    "person.imported_update": _("Person updated by import"),
}
