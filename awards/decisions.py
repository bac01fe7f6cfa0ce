"""Award decision services (issue 7): draft a decision from the nominations an issuer's council passed, edit it,
preview the bonuses, issue it (number, frozen bonuses, award records, nominations awarded), revoke it whole or one
line, attach the signed scan.

Same shape as awards/nominations.py: keyword-only, one transaction, rows locked with select_for_update(no_key=True),
DecisionError (a NominationError) with a message for the user when an action is refused and nothing changed, one
audit event per action (and, on issue and revocation, one per nomination).

Lock order: the decision, then its nominations (by pk), then its lines, then the issuer's unit row when a number is
allocated (the house order of awards/nominations.py: nominations before the issuing unit).

Who acts (law-notes §3.1, §11.3): the issuer's staff drafts — the secretariat of a council of the issuer — and so
may its signers; only a signer of the issuer (the signer role on the issuer or an ancestor) or an admin issues
and revokes."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record, audit_record_many
from notifications import events as notification_events
from organizations.models import Unit
from thiduakt.lib import bulk, permissions, uploads
from thiduakt.lib.vn import fold

from . import selectors_decisions as selectors
from . import selectors_nominations
from .letters import place_name
from .models import AwardRecord, AwardType, BaseSalary, Decision, DecisionItem, Nomination
from .nominations import NominationError

State = Decision.State
Group = DecisionItem.Group
TEXT_FIELDS = ("title", "place", "issuer_title", "signer_title", "signer_name", "achievement", "symbol")
UPDATABLE_FIELDS = frozenset({*TEXT_FIELDS, "signing_mode", "legal_bases"})
ITEM_FIELDS = ("recipient_name", "recipient_position", "recipient_unit", "register_number")
# Offset that moves a decision's line orders out of the way before they are renumbered (one_decision_line_order
# is checked row by row).
REORDER_OFFSET = 1_000_000

VERB_LABELS = {
    "decision.created": gettext_lazy("Award decision drafted"),
    "decision.updated": gettext_lazy("Award decision draft changed"),
    "decision.items_added": gettext_lazy("Lines added to an award decision"),
    "decision.item_removed": gettext_lazy("Line removed from an award decision"),
    "decision.item_updated": gettext_lazy("Award decision line changed"),
    "decision.issued": gettext_lazy("Award decision issued"),
    "decision.revoked": gettext_lazy("Award decision revoked"),
    "decision.item_revoked": gettext_lazy("Award decision line revoked"),
    "decision.scan_attached": gettext_lazy("Signed scan of an award decision attached"),
    "nomination.awarded": gettext_lazy("Nomination awarded by a decision"),
    "nomination.revoked": gettext_lazy("Award revoked"),
}


class DecisionError(NominationError):
    """A decision action was refused; nothing changed."""


# Who acts --------------------------------------------------------------------------------------------------


def may_draft(user, issuer: Unit) -> bool:
    """Admins, signers of the issuer, and the secretariat of a council of the issuer (the signer's staff)."""
    if permissions.is_system_admin(user) or permissions.is_signer(user, issuer):
        return True
    return user.is_authenticated and permissions.secretariat_councils(user).filter(unit_id=issuer.pk).exists()


def may_sign(user, issuer: Unit) -> bool:
    return permissions.is_system_admin(user) or permissions.is_signer(user, issuer)


def _require_drafter(user, issuer: Unit) -> None:
    if not may_draft(user, issuer):
        raise DecisionError(_("Only the signers of %(unit)s and their staff may do this.") % {"unit": issuer.name})


def _require_signer(user, issuer: Unit) -> None:
    if not may_sign(user, issuer):
        raise DecisionError(_("Only a signer of %(unit)s may do this.") % {"unit": issuer.name})


# Locks -----------------------------------------------------------------------------------------------------


def _lock_decision(decision: Decision) -> Decision:
    found = (
        Decision.objects.select_for_update(no_key=True, of=("self",))
        .select_related("issuer", "award_type")
        .filter(pk=decision.pk)
        .first()
    )
    if found is None:
        raise DecisionError(_("The decision no longer exists."))
    return found


def _draft(by, decision: Decision) -> Decision:
    decision = _lock_decision(decision)
    _require_drafter(by, decision.issuer)
    if decision.state != State.DRAFT:
        raise DecisionError(_("Only a draft decision can be changed."))
    return decision


def _lock_nominations(ids) -> list[Nomination]:
    return list(
        Nomination.objects.select_for_update(no_key=True, of=("self",))
        .filter(pk__in=list(ids))
        .select_related(*selectors.NOMINATION_RELATED)
        .order_by("pk")
    )


# Texts -----------------------------------------------------------------------------------------------------


def _clean_texts(fields: dict) -> dict:
    """Stripped texts, required ones present, the signing mode one of the choices, legal bases as a list of
    non-empty lines. Refuses with every problem listed."""
    cleaned, problems = {}, []
    labels = {name: Decision._meta.get_field(name).verbose_name for name in (*TEXT_FIELDS, "signing_mode")}
    for name in TEXT_FIELDS:
        if name not in fields:
            continue
        value = " ".join(str(fields[name] or "").split()) if name != "achievement" else str(fields[name] or "").strip()
        limit = Decision._meta.get_field(name).max_length
        if not value:
            problems.append(_("Fill in “%(field)s”.") % {"field": labels[name]})
        elif limit and len(value) > limit:
            problems.append(
                _("“%(field)s” is longer than %(limit)s characters.") % {"field": labels[name], "limit": limit}
            )
        cleaned[name] = value
    if "signing_mode" in fields:
        mode = fields["signing_mode"] or ""
        if mode not in Decision.SigningMode.values:
            problems.append(_("Choose the signing mode from the list."))
        cleaned["signing_mode"] = mode
    if "legal_bases" in fields:
        lines = fields["legal_bases"]
        lines = lines.splitlines() if isinstance(lines, str) else list(lines or ())
        cleaned["legal_bases"] = [" ".join(str(line).split()) for line in lines if str(line).strip()]
    if problems:
        raise DecisionError(_("The decision was not saved:"), problems)
    return cleaned


# Lines -----------------------------------------------------------------------------------------------------


def _group_of(nomination: Nomination) -> int:
    if nomination.unit_id:
        return Group.COLLECTIVE
    if nomination.person_id:
        return Group.INDIVIDUAL
    return Group.HOUSEHOLD


def _subject_type(nomination: Nomination) -> str:
    return {Group.COLLECTIVE: "unit", Group.INDIVIDUAL: "person", Group.HOUSEHOLD: "household"}[_group_of(nomination)]


def recipient_texts(nomination: Nomination) -> tuple[str, str, str]:
    """(name, position, unit) as first printed: a person's full name, position and unit; a collective's name and
    its parent's; a household's head and its address (else its unit)."""
    if nomination.person_id:
        person = nomination.person
        return person.full_name, person.position, person.unit.name
    if nomination.unit_id:
        unit = nomination.unit
        return unit.name, "", unit.parent.name if unit.parent_id else ""
    household = nomination.household
    return household.head_name, "", household.address or household.unit.name


def _problems(nominations: list[Nomination], ids: list[int], *, issuer: Unit, award_type: AwardType) -> list[str]:
    decidable = set(selectors.decidable_nominations(issuer).filter(pk__in=ids).values_list("pk", flat=True))
    found = {n.pk: n for n in nominations}
    problems = []
    for pk in ids:
        nomination = found.get(pk)
        if nomination is None:
            problems.append(_("Nomination %(pk)s no longer exists.") % {"pk": pk})
        elif nomination.award_type_id != award_type.pk:
            problems.append(
                _("%(nomination)s is not for %(award)s.") % {"nomination": nomination, "award": award_type.name}
            )
        elif pk not in decidable:
            problems.append(
                _("%(nomination)s is not waiting for a decision of %(unit)s.")
                % {"nomination": nomination, "unit": issuer.name}
            )
    return problems


def _coefficients(nominations: list[Nomination]) -> dict[int, Decimal | None]:
    """Bonus coefficient by nomination pk, from the award's rule set in force for the subject's unit and year."""
    if not nominations:
        return {}
    index = selectors_nominations.RuleSetIndex.load(
        award_type_ids={n.award_type_id for n in nominations}, last_year=max(n.year for n in nominations)
    )
    found = {}
    for nomination in nominations:
        rule_set = index.in_force(
            award_type_id=nomination.award_type_id,
            unit=selectors_nominations.subject_unit(nomination),
            year=nomination.year,
        )
        value = (rule_set.coefficients or {}).get(_subject_type(nomination)) if rule_set is not None else None
        found[nomination.pk] = Decimal(str(value)) if value is not None else None
    return found


def _new_items(decision: Decision, nominations: list[Nomination]) -> list[DecisionItem]:
    coefficients = _coefficients(nominations)
    items = []
    for nomination in nominations:
        name, position, unit = recipient_texts(nomination)
        items.append(
            DecisionItem(
                decision=decision,
                nomination=nomination,
                group=_group_of(nomination),
                order=0,
                recipient_name=name,
                recipient_position=position,
                recipient_unit=unit,
                coefficient=coefficients[nomination.pk],
                search_text=fold(f"{name} {unit}"),
            )
        )
    return items


def _sort_key(item: DecisionItem):
    return (item.group, fold(item.recipient_name), fold(item.recipient_unit), item.nomination_id)


def _number_lines(items: list[DecisionItem]) -> None:
    """Orders 1… within each group, by name (accents folded), then unit."""
    counters: dict[int, int] = {}
    for item in sorted(items, key=_sort_key):
        counters[item.group] = counters.get(item.group, 0) + 1
        item.order = counters[item.group]


def _nomination_ids(nominations) -> list[int]:
    return list(dict.fromkeys(int(getattr(n, "pk", n)) for n in nominations))


# Drafting --------------------------------------------------------------------------------------------------


def decision_create(
    *,
    by,
    issuer: Unit,
    award_type: AwardType,
    nominations,
    title: str,
    place: str,
    issuer_title: str,
    signer_title: str,
    signer_name: str,
    signing_mode: str = "",
    legal_bases=(),
    achievement: str,
    symbol: str = "QĐ-UBND",
) -> Decision:
    """A draft decision of `issuer` granting `award_type` to the given nominations, one line each."""
    _require_drafter(by, issuer)
    ids = _nomination_ids(nominations)
    if not ids:
        raise DecisionError(_("Choose at least one nomination."))
    texts = _clean_texts(
        {
            "title": title,
            "place": place,
            "issuer_title": issuer_title,
            "signer_title": signer_title,
            "signer_name": signer_name,
            "signing_mode": signing_mode,
            "legal_bases": legal_bases,
            "achievement": achievement,
            "symbol": symbol,
        }
    )
    with transaction.atomic():
        locked = _lock_nominations(ids)
        problems = _problems(locked, ids, issuer=issuer, award_type=award_type)
        if problems:
            raise DecisionError(_("The decision was not drafted:"), problems)
        decision = Decision.objects.create(issuer=issuer, award_type=award_type, created_by=by, **texts)
        items = _new_items(decision, locked)
        _number_lines(items)
        DecisionItem.objects.bulk_create(items)
        audit_record(
            actor=by,
            verb="decision.created",
            obj=decision,
            data={"issuer": issuer.pk, "award": award_type.code, "nominations": ids},
        )
    return decision


def decision_update(*, by, decision: Decision, **fields) -> Decision:
    """Change a draft's texts: title, place, issuer_title, signer_title, signer_name, signing_mode, legal_bases,
    achievement, symbol."""
    unknown = set(fields) - UPDATABLE_FIELDS
    if unknown:
        raise TypeError(f"decision_update cannot change {sorted(unknown)}")
    texts = _clean_texts(fields)
    with transaction.atomic():
        decision = _draft(by, decision)
        changed = [name for name, value in texts.items() if getattr(decision, name) != value]
        if not changed:
            return decision
        for name in changed:
            setattr(decision, name, texts[name])
        decision.save(update_fields=changed)
        audit_record(actor=by, verb="decision.updated", obj=decision, data={"fields": sorted(changed)})
    return decision


def decision_add_items(*, by, decision: Decision, nominations) -> list[DecisionItem]:
    """Add lines for more nominations decidable at the draft's issuer for its award; the lines are ordered by
    name again within their groups."""
    ids = _nomination_ids(nominations)
    if not ids:
        raise DecisionError(_("Choose at least one nomination."))
    with transaction.atomic():
        decision = _draft(by, decision)
        locked = _lock_nominations(ids)
        problems = _problems(locked, ids, issuer=decision.issuer, award_type=decision.award_type)
        if problems:
            raise DecisionError(_("Nothing was added to the decision:"), problems)
        existing = list(decision.items.all())
        added = _new_items(decision, locked)
        DecisionItem.objects.bulk_create(added)  # order 0: renumbered below with the others
        _renumber(decision, existing + added)
        audit_record(actor=by, verb="decision.items_added", obj=decision, data={"nominations": ids})
    return added


def _renumber(decision: Decision, items: list[DecisionItem]) -> None:
    decision.items.update(order=F("order") + REORDER_OFFSET)
    _number_lines(items)
    bulk.update_rows(items, ["order"])


def decision_remove_item(*, by, item: DecisionItem) -> None:
    with transaction.atomic():
        decision = _draft(by, Decision(pk=item.decision_id))
        deleted, _rows = DecisionItem.objects.filter(pk=item.pk, decision=decision).delete()
        if not deleted:
            raise DecisionError(_("The line is no longer on the decision."))
        audit_record(
            actor=by,
            verb="decision.item_removed",
            obj=decision,
            data={"nomination": item.nomination_id, "recipient": item.recipient_name},
        )


def item_update(
    *,
    by,
    item: DecisionItem,
    recipient_name: str | None = None,
    recipient_position: str | None = None,
    recipient_unit: str | None = None,
    register_number: str | None = None,
) -> DecisionItem:
    """Change a draft line's printed texts or golden-book number (None: unchanged)."""
    given = {
        "recipient_name": recipient_name,
        "recipient_position": recipient_position,
        "recipient_unit": recipient_unit,
        "register_number": register_number,
    }
    values = {name: " ".join(str(value).split()) for name, value in given.items() if value is not None}
    if "recipient_name" in values and not values["recipient_name"]:
        raise DecisionError(_("Fill in the recipient's name."))
    for name, value in values.items():
        limit = DecisionItem._meta.get_field(name).max_length
        if len(value) > limit:
            raise DecisionError(
                _("“%(field)s” is longer than %(limit)s characters.")
                % {"field": DecisionItem._meta.get_field(name).verbose_name, "limit": limit}
            )
    with transaction.atomic():
        decision = _draft(by, Decision(pk=item.decision_id))
        line = DecisionItem.objects.select_for_update(no_key=True).filter(pk=item.pk, decision=decision).first()
        if line is None:
            raise DecisionError(_("The line is no longer on the decision."))
        changed = [name for name, value in values.items() if getattr(line, name) != value]
        if not changed:
            return line
        for name in changed:
            setattr(line, name, values[name])
        line.save(update_fields=[*changed, "search_text"])
        audit_record(
            actor=by,
            verb="decision.item_updated",
            obj=decision,
            data={"item": line.pk, **{name: values[name] for name in changed}},
        )
    return line


# Suggested texts -------------------------------------------------------------------------------------------

# Legal text printed on the decision (data, in Vietnamese whatever the interface language); the staff edit it.
LEGAL_BASES = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
    "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
    "Căn cứ Nghị định số 152/2025/NĐ-CP ngày 14 tháng 6 năm 2025 của Chính phủ quy định chi tiết một số điều "
    "của Luật Thi đua, khen thưởng;",
)


