"""Certificates of issued decisions (issue 7): the printed PDF (text with diacritics, embedded fonts, the QR's URL),
the batch (one row per line, run twice without duplicates, downloads), the public verification (valid, revoked,
unknown), who may print, and the admins' template preview that writes nothing."""

import io
import re
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import pikepdf
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from audit.models import AuditEvent
from awards import certificates as services
from awards.models import AwardType, Certificate, CertificateBatch, Decision, DecisionItem, Nomination
from organizations.models import Unit
from tests import factories
from thiduakt.lib import permissions

pytestmark = pytest.mark.django_db

NAMES = ["Nguyễn Thị Hoà", "Lê Văn Ấn", "Trần Thị Ngọc Ánh", "Phạm Đức Lộc", "Hoàng Thị Thuỷ"]


def issued_decision(org, *, lines=2, code="BK_TINH", number=5):
    """An issued decision of the province with `lines` individual lines (built with the ORM: the decision services
    are another engineer's)."""
    award = AwardType.objects.get(code=code)
    decision = Decision.objects.create(
        issuer=org.province, award_type=award, state=Decision.State.ISSUED, number=number, year=2026,
        decided_on=date(2026, 3, 12), place="Sông Hồng", title="Về việc tặng Bằng khen của Chủ tịch UBND tỉnh",
        issuer_title="CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH SÔNG HỒNG", signing_mode="KT.", signer_title="PHÓ CHỦ TỊCH",
        signer_name="Trần Văn Bình", achievement="Đã có thành tích xuất sắc trong công tác năm 2025",
        issued_at=timezone.now(),
    )  # fmt: skip
    for order in range(1, lines + 1):
        name = NAMES[(order - 1) % len(NAMES)]
        person = factories.make_person(org.unit_a, name)
        nomination = Nomination.objects.create(
            person=person, award_type=award, year=2025, proposing_unit=org.unit_a, achievement="Hoàn thành xuất sắc",
            state=Nomination.State.AWARDED,
        )  # fmt: skip
        DecisionItem.objects.create(
            decision=decision, nomination=nomination, group=DecisionItem.Group.INDIVIDUAL, order=order,
            recipient_name=name, recipient_position="Giáo viên", recipient_unit="Sở Giáo dục và Đào tạo",
            register_number=f"SV-{order:03d}",
        )  # fmt: skip
    return decision


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    yield settings.MEDIA_ROOT
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


