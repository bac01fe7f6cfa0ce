"""Notifications (issue 8): one row is both the outbox entry (mailed by flush_outbox) and the inbox entry (shown on
the user's notification page); per-kind email preferences; and the claims the reminder jobs take before sending."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MAX_ATTEMPTS = 5


class Notification(models.Model):
    class Kind(models.TextChoices):
        DECISION_ISSUED = "decision_issued", _("Award decision issued")
        NOMINATION_RETURNED = "nomination_returned", _("Nomination returned for a supplement")
        NOMINATIONS_RECEIVED = "nominations_received", _("Nominations received by a council")
        # Deadline reminders (notifications.reminders): before the deadline, when it has passed, and to the head
        # of the unit once it is overdue for some days.
        REGISTRATION_DUE = "registration_due", _("Reminder: campaign registration deadline")
        NOMINATIONS_DUE = "nominations_due", _("Reminder: campaign nomination deadline")
        APPRAISAL_DUE = "appraisal_due", _("Reminder: nominations to appraise")
        VOTE_CLOSING = "vote_closing", _("Reminder: council vote closing")
        CONSULTATION_ENDED = "consultation_ended", _("Reminder: public consultation ended")
        SIGNATURE_DUE = "signature_due", _("Reminder: decision waiting for signature")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    link = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email = models.BooleanField(_("to be emailed"), default=True)
    # Taken by flush_outbox before it mails the row; a claim older than NOTIFICATION_CLAIM_TIMEOUT whose row is
    # still unsent belongs to a worker that died, and is taken again.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            # The header badge counts these on every page.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
            # What flush_outbox claims.
            models.Index(
                fields=["created_at"],
                condition=Q(email=True, sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS),
                name="notification_outbox",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class NotificationPreference(models.Model):
    """Absent row = email on: a user who never opened the preferences page gets every email."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Notification.Kind.choices)
    email = models.BooleanField(_("by email"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind}"


class ReminderDelivery(models.Model):
    """One reminder given to one person: about a target (a campaign, a council, a session...), for a deadline, at an
    offset (days before it; 0 once it has passed; −N the escalation N days after). The reminder pass inserts this
    row and the notification in one transaction, skipping rows that exist: a pass that runs twice, two passes at
    once, or a pass redelivered after a worker died give each reminder once. A deadline moved by an amendment is a
    new deadline, with reminders of its own."""

    kind = models.CharField(_("kind"), max_length=40, choices=Notification.Kind.choices)
    target_type = models.CharField(_("target type"), max_length=60)
    target_id = models.BigIntegerField(_("target id"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    deadline = models.DateTimeField(_("deadline"))
    offset_days = models.SmallIntegerField(_("days before the deadline"))
    claimed_at = models.DateTimeField(_("given at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder delivery")
        verbose_name_plural = _("reminder deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "target_type", "target_id", "recipient", "deadline", "offset_days"],
                name="one_reminder_delivery",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.target_type}#{self.target_id} → {self.recipient_id} ({self.offset_days})"


class ReminderRule(models.Model):
    """An organisation's own schedule for one kind of reminder; units without one (through their ancestors) follow
    settings.REMINDER_DEFAULTS."""

    organisation = models.ForeignKey(
        "organizations.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Notification.Kind.choices)
    days_before = models.JSONField(_("days before the deadline"), default=list, blank=True)  # e.g. [7, 3, 1]
    overdue = models.BooleanField(_("remind when overdue"), default=True)
    escalate_after_days = models.PositiveSmallIntegerField(
        _("tell the head of the unit after (days overdue)"), null=True, blank=True
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reminder schedule")
        verbose_name_plural = _("reminder schedules")
        constraints = [models.UniqueConstraint(fields=["organisation", "kind"], name="one_reminder_rule")]

    def __str__(self) -> str:
        return f"{self.organisation_id} · {self.kind}"
