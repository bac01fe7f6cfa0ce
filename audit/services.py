import datetime
import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

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


def object_reference(obj: models.Model) -> tuple[str, str, str]:
    return obj._meta.label_lower, str(obj.pk), str(obj)[:255]


def audit_record(*, actor, verb: str, obj: models.Model | None = None, data: dict | None = None) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction (a rolled-back write leaves no event)."""
    object_type, object_id, object_repr = object_reference(obj) if obj is not None else ("", "", "")
    # Round-trip through JSON so that what is stored is exactly what was hashed (dates become strings).
    clean_data = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))
    actor = actor if actor is not None and actor.is_authenticated else None
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            seq=head.last_seq + 1,
            created_at=timezone.now(),
            actor=actor,
            actor_username=actor.get_username() if actor else "",
            verb=verb,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            data=clean_data,
            prev_hash=head.last_hash,
        )
        event.hash = compute_hash(event.prev_hash, event)
        event.save(force_insert=True)
        head.last_seq, head.last_hash = event.seq, event.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return event
