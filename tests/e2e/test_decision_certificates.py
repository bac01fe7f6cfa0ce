"""Acceptance 1 of issue 7 in the browser: the province council passed three nominations for the provincial
Bằng khen (one collective, two individuals); the council's secretariat drafts one decision from them on the decision
pages and reads its attached list, I. collectives then II. individuals, with the bonuses (2,0 × 2.340.000 =
4.680.000 for the collective, 1,0 × 2.340.000 = 2.340.000 each; the LĐTT 702.000 and TTLĐXS 3.510.000 examples are
read on the pages in tests/awards/test_decision_pages.py); the signer issues it (confirmed), which gets the number
01/QĐ-UBND, and generates its certificates,
rendered by a real Celery worker while the panel shows the progress; one certificate from the ZIP of single PDFs
is read as an image and as text (the recipient's name with its diacritics, the decision number); the verification
address printed on it, opened by an anonymous visitor, says "valid"; the signer revokes that line (reason, legal
ground, confirmed) and the same address then says "revoked"."""

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from awards.models import AwardType, Certificate, CertificateBatch, Decision
from organizations.models import Unit
from tests import factories
from tests.awards.test_decisions import decidable
from tests.awards.test_session_tasks import worker  # noqa: F401 (the fixture)
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD
from thiduakt.lib import permissions

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
SIGNER_NAME = "Trần Văn Minh"
REVOKE_REASON = "Cá nhân vi phạm kỷ luật, bị xử lý bằng hình thức cảnh cáo trong năm xét khen thưởng."
REVOKE_GROUND = "Khoản 1 Điều 93 Luật Thi đua, khen thưởng 2022"
CHECK_AT = "Kiểm tra tại:"  # printed over the verification address (templates/awards/certificates/_layout.html)
VERIFY_URL = re.compile(r"https?://[^/]+/verify/[A-Za-z0-9_-]+/")


def vi(message: str, **values) -> str:
    with translation.override("vi"):
        text = gettext(message)
    return text % values if values else text


def vi_n(singular: str, plural: str, count: int, **values) -> str:
    with translation.override("vi"):
        return ngettext(singular, plural, count) % values


@pytest.fixture
def signer(org):
    user = factories.make_user("signer", first_name="Trần Văn", last_name="Minh")
    permissions.grant_unit_role(user, Unit.Role.SIGNER, org.province)
    return user


@pytest.fixture
def nominations(org):
    """Passed at the province council's deciding stage, waiting for a decision of the province."""
    return {
        "collective": decidable(org, org.unit_a_child, "BK_TINH"),
        "hoa": decidable(org, org.person_a, "BK_TINH"),
        "an": decidable(org, org.person_b, "BK_TINH"),
    }


@pytest.fixture
def certificate_worker(live_server, monkeypatch, request):
    """The Celery worker of tests/awards/test_session_tasks.py, told the live server's address: the address it
    prints on the certificates and encodes in their QR codes (SITE_URL) must be one the browser can open."""
    monkeypatch.setenv("SITE_URL", live_server.url)
    return request.getfixturevalue("worker")


def _click(page, selector):
    with page.expect_navigation():
        page.click(selector)


def _done(page, message):
    assert page.locator(".alert-danger").count() == 0, page.locator(".alert-danger").all_inner_texts()
    assert message in page.locator(".alert-success").inner_text()


def _pdftotext(pdf: bytes) -> str:
    """The text in the order it was drawn. -raw: the default mode joins "…7wR-" at a line's end with the next
    line as a hyphenated word and drops the hyphen, which the token of the printed address may hold."""
    return subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def _printed_address(text: str) -> str:
    """The verification address printed beside the QR code. It is long and wraps on the paper (the text breaks
    where the line ends): a reader types it as one string."""
    assert text.count(CHECK_AT) == 1, text
    found = VERIFY_URL.match("".join(text.split(CHECK_AT)[1].split()))
    assert found, text
    return found.group()


