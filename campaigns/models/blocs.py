"""Emulation clusters and blocs (cụm, khối thi đua): members and rotating leaders per year, the pledge,
versioned score templates, score sheets (self score, verified score), and the year's recorded result."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organizations.models import Unit


class Bloc(models.Model):
    """One bloc for one year; the same bloc next year is a new row (its leaders rotate)."""

    class Kind(models.TextChoices):
        CLUSTER = "cluster", _("Cluster of territories")
        BLOC = "bloc", _("Bloc of similar agencies")

    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    organising_unit = models.ForeignKey(
        Unit, verbose_name=_("organising unit"), on_delete=models.PROTECT, related_name="organised_blocs"
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("same bloc the year before"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    template = models.ForeignKey(
        "ScoreTemplate",
        verbose_name=_("score template"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="blocs",
    )
    self_score_deadline = models.DateField(_("self-score deadline"), null=True, blank=True)
    sheets_locked_at = models.DateTimeField(_("sheets locked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("emulation bloc")
        verbose_name_plural = _("emulation blocs")
        ordering = ["-year", "name"]
        constraints = [models.UniqueConstraint(fields=["organising_unit", "name", "year"], name="one_bloc_per_year")]

    def __str__(self):
        return f"{self.name} ({self.year})"


class BlocMembership(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", _("Bloc leader")
        DEPUTY = "deputy", _("Deputy bloc leader")
        MEMBER = "member", _("Member")

    bloc = models.ForeignKey(Bloc, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="bloc_memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        verbose_name = _("bloc member")
        verbose_name_plural = _("bloc members")
        ordering = ["bloc", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["bloc", "unit"], name="one_membership_per_bloc"),
            models.UniqueConstraint(fields=["bloc"], condition=Q(role="leader"), name="one_leader_per_bloc"),
            models.UniqueConstraint(fields=["bloc"], condition=Q(role="deputy"), name="one_deputy_per_bloc"),
        ]

    def __str__(self):
        return f"{self.unit} — {self.get_role_display()}"


class Pledge(models.Model):
    """Giao ước thi đua signed by the members at the start of the year."""

    bloc = models.OneToOneField(Bloc, on_delete=models.CASCADE, related_name="pledge")
    signed_on = models.DateField(_("signed on"))
    targets = models.TextField(_("targets"))
    document = models.FileField(_("document"), upload_to="blocs/pledges/", blank=True)

    class Meta:
        verbose_name = _("emulation pledge")
        verbose_name_plural = _("emulation pledges")

    def __str__(self):
        return f"{self.bloc} — {self.signed_on:%d/%m/%Y}"


class ScoreTemplate(models.Model):
    """A scoring table; versions are separate rows, and a version in use by a bloc is never edited."""

    organising_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="score_templates")
    name = models.CharField(_("name"), max_length=255)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("score template")
        verbose_name_plural = _("score templates")
        ordering = ["organising_unit", "name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["organising_unit", "name", "version"], name="one_template_version")
        ]

    def __str__(self):
        return f"{self.name} (v{self.version})"


class ScoreGroup(models.Model):
    template = models.ForeignKey(ScoreTemplate, on_delete=models.CASCADE, related_name="groups")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=255)

    class Meta:
        verbose_name = _("criteria group")
        verbose_name_plural = _("criteria groups")
        ordering = ["template", "order", "pk"]

    def __str__(self):
        return self.title


class ScoreCriterion(models.Model):
    """A criterion with its maximum; bonus items add and penalty items subtract, each up to its cap."""

    class Kind(models.TextChoices):
        NORMAL = "normal", _("Criterion")
        BONUS = "bonus", _("Bonus")
        PENALTY = "penalty", _("Penalty")

    group = models.ForeignKey(ScoreGroup, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("criterion"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NORMAL)
    max_points = models.DecimalField(_("maximum points"), max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = _("score criterion")
        verbose_name_plural = _("score criteria")
        ordering = ["group", "order", "pk"]
        constraints = [models.CheckConstraint(condition=Q(max_points__gt=0), name="score_criterion_max_positive")]

    def __str__(self):
        return self.text[:80]


class ScoreSheet(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Being filled")
        SUBMITTED = "submitted", _("Submitted for cross-check")
        VERIFIED = "verified", _("Verified by the bloc leader")
        LOCKED = "locked", _("Locked")

    bloc = models.ForeignKey(Bloc, on_delete=models.CASCADE, related_name="sheets")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="score_sheets")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        ordering = ["bloc", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["bloc", "unit"], name="one_sheet_per_member")]

    def __str__(self):
        return f"{self.unit} — {self.bloc}"


class ScoreEntry(models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="entries")
    criterion = models.ForeignKey(ScoreCriterion, on_delete=models.PROTECT, related_name="+")
    self_points = models.DecimalField(_("self score"), max_digits=7, decimal_places=2, null=True, blank=True)
    evidence = models.FileField(_("evidence"), upload_to="blocs/evidence/", blank=True)
    verified_points = models.DecimalField(_("verified score"), max_digits=7, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("score entry")
        verbose_name_plural = _("score entries")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="one_entry_per_criterion"),
            models.CheckConstraint(
                condition=(Q(self_points__isnull=True) | Q(self_points__gte=0))
                & (Q(verified_points__isnull=True) | Q(verified_points__gte=0)),
                name="score_points_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.sheet}: {self.criterion}"


class BlocResult(models.Model):
    """The year-end meeting's outcome: the ranking as settled, the leading unit proposed for the emulation
    flag (CO_TINH), the next ones for Bằng khen (BK_TINH), and next year's leader and deputy."""

    bloc = models.OneToOneField(Bloc, on_delete=models.CASCADE, related_name="result")
    ranking = models.JSONField(_("ranking"), default=list)  # [{"unit": pk, "total": "95.50", "rank": 1}, ...]
    tie_resolution = models.TextField(_("how ties were settled"), blank=True)
    flag_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    merit_units = models.ManyToManyField(Unit, blank=True, related_name="+")
    next_leader = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    next_deputy = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    meeting_on = models.DateField(_("meeting date"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bloc result")
        verbose_name_plural = _("bloc results")

    def __str__(self):
        return f"{self.bloc}"
