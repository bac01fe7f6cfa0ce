"""Certificates of issued decisions (issue 7; law-notes §11.1): their frozen text, their rendering, the batch job
that renders every missing certificate of a decision, the public verification and the template preview.

Rendering a batch the way offices print: a pre-printed blank and the variable text printed over it. All the
certificates of a decision share everything but the recipient's name, position and unit, golden-book number and
verification code, and those zones have fixed heights (_print.css). So the full page is laid out once as a BLANK
with the variable zones hidden, their places are read from that layout, and one lean FILL document holds only the
variable zones of every certificate at those places, STACK of them on one tall page (WeasyPrint's cost is per page
as much as per element), cut back into pages of their own with pikepdf. pikepdf then stamps each QR code from its
modules, draws the blank, stored once as a form XObject, under every page and cuts out the single PDFs. A certificate
whose text does not fit its zone even at the smallest size is not printed over the blank: it is laid out whole
(render_one, zones free to grow). The result looks the same as one document per certificate (same words at the same
places, tests) and is more than ten times faster (bench scenario certificates_batch).

Idempotence: a certificate row is unique per decision line (OneToOne) and keeps its PDF once written; the job
renders only rows without a PDF, commits per chunk, and can be re-run after a crash (acks_late redelivery, or a
new batch) without duplicating anything. Each chunk also stores its merged PDF as a part; at the end of a run the
parts are joined into the print-ready PDF and the single PDFs zipped, both stored once on the batch."""

import io
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import date

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record
from organizations.models import Unit
from thiduakt.lib import pdf, permissions

from .models import Certificate, CertificateBatch, Decision, DecisionItem

Family = Certificate.Family
BatchState = CertificateBatch.State
CHUNK_SIZE = 500  # certificates filled together: bounds the memory of one document
QR_MASK = 2  # see qr_code
PRINTABLE_STATES = (Decision.State.ISSUED, Decision.State.REVOKED)

VERB_LABELS = {
    "certificates.generation_queued": gettext_lazy("Certificate generation queued"),
    "certificates.generated": gettext_lazy("Certificates generated"),
}

FORMS = {Family.BANG_KHEN: "BẰNG KHEN", Family.GIAY_KHEN: "GIẤY KHEN"}
TEMPLATES = {family: f"awards/certificates/print_{family}.html" for family in Family.values}
# The head's title at the start of an issuer's title, for the first line of a KT./Q. signature (Decree 30/2020:
# "KT. CHỦ TỊCH" over "PHÓ CHỦ TỊCH") and what remains of it for TM. ("TM. ỦY BAN NHÂN DÂN").
HEAD_TITLES = ("CHỦ TỊCH", "BỘ TRƯỞNG", "GIÁM ĐỐC", "TỔNG GIÁM ĐỐC", "HIỆU TRƯỞNG", "THỦ TRƯỞNG", "TRƯỞNG")


class CertificateError(Exception):
    """A certificate action was refused; nothing changed."""


def family_for(award_code: str) -> str:
    """The print template of an award type: Bằng khen (BK_*), Giấy khen (GK*), Chiến sĩ thi đua (CSTD*), else the
    generic certificate."""
    if award_code.startswith("BK_"):
        return Family.BANG_KHEN
    if award_code.startswith("GK"):
        return Family.GIAY_KHEN
    if award_code.startswith("CSTD"):
        return Family.CSTD
    return Family.GENERIC


def _signature_head(issuer_title: str, mode: str) -> str:
    title = " ".join(issuer_title.upper().split())
    head = next((h for h in sorted(HEAD_TITLES, key=len, reverse=True) if title.startswith(h + " ")), "")
    if mode == Decision.SigningMode.TM:
        return title[len(head) :].strip() if head else title
    return head or title


def _date_parts(prefix: str, day: date | None) -> dict:
    if day is None:
        return {f"{prefix}_day": "", f"{prefix}_month": "", f"{prefix}_year": ""}
    # Decree 30/2020: days and months under 10 written with a leading zero only for 1 and 2 ("ngày 05 tháng 01"),
    # which the decision's own date line follows; the certificate prints the same.
    return {
        f"{prefix}_day": f"{day.day:02d}" if day.day < 10 else str(day.day),
        f"{prefix}_month": f"{day.month:02d}" if day.month < 3 else str(day.month),
        f"{prefix}_year": str(day.year),
    }


