"""Public consultation (lấy ý kiến nhân dân, law-notes §8.4): before the council votes, its secretariat publishes
the list of nominees for N days on a public page; anyone may send a comment or a complaint about an entry.

A nomination's consultation status is read off these rows, not off Nomination.state: the nomination stays
waiting for the council (in_council) throughout, and awards.consultation.vote_blockers says whether it may be
put to the vote. The public page shows only what the entry stored when the list was published (name, unit,
award, achievement), never an identifier; the sender's address is not stored (rate limiting counts in the
cache)."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.models import Council

from .nominations import Nomination, ReviewStage

MAX_DAYS = 60  # as AwardRuleSet.consultation_days


def new_token() -> str:
    """The public address of a consultation: 128 random bits, URL-safe (never a sequential id)."""
    return secrets.token_urlsafe(16)


class Consultation(models.Model):
    council = models.ForeignKey(
        Council, verbose_name=_("council"), on_delete=models.PROTECT, related_name="consultations"
    )
    title = models.CharField(_("title"), max_length=255)
    token = models.CharField(_("public key"), max_length=32, unique=True, default=new_token, editable=False)
    days = models.PositiveSmallIntegerField(_("days"))
    on_demand = models.BooleanField(
        _("on demand"), default=False, help_text=_("Published although no award on the list requires it.")
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("public consultation")
        verbose_name_plural = _("public consultations")
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="consultation_window"),
            models.CheckConstraint(condition=Q(days__gte=1) & Q(days__lte=MAX_DAYS), name="consultation_days"),
        ]
        indexes = [models.Index(fields=["council", "closes_at"], name="consultation_council_closes")]

    def __str__(self):
        return self.title

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    @property
    def open_now(self) -> bool:
        return self.is_open()

    @property
    def last_day(self):
        """The last day on which feedback is accepted (the window ends at midnight after it, local time)."""
        return timezone.localtime(self.closes_at - timedelta(microseconds=1)).date()


class ConsultationEntry(models.Model):
    """One nomination on the published list. What the public page shows is stored here at publication: the list
    stays what was published, and the page reads one table."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="entries")
    number = models.PositiveIntegerField(_("number"))
    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="consultation_entries")
    stage = models.ForeignKey(ReviewStage, on_delete=models.PROTECT, related_name="consultation_entries")
    nominee = models.CharField(_("nominee"), max_length=255)
    unit_name = models.CharField(_("unit"), max_length=255, blank=True)
    award_name = models.CharField(_("award"), max_length=255)
    year = models.PositiveSmallIntegerField(_("year"))
    achievement = models.TextField(_("achievement summary"))

    class Meta:
        verbose_name = _("consultation entry")
        verbose_name_plural = _("consultation entries")
        ordering = ["consultation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "number"], name="one_consultation_number"),
            models.UniqueConstraint(fields=["consultation", "nomination"], name="one_consultation_entry"),
        ]

    def __str__(self):
        return f"{self.number}. {self.nominee}"

    @property
    def unanswered_complaints(self) -> int:
        return self.feedback.filter(kind=Feedback.Kind.COMPLAINT, answered_at__isnull=True).count()


class Feedback(models.Model):
    """A comment or a complaint from the public about one entry, and the secretariat's answer. Neither the
    sender's address nor anything else about the request is kept."""

    class Kind(models.TextChoices):
        COMMENT = "comment", pgettext_lazy("public consultation", "Comment")
        COMPLAINT = "complaint", _("Complaint")

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    entry = models.ForeignKey(ConsultationEntry, on_delete=models.CASCADE, related_name="feedback")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("sender's name"), max_length=150)
    contact = models.CharField(_("contact"), max_length=150, blank=True)
    text = models.TextField(_("content"))
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consultation feedback")
        verbose_name_plural = _("consultation feedback")
        ordering = ["entry", "created_at", "pk"]
        constraints = [
            # Answered: an answer and its time; a complaint answered has an outcome, a comment never has one.
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, answer="", outcome="")
                | (Q(answered_at__isnull=False) & ~Q(answer="")),
                name="feedback_answered",
            ),
            models.CheckConstraint(
                condition=Q(kind="comment", outcome="")
                | Q(kind="complaint", answered_at__isnull=True)
                | Q(kind="complaint", outcome__in=["upheld", "dismissed"]),
                name="feedback_outcome",
            ),
        ]
        indexes = [
            # The vote gate looks for complaints still waiting for an answer.
            models.Index(
                fields=["entry"],
                condition=Q(kind="complaint", answered_at__isnull=True),
                name="feedback_open_complaints",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.name}"

    @property
    def answered(self) -> bool:
        return self.answered_at is not None