def suggested_texts(issuer: Unit, award_type: AwardType, year: int) -> dict:
    """What a new draft starts with, from the issuer (a people's committee: "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH …",
    symbol QĐ-UBND; another body: its head) and the award."""
    name = issuer.name.upper()
    if issuer.kind in (Unit.Kind.PROVINCE, Unit.Kind.COMMUNE):
        head, symbol, body = "CHỦ TỊCH", "QĐ-UBND", f"ỦY BAN NHÂN DÂN {name}"
    elif issuer.kind == Unit.Kind.SCHOOL:
        head, symbol, body = "HIỆU TRƯỞNG", f"QĐ-{issuer.short_name or issuer.code}", name
    elif issuer.kind == Unit.Kind.DEPARTMENT and name.startswith("SỞ "):
        head, symbol, body = "GIÁM ĐỐC", f"QĐ-{issuer.short_name or issuer.code}", name
    else:
        head, symbol, body = "THỦ TRƯỞNG", f"QĐ-{issuer.short_name or issuer.code}", name
    verb = "công nhận danh hiệu" if award_type.category == AwardType.Category.TITLE else "tặng"
    return {
        "symbol": symbol,
        "title": f"Về việc {verb} {award_type.name} năm {year}",
        "place": place_name(issuer),
        "issuer_title": f"{head} {body}",
        "legal_bases": "\n".join(LEGAL_BASES),
        "achievement": f"Đã có thành tích xuất sắc trong thực hiện nhiệm vụ năm {year}",
        "signing_mode": "",
        "signer_title": head,
        "signer_name": "",
    }