def certificate_text(item: DecisionItem, decision: Decision, award_name: str, family: str) -> dict:
    """Everything a certificate prints, frozen as JSON when it is generated (STYLE §15)."""
    return {
        "recipient": item.recipient_name,
        "position": item.recipient_position,
        "unit": item.recipient_unit,
        "achievement": decision.achievement,
        "issuer_title": decision.issuer_title,
        "decision_number": decision.number_label,
        "decision_date": decision.decided_on.isoformat() if decision.decided_on else "",
        **_date_parts("decision", decision.decided_on),
        "register_number": item.register_number,
        "place": decision.place,
        **_date_parts("date", decision.decided_on),
        "signing_mode": decision.signing_mode,
        "head_title": _signature_head(decision.issuer_title, decision.signing_mode) if decision.signing_mode else "",
        "signer_title": decision.signer_title,
        "signer_name": decision.signer_name,
        "award_name": award_name,
        "form": FORMS.get(family, award_name.upper()),
    }


# Rendering ---------------------------------------------------------------------------------------------------


def verify_url(token: str, *, base: str | None = None) -> str:
    """The address printed and encoded in the QR code: SITE_URL (or the request's host) + /verify/<token>/."""
    return (base or settings.SITE_URL).rstrip("/") + reverse("certificate_verify", args=[token])


def qr_code(url: str) -> segno.QRCode:
    """The QR code of `url`; error correction M survives a crease or a stamp's ink over a corner. The mask is fixed:
    every mask is valid (ISO/IEC 18004), and segno's search for the best one costs 4 ms a code, more than the batch
    takes to print a whole certificate."""
    return segno.make(url, error="m", micro=False, mask=QR_MASK)


def qr_png(code: segno.QRCode) -> bytes:
    """The code as a PNG, four pixels a module (served to WeasyPrint from memory, drawn 22 mm wide unsmoothed)."""
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=4, border=0)
    return buffer.getvalue()


# The variable zones of a certificate: what differs between the certificates of one decision.
VARIABLE_FIELDS = ("recipient", "position", "unit", "register_number")
ZONES = ("recipient", "detail", "register", "qr", "url")
# The longest text (in characters) printed at each size of a zone, from the largest size ("fit-0") down; longer
# text takes the last size. Estimates for Liberation Serif on the zone's width (one line for the recipient at the
# first three sizes, two at the last; two lines for position and unit): the zones' heights stay fixed. Text that
# still does not fit (a name in capitals, say) is measured by the batch and that page laid out free (render_one).
FIT_LIMITS = {"recipient": (44, 56, 72), "detail": (170, 220)}
OVERFLOW_TOLERANCE_PX = 0.5
STACK = 20  # fill bands laid out on one tall page: WeasyPrint's cost is per page as much as per element
A4_LANDSCAPE_HEIGHT_PT = 210 / 25.4 * 72
A4_LANDSCAPE_HEIGHT_PX = 210 / 25.4 * 96


def fit_level(zone: str, text: str) -> int:
    limits = FIT_LIMITS[zone]
    return next((level for level, limit in enumerate(limits) if len(text) <= limit), len(limits))


@dataclass(frozen=True)
class Printable:
    family: str
    template: str
    text: dict
    url: str
    qr_name: str  # the QR image's URL relative to static/, answered from memory
    code: segno.QRCode = field(compare=False)

    @property
    def qr(self) -> bytes:
        """PNG, for a page laid out whole (only then: the batch stamps the modules)."""
        return qr_png(self.code)

    @property
    def qr_modules(self) -> tuple:
        """Rows of 0/1, for the batch's fill."""
        return tuple(self.code.matrix)

    @property
    def family_class(self) -> str:
        return self.family.replace("_", "-")

    @property
    def detail(self) -> str:
        return ", ".join(part for part in (self.text.get("position"), self.text.get("unit")) if part)

    @property
    def fit_recipient(self) -> int:
        return fit_level("recipient", self.text.get("recipient", ""))

    @property
    def fit_detail(self) -> int:
        return fit_level("detail", self.detail)

    @property
    def shared(self) -> tuple:
        """What the certificate shares with the others of its blank: the template and the text but the variable
        fields."""
        fixed = tuple(sorted((k, str(v)) for k, v in self.text.items() if k not in VARIABLE_FIELDS))
        return (self.template, fixed)


def printable(family: str, text: dict, token: str, *, base: str | None = None) -> Printable:
    url = verify_url(token, base=base)
    code = qr_code(url)
    return Printable(family, TEMPLATES[family], text, url, f"qr/{token}.png", code)


