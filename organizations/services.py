"""Every write on organisations: one function per action, one transaction, one audit event each."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from thiduakt.lib import permissions

from .bulk import employments_move, rewrite_subtree_paths
from .models import Council, CouncilMember, Employment, Household, Person, Unit


class OrganizationError(Exception):
    """A rule of the organisation refused the action; the message is shown to the user."""


def _changes(instance, fields: dict) -> dict:
    """Apply `fields` to `instance`; return {field: [old, new]} for those that changed."""
    changed = {}
    for name, value in fields.items():
        old = getattr(instance, name)
        if old != value:
            changed[name] = [_plain(old), _plain(value)]
            setattr(instance, name, value)
    return changed


def _plain(value):
    if hasattr(value, "pk"):
        return value.pk
    return value


# Units -----------------------------------------------------------------------------------------------


def unit_create(
    *,
    by,
    code: str,
    name: str,
    kind: str,
    level: str,
    parent: Unit | None = None,
    short_name: str = "",
    valid_from: date | None = None,
    valid_to: date | None = None,
    successor_of=(),
) -> Unit:
    with transaction.atomic():
        unit = Unit.objects.create(
            code=code,
            name=name,
            short_name=short_name,
            kind=kind,
            level=level,
            parent=parent,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        if successor_of:
            unit.successor_of.set(successor_of)
        audit_record(
            actor=by,
            verb="unit.created",
            obj=unit,
            data={
                "code": code,
                "name": name,
                "kind": kind,
                "level": level,
                "parent": parent.pk if parent else None,
                "successor_of": sorted(u.pk for u in successor_of),
            },
        )
    return unit


def unit_update(*, by, unit: Unit, successor_of=None, **fields) -> Unit:
    """Change a unit; moving it under another parent rewrites the paths of its whole subtree."""
    with transaction.atomic():
        unit = Unit.objects.select_for_update(no_key=True).get(pk=unit.pk)
        new_parent = fields.get("parent", unit.parent)
        if new_parent is not None and new_parent.path.startswith(unit.path):
            raise OrganizationError(_("A unit cannot be placed under itself or one of its own sub-units."))
        old_path = unit.path
        changed = _changes(unit, fields)
        if changed:
            unit.save()
            if unit.path != old_path:
                rewrite_subtree_paths(old_prefix=old_path, new_prefix=unit.path)
        if successor_of is not None:
            before = set(unit.successor_of.values_list("pk", flat=True))
            after = {u.pk for u in successor_of}
            if before != after:
                unit.successor_of.set(successor_of)
                changed["successor_of"] = [sorted(before), sorted(after)]
        if changed:
            audit_record(actor=by, verb="unit.updated", obj=unit, data=changed)
    return unit


# People ----------------------------------------------------------------------------------------------


def person_create(
    *,
    by,
    code: str,
    full_name: str,
    gender: str,
    unit: Unit,
    birth_date: date | None = None,
    position: str = "",
    position_kind: str = Person.PositionKind.OTHER,
) -> Person:
    with transaction.atomic():
        person = Person.objects.create(
            code=code,
            full_name=full_name,
            gender=gender,
            unit=unit,
            birth_date=birth_date,
            position=position,
            position_kind=position_kind,
        )
        Employment.objects.create(
            person=person, unit=unit, position=position, position_kind=position_kind, start=timezone.localdate()
        )
        audit_record(
            actor=by,
            verb="person.created",
            obj=person,
            data={
                "code": code,
                "full_name": full_name,
                "unit": unit.pk,
                "position": position,
                "position_kind": position_kind,
            },
        )
    return person


def person_update(*, by, person: Person, **fields) -> Person:
    """Change a person; a new unit or position closes the current employment and opens the next."""
    with transaction.atomic():
        person = Person.objects.select_for_update(no_key=True).get(pk=person.pk)
        changed = _changes(person, fields)
        if not changed:
            return person
        person.save()
        if {"unit", "position", "position_kind"} & changed.keys():
            employments_move([person], timezone.localdate())
        audit_record(actor=by, verb="person.updated", obj=person, data=changed)
    return person


# Households ------------------------------------------------------------------------------------------


def household_create(*, by, code: str, head_name: str, unit: Unit, address: str = "") -> Household:
    with transaction.atomic():
        household = Household.objects.create(code=code, head_name=head_name, unit=unit, address=address)
        audit_record(
            actor=by,
            verb="household.created",
            obj=household,
            data={
                "code": code,
                "head_name": head_name,
                "unit": unit.pk,
                "address": address,
            },
        )
    return household


def household_update(*, by, household: Household, **fields) -> Household:
    with transaction.atomic():
        household = Household.objects.select_for_update(no_key=True).get(pk=household.pk)
        changed = _changes(household, fields)
        if changed:
            household.save()
            audit_record(actor=by, verb="household.updated", obj=household, data=changed)
    return household


# Councils --------------------------------------------------------------------------------------------


def council_create(*, by, unit: Unit, name: str, established_on: date | None = None) -> Council:
    with transaction.atomic():
        council = Council.objects.create(unit=unit, name=name, established_on=established_on)
        audit_record(
            actor=by,
            verb="council.created",
            obj=council,
            data={
                "unit": unit.pk,
                "name": name,
                "established_on": established_on,
            },
        )
    return council


def council_update(*, by, council: Council, **fields) -> Council:
    with transaction.atomic():
        council = Council.objects.select_for_update(no_key=True).get(pk=council.pk)
        changed = _changes(council, fields)
        if changed:
            council.save()
            audit_record(actor=by, verb="council.updated", obj=council, data=changed)
    return council


def council_member_add(
    *, by, council: Council, user, role: str, voting: bool, start: date | None = None
) -> CouncilMember:
    with transaction.atomic():
        Council.objects.select_for_update(no_key=True).get(pk=council.pk)
        if CouncilMember.objects.filter(council=council, user=user, end__isnull=True).exists():
            raise OrganizationError(_("%(user)s is already a member of this council.") % {"user": user})
        member = CouncilMember.objects.create(
            council=council, user=user, role=role, voting=voting, start=start or timezone.localdate()
        )
        audit_record(
            actor=by,
            verb="council.member_added",
            obj=council,
            data={
                "user": user.get_username(),
                "role": role,
                "voting": voting,
            },
        )
    return member


def council_member_end(*, by, member: CouncilMember, end: date | None = None) -> CouncilMember:
    with transaction.atomic():
        member = (
            CouncilMember.objects.select_for_update(no_key=True).select_related("council", "user").get(pk=member.pk)
        )
        if member.end is not None:
            raise OrganizationError(_("This membership has already ended."))
        member.end = end or timezone.localdate()
        if member.start and member.end < member.start:
            raise OrganizationError(_("The end date cannot be before the start date."))
        member.save(update_fields=["end"])
        audit_record(
            actor=by,
            verb="council.member_ended",
            obj=member.council,
            data={
                "user": member.user.get_username(),
                "role": member.role,
                "end": member.end,
            },
        )
    return member


# Roles -----------------------------------------------------------------------------------------------


def role_grant(*, by, user, role: str, unit: Unit) -> None:
    with transaction.atomic():
        if not permissions.grant_unit_role(user, role, unit):
            raise OrganizationError(_("%(user)s already holds this role on %(unit)s.") % {"user": user, "unit": unit})
        audit_record(actor=by, verb="role.granted", obj=unit, data={"user": user.get_username(), "role": role})


def role_revoke(*, by, user, role: str, unit: Unit) -> None:
    with transaction.atomic():
        if not permissions.revoke_unit_role(user, role, unit):
            raise OrganizationError(_("%(user)s does not hold this role on %(unit)s.") % {"user": user, "unit": unit})
        audit_record(actor=by, verb="role.revoked", obj=unit, data={"user": user.get_username(), "role": role})


def secretariat_grant(*, by, user, council: Council) -> None:
    with transaction.atomic():
        if not permissions.grant_secretariat(user, council):
            raise OrganizationError(
                _("%(user)s is already in the secretariat of %(council)s.") % {"user": user, "council": council}
            )
        audit_record(actor=by, verb="secretariat.granted", obj=council, data={"user": user.get_username()})


def secretariat_revoke(*, by, user, council: Council) -> None:
    with transaction.atomic():
        if not permissions.revoke_secretariat(user, council):
            raise OrganizationError(
                _("%(user)s is not in the secretariat of %(council)s.") % {"user": user, "council": council}
            )
        audit_record(actor=by, verb="secretariat.revoked", obj=council, data={"user": user.get_username()})