# Bonuses ---------------------------------------------------------------------------------------------------


def bonus_preview(decision: Decision, on: date | None = None, *, items=None):
    """(base salary, [(line, amount)], total) with amount = coefficient × the base salary in force on `on` (the
    decision date, else today), in whole đồng rounded half up; amount None for a line without a coefficient,
    base salary None (and every amount None) when no base salary is in force on that date."""
    on = on or decision.decided_on or timezone.localdate()
    items = list(items) if items is not None else list(selectors.decision_items(decision))
    base = BaseSalary.in_force(on)
    amount = base.amount if base is not None else None
    rows = [
        (
            item,
            BaseSalary.bonus(coefficient=item.coefficient, base_amount=amount)
            if amount is not None and item.coefficient is not None
            else None,
        )
        for item in items
    ]
    total = sum(value for _item, value in rows if value is not None) if amount is not None else None
    return amount, rows, total


# Issuing ---------------------------------------------------------------------------------------------------


def decision_issue(*, by, decision: Decision, decided_on: date | None = None) -> Decision:
    """The signer issues the draft: the next number of the issuer's series of the decision's year, the bonuses
    frozen, one award record per line (the eligibility engine reads them at once), the nominations awarded. A
    fixed number of queries whatever the number of lines."""
    decided_on = decided_on or timezone.localdate()
    if decided_on > timezone.localdate():
        raise DecisionError(_("A decision cannot be dated in the future."))
    with transaction.atomic():
        decision = _lock_decision(decision)
        _require_signer(by, decision.issuer)
        if decision.state != State.DRAFT:
            raise DecisionError(_("The decision has already been issued."))
        items = list(decision.items.order_by("group", "order"))
        if not items:
            raise DecisionError(_("The decision has no line: add at least one nomination."))
        nominations = {n.pk: n for n in _lock_nominations(item.nomination_id for item in items)}
        stale = [str(n) for n in nominations.values() if n.state != Nomination.State.IN_DECISION]
        if stale:
            raise DecisionError(_("Some nominations are no longer waiting for the decision:"), stale)
        base, rows, total = bonus_preview(decision, decided_on, items=items)
        if base is None:
            raise DecisionError(
                _("No base salary is in force on %(date)s: add it before issuing.") % {"date": f"{decided_on:%d/%m/%Y}"}
            )
        _allocate_number(decision, decided_on)
        decision.state, decision.decided_on, decision.base_salary, decision.total_bonus = (
            State.ISSUED,
            decided_on,
            base,
            total,
        )
        decision.issued_by, decision.issued_at = by, timezone.now()
        try:
            with transaction.atomic():
                decision.save(
                    update_fields=[
                        "state",
                        "number",
                        "year",
                        "decided_on",
                        "base_salary",
                        "total_bonus",
                        "issued_by",
                        "issued_at",
                    ]  # fmt: skip
                )
        except IntegrityError as error:  # one_decision_number: the backstop of the lock on the issuer
            raise DecisionError(_("The number was taken at the same moment: issue the decision again.")) from error
        records = _award_records(decision, items, nominations)
        for (item, amount), record in zip(rows, records, strict=True):
            item.bonus_amount, item.award_record_id = amount, record.pk
        bulk.update_rows(items, ["bonus_amount", "award_record"])
        now = timezone.now()
        for nomination in nominations.values():
            nomination.state, nomination.updated_at = Nomination.State.AWARDED, now
        bulk.update_rows(list(nominations.values()), ["state", "updated_at"])
        label = decision.number_label
        audit_record_many(
            actor=by,
            events=[
                *(
                    ("nomination.awarded", nominations[item.nomination_id], {"decision": decision.pk, "number": label})
                    for item in items
                ),
                (
                    "decision.issued",
                    decision,
                    {"number": label, "decided_on": decided_on, "lines": len(items), "total_bonus": total},
                ),
            ],
        )
        notification_events.decision_issued(decision=decision, nominations=nominations.values())
    return decision