def _blank(printable_: Printable) -> tuple[bytes, dict[str, pdf.Rect]]:
    """The certificate's page with the variable zones hidden, and where those zones are."""
    layout = pdf.layout(
        "awards/certificates/print.html",
        {"title": "Bằng khen", "certificates": [printable_], "blank": True},
        files={printable_.qr_name: printable_.qr},
    )
    slots = layout.boxes("data-slot")[0]
    missing = [zone for zone in ZONES if zone not in slots]
    if missing:
        raise ValueError(f"{printable_.template}: no zone {', '.join(missing)}")
    return layout.write_pdf(), slots


def render(printables: list[Printable]) -> tuple[bytes, list[bytes]]:
    """The merged PDF of the certificates, in order, and one PDF per certificate: one blank laid out per group of
    certificates sharing their fixed text (one per decision), one fill document for all, overlaid with pikepdf."""
    blanks: list[bytes] = []
    slots: list[dict[str, pdf.Rect]] = []
    group_of: dict[tuple, int] = {}
    underlay_of: list[int] = []
    for printable_ in printables:
        key = printable_.shared
        if key not in group_of:
            group_of[key] = len(blanks)
            blank, zones = _blank(printable_)
            blanks.append(blank)
            slots.append(zones)
        underlay_of.append(group_of[key])
    fills = [
        {"p": p, "group": underlay_of[index], "new_page": index and not index % STACK}
        for index, p in enumerate(printables)
    ]
    context = {
        "title": "Bằng khen",
        "fills": fills,
        "groups": slots,
        "page_height_mm": 210 * min(STACK, len(printables)),
    }
    layout = pdf.layout("awards/certificates/print_fill.html", context)
    # Text longer than its zone would run over the blank: that certificate is laid out whole instead, its zones free
    # to grow and push the rest of the page down (the page then differs from its blank, nothing overlaps).
    overflowing = {}
    for number, page in enumerate(layout.elements("data-slot")):
        for zone, box in page:
            index = number * STACK + int(box.y // A4_LANDSCAPE_HEIGHT_PX)  # the band the zone lies in
            if index not in overflowing and box.height > slots[underlay_of[index]][zone].height + OVERFLOW_TOLERANCE_PX:
                overflowing[index] = render_one(printables[index], free=True)
    # The QR codes are drawn by pikepdf straight from their modules (WeasyPrint would decode and re-encode a PNG on
    # every page): the same image, a third of the fill's cost.
    stamps = [[pdf.Bitmap(p.qr_modules, slots[underlay_of[index]]["qr"])] for index, p in enumerate(printables)]
    fill = pdf.cut_bands(layout.write_pdf(), A4_LANDSCAPE_HEIGHT_PT, len(printables))
    return pdf.overlay(fill, blanks, underlay_of, overflowing, stamps)


def render_one(printable_: Printable, *, free: bool = False) -> bytes:
    """One certificate laid out whole as its own document: what the naive path does for each (the bench compares
    it), the template preview, and (`free`: zones as high as their text) a certificate whose text does not fit."""
    return pdf.render_pdf(
        "awards/certificates/print.html",
        {"title": "Bằng khen", "certificates": [printable_], "free": free},
        files={printable_.qr_name: printable_.qr},
    )


# Access ------------------------------------------------------------------------------------------------------


def may_print(user, decision: Decision) -> bool:
    """Who may generate and download the certificates of a decision: system admins, signers of its issuer (on the
    issuer or an ancestor) and the secretariat of one of the issuer's councils; the decision page's readers."""
    if permissions.is_system_admin(user):
        return True
    if not user.is_authenticated:
        return False
    if Unit.Role.SIGNER in permissions.unit_roles(user, decision.issuer):
        return True
    return permissions.secretariat_councils(user).filter(unit_id=decision.issuer_id).exists()


# Services ----------------------------------------------------------------------------------------------------


def certificates_generate(*, by, decision: Decision) -> CertificateBatch:
    """Queue the job that renders every missing certificate of an issued (or revoked) decision and builds its
    downloads. A batch already queued or running is returned as it is (two clicks queue one job)."""
    from . import tasks

    with transaction.atomic():
        decision = Decision.objects.select_for_update(no_key=True).get(pk=decision.pk)
        if decision.state not in PRINTABLE_STATES:
            raise CertificateError(_("Certificates are printed only for an issued decision."))
        active = decision.certificate_batches.filter(state__in=[BatchState.QUEUED, BatchState.RUNNING]).first()
        if active is not None:
            return active
        total = decision.items.count()
        if not total:
            raise CertificateError(_("This decision has no lines to print."))
        missing = decision.items.exclude(certificate__pdf__gt="").count()
        if not missing and decision.certificate_batches.filter(state=BatchState.DONE, total=total).exists():
            raise CertificateError(_("Every certificate of this decision has already been generated."))
        batch = CertificateBatch.objects.create(
            decision=decision, total=total, requested_by=by, task_id=str(uuid.uuid4())
        )
        audit_record(
            actor=by, verb="certificates.generation_queued", obj=decision, data={"batch": batch.pk, "total": total}
        )
        transaction.on_commit(lambda: tasks.generate_certificates.apply_async(args=[batch.pk], task_id=batch.task_id))
    return batch


def _claim(batch_id: int) -> CertificateBatch | None:
    """Move the batch to running (also when it is running already: a redelivered job resumes it); None when it is
    finished or gone."""
    with transaction.atomic():
        batch = (
            CertificateBatch.objects.select_for_update(no_key=True)
            .select_related("decision__award_type")
            .filter(pk=batch_id)
            .first()
        )
        if batch is None or not batch.active:
            return None
        batch.state = BatchState.RUNNING
        batch.started_at = batch.started_at or timezone.now()
        batch.save(update_fields=["state", "started_at"])
    return batch


def _create_missing_rows(decision: Decision) -> None:
    """A certificate row, with its frozen text and token, for every line that has none (ignore_conflicts: a second
    run or a concurrent one creates nothing more, the OneToOne forbids it)."""
    award = decision.award_type
    family = family_for(award.code)
    items = decision.items.filter(certificate__isnull=True).order_by("group", "order")
    rows = [
        Certificate(item=item, family=family, text=certificate_text(item, decision, award.name, family))
        for item in items
    ]
    Certificate.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)


