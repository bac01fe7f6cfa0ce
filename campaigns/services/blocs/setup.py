"""Blocs of a year: creation (from last year's bloc), changes, members with their leader and deputy, and the
pledge signed at the start of the year."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from organizations.models import Unit
from thiduakt.lib import uploads

from ...models import Bloc, BlocMembership, BlocResult, Pledge, ScoreSheet, ScoreTemplate
from ...selectors import blocs as selectors
from .common import (
    EVIDENCE_TYPES,
    BlocError,
    _lock_bloc,
    _require,
    _require_not_locked,
    _require_organiser,
    _sync_sheets,
    check_evidence,
)


def _check_year_dates(*, year: int, self_score_deadline: date | None, pledge_signed_on: date | None) -> None:
    if self_score_deadline is None:
        return
    if self_score_deadline.year not in (year, year + 1):
        raise BlocError(
            field_errors={
                "self_score_deadline": _("The self-score deadline must fall in %(year)s or early the year after.")
                % {"year": year}
            }
        )
    if pledge_signed_on and self_score_deadline < pledge_signed_on:
        raise BlocError(
            field_errors={
                "self_score_deadline": _(
                    "The self-score deadline cannot be before the bloc's launch (the pledge signed on %(date)s)."
                )
                % {"date": pledge_signed_on.strftime("%d/%m/%Y")}
            }
        )


def _pledge_of(bloc: Bloc) -> Pledge | None:
    return Pledge.objects.filter(bloc=bloc).first()


def _any_sheet_past_draft(bloc: Bloc) -> bool:
    return bloc.sheets.exclude(state=ScoreSheet.State.DRAFT).exists()


def _check_members(members, leader: Unit, deputy: Unit | None) -> None:
    member_ids = {unit.pk for unit in members}
    errors = {}
    if not member_ids:
        errors["members"] = _("A bloc needs at least one member.")
    if leader.pk not in member_ids:
        errors["leader"] = _("The bloc leader must be one of the members.")
    if deputy is not None and deputy.pk not in member_ids:
        errors["deputy"] = _("The deputy must be one of the members.")
    if deputy is not None and deputy.pk == leader.pk:
        errors["deputy"] = _("The deputy cannot be the leader too.")
    if errors:
        raise BlocError(field_errors=errors)


def _write_members(bloc: Bloc, members, leader: Unit, deputy: Unit | None) -> None:
    bloc.memberships.all().delete()
    roles = {leader.pk: BlocMembership.Role.LEADER}
    if deputy is not None:
        roles[deputy.pk] = BlocMembership.Role.DEPUTY
    BlocMembership.objects.bulk_create(
        [BlocMembership(bloc=bloc, unit=unit, role=roles.get(unit.pk, BlocMembership.Role.MEMBER)) for unit in members]
    )


def bloc_create(
    *,
    by,
    name: str,
    kind: str,
    year: int,
    organising_unit: Unit,
    members=None,
    leader: Unit | None = None,
    deputy: Unit | None = None,
    template: ScoreTemplate | None = None,
    self_score_deadline: date | None = None,
    previous: Bloc | None = None,
) -> Bloc:
    """A bloc for a year. Created from last year's bloc (`previous`), it keeps the link (the rotation history)
    and, unless told otherwise, its members and the leader and deputy elected at last year's meeting."""
    _require(
        selectors.may_organise_in(by, organising_unit), _("Only an officer or head of the organising unit may do this.")
    )
    with transaction.atomic():
        if previous is not None:
            previous = Bloc.objects.select_for_update(no_key=True).get(pk=previous.pk)
            _require(previous.year == year - 1, _("The previous bloc must be the same bloc of the year before."))
            _require(
                previous.organising_unit_id == organising_unit.pk,
                _("The previous bloc must be organised by the same unit."),
            )
            result = BlocResult.objects.filter(bloc=previous).select_related("next_leader", "next_deputy").first()
            if members is None:
                members = [m.unit for m in previous.memberships.select_related("unit")]
            if leader is None and result is not None:
                leader = result.next_leader
            if deputy is None and result is not None:
                deputy = result.next_deputy
        members = list(members or [])
        if leader is None:
            raise BlocError(field_errors={"leader": _("Choose the bloc leader.")})
        _check_members(members, leader, deputy)
        if template is not None:
            _require(
                template.organising_unit_id == organising_unit.pk,
                _("The score template must belong to the organising unit."),
            )
        _check_year_dates(year=year, self_score_deadline=self_score_deadline, pledge_signed_on=None)
        if Bloc.objects.filter(organising_unit=organising_unit, name=name, year=year).exists():
            raise BlocError(field_errors={"name": _("This unit already organises a bloc of that name for that year.")})
        bloc = Bloc.objects.create(
            name=name,
            kind=kind,
            year=year,
            organising_unit=organising_unit,
            previous=previous,
            template=template,
            self_score_deadline=self_score_deadline,
        )
        _write_members(bloc, members, leader, deputy)
        _sync_sheets(bloc)
        audit_record(
            actor=by,
            verb="bloc.created",
            obj=bloc,
            data={
                "name": name,
                "kind": kind,
                "year": year,
                "organising_unit": organising_unit.pk,
                "previous": previous.pk if previous else None,
                "template": template.pk if template else None,
                "self_score_deadline": self_score_deadline,
                "members": sorted(u.pk for u in members),
                "leader": leader.pk,
                "deputy": deputy.pk if deputy else None,
            },
        )
    return bloc


