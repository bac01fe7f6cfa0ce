"""Nominations (hồ sơ đề nghị) and their climb: the proposal letters that carry them, their documents, the
stages of their route through councils, and the authority table the route is computed from."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from organizations.models import Council, Household, Person, Unit

from .catalogue import AwardKind, AwardType
from .history import ONE_SUBJECT


class Authority(models.Model):
    """Which level of unit decides an award type from `valid_from` on (the 2025 reform moved powers from
    districts to communes; decisions before it keep their old authority). The route of a nomination climbs
    the proposing unit's ancestors up to the nearest unit of this level."""

    award_type = models.ForeignKey(AwardType, on_delete=models.CASCADE, related_name="authorities")
    deciding_level = models.CharField(_("deciding level"), max_length=20, choices=Unit.Level.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("deciding authority")
        verbose_name_plural = _("deciding authorities")
        ordering = ["award_type", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["award_type", "valid_from"], name="one_authority_per_day"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")), name="authority_range"
            ),
        ]

    def __str__(self):
        return f"{self.award_type.code}: {self.get_deciding_level_display()} ({self.valid_from:%d/%m/%Y})"


class Submission(models.Model):
    """Tờ trình: one unit's letter proposing many nominations at once, numbered per issuer and year.

    Two kinds: the proposing unit's own letter (its nominations point to it through Nomination.submission), and
    a forwarding letter of a level whose council passed nominations that a higher level decides (`council` set;
    its nominations are those whose stage it brought them to: ReviewStage.letter)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        RECALLED = "recalled", _("Recalled")
        RECEIVED = "received", _("Received")

    unit = models.ForeignKey(
        Unit, verbose_name=_("proposing unit"), on_delete=models.PROTECT, related_name="submissions"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    symbol = models.CharField(_("symbol"), max_length=50, blank=True)
    title = models.CharField(_("subject line"), max_length=255)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    council = models.ForeignKey(
        Council,
        verbose_name=_("forwarding council"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="forwarding_letters",
        help_text=_("Set on a letter by which a council's level forwards the nominations it passed."),
    )
    signed_scan = models.FileField(_("signed scan"), upload_to="submissions/", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("proposal letter")
        verbose_name_plural = _("proposal letters")
        ordering = ["-year", "-number", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "number"], condition=Q(number__isnull=False), name="one_submission_number"
            )
        ]

    def __str__(self):
        return f"{self.number:02d}/{self.symbol}" if self.number else self.title


# The states in which a nomination is over and no longer stands in the way of a new one.
ENDED_STATES = ("rejected", "not_approved", "withdrawn", "revoked")


class Nomination(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        IN_APPRAISAL = "in_appraisal", _("In appraisal")
        RETURNED = "returned", _("Returned for supplement")
        REJECTED = "rejected", _("Rejected")
        IN_CONSULTATION = "in_consultation", _("In public consultation")
        IN_COUNCIL = "in_council", _("Waiting for the council")
        NOT_APPROVED = "not_approved", _("Not approved by the council")
        FORWARDED = "forwarded", _("Forwarded to the next level")
        IN_DECISION = "in_decision", _("Waiting for the decision")
        AWARDED = "awarded", _("Awarded")
        REVOKED = "revoked", _("Revoked")
        ON_HOLD = "on_hold", _("On hold")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Procedure(models.TextChoices):
        NORMAL = "normal", _("Normal")
        SIMPLIFIED = "simplified", _("Simplified (sudden achievement)")

    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="nominations")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="nominations")
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="nominations"
    )
    award_type = models.ForeignKey(
        AwardType, verbose_name=_("award"), on_delete=models.PROTECT, related_name="nominations"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=12, choices=AwardKind.choices, default=AwardKind.REGULAR)
    procedure = models.CharField(_("procedure"), max_length=10, choices=Procedure.choices, default=Procedure.NORMAL)
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposing_unit = models.ForeignKey(
        Unit, verbose_name=_("proposing unit"), on_delete=models.PROTECT, related_name="proposed_nominations"
    )
    achievement = models.TextField(_("achievement summary"))
    justification = models.TextField(
        _("justification"), blank=True, help_text=_("Required when eligibility needs review or the quota is exceeded.")
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    held_from = models.CharField(_("state before the hold"), max_length=20, choices=State.choices, blank=True)
    hold_reason = models.TextField(_("reason for the hold"), blank=True)
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="nominations"
    )
    eligibility = models.JSONField(_("eligibility at submission"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["-year", "-pk"]
        constraints = [
            models.CheckConstraint(condition=ONE_SUBJECT, name="nomination_one_subject"),
            models.CheckConstraint(condition=Q(year__gte=1945) & Q(year__lte=2100), name="nomination_year"),
            # A merit title is given once a year: one live regular nomination per subject, award and year, so that
            # two officers proposing the same person at the same moment cannot both succeed.
            *(
                models.UniqueConstraint(
                    fields=[subject, "award_type", "year"],
                    condition=Q(**{f"{subject}__isnull": False}, kind=AwardKind.REGULAR) & ~Q(state__in=ENDED_STATES),
                    name=f"one_live_nomination_{subject}",
                )
                for subject in ("person", "unit", "household")
            ),
        ]
        indexes = [
            models.Index(fields=["proposing_unit", "state", "year"], name="nomination_unit_state"),
            models.Index(fields=["state", "year"], name="nomination_state_year"),
        ]

    def __str__(self):
        return f"{self.award_type.code} {self.year}: {self.subject}"

    @property
    def subject(self):
        return self.person or self.unit or self.household


def dossier_path(instance, filename: str) -> str:
    """A random name: the uploaded name is kept in the row, never on disk."""
    return f"dossiers/{instance.nomination_id}/{uuid.uuid4().hex}"


class DossierDocument(models.Model):
    class Kind(models.TextChoices):
        PROPOSAL_LETTER = "proposal_letter", _("Proposal letter")
        ACHIEVEMENT_REPORT = "achievement_report", _("Achievement report")
        MINUTES = "minutes", _("Meeting minutes")
        TALLY_MINUTES = "tally_minutes", _("Ballot-count minutes")
        INITIATIVE_CERTIFICATE = "initiative_certificate", _("Initiative certificate")
        OTHER_CONFIRMATION = "other_confirmation", _("Other confirmation")

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=dossier_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    replaced_at = models.DateTimeField(_("replaced at"), null=True, blank=True)

    class Meta:
        verbose_name = _("dossier document")
        verbose_name_plural = _("dossier documents")
        ordering = ["nomination", "kind", "-uploaded_at"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.original_name}"


class ReviewStage(models.Model):
    """One council on the route: its secretariat receives, appraises, and puts the nomination before the
    council; the last stage belongs to the deciding authority."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Not reached yet")
        SUBMITTED = "submitted", _("Submitted")
        IN_APPRAISAL = "in_appraisal", _("In appraisal")
        RETURNED = "returned", _("Returned for supplement")
        REJECTED = "rejected", _("Rejected")
        ACCEPTED = "accepted", _("Accepted")
        PASSED = "passed", _("Passed by the council")
        FAILED = "failed", _("Not passed by the council")

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="stages")
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="stages")
    order = models.PositiveSmallIntegerField(_("order"))
    decides = models.BooleanField(_("decides the award"), default=False)
    state = models.CharField(_("state"), max_length=15, choices=State.choices, default=State.WAITING)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.JSONField(_("reasons"), default=list, blank=True)  # [{"document": kind or "", "text": ...}]
    letter = models.ForeignKey(
        Submission,
        verbose_name=_("proposal letter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stages",
        help_text=_("The letter that brought the nomination to this stage."),
    )

    class Meta:
        verbose_name = _("review stage")
        verbose_name_plural = _("review stages")
        ordering = ["nomination", "order"]
        constraints = [models.UniqueConstraint(fields=["nomination", "order"], name="one_stage_per_order")]
        indexes = [models.Index(fields=["council", "state", "due_at"], name="stage_council_state_due")]

    def __str__(self):
        return f"{self.nomination} @ {self.council}"


class NominationRevision(models.Model):
    """What the nomination looked like at each submission: the reviewer sees what changed after a return."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField(_("revision"))
    snapshot = models.JSONField(_("content"))  # fields and the list of documents (kind, name, size, id)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("nomination revision")
        verbose_name_plural = _("nomination revisions")
        ordering = ["nomination", "number"]
        constraints = [models.UniqueConstraint(fields=["nomination", "number"], name="one_revision_number")]

    def __str__(self):
        return f"{self.nomination} #{self.number}"