def parts_prefix(decision_id: int) -> str:
    return f"certificates/{decision_id}/parts/"


def _render_chunk(decision: Decision, certificate_ids: list[int], base: str | None) -> int:
    """Render and store one chunk in its own transaction: each certificate's PDF, and the chunk's merged PDF as a
    part of the print-ready file (named by the chunk's first line, so the parts sort in list order). The rows are
    locked, skipping those another run holds; how many were rendered."""
    with transaction.atomic():
        certificates = list(
            Certificate.objects.select_for_update(no_key=True, skip_locked=True, of=("self",))
            .select_related("item")
            .filter(pk__in=certificate_ids, pdf="")
            .order_by("item__group", "item__order")
        )
        if not certificates:
            return 0
        merged, pages = render([printable(c.family, c.text, c.token, base=base) for c in certificates])
        now = timezone.now()
        for certificate, page in zip(certificates, pages, strict=True):
            certificate.generated_at = now
            certificate.pdf.save(f"{certificate.pk}.pdf", ContentFile(page), save=False)
        Certificate.objects.bulk_update(certificates, ["pdf", "generated_at"])
        first = certificates[0].item
        default_storage.save(f"{parts_prefix(decision.pk)}{first.group}-{first.order:07d}.pdf", ContentFile(merged))
    return len(certificates)


def _progress(batch: CertificateBatch) -> None:
    done = Certificate.objects.filter(item__decision=batch.decision_id).exclude(pdf="").count()
    CertificateBatch.objects.filter(pk=batch.pk).update(done_count=min(done, batch.total))