def pdftotext(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "c.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def read(field) -> bytes:
    with field.open("rb") as file:
        return file.read()


def page_count(data: bytes, tmp_path: Path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def qr_modules_on_page(data: bytes) -> list[list[int]]:
    """The modules of the only image of a single certificate's page (1 = dark), read back from the PDF."""
    with pikepdf.open(io.BytesIO(data)) as document:
        (image,) = document.pages[0].get_images().values()
        width, height = int(image.Width), int(image.Height)
        raw = image.read_bytes()
    stride = -(-width // 8)
    return [[0 if raw[y * stride + x // 8] >> (7 - x % 8) & 1 else 1 for x in range(width)] for y in range(height)]


def words_with_places(data: bytes, tmp_path: Path) -> list[tuple[str, float, float]]:
    """Every word of the page and where it starts (pdftotext -bbox, in points), in reading order."""
    path = tmp_path / "w.pdf"
    path.write_bytes(data)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>', html)
    return [(word, float(x), float(y)) for x, y, word in found]


def same_words_in_the_same_places(batch: bytes, whole: bytes, tmp_path: Path) -> None:
    def place(word):  # by word, then line, then column, rounded: equal places sort alike in both
        return word[0], round(word[2]), round(word[1])

    ours, naive = (
        sorted(words_with_places(batch, tmp_path), key=place),
        sorted(words_with_places(whole, tmp_path), key=place),
    )
    assert [word for word, _x, _y in ours] == [word for word, _x, _y in naive]
    for (word, x, y), (_word, naive_x, naive_y) in zip(ours, naive, strict=True):
        assert abs(naive_x - x) < 0.5 and abs(naive_y - y) < 0.5, (word, x, y, naive_x, naive_y)


def run_batch(decision, by, **kwargs):
    batch = services.certificates_generate(by=by, decision=decision)
    services.batch_run(batch_id=batch.pk, **kwargs)
    return CertificateBatch.objects.get(pk=batch.pk)


# The printed certificate -------------------------------------------------------------------------------------


def test_a_certificate_prints_the_name_with_its_diacritics_the_decision_and_its_verification_address(
    org, admin_user, media, tmp_path, django_capture_on_commit_callbacks
):
    decision = issued_decision(org, lines=1)
    batch = run_batch(decision, admin_user)
    certificate = Certificate.objects.get(item__decision=decision)
    data = read(certificate.pdf)
    text = pdftotext(data, tmp_path)
    for expected in ("Nguyễn Thị Hoà", "05/QĐ-UBND", "BẰNG KHEN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Tặng",
                     "Độc lập - Tự do - Hạnh phúc", "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH SÔNG HỒNG", "Số sổ vàng: SV-001",
                     "ngày 12 tháng 3 năm 2026", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Trần Văn Bình"):  # fmt: skip
        assert expected in text, expected
    url = f"{settings.SITE_URL}/verify/{certificate.token}/"
    assert url in text.replace("\n", "").replace(" ", "")
    # The QR code encodes the same address: the one image on the page holds segno's modules for that URL.
    assert qr_modules_on_page(data) == [list(row) for row in services.qr_code(url).matrix]
    # One page, A4 landscape, fonts embedded.
    (tmp_path / "c.pdf").write_bytes(data)
    info = subprocess.run(["pdfinfo", str(tmp_path / "c.pdf")], capture_output=True, text=True).stdout
    assert page_count(data, tmp_path) == 1 and "841.89 x 595.276" in info
    fonts = subprocess.run(["pdffonts", str(tmp_path / "c.pdf")], capture_output=True, text=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows), fonts  # the "emb" column
    assert all("Liberation-Serif" in row or "NotoSerif" in row for row in rows), fonts  # only the shipped fonts
    # The frozen text is what was printed.
    assert certificate.text["recipient"] == "Nguyễn Thị Hoà" and certificate.text["decision_number"] == "05/QĐ-UBND"
    assert batch.state == CertificateBatch.State.DONE and batch.done_count == batch.total == 1


@pytest.mark.parametrize(
    ("code", "family", "form"),
    [
        ("BK_TINH", "bang_khen", "BẰNG KHEN"),
        ("GK", "giay_khen", "GIẤY KHEN"),
        ("CSTD_TINH", "cstd", "CHIẾN SĨ THI ĐUA"),
    ],
)
def test_the_template_follows_the_award_type(org, admin_user, media, tmp_path, code, family, form):
    decision = issued_decision(org, lines=1, code=code)
    run_batch(decision, admin_user)
    certificate = Certificate.objects.get(item__decision=decision)
    assert certificate.family == family
    assert form in pdftotext(read(certificate.pdf), tmp_path)
    assert services.family_for("HCLD3") == "generic"


def test_a_certificate_of_the_batch_reads_as_one_laid_out_whole(org, admin_user, media, tmp_path):
    """The batch prints the variable text over a blank; the naive path lays every page out whole. Same words at the
    same places (pdftotext -bbox, half a point), the same QR modules, and each single PDF carries only its own."""
    decision = issued_decision(org, lines=3)
    Decision.objects.filter(pk=decision.pk).update(achievement="")  # a decision without achievement line prints too
    DecisionItem.objects.filter(decision=decision, order=2).update(register_number="", recipient_position="")
    decision.refresh_from_db()
    run_batch(decision, admin_user)
    for certificate in Certificate.objects.filter(item__decision=decision).select_related("item"):
        ours = read(certificate.pdf)
        whole = services.render_one(services.printable(certificate.family, certificate.text, certificate.token))
        same_words_in_the_same_places(ours, whole, tmp_path)
        assert qr_modules_on_page(ours) == [list(row) for row in services.qr_code(verify(certificate)).matrix]
        assert len(ours) < 80_000  # its own QR image and the blank once, not the other pages' images
        assert certificate.text["recipient"] in pdftotext(ours, tmp_path)
    assert "Số sổ vàng" not in pdftotext(read(Certificate.objects.get(item__order=2).pdf), tmp_path)


def test_fill_bands_stacked_on_a_page_are_cut_back_into_their_own(org, admin_user, media, tmp_path, monkeypatch):
    """The fill lays STACK certificates on one tall page and cuts them apart: with two a page, five certificates make
    three tall pages, and every certificate still reads as its page laid out whole, its own name only."""
    monkeypatch.setattr(services, "STACK", 2)
    decision = issued_decision(org, lines=5)
    batch = run_batch(decision, admin_user)
    for certificate in Certificate.objects.filter(item__decision=decision).select_related("item"):
        ours = read(certificate.pdf)
        whole = services.render_one(services.printable(certificate.family, certificate.text, certificate.token))
        same_words_in_the_same_places(ours, whole, tmp_path)
        text = pdftotext(ours, tmp_path)
        assert [name for name in NAMES if name in text] == [certificate.text["recipient"]]
    merged = read(batch.merged_pdf)
    assert page_count(merged, tmp_path) == 5
    text = pdftotext(merged, tmp_path)
    assert [text.index(name) for name in NAMES] == sorted(text.index(name) for name in NAMES)


def test_text_longer_than_its_zone_is_printed_smaller_or_laid_out_whole(org, admin_user, media, tmp_path):
    decision = issued_decision(org, lines=3)
    long_unit = "Phòng Giáo dục và Đào tạo huyện Sông Hồng, Ủy ban nhân dân huyện Sông Hồng, tỉnh Sông Hồng " * 2
    DecisionItem.objects.filter(decision=decision, order=1).update(
        recipient_name="Tập thể Phòng Giáo dục và Đào tạo huyện Sông Hồng tỉnh Sông Hồng", recipient_unit=long_unit
    )
    DecisionItem.objects.filter(decision=decision, order=2).update(recipient_name=("NGUYỄN VĂN AN " * 18).strip())
    run_batch(decision, admin_user)
    first, second, third = Certificate.objects.filter(item__decision=decision).order_by("item__order")
    # A long collective name and unit take a smaller size in both paths, at the same places.
    printable = services.printable(first.family, first.text, first.token)
    assert printable.fit_recipient > 0 and printable.fit_detail > 0
    same_words_in_the_same_places(read(first.pdf), services.render_one(printable), tmp_path)
    # Text that would not fit even at the smallest size: that page is laid out whole (no blank under it), its zones
    # growing with their text, so nothing overlaps.
    whole = services.render_one(services.printable(second.family, second.text, second.token), free=True)
    same_words_in_the_same_places(read(second.pdf), whole, tmp_path)
    with pikepdf.open(io.BytesIO(read(second.pdf))) as document:
        assert not any(o.get("/Subtype") == "/Form" for o in document.pages[0].resources.get("/XObject", {}).values())
    with pikepdf.open(io.BytesIO(read(third.pdf))) as document:
        assert any(o.get("/Subtype") == "/Form" for o in document.pages[0].resources.XObject.values())


def verify(certificate) -> str:
    return f"{settings.SITE_URL}/verify/{certificate.token}/"


# The batch ---------------------------------------------------------------------------------------------------


def test_the_batch_renders_every_line_once_and_a_second_run_adds_nothing(org, admin_user, media, tmp_path):
    decision = issued_decision(org, lines=5)
    batch = run_batch(decision, admin_user, chunk_size=2)
    certificates = Certificate.objects.filter(item__decision=decision)
    assert certificates.count() == 5 and not certificates.filter(pdf="").exists()
    assert len(set(certificates.values_list("token", flat=True))) == 5
    files = {c.pdf.name for c in certificates}
    # The merged PDF holds the five pages in list order; the ZIP the five single PDFs.
    merged = read(batch.merged_pdf)
    text = pdftotext(merged, tmp_path)
    positions = [text.index(name) for name in NAMES]
    assert positions == sorted(positions)
    assert page_count(merged, tmp_path) == 5
    with zipfile.ZipFile(io.BytesIO(read(batch.zip_file))) as archive:
        assert len(archive.namelist()) == 5 and all(n.endswith(".pdf") for n in archive.namelist())
    # Again: refused with a message, nothing rendered again; and the job itself run again renders nothing.
    with pytest.raises(services.CertificateError):
        services.certificates_generate(by=admin_user, decision=decision)
    assert services.batch_run(batch_id=batch.pk) == 0
    assert {c.pdf.name for c in Certificate.objects.filter(item__decision=decision)} == files
    assert AuditEvent.objects.filter(verb="certificates.generated", object_id=str(decision.pk)).count() == 1


def test_a_batch_that_crashed_half_way_resumes_without_duplicates(org, admin_user, media, tmp_path):
    decision = issued_decision(org, lines=4)
    batch = services.certificates_generate(by=admin_user, decision=decision)
    # The first run dies after its first chunk of two (as a worker killed mid-job would leave it).
    original = services._finish
    services._create_missing_rows(decision)
    first = list(
        Certificate.objects.filter(item__decision=decision).order_by("item__order").values_list("pk", flat=True)
    )
    services._claim(batch.pk)
    assert services._render_chunk(decision, first[:2], None) == 2
    assert services._finish is original
    # Redelivered: the same batch resumes, renders the two missing, keeps the two done.
    kept = {c.pk: c.pdf.name for c in Certificate.objects.filter(item__decision=decision).exclude(pdf="")}
    assert services.batch_run(batch_id=batch.pk, chunk_size=2) == 2
    certificates = Certificate.objects.filter(item__decision=decision)
    assert certificates.count() == 4 and not certificates.filter(pdf="").exists()
    assert {pk: name for pk, name in certificates.values_list("pk", "pdf") if pk in kept} == kept
    batch.refresh_from_db()
    assert batch.state == CertificateBatch.State.DONE and batch.done_count == 4
    assert page_count(read(batch.merged_pdf), tmp_path) == 4


def test_two_clicks_queue_one_batch_and_a_draft_is_refused(org, admin_user, media, django_capture_on_commit_callbacks):
    decision = issued_decision(org, lines=1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = services.certificates_generate(by=admin_user, decision=decision)
        second = services.certificates_generate(by=admin_user, decision=decision)
    assert first.pk == second.pk and len(callbacks) == 1
    assert AuditEvent.objects.filter(verb="certificates.generation_queued").count() == 1
    draft = issued_decision(org, lines=1, number=6)
    Decision.objects.filter(pk=draft.pk).update(state=Decision.State.DRAFT)
    draft.refresh_from_db()
    with pytest.raises(services.CertificateError):
        services.certificates_generate(by=admin_user, decision=draft)


# Verification --------------------------------------------------------------------------------------------------


def test_verification_shows_valid_then_revoked_and_only_the_printed_facts(org, admin_user, media, client):
    decision = issued_decision(org, lines=2)
    run_batch(decision, admin_user)
    certificate = Certificate.objects.select_related("item").get(item__order=1, item__decision=decision)
    url = reverse("certificate_verify", args=[certificate.token])
    with override("vi"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
        content = page.content.decode()
        assert page.status_code == 200
        assert 'data-status="valid"' in content and gettext("Valid") in content
        assert "Nguyễn Thị Hoà" in content and "Sở Giáo dục và Đào tạo" in content and "05/QĐ-UBND" in content
        assert "Lê Văn Ấn" not in content  # the other line
        assert org.person_a.code not in content and "Giáo viên" not in content  # nothing more than name and unit

        DecisionItem.objects.filter(pk=certificate.item_id).update(
            revoked=True, revoked_at=timezone.make_aware(timezone.datetime(2026, 6, 1, 9))
        )
        content = client.get(url).content.decode()
        assert 'data-status="revoked"' in content and gettext("Revoked") in content and "01/06/2026" in content

        other = Certificate.objects.get(item__order=2, item__decision=decision)
        other_url = reverse("certificate_verify", args=[other.token])
        assert 'data-status="valid"' in client.get(other_url).content.decode()
        Decision.objects.filter(pk=decision.pk).update(state=Decision.State.REVOKED, revoked_at=timezone.now())
        assert 'data-status="revoked"' in client.get(other_url).content.decode()

        missing = client.get(reverse("certificate_verify", args=["khong-ton-tai"]))
        assert missing.status_code == 404 and gettext("Page not found") in missing.content.decode()


def test_verification_asks_a_fixed_number_of_queries(org, admin_user, media, client, django_assert_max_num_queries):
    decision = issued_decision(org, lines=1)
    run_batch(decision, admin_user)
    token = Certificate.objects.get(item__decision=decision).token
    with django_assert_max_num_queries(3):
        assert client.get(reverse("certificate_verify", args=[token])).status_code == 200


# Pages and access ----------------------------------------------------------------------------------------------


def signer_of_province(org):
    user = factories.make_user("signer_p")
    permissions.grant_unit_role(user, Unit.Role.SIGNER, org.province)
    return user


def test_who_may_print(org, admin_user, secretariat, officer_a, member, media, client):
    decision = issued_decision(org, lines=1)
    signer = signer_of_province(org)
    for user, status in ((admin_user, 200), (signer, 200), (secretariat, 200), (officer_a, 404), (member, 404)):
        client.force_login(user)
        assert client.get(reverse("certificate_panel", args=[decision.pk])).status_code == status, user
        response = client.post(reverse("certificate_generate", args=[decision.pk]))
        assert response.status_code == (302 if status == 200 else 404), user
    client.logout()
    assert client.get(reverse("certificate_panel", args=[decision.pk])).status_code == 302


def test_the_panel_queues_polls_and_offers_the_downloads(
    org, secretariat, media, client, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    decision = issued_decision(org, lines=3)
    client.force_login(secretariat)
    panel = reverse("certificate_panel", args=[decision.pk])
    with override("vi"):
        body = client.get(panel, HTTP_HX_REQUEST="true").content.decode()
        assert gettext("Generate the certificates") in body and "hx-trigger" not in body
        with django_capture_on_commit_callbacks(execute=False):
            response = client.post(reverse("certificate_generate", args=[decision.pk]), HTTP_HX_REQUEST="true")
        body = response.content.decode()
        assert 'hx-trigger="every 2s"' in body and 'max="3"' in body and 'value="0"' in body
        batch = CertificateBatch.objects.get(decision=decision)
        services.batch_run(batch_id=batch.pk)
        with django_assert_max_num_queries(12):
            body = client.get(panel, HTTP_HX_REQUEST="true").content.decode()
        assert "hx-trigger" not in body and reverse("certificate_batch_pdf", args=[decision.pk]) in body
    pdf = client.get(reverse("certificate_batch_pdf", args=[decision.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    archive = client.get(reverse("certificate_batch_zip", args=[decision.pk]))
    with zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))) as files:
        assert len(files.namelist()) == 3
    single = Certificate.objects.filter(item__decision=decision).first()
    response = client.get(reverse("certificate_pdf", args=[single.pk]))
    response.close()
    assert response.status_code == 200


def test_the_decision_panel_include_loads_the_panel(org, admin_user):
    from django.template.loader import render_to_string

    decision = issued_decision(org, lines=1)
    html = render_to_string("awards/certificates/_panel.html", {"decision": decision})
    assert f'hx-get="{reverse("certificate_panel", args=[decision.pk])}"' in html and 'hx-trigger="load"' in html


# Template preview ----------------------------------------------------------------------------------------------


def test_the_admin_previews_every_template_and_nothing_is_written(org, admin_user, officer_a, client, tmp_path):
    client.force_login(admin_user)
    with override("vi"):
        assert gettext("Certificate templates") in client.get(reverse("certificate_templates")).content.decode()
    with CaptureQueriesContext(connection) as queries:
        for family in Certificate.Family.values:
            response = client.get(reverse("certificate_preview", args=[family]))
            assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
            assert "Nguyễn Thị Hoà" in pdftotext(response.content, tmp_path)
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert not [sql for sql in writes if "django_session" not in sql and "last_login" not in sql]
    assert not Certificate.objects.exists() and not CertificateBatch.objects.exists()
    assert client.get(reverse("certificate_preview", args=["khac"])).status_code == 404
    client.force_login(officer_a)
    assert client.get(reverse("certificate_preview", args=["bang_khen"])).status_code == 403