def _draft(page, live_server, org, code: str) -> Decision:
    """From the decision list: a new decision of the province for award `code`, from every nomination waiting."""
    page.goto(f"{live_server.url}{reverse('decision_list')}")
    _click(page, f"main a[href='{reverse('decision_create')}']")
    page.select_option("select[name=issuer]", str(org.province.pk))
    page.select_option("select[name=award_type]", str(AwardType.objects.get(code=code).pk))
    _click(page, "form[role=search] button[type=submit]")
    assert page.locator("#candidates input[name=nomination]:checked").count() == 3
    page.fill("input[name=signer_name]", SIGNER_NAME)
    page.select_option("select[name=signing_mode]", "KT.")
    page.fill("input[name=signer_title]", "PHÓ CHỦ TỊCH")
    _click(page, "main form[method=post] button[type=submit].btn-primary")
    _done(page, vi("The draft decision was created: check its lines, then have it issued."))
    decision = Decision.objects.get(award_type__code=code)
    assert page.url == f"{live_server.url}{reverse('decision_detail', args=[decision.pk])}"
    return decision


def _lines(page) -> dict[str, tuple[str, str]]:
    """Recipient → (coefficient, bonus) as the decision page shows them."""
    rows = page.locator("#lines tbody tr[data-line]")
    return {
        rows.nth(i).locator("td").nth(1).inner_text().strip(): (
            rows.nth(i).locator("td").nth(3).inner_text().strip(),
            rows.nth(i).locator("td").nth(4).inner_text().strip(),
        )
        for i in range(rows.count())
    }