def _allocate_number(decision: Decision, decided_on: date) -> None:
    """max + 1 in the issuer's series of the year. Two signers of one issuer issuing at once queue on the issuer's
    row, so the second reads the first's number once it has committed."""
    Unit.objects.select_for_update(no_key=True).filter(pk=decision.issuer_id).first()
    last = Decision.objects.filter(issuer_id=decision.issuer_id, year=decided_on.year).aggregate(m=Max("number"))["m"]
    decision.number, decision.year = (last or 0) + 1, decided_on.year


def _award_records(decision: Decision, items: list[DecisionItem], nominations: dict) -> list[AwardRecord]:
    records = []
    for item in items:
        nomination = nominations[item.nomination_id]
        records.append(
            AwardRecord(
                person_id=nomination.person_id,
                unit_id=nomination.unit_id,
                household_id=nomination.household_id,
                award_type_id=decision.award_type_id,
                year=nomination.year,
                kind=nomination.kind,
                decision_number=decision.number_label,
                decision_date=decision.decided_on,
                issuer=decision.issuer.name,
                source=AwardRecord.Source.DECISION,
            )
        )
    return AwardRecord.objects.bulk_create(records)


# Revocation ------------------------------------------------------------------------------------------------


def _clean_revocation(reason: str, ground: str) -> tuple[str, str]:
    reason, ground = (reason or "").strip(), " ".join((ground or "").split())
    problems = []
    if not reason:
        problems.append(_("Give the reason for the revocation."))
    if not ground:
        problems.append(_("Give the legal ground of the revocation."))
    elif len(ground) > Decision._meta.get_field("revoked_ground").max_length:
        problems.append(_("The legal ground is too long."))
    if problems:
        raise DecisionError(_("Nothing was revoked:"), problems)
    return reason, ground


