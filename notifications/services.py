"""Notification services (issue 8).

`notify` writes the rows in the caller's transaction, so an action and its notifications commit or roll back
together; the flush is queued after commit and a broker that is down does not break the action (robust=True):
the rows stay unsent and the beat entry "flush-outbox" picks them up once the broker is back.

`flush_outbox` claims unsent rows a batch at a time (SKIP LOCKED: two workers never take the same row, and the
claim is committed before any mail goes out), sends each, and marks it sent with one UPDATE right after the mail
server accepted it: the only window in which a message can go twice is between the server's answer and that
statement. A claim whose worker died before sending is taken again after settings.NOTIFICATION_CLAIM_TIMEOUT."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from audit.services import audit_record

from .models import MAX_ATTEMPTS, Notification, NotificationPreference

logger = logging.getLogger(__name__)

VERB_LABELS = {"notification.preferences_changed": gettext_lazy("Notification email preferences changed")}


def notify(*, recipients, kind: str, subject: str, body: str, link: str = "") -> list[Notification]:
    """One notification per distinct recipient; email follows each recipient's preference for the kind. Two queries
    whatever the number of recipients."""
    return notify_each(kind=kind, messages=[(user, subject, body, link) for user in recipients])


def notify_each(*, kind: str, messages, one_per_user: bool = True) -> list[Notification]:
    """Like notify, with a text of its own for each recipient: `messages` are (user, subject, body, link); a user
    listed twice gets the first (every one with `one_per_user=False`). Two queries whatever the number of messages
    (on PostgreSQL; SQLite takes the rows in batches)."""
    chosen, seen = [], set()
    for user, subject, body, link in messages:
        if user is not None and user.is_active and not (one_per_user and user.pk in seen):
            seen.add(user.pk)
            chosen.append((user, subject, body, link))
    if not chosen:
        return []
    muted = set(
        NotificationPreference.objects.filter(user_id__in=seen, kind=kind, email=False).values_list(
            "user_id", flat=True
        )
    )
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                kind=kind,
                subject=subject[:255],
                body=body,
                link=link,
                email=bool(user.email) and user.pk not in muted,
            )
            for user, subject, body, link in chosen
        ]
    )
    if any(row.email for row in rows):
        transaction.on_commit(_queue_flush, robust=True)
    return rows


def _queue_flush() -> None:
    from thiduakt.celery import app

    from .tasks import flush_outbox_task

    # No retries, neither of the publish nor of the connection (kombu's default retries cost ≈ 6 s with Redis
    # down): the user's request must not wait; the beat entry flushes later.
    with app.connection_for_write() as connection:
        connection.transport_options = {**connection.transport_options, "max_retries": 0}
        flush_outbox_task.apply_async(retry=False, connection=connection)


def flush_outbox(*, limit: int = 500, batch: int = 50) -> int:
    """Mail the unsent rows (oldest first), at most `limit` of them; returns how many were sent. A worker killed
    mid-flush leaves the rows it had claimed and not sent; they are taken again once their claim is older than
    settings.NOTIFICATION_CLAIM_TIMEOUT (seconds)."""
    sent, tried = 0, []
    while len(tried) < limit:
        rows = _claim(min(batch, limit - len(tried)), exclude=tried)
        if not rows:
            break
        for row in rows:
            tried.append(row.pk)
            try:
                _message(row).send()
            except Exception as error:  # noqa: BLE001 — any failure of the mail server is retried next flush
                logger.warning("notification %s not sent: %s", row.pk, error)
                Notification.objects.filter(pk=row.pk).update(
                    claimed_at=None, last_error=f"{type(error).__name__}: {error}"[:2000]
                )
                continue
            Notification.objects.filter(pk=row.pk).update(sent_at=timezone.now(), last_error="")
            sent += 1
    return sent


def _claim(size: int, *, exclude) -> list[Notification]:
    """Up to `size` unsent rows nobody holds (never claimed, or claimed longer ago than the timeout), marked claimed
    and committed before any of them is sent; each claim counts as an attempt, so a message that kills its worker
    every time is given up after MAX_ATTEMPTS. Three queries."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT)
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(email=True, sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
            .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
            .exclude(pk__in=exclude)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)[:size]
        )
        if not ids:
            return []
        Notification.objects.filter(pk__in=ids).update(claimed_at=now, attempts=F("attempts") + 1)
    return list(Notification.objects.filter(pk__in=ids).select_related("recipient").order_by("created_at", "pk"))


def _message(row: Notification) -> EmailMultiAlternatives:
    context = {
        "notification": row,
        "recipient": row.recipient,
        "url": f"{settings.SITE_URL}{row.link}" if row.link else settings.SITE_URL + "/",
        "preferences_url": settings.SITE_URL + reverse("notification_preferences"),
    }
    with translation.override("vi"):
        text = render_to_string("notifications/email.txt", context)
        html = render_to_string("notifications/email.html", context)
    message = EmailMultiAlternatives(subject=row.subject, body=text, to=[row.recipient.email])
    message.attach_alternative(html, "text/html")
    return message


def mark_read(*, user, notification_ids=None) -> int:
    """Marks the user's unread notifications (all of them, or those of `notification_ids`) read; one UPDATE."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        rows = rows.filter(pk__in=notification_ids)
    return rows.update(read_at=timezone.now())


def preferences_set(*, user, email_kinds) -> None:
    """Email on for the kinds in `email_kinds`, off for the others."""
    chosen = set(email_kinds)
    if not chosen <= set(Notification.Kind.values):
        raise ValueError(f"unknown notification kinds {sorted(chosen - set(Notification.Kind.values))}")
    with transaction.atomic():
        NotificationPreference.objects.bulk_create(
            [NotificationPreference(user=user, kind=kind, email=kind in chosen) for kind in Notification.Kind.values],
            update_conflicts=True,
            unique_fields=["user", "kind"],
            update_fields=["email"],
        )
        audit_record(
            actor=user,
            verb="notification.preferences_changed",
            obj=user,
            data={"email": sorted(chosen), "no_email": sorted(set(Notification.Kind.values) - chosen)},
        )