def bloc_update(
    *,
    by,
    bloc: Bloc,
    name: str,
    kind: str,
    template: ScoreTemplate | None,
    self_score_deadline: date | None,
) -> Bloc:
    """Name, kind, template and deadline. The template changes only while every sheet is a draft."""
    with transaction.atomic():
        bloc = _lock_bloc(bloc)
        _require_organiser(by, bloc)
        _require_not_locked(bloc)
        pledge = _pledge_of(bloc)
        _check_year_dates(
            year=bloc.year,
            self_score_deadline=self_score_deadline,
            pledge_signed_on=pledge.signed_on if pledge else None,
        )
        if template is not None:
            _require(
                template.organising_unit_id == bloc.organising_unit_id,
                _("The score template must belong to the organising unit."),
            )
        if template != bloc.template and _any_sheet_past_draft(bloc):
            raise BlocError(
                field_errors={"template": _("Sheets were already submitted: the score template can no longer change.")}
            )
        if (
            name != bloc.name
            and Bloc.objects.filter(organising_unit=bloc.organising_unit, name=name, year=bloc.year)
            .exclude(pk=bloc.pk)
            .exists()
        ):
            raise BlocError(field_errors={"name": _("This unit already organises a bloc of that name for that year.")})
        changed = {}
        for field_name, value in (
            ("name", name),
            ("kind", kind),
            ("template", template),
            ("self_score_deadline", self_score_deadline),
        ):
            old = getattr(bloc, field_name)
            if old != value:
                changed[field_name] = [getattr(old, "pk", old), getattr(value, "pk", value)]
                setattr(bloc, field_name, value)
        if changed:
            bloc.save(update_fields=list(changed))
            if "template" in changed:
                _sync_sheets(bloc)
            audit_record(actor=by, verb="bloc.updated", obj=bloc, data=changed)
    return bloc


def bloc_members_set(*, by, bloc: Bloc, members, leader: Unit, deputy: Unit | None) -> Bloc:
    """Members, leader and deputy of the year. A member whose sheet left the draft state stays."""
    members = list(members)
    with transaction.atomic():
        bloc = _lock_bloc(bloc)
        _require_organiser(by, bloc)
        _require_not_locked(bloc)
        _check_members(members, leader, deputy)
        before = list(bloc.memberships.order_by("unit_id").values_list("unit_id", "role"))
        kept = {unit.pk for unit in members}
        started = bloc.sheets.exclude(state=ScoreSheet.State.DRAFT).exclude(unit_id__in=kept).select_related("unit")
        if started:
            raise BlocError(
                field_errors={
                    "members": _("%(units)s already submitted a score sheet and cannot leave the bloc.")
                    % {"units": ", ".join(sheet.unit.name for sheet in started)}
                }
            )
        _write_members(bloc, members, leader, deputy)
        _sync_sheets(bloc)
        after = list(bloc.memberships.order_by("unit_id").values_list("unit_id", "role"))
        if before != after:
            audit_record(
                actor=by,
                verb="bloc.members_set",
                obj=bloc,
                data={"before": [list(pair) for pair in before], "after": [list(pair) for pair in after]},
            )
    return bloc


def pledge_record(*, by, bloc: Bloc, signed_on: date, targets: str, document=None) -> Pledge:
    """The pledge (giao ước) signed at the start of the year: by the organiser or the bloc leader."""
    today = timezone.localdate()
    errors = {}
    if signed_on > today:
        errors["signed_on"] = _("The signing date cannot be in the future.")
    elif not (bloc.year - 1 <= signed_on.year <= bloc.year + 1):
        errors["signed_on"] = _("The signing date must be within a year of the bloc's year %(year)s.") % {
            "year": bloc.year
        }
    if not targets.strip():
        errors["targets"] = _("Write the pledged targets.")
    if document is not None and (message := check_evidence(document)):
        errors["document"] = message
    if errors:
        raise BlocError(field_errors=errors)
    with transaction.atomic():
        bloc = _lock_bloc(bloc)
        access = selectors.bloc_access(by, bloc)
        _require(access.may_record_pledge, _("Only the organiser or the bloc leader may record the pledge."))
        _require_not_locked(bloc)
        if bloc.self_score_deadline and signed_on > bloc.self_score_deadline:
            raise BlocError(field_errors={"signed_on": _("The pledge cannot be signed after the self-score deadline.")})
        pledge = _pledge_of(bloc) or Pledge(bloc=bloc)
        pledge.signed_on = signed_on
        pledge.targets = targets.strip()
        if document is not None:
            document.seek(0)
            pledge.document.save(f"giao-uoc-{bloc.pk}.{EVIDENCE_TYPES[uploads.sniff_content_type(document)]}",
                                 document, save=False)  # fmt: skip
        pledge.save()
        audit_record(
            actor=by,
            verb="bloc.pledge_recorded",
            obj=bloc,
            data={"signed_on": signed_on, "targets": pledge.targets, "document": bool(pledge.document)},
        )
    return pledge