def test_decision_issued_certificates_verified_then_revoked(
    page, browser, live_server, org, nominations, secretariat, signer, certificate_worker
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    decision = None
    try:
        # The secretariat drafts the decision; the page shows the list grouped and the bonuses at the base salary.
        log_in(page, live_server, "secretariat", PASSWORD)
        decision = _draft(page, live_server, org, "BK_TINH")
        assert page.locator("#header-title").is_visible()
        assert _lines(page) == {
            "Trường THPT Lê Quý Đôn": ("2,00", "4.680.000"),
            "Lê Văn Ấn": ("1,00", "2.340.000"),
            "Nguyễn Thị Hoà": ("1,00", "2.340.000"),
        }
        listing = page.locator("#lines tbody").inner_text()
        collectives, individuals = f"I. {vi('Collectives')}", f"II. {vi('Individuals')}"
        assert collectives in listing and individuals in listing
        assert listing.index(collectives) < listing.index("Trường THPT Lê Quý Đôn") < listing.index(individuals)
        assert page.locator("#total-bonus").inner_text() == "9.360.000"
        assert page.locator("#lines tfoot").inner_text().split()[-1] == "9.360.000"
        assert "2.340.000" in page.locator("#header-title + .card-body").inner_text()
        page.screenshot(path=SCREENSHOTS / "decision-draft.png", full_page=True)
        # The secretariat drafts; only a signer issues.
        assert page.locator("button[value=issue]").count() == 0

        # The signer issues the individuals' decision, after confirming.
        signer_context = browser.new_context(locale="vi-VN")
        desk = signer_context.new_page()
        questions = []
        desk.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
        log_in(desk, live_server, "signer", PASSWORD)
        detail = f"{live_server.url}{reverse('decision_detail', args=[decision.pk])}"
        desk.goto(detail)
        _click(desk, "button[value=issue]")
        assert questions == [
            vi(
                "Issue this decision? It gets its number, the bonuses are frozen and the awards enter the history. "
                "It can no longer be changed."
            )
        ]
        _done(desk, vi("The decision was issued: the awards are in the history."))
        assert "01/QĐ-UBND" in desk.locator("h1").inner_text()
        assert desk.locator("h1 [data-state]").get_attribute("data-state") == "issued"
        assert _lines(desk)["Nguyễn Thị Hoà"] == ("1,00", "2.340.000")

        # Certificates: the worker renders them while the panel polls; then the downloads appear.
        panel = desk.locator("#certificate-panel")
        panel.locator("button[type=submit]").click()
        desk.locator("#certificate-downloads, #certificate-error").wait_for(timeout=60_000)
        assert desk.locator("#certificate-error").count() == 0, CertificateBatch.objects.values_list("error")
        generated = (
            "%(rendered)s of %(lines)s certificate generated.",
            "%(rendered)s of %(lines)s certificates generated.",
        )
        assert vi_n(*generated, 3, rendered=3, lines=3) in panel.inner_text()

        # One certificate out of the ZIP of single PDFs, through the panel's link: as an image and as text.
        href = panel.get_by_role("link", name=vi("ZIP of single PDFs")).get_attribute("href")
        response = desk.request.get(f"{live_server.url}{href}")
        assert response.ok and response.headers["content-type"] == "application/zip"
        with zipfile.ZipFile(io.BytesIO(response.body())) as archive:
            pdfs = [archive.read(name) for name in archive.namelist()]
        assert len(pdfs) == 3
        certificate_pdf = next(pdf for pdf in pdfs if "Nguyễn Thị Hoà" in _pdftotext(pdf))
        image = SCREENSHOTS / "decision-certificate"
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", "-", str(image)], input=certificate_pdf,
                       check=True)  # fmt: skip
        assert image.with_suffix(".png").stat().st_size > 10_000
        text = " ".join(_pdftotext(certificate_pdf).split())
        assert "Nguyễn Thị Hoà" in text and "01/QĐ-UBND" in text and SIGNER_NAME in text
        printed = _printed_address(text)
        token = Certificate.objects.get(item__nomination=nominations["hoa"]).token
        assert printed == f"{live_server.url}{reverse('certificate_verify', args=[token])}", text

        # An anonymous visitor opens the printed address: valid.
        public_context = browser.new_context(locale="vi-VN")
        public = public_context.new_page()
        public.goto(printed)
        status = public.locator("#certificate-status")
        assert status.get_attribute("data-status") == "valid"
        assert vi("Valid") == "Hợp lệ" and vi("Valid") in status.inner_text()
        assert "Nguyễn Thị Hoà" in public.locator("#certificate-facts").inner_text()
        assert "01/QĐ-UBND" in public.locator("#certificate-facts").inner_text()
        public.screenshot(path=SCREENSHOTS / "certificate-verify-valid.png", full_page=True)

        # The signer revokes that line, with the reason and the legal ground, after confirming.
        line = desk.locator("#lines tbody tr[data-line]", has_text="Nguyễn Thị Hoà")
        line.locator("summary").click()
        line.locator("textarea[name=reason]").fill(REVOKE_REASON)
        line.locator("input[name=ground]").fill(REVOKE_GROUND)
        with desk.expect_navigation():
            line.locator("button[value=item_revoke]").click()
        assert questions[-1] == vi(
            "Revoke this line? The award leaves the history and its certificate shows as revoked."
        )
        _done(desk, vi("The line was revoked."))
        line = desk.locator("#lines tbody tr[data-line]", has_text="Nguyễn Thị Hoà")
        assert vi("Revoked") in line.inner_text() and REVOKE_GROUND in line.inner_text()
        assert "text-decoration-line-through" in line.get_attribute("class")
        assert desk.locator("#lines tbody tr[data-line]", has_text="Lê Văn Ấn").locator("summary").count() == 1
        desk.screenshot(path=SCREENSHOTS / "decision-issued-line-revoked.png", full_page=True)

        # The same address now says revoked.
        public.reload()
        status = public.locator("#certificate-status")
        assert status.get_attribute("data-status") == "revoked"
        assert vi("Revoked") == "Đã hủy bỏ" and vi("Revoked") in status.inner_text()
        public.screenshot(path=SCREENSHOTS / "certificate-verify-revoked.png", full_page=True)
        public_context.close()
        signer_context.close()
    finally:
        if decision is not None:
            shutil.rmtree(Path(settings.MEDIA_ROOT) / "certificates" / str(decision.pk), ignore_errors=True)
