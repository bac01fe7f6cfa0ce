"""Every write on emulation blocs: one function per action, one transaction, a row lock on the bloc or the
sheet, one audit event each. Rules are enforced here; the forms only shape the input."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record
from organizations.models import Unit
from thiduakt.lib import uploads

from .. import selectors_blocs as selectors
from ..models import (
    Bloc,
    BlocMembership,
    BlocResult,
    Pledge,
    ScoreCriterion,
    ScoreEntry,
    ScoreGroup,
    ScoreSheet,
    ScoreTemplate,
)

EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
EVIDENCE_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


class BlocError(Exception):
    """A rule refused the action; the message is shown to the user. `field_errors` maps form field names
    to messages shown next to those fields."""

    def __init__(self, message: str = "", field_errors: dict | None = None):
        self.field_errors = field_errors or {}
        super().__init__(message or " ".join(str(m) for m in self.field_errors.values()))


# Audit registry --------------------------------------------------------------------------------------


def fetch_bloc(request, pk):
    bloc, _access = selectors.get_bloc_for_user(request, pk, need="manages")
    return bloc, str(bloc), reverse("bloc_detail", args=[bloc.pk])


def fetch_sheet(request, pk):
    sheet, _access = selectors.get_sheet_for_user(request, pk)
    return sheet, str(sheet), reverse("sheet_detail", args=[sheet.pk])


VERB_LABELS = {
    "bloc.created": gettext_lazy("Emulation bloc created"),
    "bloc.updated": gettext_lazy("Emulation bloc changed"),
    "bloc.members_set": gettext_lazy("Bloc members and leaders set"),
    "bloc.pledge_recorded": gettext_lazy("Emulation pledge recorded"),
    "bloc.sheets_locked": gettext_lazy("Score sheets locked"),
    "bloc.result_recorded": gettext_lazy("Bloc result recorded"),
    "score_template.created": gettext_lazy("Score template created"),
    "score_template.edited": gettext_lazy("Score template edited"),
    "score_template.versioned": gettext_lazy("Score template: new version"),
    "score_sheet.saved": gettext_lazy("Self scores saved"),
    "score_sheet.submitted": gettext_lazy("Score sheet submitted"),
    "score_sheet.verified": gettext_lazy("Score sheet cross-checked"),
}

OBJECT_TYPES = {
    "campaigns.bloc": fetch_bloc,
    "campaigns.scoresheet": fetch_sheet,
}


# Helpers ---------------------------------------------------------------------------------------------


def _lock_bloc(bloc: Bloc) -> Bloc:
    return (
        Bloc.objects.select_for_update(no_key=True, of=("self",))
        .select_related("organising_unit", "template")
        .get(pk=bloc.pk)
    )


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise BlocError(message)


def _require_organiser(by, bloc: Bloc) -> None:
    _require(
        selectors.may_organise_in(by, bloc.organising_unit),
        _("Only an officer or head of the organising unit may do this."),
    )


def _require_not_locked(bloc: Bloc) -> None:
    _require(bloc.sheets_locked_at is None, _("The score sheets of this bloc are locked."))


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


def check_points(points, criterion: ScoreCriterion) -> str | None:
    """The message for points outside 0..maximum, or None."""
    if points is None:
        return None
    if points < 0:
        return _("Points cannot be negative.")
    if points > criterion.max_points:
        return _("At most %(max)s points for this criterion.") % {"max": _fmt(criterion.max_points)}
    return None


def check_evidence(upload) -> str | None:
    """The message for an evidence file that is too large or not a PDF, JPEG or PNG by content, or None."""
    if upload.size > EVIDENCE_MAX_BYTES:
        return _("The evidence file is larger than 20 MB.")
    if uploads.sniff_content_type(upload) not in EVIDENCE_TYPES:
        return _("Evidence must be a PDF, JPEG or PNG file.")
    return None


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


def _sync_sheets(bloc: Bloc) -> None:
    """One sheet per member, one entry per criterion of the bloc's template. Sheets of units no longer
    members are deleted (only drafts reach here); entries of another template are replaced."""
    members = list(bloc.memberships.values_list("unit_id", flat=True))
    ScoreSheet.objects.filter(bloc=bloc).exclude(unit_id__in=members).delete()
    if bloc.template_id is None:
        ScoreEntry.objects.filter(sheet__bloc=bloc).delete()
        return
    existing = set(ScoreSheet.objects.filter(bloc=bloc).values_list("unit_id", flat=True))
    ScoreSheet.objects.bulk_create(
        [ScoreSheet(bloc=bloc, unit_id=unit_id) for unit_id in members if unit_id not in existing]
    )
    criteria = list(ScoreCriterion.objects.filter(group__template_id=bloc.template_id).values_list("pk", flat=True))
    ScoreEntry.objects.filter(sheet__bloc=bloc).exclude(criterion_id__in=criteria).delete()
    have = set(ScoreEntry.objects.filter(sheet__bloc=bloc).values_list("sheet_id", "criterion_id"))
    ScoreEntry.objects.bulk_create(
        [
            ScoreEntry(sheet_id=sheet_id, criterion_id=criterion_id)
            for sheet_id in ScoreSheet.objects.filter(bloc=bloc).values_list("pk", flat=True)
            for criterion_id in criteria
            if (sheet_id, criterion_id) not in have
        ]
    )


def _any_sheet_past_draft(bloc: Bloc) -> bool:
    return bloc.sheets.exclude(state=ScoreSheet.State.DRAFT).exists()


# Blocs -----------------------------------------------------------------------------------------------


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


# Score templates -------------------------------------------------------------------------------------


def _check_groups(groups: list[dict]) -> None:
    """groups: [{"title": str, "criteria": [{"text": str, "kind": str, "max_points": Decimal}]}]"""
    if not groups or not any(group["criteria"] for group in groups):
        raise BlocError(field_errors={"content": _("A score template needs at least one criterion.")})
    for group in groups:
        for criterion in group["criteria"]:
            if criterion["max_points"] <= 0:
                raise BlocError(field_errors={"content": _("Every criterion needs a maximum above zero.")})
            if criterion["kind"] not in ScoreCriterion.Kind.values:
                raise BlocError(field_errors={"content": _("Unknown kind of criterion.")})


def _write_groups(template: ScoreTemplate, groups: list[dict]) -> None:
    for group_order, group in enumerate(groups, start=1):
        score_group = ScoreGroup.objects.create(template=template, order=group_order, title=group["title"])
        ScoreCriterion.objects.bulk_create(
            [
                ScoreCriterion(
                    group=score_group,
                    order=order,
                    text=criterion["text"],
                    kind=criterion["kind"],
                    max_points=criterion["max_points"],
                )
                for order, criterion in enumerate(group["criteria"], start=1)
            ]
        )


def _groups_data(groups: list[dict]) -> list:
    return [
        {"title": g["title"], "criteria": [[c["text"], c["kind"], str(c["max_points"])] for c in g["criteria"]]}
        for g in groups
    ]


def template_create(*, by, organising_unit: Unit, name: str, groups: list[dict]) -> ScoreTemplate:
    _require(
        selectors.may_organise_in(by, organising_unit), _("Only an officer or head of the organising unit may do this.")
    )
    _check_groups(groups)
    with transaction.atomic():
        if ScoreTemplate.objects.filter(organising_unit=organising_unit, name=name).exists():
            raise BlocError(
                field_errors={"name": _("A template of that name exists: open it and save a new version instead.")}
            )
        template = ScoreTemplate.objects.create(organising_unit=organising_unit, name=name, version=1)
        _write_groups(template, groups)
        audit_record(
            actor=by,
            verb="score_template.created",
            obj=template,
            data={"organising_unit": organising_unit.pk, "name": name, "groups": _groups_data(groups)},
        )
    return template


def template_in_use(template: ScoreTemplate) -> bool:
    """Used by a bloc with a sheet past the draft state: such a version is never edited again."""
    return ScoreSheet.objects.filter(bloc__template=template).exclude(state=ScoreSheet.State.DRAFT).exists()


def template_new_version(*, by, template: ScoreTemplate, groups: list[dict]) -> ScoreTemplate:
    """A new version of the template (same unit and name); blocs keep the version they use."""
    _require(
        selectors.may_organise_in(by, template.organising_unit),
        _("Only an officer or head of the organising unit may do this."),
    )
    _check_groups(groups)
    with transaction.atomic():
        versions = ScoreTemplate.objects.select_for_update(no_key=True).filter(
            organising_unit=template.organising_unit, name=template.name
        )
        latest = max(v.version for v in versions)
        new = ScoreTemplate.objects.create(
            organising_unit=template.organising_unit, name=template.name, version=latest + 1
        )
        _write_groups(new, groups)
        audit_record(
            actor=by,
            verb="score_template.versioned",
            obj=new,
            data={"from": template.pk, "version": new.version, "groups": _groups_data(groups)},
        )
    return new


def template_edit(*, by, template: ScoreTemplate, groups: list[dict]) -> ScoreTemplate:
    """Edit in place while no bloc using it has a submitted sheet (draft entries are rebuilt, their self
    scores cleared); otherwise make a new version. Returns the template that holds the edit."""
    _require(
        selectors.may_organise_in(by, template.organising_unit),
        _("Only an officer or head of the organising unit may do this."),
    )
    _check_groups(groups)
    with transaction.atomic():
        template = ScoreTemplate.objects.select_for_update(no_key=True).get(pk=template.pk)
        blocs = list(Bloc.objects.select_for_update(no_key=True).filter(template=template))
        if template_in_use(template):
            return template_new_version(by=by, template=template, groups=groups)
        ScoreEntry.objects.filter(sheet__bloc__in=blocs).delete()
        template.groups.all().delete()
        _write_groups(template, groups)
        for bloc in blocs:
            _sync_sheets(bloc)
        audit_record(actor=by, verb="score_template.edited", obj=template, data={"groups": _groups_data(groups)})
    return template


# Score sheets ----------------------------------------------------------------------------------------


def _lock_sheet(sheet: ScoreSheet) -> ScoreSheet:
    # Lock order: bloc first, then sheet (sheets_lock takes the bloc and then all its sheets).
    Bloc.objects.select_for_update(no_key=True).get(pk=sheet.bloc_id)
    return (
        ScoreSheet.objects.select_for_update(no_key=True, of=("self",))
        .select_related("bloc__organising_unit", "unit")
        .get(pk=sheet.pk)
    )


def _entries(sheet: ScoreSheet) -> list[ScoreEntry]:
    return list(
        sheet.entries.select_related("criterion__group").order_by("criterion__group__order", "criterion__order")
    )


def _check_open_for_self_scores(sheet: ScoreSheet, today: date) -> None:
    _require_not_locked(sheet.bloc)
    _require(sheet.state == ScoreSheet.State.DRAFT, _("This sheet was already submitted: it can no longer change."))
    deadline = sheet.bloc.self_score_deadline
    if deadline is not None and today > deadline:
        raise BlocError(_("The self-score deadline (%(date)s) has passed.") % {"date": deadline.strftime("%d/%m/%Y")})


def sheet_save_self(*, by, sheet: ScoreSheet, points: dict, evidence: dict | None = None) -> ScoreSheet:
    """The member's self scores, {criterion pk: Decimal or None}, and evidence files {criterion pk: file}.
    Nothing is saved unless every value is acceptable."""
    evidence = evidence or {}
    with transaction.atomic():
        sheet = _lock_sheet(sheet)
        _require(selectors.bloc_access(by, sheet.bloc).fills_sheet(sheet), _("Only the member unit fills its sheet."))
        _check_open_for_self_scores(sheet, timezone.localdate())
        entries = {entry.criterion_id: entry for entry in _entries(sheet)}
        errors = {}
        for criterion_id, value in points.items():
            entry = entries.get(criterion_id)
            if entry is None:
                raise BlocError(_("This criterion is not on the sheet."))
            if message := check_points(value, entry.criterion):
                errors[f"points_{criterion_id}"] = message
        for criterion_id, upload in evidence.items():
            if criterion_id not in entries:
                raise BlocError(_("This criterion is not on the sheet."))
            if message := check_evidence(upload):
                errors[f"evidence_{criterion_id}"] = message
        if errors:
            raise BlocError(field_errors=errors)
        changed = {}
        for criterion_id, value in points.items():
            entry = entries[criterion_id]
            if entry.self_points != value:
                changed[str(criterion_id)] = [entry.self_points, value]
                entry.self_points = value
                entry.save(update_fields=["self_points"])
        for criterion_id, upload in evidence.items():
            entry = entries[criterion_id]
            extension = EVIDENCE_TYPES[uploads.sniff_content_type(upload)]
            if entry.evidence:
                entry.evidence.delete(save=False)
            entry.evidence.save(f"minh-chung-{sheet.pk}-{criterion_id}.{extension}", upload, save=False)
            entry.save(update_fields=["evidence"])
            changed[f"evidence_{criterion_id}"] = entry.evidence.name
        if changed:
            audit_record(actor=by, verb="score_sheet.saved", obj=sheet, data=changed)
    return sheet


def sheet_submit(*, by, sheet: ScoreSheet) -> ScoreSheet:
    """Send the sheet to the bloc leader; every criterion (not bonus or penalty items) must be scored."""
    with transaction.atomic():
        sheet = _lock_sheet(sheet)
        _require(selectors.bloc_access(by, sheet.bloc).fills_sheet(sheet), _("Only the member unit fills its sheet."))
        _check_open_for_self_scores(sheet, timezone.localdate())
        entries = _entries(sheet)
        _require(bool(entries), _("The bloc has no score template yet."))
        missing = [e for e in entries if e.criterion.kind == ScoreCriterion.Kind.NORMAL and e.self_points is None]
        if missing:
            raise BlocError(
                _("Score every criterion before submitting: %(count)s are empty.") % {"count": len(missing)}
            )
        ScoreEntry.objects.filter(sheet=sheet, self_points__isnull=True).update(self_points=Decimal("0"))
        sheet.state = ScoreSheet.State.SUBMITTED
        sheet.submitted_at = timezone.now()
        sheet.save(update_fields=["state", "submitted_at"])
        audit_record(actor=by, verb="score_sheet.submitted", obj=sheet, data={})
    return sheet


def sheet_verify(*, by, sheet: ScoreSheet, verified: dict) -> ScoreSheet:
    """The cross-check: {criterion pk: (points, comment)} for every criterion. A comment is required where
    the verified points differ from the self score. The sheet may be checked again until the lock."""
    with transaction.atomic():
        sheet = _lock_sheet(sheet)
        _require(
            selectors.bloc_access(by, sheet.bloc).verifies_sheet(sheet),
            _("Only the bloc leader cross-checks the sheets (the deputy checks the leader's own)."),
        )
        _require_not_locked(sheet.bloc)
        _require(
            sheet.state in (ScoreSheet.State.SUBMITTED, ScoreSheet.State.VERIFIED),
            _("Only a submitted sheet can be cross-checked."),
        )
        entries = _entries(sheet)
        errors = {}
        for entry in entries:
            value, comment = verified.get(entry.criterion_id, (None, ""))
            if value is None:
                errors[f"verified_{entry.criterion_id}"] = _("Enter the verified points.")
            elif message := check_points(value, entry.criterion):
                errors[f"verified_{entry.criterion_id}"] = message
            elif value != entry.self_points and not (comment or "").strip():
                errors[f"comment_{entry.criterion_id}"] = _(
                    "Explain why the verified points differ from the self score."
                )
        if errors:
            raise BlocError(field_errors=errors)
        changed = {}
        for entry in entries:
            value, comment = verified[entry.criterion_id]
            comment = (comment or "").strip()
            if entry.verified_points != value or entry.comment != comment:
                changed[str(entry.criterion_id)] = [value, comment]
                entry.verified_points, entry.comment = value, comment
                entry.save(update_fields=["verified_points", "comment"])
        sheet.state = ScoreSheet.State.VERIFIED
        sheet.verified_at = timezone.now()
        sheet.verified_by = by
        sheet.save(update_fields=["state", "verified_at", "verified_by"])
        audit_record(actor=by, verb="score_sheet.verified", obj=sheet, data=changed)
    return sheet


def sheets_lock(*, by, bloc: Bloc) -> Bloc:
    """The organiser locks every sheet once all are verified; the ranking is then final."""
    with transaction.atomic():
        bloc = _lock_bloc(bloc)
        _require_organiser(by, bloc)
        _require_not_locked(bloc)
        sheets = list(ScoreSheet.objects.select_for_update(no_key=True).filter(bloc=bloc).select_related("unit"))
        _require(bool(sheets), _("The bloc has no score sheets yet."))
        pending = [s.unit.name for s in sheets if s.state != ScoreSheet.State.VERIFIED]
        if pending:
            raise BlocError(
                _("Every sheet must be cross-checked before the lock; still waiting: %(units)s.")
                % {"units": ", ".join(pending)}
            )
        bloc.sheets_locked_at = timezone.now()
        bloc.save(update_fields=["sheets_locked_at"])
        ScoreSheet.objects.filter(bloc=bloc).update(state=ScoreSheet.State.LOCKED)
        audit_record(actor=by, verb="bloc.sheets_locked", obj=bloc, data={"sheets": len(sheets)})
    return bloc


# The year-end meeting --------------------------------------------------------------------------------


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
