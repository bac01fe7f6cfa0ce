"""Award history: what was granted, how people and collectives were rated, disciplines, initiatives, and who
counted as a member of a collective each year. The eligibility engine reads only these tables."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organizations.models import Household, Person, Unit

from .catalogue import AwardKind, AwardType

ONE_SUBJECT = (
    Q(person__isnull=False, unit__isnull=True, household__isnull=True)
    | Q(person__isnull=True, unit__isnull=False, household__isnull=True)
    | Q(person__isnull=True, unit__isnull=True, household__isnull=False)
)


class AwardRecord(models.Model):
    """An award granted to one subject (a person, a unit or a household), from a decision or imported."""

    class Source(models.TextChoices):
        IMPORT = "import", _("Imported history")
        DECISION = "decision", _("Award decision")

    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="awards")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="awards")
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.PROTECT, related_name="awards")
    award_type = models.ForeignKey(AwardType, verbose_name=_("award"), on_delete=models.PROTECT, related_name="records")
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=12, choices=AwardKind.choices, default=AwardKind.REGULAR)
    decision_number = models.CharField(_("decision number"), max_length=50)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    issuer = models.CharField(_("issuer"), max_length=255, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)
    revoked_reason = models.CharField(_("revocation reason"), max_length=255, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.IMPORT)

    class Meta:
        verbose_name = _("award record")
        verbose_name_plural = _("award records")
        ordering = ["-year", "award_type__order"]
        constraints = [
            models.CheckConstraint(condition=ONE_SUBJECT, name="award_record_one_subject"),
            models.CheckConstraint(condition=Q(year__gte=1945) & Q(year__lte=2100), name="award_record_year"),
            models.UniqueConstraint(
                fields=["person", "award_type", "year", "decision_number"],
                condition=Q(person__isnull=False),
                name="award_record_person_once",
            ),
            models.UniqueConstraint(
                fields=["unit", "award_type", "year", "decision_number"],
                condition=Q(unit__isnull=False),
                name="award_record_unit_once",
            ),
            models.UniqueConstraint(
                fields=["household", "award_type", "year", "decision_number"],
                condition=Q(household__isnull=False),
                name="award_record_household_once",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "year"], name="award_person_year"),
            models.Index(fields=["unit", "year"], name="award_unit_year"),
            models.Index(fields=["household", "year"], name="award_household_year"),
        ]

    def __str__(self):
        return f"{self.award_type.code} {self.year} ({self.decision_number})"

    @property
    def subject(self):
        return self.person or self.unit or self.household


class Rating(models.Model):
    """Xếp loại: how a person or a collective completed its tasks in a year."""

    class Level(models.TextChoices):
        EXCELLENT = "excellent", _("Excellently completed tasks")
        GOOD = "good", _("Well completed tasks")
        COMPLETED = "completed", _("Completed tasks")
        FAILED = "failed", _("Did not complete tasks")

    RANK = {Level.FAILED: 0, Level.COMPLETED: 1, Level.GOOD: 2, Level.EXCELLENT: 3}

    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="ratings")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="ratings")
    year = models.PositiveSmallIntegerField(_("year"))
    rating = models.CharField(_("rating"), max_length=10, choices=Level.choices)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, unit__isnull=True) | Q(person__isnull=True, unit__isnull=False),
                name="rating_one_subject",
            ),
            models.UniqueConstraint(
                fields=["person", "year"], condition=Q(person__isnull=False), name="rating_person_year"
            ),
            models.UniqueConstraint(fields=["unit", "year"], condition=Q(unit__isnull=False), name="rating_unit_year"),
        ]

    def __str__(self):
        return f"{self.year}: {self.get_rating_display()}"


class Discipline(models.Model):
    class Level(models.TextChoices):
        REPRIMAND = "reprimand", _("Reprimand")
        WARNING = "warning", _("Warning")
        DEMOTION = "demotion", _("Demotion")
        DISMISSAL = "dismissal", _("Dismissal")

    RANK = {Level.REPRIMAND: 1, Level.WARNING: 2, Level.DEMOTION: 3, Level.DISMISSAL: 4}

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="disciplines")
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True, help_text=_("Empty while the discipline is in force."))
    decision_number = models.CharField(_("decision number"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("discipline")
        verbose_name_plural = _("disciplines")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="discipline_range"
            ),
            models.UniqueConstraint(fields=["person", "level", "start"], name="discipline_once"),
        ]

    def __str__(self):
        return f"{self.get_level_display()} {self.start:%d/%m/%Y}"


class Initiative(models.Model):
    """Sáng kiến: recognised at a scope (unit < province < national) in a year; its authors may count it."""

    class Scope(models.TextChoices):
        UNIT = "unit", _("Grassroots unit")
        PROVINCE = "province", _("Ministry or province")
        NATIONAL = "national", _("Nationwide")

    RANK = {Scope.UNIT: 1, Scope.PROVINCE: 2, Scope.NATIONAL: 3}

    authors = models.ManyToManyField(Person, verbose_name=_("authors"), related_name="initiatives")
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=500)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    year = models.PositiveSmallIntegerField(_("year recognised"))
    recognised_on = models.DateField(_("recognised on"), null=True, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=50)

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["-year", "title"]
        constraints = [models.UniqueConstraint(fields=["decision_number", "title"], name="initiative_once")]

    def __str__(self):
        return self.title


class Membership(models.Model):
    """Who counted as a member of a collective in a year (the base of "more than 50 % of members")."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    year = models.PositiveSmallIntegerField(_("year"))

    class Meta:
        verbose_name = _("collective membership")
        verbose_name_plural = _("collective memberships")
        constraints = [models.UniqueConstraint(fields=["unit", "person", "year"], name="membership_once")]
        indexes = [models.Index(fields=["unit", "year"], name="membership_unit_year")]

    def __str__(self):
        return f"{self.person} ∈ {self.unit} ({self.year})"