def _revoke_lines(by, decision: Decision, items: list[DecisionItem], reason: str, ground: str) -> None:
    """Mark the lines, their award records and their nominations revoked, with one event per nomination."""
    now = timezone.now()
    nominations = {n.pk: n for n in _lock_nominations(item.nomination_id for item in items)}
    records = list(
        AwardRecord.objects.select_for_update(no_key=True).filter(
            pk__in=[i.award_record_id for i in items if i.award_record_id]
        )
    )
    for record in records:
        record.revoked, record.revoked_reason = True, reason[: AwardRecord._meta.get_field("revoked_reason").max_length]
    bulk.update_rows(records, ["revoked", "revoked_reason"])
    for item in items:
        item.revoked, item.revoked_at, item.revoked_reason, item.revoked_ground = True, now, reason, ground
    bulk.update_rows(items, ["revoked", "revoked_at", "revoked_reason", "revoked_ground"])
    for nomination in nominations.values():
        nomination.state, nomination.updated_at = Nomination.State.REVOKED, now
    bulk.update_rows(list(nominations.values()), ["state", "updated_at"])
    audit_record_many(
        actor=by,
        events=[
            (
                "nomination.revoked",
                nominations[item.nomination_id],
                {"decision": decision.pk, "number": decision.number_label, "reason": reason, "ground": ground},
            )
            for item in items
        ],
    )


