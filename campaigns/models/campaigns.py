"""Emulation campaigns (phong trào thi đua), their criteria, amendments and the units' registrations.

Award types are named by their code (a string): `campaigns` never imports `awards`; awards reads campaigns."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from organizations.models import Person, Unit


class Campaign(models.Model):
    class Kind(models.TextChoices):
        REGULAR = "regular", _("Regular (yearly)")
        PERIODIC = "periodic", _("Periodic")
        THEMATIC = "thematic", _("Thematic")

    class Scope(models.TextChoices):
        SUBTREE = "subtree", _("The launching unit and all its sub-units")
        CHOSEN = "chosen", _("Chosen units")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LAUNCHED = "launched", _("Launched")
        MIDTERM_REVIEWED = "midterm_reviewed", _("Mid-term reviewed")
        CLOSED = "closed", _("Closed")
        SUMMARISED = "summarised", _("Summarised")

    # Fields that freeze at launch: changing one afterwards is an explicit, audited amendment.
    FROZEN_FIELDS = (
        "period_start",
        "period_end",
        "registration_deadline",
        "midterm_review_on",
        "nomination_deadline",
        "final_review_on",
    )

    code = models.CharField(_("code"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=300)
    launching_unit = models.ForeignKey(
        Unit, verbose_name=_("launching unit"), on_delete=models.PROTECT, related_name="launched_campaigns"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.SUBTREE)
    chosen_units = models.ManyToManyField(Unit, verbose_name=_("chosen units"), blank=True, related_name="+")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    description = models.TextField(_("description"), blank=True)
    plan_document = models.FileField(_("plan document"), upload_to="campaigns/plans/", blank=True)
    award_codes = models.JSONField(_("award types it leads to"), default=list, blank=True)
    registration_deadline = models.DateField(_("registration deadline"))
    midterm_review_on = models.DateField(_("mid-term review"), null=True, blank=True)
    nomination_deadline = models.DateField(_("nomination deadline"))
    final_review_on = models.DateField(_("final review"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    launched_on = models.DateField(_("launched on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("emulation campaign")
        verbose_name_plural = _("emulation campaigns")
        ordering = ["-period_start", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="campaign_period"),
            models.CheckConstraint(
                condition=Q(nomination_deadline__gte=F("registration_deadline")), name="campaign_deadlines_order"
            ),
        ]
        indexes = [models.Index(fields=["state", "registration_deadline"], name="campaign_state_deadline")]

    def __str__(self):
        return self.title

    @property
    def is_frozen(self) -> bool:
        return self.state != self.State.DRAFT


class CampaignCriterion(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("criterion"))
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("campaign criterion")
        verbose_name_plural = _("campaign criteria")
        ordering = ["campaign", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(points__isnull=True) | Q(points__gte=0), name="criterion_points")
        ]

    def __str__(self):
        return self.text[:80]


class CampaignAmendment(models.Model):
    """A change to a launched campaign's frozen fields: who, when, why and what (old → new)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="amendments")
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    made_at = models.DateTimeField(_("made at"), auto_now_add=True)
    reason = models.TextField(_("reason"))
    changes = models.JSONField(_("changes"), default=dict)

    class Meta:
        verbose_name = _("campaign amendment")
        verbose_name_plural = _("campaign amendments")
        ordering = ["-made_at"]

    def __str__(self):
        return f"{self.campaign} — {self.made_at:%d/%m/%Y}"


class Registration(models.Model):
    """Đăng ký thi đua: a unit's plan of which titles it and its people aim at. Not a legal prerequisite."""

    class State(models.TextChoices):
        NOT_SENT = "not_sent", _("Not sent")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="registrations")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="registrations")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.NOT_SENT)
    note = models.TextField(_("note"), blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("emulation registration")
        verbose_name_plural = _("emulation registrations")
        ordering = ["campaign", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="one_registration_per_unit")]

    def __str__(self):
        return f"{self.unit} — {self.campaign}"


class RegistrationTarget(models.Model):
    """One title aimed at: by a person of the unit, or by the unit itself (person empty)."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="targets")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    award_code = models.CharField(_("award"), max_length=20)

    class Meta:
        verbose_name = _("registered target")
        verbose_name_plural = _("registered targets")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "person", "award_code"], name="one_target_per_person_award"
            ),
            models.UniqueConstraint(
                fields=["registration", "award_code"], condition=Q(person__isnull=True), name="one_collective_target"
            ),
        ]

    def __str__(self):
        return f"{self.person or self.registration.unit}: {self.award_code}"
