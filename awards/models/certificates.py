"""Certificates (Bằng khen, Giấy khen, Chiến sĩ thi đua certificates) of issued decisions (law-notes §11.1).

One certificate per decision line. The text it prints is frozen as JSON when it is generated (STYLE §15: render
from stored data, store the file, serve the file), and it carries an unguessable token: the QR code printed on
it leads to /verify/<token>/, where anyone can read whether it is still valid. Validity is not stored: a
certificate is revoked when its line or its whole decision is revoked (law-notes §8.6).

A `CertificateBatch` is one run of the Celery job that renders every missing certificate of a decision, with
its progress and its two downloads (the print-ready merged PDF and a ZIP of single PDFs)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .decisions import Decision, DecisionItem


def new_token() -> str:
    # 16 random bytes: 128 bits, 32 hexadecimal characters. No "-" or "_": a printed address that wraps after a
    # hyphen would be misread as a word break by whoever types it from the paper; the QR code stays small.
    return secrets.token_hex(16)


def certificate_path(instance, filename: str) -> str:
    return f"certificates/{instance.item.decision_id}/{instance.item_id}-{instance.token[:8]}.pdf"


def batch_path(instance, filename: str) -> str:
    return f"certificates/{instance.decision_id}/batch-{instance.pk}-{filename}"


class Certificate(models.Model):
    class Family(models.TextChoices):
        """The print template, chosen from the award type's code (see awards.certificates.family_for)."""

        BANG_KHEN = "bang_khen", _("Certificate of merit (Bằng khen)")
        GIAY_KHEN = "giay_khen", _("Certificate of merit (Giấy khen)")
        CSTD = "cstd", _("Emulation fighter certificate")
        GENERIC = "generic", _("Other certificate")

    item = models.OneToOneField(
        DecisionItem, verbose_name=_("decision line"), on_delete=models.CASCADE, related_name="certificate"
    )
    token = models.CharField(_("verification token"), max_length=64, unique=True, default=new_token, editable=False)
    family = models.CharField(_("template"), max_length=12, choices=Family.choices)
    # Everything the certificate prints, frozen when it was generated (keys: awards.certificates.TEXT_KEYS).
    text = models.JSONField(_("printed text"), default=dict)
    pdf = models.FileField(_("PDF file"), upload_to=certificate_path, blank=True)
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["item__decision", "item__group", "item__order"]

    def __str__(self):
        return self.text.get("recipient", "") or str(self.item)

    @property
    def revoked(self) -> bool:
        return self.item.revoked or self.item.decision.state == Decision.State.REVOKED

    @property
    def revoked_at(self):
        """When it stopped being valid: the line's revocation, else the whole decision's."""
        if self.item.revoked:
            return self.item.revoked_at
        if self.item.decision.state == Decision.State.REVOKED:
            return self.item.decision.revoked_at
        return None


class CertificateBatch(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.CASCADE, related_name="certificate_batches"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(_("certificates to render"), default=0)
    done_count = models.PositiveIntegerField(_("certificates rendered"), default=0)
    merged_pdf = models.FileField(_("print-ready PDF"), upload_to=batch_path, blank=True)
    zip_file = models.FileField(_("ZIP of single PDFs"), upload_to=batch_path, blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("certificate batch")
        verbose_name_plural = _("certificate batches")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Two clicks at once queue one job: the second insert hits this index and reads the first batch.
            models.UniqueConstraint(
                fields=["decision"], condition=Q(state__in=["queued", "running"]), name="one_active_certificate_batch"
            ),
            models.CheckConstraint(condition=Q(done_count__lte=models.F("total")), name="batch_done_within_total"),
        ]

    def __str__(self):
        return f"{self.decision}: {self.done_count}/{self.total}"

    @property
    def active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done_count * 100 // self.total)