def decision_revoke(*, by, decision: Decision, reason: str, ground: str) -> Decision:
    """Hủy bỏ the whole decision (law-notes §8.6): every line still in force is revoked with it."""
    reason, ground = _clean_revocation(reason, ground)
    with transaction.atomic():
        decision = _lock_decision(decision)
        _require_signer(by, decision.issuer)
        if decision.state != State.ISSUED:
            raise DecisionError(_("Only an issued decision can be revoked."))
        items = list(
            DecisionItem.objects.select_for_update(no_key=True).filter(decision=decision, revoked=False).order_by("pk")
        )
        _revoke_lines(by, decision, items, reason, ground)
        decision.state, decision.revoked_at = State.REVOKED, timezone.now()
        decision.revoked_reason, decision.revoked_ground = reason, ground
        decision.save(update_fields=["state", "revoked_at", "revoked_reason", "revoked_ground"])
        audit_record(
            actor=by,
            verb="decision.revoked",
            obj=decision,
            data={"reason": reason, "ground": ground, "lines": [item.pk for item in items]},
        )
    return decision


def item_revoke(*, by, item: DecisionItem, reason: str, ground: str) -> DecisionItem:
    """Hủy bỏ one line of an issued decision; the rest of the decision stays in force."""
    reason, ground = _clean_revocation(reason, ground)
    with transaction.atomic():
        decision = _lock_decision(Decision(pk=item.decision_id))
        _require_signer(by, decision.issuer)
        if decision.state != State.ISSUED:
            raise DecisionError(_("Only a line of an issued decision can be revoked."))
        line = DecisionItem.objects.select_for_update(no_key=True).filter(pk=item.pk, decision=decision).first()
        if line is None:
            raise DecisionError(_("The line is no longer on the decision."))
        if line.revoked:
            raise DecisionError(_("This line has already been revoked."))
        _revoke_lines(by, decision, [line], reason, ground)
        audit_record(
            actor=by,
            verb="decision.item_revoked",
            obj=decision,
            data={"item": line.pk, "recipient": line.recipient_name, "reason": reason, "ground": ground},
        )
    return line