def batch_run(*, batch_id: int, chunk_size: int = CHUNK_SIZE, base: str | None = None) -> int:
    """The job: render every certificate of the batch's decision that has no PDF yet, chunk by chunk, then build the
    merged PDF and the ZIP; how many certificates this run rendered. Safe to run twice or after a crash."""
    batch = _claim(batch_id)
    if batch is None:
        return 0
    decision = batch.decision
    try:
        _create_missing_rows(decision)
        pending = list(
            Certificate.objects.filter(item__decision=decision, pdf="")
            .order_by("item__group", "item__order")
            .values_list("pk", flat=True)
        )
        rendered = 0
        for start in range(0, len(pending), chunk_size):
            chunk = pending[start : start + chunk_size]
            rendered += _render_chunk(decision, chunk, base)
            _progress(batch)
        _finish(batch, rendered)
    except Exception as error:
        CertificateBatch.objects.filter(pk=batch.pk).update(
            state=BatchState.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    return rendered


def _finish(batch: CertificateBatch, rendered: int) -> None:
    certificates = list(
        Certificate.objects.filter(item__decision=batch.decision_id)
        .select_related("item")
        .order_by("item__group", "item__order")
    )
    merged = _merged_pdf(batch.decision_id)
    archive = _zip(certificates)
    with transaction.atomic():
        locked = CertificateBatch.objects.select_for_update(no_key=True).get(pk=batch.pk)
        if not locked.active:
            return
        locked.merged_pdf.save("in-tap-trung.pdf", ContentFile(merged), save=False)
        locked.zip_file.save("tung-ban.zip", ContentFile(archive), save=False)
        locked.state = BatchState.DONE
        locked.total = len(certificates)
        locked.done_count = len(certificates)
        locked.finished_at = timezone.now()
        locked.save(update_fields=["merged_pdf", "zip_file", "state", "total", "done_count", "finished_at"])
        audit_record(
            actor=locked.requested_by,
            verb="certificates.generated",
            obj=locked.decision,
            data={"batch": locked.pk, "rendered": rendered, "total": len(certificates)},
        )


def _merged_pdf(decision_id: int) -> bytes:
    """The print-ready PDF: the parts written by the chunks (of this run and of any earlier, crashed one), in list
    order. Every certificate was rendered in exactly one chunk, so each page appears once."""
    prefix = parts_prefix(decision_id)
    _directories, names = default_storage.listdir(prefix)
    return pdf.concatenate([default_storage.path(prefix + name) for name in sorted(names)])


def filename(certificate: Certificate) -> str:
    """ASCII: the line's order in the list, then the token's head (unique within the decision)."""
    return f"bang-khen-{certificate.item.group}-{certificate.item.order:04d}-{certificate.token[:6]}.pdf"


def _zip(certificates: list[Certificate]) -> bytes:
    buffer = io.BytesIO()
    # PDFs are compressed already: stored, not deflated again.
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in certificates:
            with certificate.pdf.open("rb") as source:
                archive.writestr(filename(certificate), source.read())
    return buffer.getvalue()


# Reading ---------------------------------------------------------------------------------------------------


def certificate_by_token(token: str) -> Certificate | None:
    return (
        Certificate.objects.select_related("item__decision__issuer", "item__decision__award_type")
        .filter(token=token)
        .first()
    )


def latest_batch(decision: Decision) -> CertificateBatch | None:
    return decision.certificate_batches.order_by("-created_at", "-pk").first()


def latest_done_batch(decision: Decision) -> CertificateBatch | None:
    return decision.certificate_batches.filter(state=BatchState.DONE).order_by("-finished_at", "-pk").first()


def panel_context(decision: Decision) -> dict:
    """What the certificates panel of a decision shows (four queries whatever the number of lines)."""
    batch = latest_batch(decision)
    done = batch if batch is not None and batch.state == BatchState.DONE else latest_done_batch(decision)
    lines = decision.items.count()
    rendered = Certificate.objects.filter(item__decision=decision).exclude(pdf="").count()
    return {
        "decision": decision,
        "batch": batch,
        "done_batch": done,
        "lines": lines,
        "rendered": rendered,
        "missing": lines - rendered,
    }


# Preview ---------------------------------------------------------------------------------------------------

SAMPLE_TEXT = {
    "recipient": "Bà Nguyễn Thị Hoà",
    "position": "Giáo viên",
    "unit": "Trường THPT Lê Quý Đôn, Sở Giáo dục và Đào tạo",
    "achievement": "Đã có thành tích xuất sắc trong công tác giáo dục và đào tạo năm học 2025 - 2026",
    "issuer_title": "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH SÔNG HỒNG",
    "decision_number": "05/QĐ-UBND",
    "decision_date": "2026-03-12",
    **_date_parts("decision", date(2026, 3, 12)),
    "register_number": "1234",
    "place": "Sông Hồng",
    **_date_parts("date", date(2026, 3, 12)),
    "signing_mode": "KT.",
    "head_title": "CHỦ TỊCH",
    "signer_title": "PHÓ CHỦ TỊCH",
    "signer_name": "Trần Văn Bình",
}
SAMPLE_AWARDS = {
    Family.BANG_KHEN: "Bằng khen cấp bộ, ban, ngành, tỉnh",
    Family.GIAY_KHEN: "Giấy khen",
    Family.CSTD: "Chiến sĩ thi đua cấp tỉnh",
    Family.GENERIC: "Tập thể lao động xuất sắc",
}
SAMPLE_TOKEN = "mau-xem-truoc-khong-co-gia-tri"


def preview_pdf(family: str, *, base: str | None = None) -> bytes:
    """A certificate of the family with sample data: nothing is read from or written to the database."""
    if family not in TEMPLATES:
        raise CertificateError(_("Unknown certificate template."))
    award = SAMPLE_AWARDS[family]
    text = {**SAMPLE_TEXT, "award_name": award, "form": FORMS.get(family, award.upper())}
    return render_one(printable(family, text, SAMPLE_TOKEN, base=base))
