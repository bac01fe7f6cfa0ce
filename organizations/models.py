from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from thiduakt.lib.vn import fold

PATH_STEP = 9  # each segment: the pk zero-padded to 8 digits, then "/"


class Unit(models.Model):
    """A body in the administrative tree. `path` is a materialised path of pks: subtree and ancestor
    queries are one query each, whatever the depth."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry or central body")
        PROVINCE = "province", _("Province")
        COMMUNE = "commune", _("Commune or ward")
        DEPARTMENT = "department", _("Department or agency")
        SCHOOL = "school", _("School")
        ENTERPRISE = "enterprise", _("Enterprise")
        HAMLET = "hamlet", _("Hamlet or residential group")
        OTHER = "other", _("Other")

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        PROVINCE = "province", _("Ministry or province")
        COMMUNE = "commune", _("Commune")
        GRASSROOTS = "grassroots", _("Grassroots")

    class Role(models.TextChoices):
        """Roles on a unit, held as guardian object permissions; a role covers the unit's subtree."""

        OFFICER = "unit_officer", _("Emulation officer")
        HEAD = "unit_head", _("Head of unit")
        VIEWER = "unit_viewer", _("Viewer")
        SIGNER = "signer", _("Signer")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.GRASSROOTS)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    successor_of = models.ManyToManyField(
        "self",
        verbose_name=_("successor of"),
        symmetrical=False,
        blank=True,
        related_name="successors",
        help_text=_("Units merged or split into this one; their history belongs to this unit."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    search_name = models.CharField(max_length=255, db_index=True, editable=False, default="")

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        permissions = [
            ("unit_officer", _("Emulation officer of the unit")),
            ("unit_head", _("Head of the unit")),
            ("unit_viewer", _("Viewer of the unit")),
            ("signer", _("Signer of award decisions for the unit")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_range",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = fold(f"{self.code} {self.name} {self.short_name}")
        super().save(*args, **kwargs)
        expected = self.compute_path()
        if self.path != expected:
            self.path = expected
            Unit.objects.filter(pk=self.pk).update(path=expected)

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id else ""
        return f"{prefix}{self.pk:08d}/"

    @property
    def depth(self) -> int:
        return len(self.path) // PATH_STEP

    @property
    def ancestor_ids(self) -> list[int]:
        """Pks from the root down to this unit, itself included, read off the path without a query."""
        return [int(segment) for segment in self.path.split("/") if segment]

    def ancestors(self, include_self=False):
        ids = self.ancestor_ids if include_self else self.ancestor_ids[:-1]
        return Unit.objects.filter(pk__in=ids).order_by("path")

    def subtree(self, include_self=True):
        qs = Unit.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    @property
    def is_active(self) -> bool:
        return self.valid_to is None


class UnitUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Unit, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class UnitGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Unit, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


class Person(models.Model):
    class Gender(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")
        OTHER = "other", _("Other")

    class PositionKind(models.TextChoices):
        LEADER = "leader", _("Leader or manager")
        DIRECT_WORKER = "direct_worker", _("Direct worker")
        OTHER = "other", _("Other")

    code = models.CharField(
        _("code"), max_length=32, unique=True, help_text=_("Civil-servant code or another stable unique id.")
    )
    full_name = models.CharField(_("full name"), max_length=150)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    position = models.CharField(_("position"), max_length=150, blank=True)
    position_kind = models.CharField(
        _("position kind"), max_length=20, choices=PositionKind.choices, default=PositionKind.OTHER
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="people")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    search_name = models.CharField(max_length=200, db_index=True, editable=False, default="")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["search_name", "code"]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.search_name = fold(self.full_name)
        super().save(*args, **kwargs)


class Employment(models.Model):
    """Where a person worked and as what, over time; the current row has no end date."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="employments")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="employments")
    position = models.CharField(_("position"), max_length=150, blank=True)
    position_kind = models.CharField(
        _("position kind"), max_length=20, choices=Person.PositionKind.choices, default=Person.PositionKind.OTHER
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)

    class Meta:
        verbose_name = _("employment")
        verbose_name_plural = _("employment history")
        ordering = ["person", "-start"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(end__isnull=True), name="one_current_employment"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="employment_range"
            ),
        ]

    def __str__(self):
        return f"{self.person} — {self.unit}"


class Household(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    head_name = models.CharField(_("head of household"), max_length=150)
    address = models.CharField(_("address"), max_length=255, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("commune or hamlet"),
        on_delete=models.PROTECT,
        related_name="households",
    )
    search_name = models.CharField(max_length=200, db_index=True, editable=False, default="")

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["search_name", "code"]

    def __str__(self):
        return _("Household of %(name)s") % {"name": self.head_name}

    def save(self, *args, **kwargs):
        self.search_name = fold(self.head_name)
        super().save(*args, **kwargs)


class Council(models.Model):
    """Hội đồng Thi đua – Khen thưởng of a unit."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="councils")
    name = models.CharField(_("name"), max_length=255)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)

    class Meta:
        verbose_name = _("council")
        verbose_name_plural = _("councils")
        ordering = ["unit__path", "name"]
        permissions = [("secretariat", _("Secretariat of the council"))]

    def __str__(self):
        return self.name


class CouncilUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Council, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class CouncilGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Council, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


class CouncilMember(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        VICE_CHAIR = "vice_chair", _("Vice chair")
        STANDING = "standing", _("Standing member")
        MEMBER = "member", _("Member")
        SECRETARY = "secretary", _("Secretary")

    council = models.ForeignKey(Council, verbose_name=_("council"), on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="council_memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    voting = models.BooleanField(_("voting member"), default=True)
    start = models.DateField(_("from"), null=True, blank=True)
    end = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("council member")
        verbose_name_plural = _("council members")
        ordering = ["council", "role", "user__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "user"], condition=Q(end__isnull=True), name="one_active_membership"
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}"
