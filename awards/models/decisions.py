"""Award decisions (quyết định khen thưởng) and their lines (law-notes §4.3, §8.6, §11.2–11.3).

A decision is drafted by the issuer's staff from nominations waiting for a decision at that issuer, then issued by
a signer: issuing allocates its number in the issuer's yearly series ("Số: 05/QĐ-UBND"), freezes the bonus of
every line (coefficient × base salary in force on the decision date), and writes the award records that the
eligibility engine reads. A whole decision or one line can later be revoked (hủy bỏ), with the reason and the
legal ground; the award records are marked revoked and so are the certificates that print them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organizations.models import Unit
from thiduakt.lib.vn import fold

from .catalogue import AwardType
from .history import AwardRecord
from .nominations import Nomination


def scan_path(instance, filename: str) -> str:
    return f"decisions/{instance.pk}/signed-scan.pdf"


class Decision(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")
        REVOKED = "revoked", _("Revoked")

    class SigningMode(models.TextChoices):
        """How the signer signs (Decree 30/2020): in their own name, or for (KT.), on behalf of (TM.), acting (Q.)."""

        OWN = "", _("In their own name")
        KT = "KT.", _("KT. (signing for the head)")
        TM = "TM.", _("TM. (on behalf of the collective)")
        Q = "Q.", _("Q. (acting)")

    issuer = models.ForeignKey(Unit, verbose_name=_("issuer"), on_delete=models.PROTECT, related_name="decisions")
    award_type = models.ForeignKey(
        AwardType, verbose_name=_("award"), on_delete=models.PROTECT, related_name="decisions"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    # The number and its year are allocated when the decision is issued (a per-issuer, per-year series).
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("year of the number series"), null=True, blank=True)
    symbol = models.CharField(_("symbol"), max_length=30, default="QĐ-UBND")
    decided_on = models.DateField(_("decision date"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=100, help_text=_("As printed before the date, e.g. Sông Hồng."))
    title = models.CharField(
        _("subject line"), max_length=255, help_text=_("Trích yếu, e.g. Về việc tặng Bằng khen của Chủ tịch UBND tỉnh.")
    )
    issuer_title = models.CharField(
        _("issuer's title"),
        max_length=255,
        help_text=_(
            "The authority as printed on the decision and the certificates, e.g. CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH."
        ),
    )
    signing_mode = models.CharField(_("signing mode"), max_length=3, choices=SigningMode.choices, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=255)
    signer_name = models.CharField(_("signer's name"), max_length=255)
    legal_bases = models.JSONField(_("legal bases"), default=list, blank=True)  # ["Căn cứ …;", …]
    achievement = models.TextField(
        _("achievement wording"), help_text=_("Đã có thành tích …: printed in Article 1 and on the certificates.")
    )
    base_salary = models.PositiveIntegerField(_("base salary (VND)"), null=True, blank=True)  # frozen at issue
    total_bonus = models.PositiveBigIntegerField(_("total bonus (VND)"), null=True, blank=True)  # frozen at issue
    signed_scan = models.FileField(_("signed scan"), upload_to=scan_path, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.TextField(_("revocation reason"), blank=True)
    revoked_ground = models.CharField(_("legal ground of the revocation"), max_length=255, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("award decision")
        verbose_name_plural = _("award decisions")
        ordering = ["-year", "-number", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "year", "number"], condition=Q(number__isnull=False), name="one_decision_number"
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | (Q(number__isnull=False) & Q(decided_on__isnull=False)),
                name="issued_decision_numbered",
            ),
        ]
        indexes = [models.Index(fields=["issuer", "state", "decided_on"], name="decision_issuer_state")]

    def __str__(self):
        return self.number_label or str(_("Draft decision"))

    @property
    def number_label(self) -> str:
        """ "05/QĐ-UBND": zero-padded under 10 (Decree 30/2020); empty while a draft."""
        return f"{self.number:02d}/{self.symbol}" if self.number else ""


class DecisionItem(models.Model):
    """One line of a decision's attached list: one nomination's subject, with the printed texts (frozen when
    the decision is issued) and the bonus."""

    class Group(models.IntegerChoices):
        """The attached list's sections, in this order: I. collectives, II. individuals, III. households."""

        COLLECTIVE = 1, _("Collectives")
        INDIVIDUAL = 2, _("Individuals")
        HOUSEHOLD = 3, _("Households")

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="items")
    nomination = models.OneToOneField(
        Nomination, verbose_name=_("nomination"), on_delete=models.PROTECT, related_name="decision_item"
    )
    group = models.PositiveSmallIntegerField(_("group"), choices=Group.choices)
    order = models.PositiveIntegerField(_("order"))
    recipient_name = models.CharField(_("recipient"), max_length=255)
    recipient_position = models.CharField(_("position"), max_length=255, blank=True)
    recipient_unit = models.CharField(_("unit"), max_length=255, blank=True)
    coefficient = models.DecimalField(_("coefficient"), max_digits=5, decimal_places=2, null=True, blank=True)
    bonus_amount = models.PositiveBigIntegerField(_("bonus (VND)"), null=True, blank=True)  # frozen at issue
    register_number = models.CharField(_("golden-book number"), max_length=50, blank=True)
    # thiduakt.lib.vn.fold of the recipient's name and unit: the published lists search it without accents.
    search_text = models.CharField(max_length=600, editable=False, default="")
    award_record = models.OneToOneField(
        AwardRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="decision_item"
    )
    revoked = models.BooleanField(_("revoked"), default=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.TextField(_("revocation reason"), blank=True)
    revoked_ground = models.CharField(_("legal ground of the revocation"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("decision line")
        verbose_name_plural = _("decision lines")
        ordering = ["decision", "group", "order"]
        constraints = [models.UniqueConstraint(fields=["decision", "group", "order"], name="one_decision_line_order")]

    def __str__(self):
        return f"{self.decision}: {self.recipient_name}"

    def save(self, *args, **kwargs):
        self.search_text = fold(f"{self.recipient_name} {self.recipient_unit}")
        super().save(*args, **kwargs)
