import datetime
import hashlib
import json
from typing import NamedTuple

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64


def canonical_content(event: AuditEvent) -> str:
    """The exact text that an event's hash covers: stable key order, UTC time, no whitespace."""
    content = {
        "seq": event.seq,
        "created_at": event.created_at.astimezone(datetime.UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "verb": event.verb,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "data": event.data,
    }
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def compute_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + canonical_content(event)).encode()).hexdigest()


def object_reference(obj: models.Model | None) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    return obj._meta.label_lower, str(obj.pk), str(obj)[:255]


def audit_record(*, actor, verb: str, obj: models.Model | None = None, data: dict | None = None) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction (a rolled-back write leaves no event).

    The head row stays locked until the caller's transaction ends, so seq order is commit order and a
    rollback gives its seq back: the chain has no gap."""
    return audit_record_many(actor=actor, events=[(verb, obj, data)])[0]


def audit_record_many(*, actor, events: list[tuple[str, models.Model | None, dict | None]]) -> list[AuditEvent]:
    """Append one event per (verb, object, data) under one lock of the chain head and one head update.

    An import of thousands of rows must use this rather than `audit_record` in a loop: every update of the
    head row inside one transaction leaves a row version that the next lookup walks, so the loop's time
    grows with the square of the count (5,000 people: 40 s, measured)."""
    if not events:
        return []
    actor = actor if actor is not None and actor.is_authenticated else None
    username = actor.get_username() if actor else ""
    with transaction.atomic():
        head = _locked_head()
        seq, previous_hash, now = head.last_seq, head.last_hash, timezone.now()
        rows = []
        for verb, obj, data in events:
            seq += 1
            object_type, object_id, object_repr = object_reference(obj)
            event = AuditEvent(
                seq=seq,
                created_at=now,
                actor=actor,
                actor_username=username,
                verb=verb,
                object_type=object_type,
                object_id=object_id,
                object_repr=object_repr,
                data=_stored_form(data or {}),
                prev_hash=previous_hash,
            )
            event.hash = previous_hash = compute_hash(previous_hash, event)
            rows.append(event)
        AuditEvent.objects.bulk_create(rows, batch_size=1000)
        head.last_seq, head.last_hash = seq, previous_hash
        head.save(update_fields=["last_seq", "last_hash"])
    return rows


def _stored_form(data: dict) -> dict:
    """`data` exactly as it will read back from the database, so that the hash still matches it then.

    A JSON round trip turns dates and decimals into strings. PostgreSQL's jsonb keeps numbers as
    numerics: 1e16 comes back as the integer 10000000000000000 and -0.0 as 0.0, which would serialise
    differently; integral floats are therefore stored as integers. NaN and infinities are refused (jsonb
    has no such values)."""
    text = json.dumps(data, cls=DjangoJSONEncoder, allow_nan=False)
    return json.loads(text, parse_float=_parse_float)


def _parse_float(text: str) -> float | int:
    value = float(text)
    return int(value) if value.is_integer() else value


def _locked_head() -> AuditChainHead:
    """The chain head, locked. Recreated from the last event if it is missing (a restore, a `loaddata`);
    two writers racing to create it meet on its primary key and the loser reads the winner's row."""
    head = AuditChainHead.objects.select_for_update(no_key=True).filter(pk=1).first()
    if head is not None:
        return head
    last = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
    try:
        with transaction.atomic():
            return AuditChainHead.objects.create(
                pk=1, last_seq=last.seq if last else 0, last_hash=last.hash if last else GENESIS_HASH
            )
    except IntegrityError:
        return AuditChainHead.objects.select_for_update(no_key=True).get(pk=1)


class AuditVerification(NamedTuple):
    ok: bool
    checked: int
    first_broken: AuditEvent | None
    reason: str


def audit_verify() -> AuditVerification:
    """Walk the whole chain in seq order, in constant memory, and stop at the first event that breaks it:
    a gap in the seqs, a `prev_hash` that is not the previous event's hash, or a hash that does not cover
    the event's content. Finally the chain must end where its head row says it ends (a cut tail)."""
    # Read the head before the events: whatever it names was committed before the events' snapshot.
    head = AuditChainHead.objects.filter(pk=1).first()
    checked = 0
    previous = None
    expected_seq, expected_prev = 1, GENESIS_HASH
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        reason = _broken_link(event, expected_seq, expected_prev)
        if not reason and head is not None and event.seq == head.last_seq and event.hash != head.last_hash:
            reason = _("its hash differs from the one the chain head recorded")
        if reason:
            return AuditVerification(False, checked, event, reason)
        checked += 1
        previous = event
        expected_seq, expected_prev = event.seq + 1, event.hash
    head_seq = head.last_seq if head is not None else 0
    if head_seq > checked:
        reason = _("the chain ends at seq %(last)s but its head records seq %(head)s: events are missing")
        reason %= {"last": previous.seq if previous else 0, "head": head_seq}
        return AuditVerification(False, checked, previous, reason)
    return AuditVerification(True, checked, None, "")


def _broken_link(event: AuditEvent, expected_seq: int, expected_prev: str) -> str:
    if event.seq != expected_seq:
        return _("seq %(expected)s is missing: the chain jumps to seq %(seq)s") % {
            "expected": expected_seq,
            "seq": event.seq,
        }
    if event.prev_hash != expected_prev:
        return _("its previous hash does not match the hash of the event before it")
    if event.hash != compute_hash(event.prev_hash, event):
        return _("its content does not match its hash: the event was changed after it was written")
    return ""
