"""The award catalogue: award types, their rules (versioned, tunable per organisation) and the base salary."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organizations.models import Unit

SUBJECT_TYPES = [("person", _("Individual")), ("unit", _("Collective")), ("household", _("Household"))]


class AwardKind(models.TextChoices):
    """Kinds of commendation (Law 06/2022 Art. 8)."""

    REGULAR = "regular", _("Regular (merit)")
    SUDDEN = "sudden", _("Sudden achievement")
    CAMPAIGN = "campaign", _("Campaign or thematic")
    CONTRIBUTION = "contribution", _("Long contribution")
    SENIORITY = "seniority", _("Seniority")
    FOREIGN = "foreign", _("Foreign relations")


class AwardType(models.Model):
    class Category(models.TextChoices):
        TITLE = "title", _("Emulation title")
        FORM = "form", _("Form of commendation")

    class GrantingLevel(models.TextChoices):
        STATE = "state", _("State (President or Prime Minister)")
        PROVINCE = "province", _("Ministry or province")
        COMMUNE = "commune", _("Commune or head of unit")
        GRASSROOTS = "grassroots", _("Grassroots unit")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=255)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    subject_types = models.JSONField(_("subject types"), default=list, help_text=_("person, unit, household"))
    granting_level = models.CharField(_("granting level"), max_length=12, choices=GrantingLevel.choices)
    kinds = models.JSONField(_("kinds allowed"), default=list)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("award type")
        verbose_name_plural = _("award types")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name

    def fits(self, subject_type: str) -> bool:
        return subject_type in self.subject_types


class AwardRuleSet(models.Model):
    """The rules of an award type from `valid_from` on, nationally (organisation empty) or for one
    organisation's subtree (a province that requires 70 % instead of 50 %). Never edited once saved: a change
    is a new version, so a verdict recorded under the old rules keeps its meaning.

    rules: list of {"kind": <rule kind>, ...parameters, optional "subjects": [...]} (awards/eligibility/rules.py)
    quota_rule: {} or {"of_award": "LDTT", "max_pct": 15, "rounding": "floor" | "round" | "ceil"}
    vote_rule: {"secret": bool, "threshold_pct": 50..100, "base": "all" | "present", "quorum_pct": 0..100}
    required_documents: list of document kinds; coefficients: {"person": 0.3, "unit": 0.8, "household": 0.45}
    """

    award_type = models.ForeignKey(
        AwardType, verbose_name=_("award type"), on_delete=models.PROTECT, related_name="rule_sets"
    )
    organisation = models.ForeignKey(
        Unit,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the national default. A unit: these rules apply in its subtree."),
    )
    valid_from = models.DateField(_("valid from"))
    rules = models.JSONField(_("prerequisite rules"), default=list)
    quota_rule = models.JSONField(_("quota rule"), default=dict, blank=True)
    vote_rule = models.JSONField(_("vote rule"), default=dict, blank=True)
    required_documents = models.JSONField(_("required documents"), default=list, blank=True)
    consultation_days = models.PositiveSmallIntegerField(_("public consultation days"), default=0)
    coefficients = models.JSONField(_("bonus coefficients"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        ordering = ["award_type", "organisation", "-valid_from", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["award_type", "organisation", "valid_from"], name="one_rule_set_per_day"),
            models.UniqueConstraint(
                fields=["award_type", "valid_from"],
                condition=Q(organisation__isnull=True),
                name="one_national_rule_set_per_day",
            ),
            models.CheckConstraint(condition=Q(consultation_days__lte=60), name="consultation_days_range"),
        ]

    def __str__(self):
        return f"{self.award_type.code} {self.valid_from:%d/%m/%Y}"


class BaseSalary(models.Model):
    """Lương cơ sở: bonuses are multiples of the amount in force on the decision date."""

    amount = models.PositiveIntegerField(_("amount (VND per month)"))
    valid_from = models.DateField(_("valid from"), unique=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("base salary")
        verbose_name_plural = _("base salaries")
        ordering = ["-valid_from"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="base_salary_positive")]

    def __str__(self):
        return f"{self.amount:,} đ ({self.valid_from:%d/%m/%Y})"

    @classmethod
    def in_force(cls, on):
        return cls.objects.filter(valid_from__lte=on).order_by("-valid_from").first()

    @staticmethod
    def bonus(*, coefficient, base_amount: int) -> int:
        """Coefficient × base salary, in whole đồng."""
        return int((Decimal(str(coefficient)) * base_amount).quantize(Decimal(1), rounding=ROUND_HALF_UP))