# Signed scan -----------------------------------------------------------------------------------------------


def decision_attach_scan(*, by, decision: Decision, file) -> Decision:
    """The signed and sealed paper, scanned as PDF (checked by its content, not its name), replacing any earlier
    scan."""
    if file is None:
        raise DecisionError(_("Choose the PDF file of the signed decision."))
    if file.size > settings.DOSSIER_MAX_BYTES:
        raise DecisionError(
            _("The file is larger than %(limit)s MB.") % {"limit": f"{settings.DOSSIER_MAX_BYTES / (1024 * 1024):g}"}
        )
    if uploads.sniff_content_type(file) != uploads.PDF:
        raise DecisionError(_("The signed scan must be a PDF file."))
    with transaction.atomic():
        decision = _lock_decision(decision)
        _require_drafter(by, decision.issuer)
        if decision.state != State.ISSUED:
            raise DecisionError(_("A signed scan can be attached only to an issued decision."))
        previous = decision.signed_scan.name
        decision.signed_scan.save(f"{decision.pk}.pdf", file, save=False)
        decision.save(update_fields=["signed_scan"])
        audit_record(
            actor=by, verb="decision.scan_attached", obj=decision, data={"size": file.size, "replaced": bool(previous)}
        )
        if previous and previous != decision.signed_scan.name:
            storage = decision.signed_scan.storage
            transaction.on_commit(lambda: storage.delete(previous))
    return decision
