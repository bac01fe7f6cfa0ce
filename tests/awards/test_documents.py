"""Dossier documents of a nomination: accepted types by content, size cap, random storage names, permission-checked
download as an attachment, replacement of single-document kinds, the checklist, the audit trail."""

import io
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings
from django.urls import reverse

from audit.models import AuditEvent
from awards import documents as dossier
from awards.access import get_nomination_for_user
from awards.models import AwardRuleSet, AwardType, DossierDocument, Nomination, ReviewStage
from awards.views.documents import dossier_context
from organizations.models import Unit
from tests import factories
from tests.conftest import PERSONAS
from thiduakt.lib import permissions, uploads

pytestmark = [pytest.mark.django_db]

Kind = DossierDocument.Kind


# Files -----------------------------------------------------------------------------------------------


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in parts.items():
            package.writestr(name, content)
    return buffer.getvalue()


CONTENT_TYPES_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    b'wordprocessingml.document.main+xml"/></Types>'
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
DOCX = _zip({"[Content_Types].xml": CONTENT_TYPES_XML, "word/document.xml": b"<w:document/>", "_rels/.rels": b""})
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run"
XLSX = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
# Both DOCX parts present, but the content-types part inflates to 64 MB: it must not be read.
BOMB = _zip({"[Content_Types].xml": b"\x00" * (64 * 1024 * 1024), "word/document.xml": b"<w:document/>"})


def upload(name: str, content: bytes, declared: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=declared)


# Data ------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Each test stores its files in its own folder, so "nothing was stored" can be checked."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list[Path]:
    folder = media / "dossiers"
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def make_nomination(
    org,
    *,
    code="LDTT",
    state=Nomination.State.DRAFT,
    procedure=Nomination.Procedure.NORMAL,
    on_route=False,
    person=None,
):
    made = Nomination.objects.create(
        person=person or org.person_a,
        award_type=AwardType.objects.get(code=code),
        year=2025,
        proposing_unit=org.unit_a,
        achievement="Hoàn thành xuất sắc nhiệm vụ năm học 2024–2025.",
        state=state,
        procedure=procedure,
    )
    if on_route:
        ReviewStage.objects.create(nomination=made, council=org.council, order=1, decides=True)
    return made


def add(by, nomination, kind=Kind.PROPOSAL_LETTER, name="to-trinh.pdf", content=PDF):
    return dossier.document_add(by=by, nomination=nomination, kind=kind, upload=upload(name, content))


def events(verb, nomination):
    return list(AuditEvent.objects.filter(verb=verb, object_type="awards.nomination", object_id=str(nomination.pk)))


def upload_url(n):
    return reverse("nomination_document_upload", args=[n.pk])


def download_url(document):
    return reverse("nomination_document_download", args=[document.nomination_id, document.pk])


def remove_url(document):
    return reverse("nomination_document_remove", args=[document.nomination_id, document.pk])


def notes(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# Content sniffing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [(PDF, uploads.PDF), (DOCX, uploads.DOCX), (JPEG, uploads.JPEG), (PNG, uploads.PNG)],
)
def test_accepted_types_are_read_off_the_content_whatever_the_name(content, expected):
    sniffed = upload("khong-co-duoi", content)
    assert uploads.sniff_content_type(sniffed) == expected
    assert sniffed.tell() == 0
    assert expected in uploads.ALLOWED_DOCUMENT_TYPES


@pytest.mark.parametrize(
    "content",
    [EXE, b"Day chi la van ban thuong.\n", XLSX, b"PK\x03\x04 hong hoan toan", BOMB, b""],
    ids=["exe", "text", "zip-not-docx", "broken-zip", "zip-bomb", "empty"],
)
def test_anything_else_is_no_document_type(content):
    sniffed = upload("tai-lieu.docx", content)
    assert uploads.sniff_content_type(sniffed) is None
    assert sniffed.tell() == 0


# Adding ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("To trinh.pdf", PDF, uploads.PDF),
        ("Bao cao thanh tich.docx", DOCX, uploads.DOCX),
        ("Anh bien ban.jpg", JPEG, uploads.JPEG),
        ("Anh bien ban.png", PNG, uploads.PNG),
    ],
)
def test_pdf_docx_jpeg_and_png_are_added_under_a_random_name(org, officer_a, media, name, content, content_type):
    n = make_nomination(org)
    document = add(officer_a, n, Kind.ACHIEVEMENT_REPORT, name, content)
    document.refresh_from_db()
    assert (document.kind, document.original_name, document.content_type) == (
        Kind.ACHIEVEMENT_REPORT,
        name,
        content_type,
    )
    assert document.size == len(content) and document.uploaded_by == officer_a
    assert re.fullmatch(rf"dossiers/{n.pk}/[0-9a-f]{{32}}", document.file.name)
    assert "bien" not in document.file.name.lower() and "." not in document.file.name.rsplit("/", 1)[-1]
    assert [path.read_bytes() for path in stored_files(media)] == [content]
    # Outside the static tree: served by the view, never by the static files server.
    assert not str(media).startswith(str(django_settings.STATIC_ROOT))


@pytest.mark.parametrize(
    ("name", "content"),
    [("to-trinh.pdf", EXE), ("bao-cao.docx", b"Day chi la van ban thuong.\n"), ("bao-cao.docx", XLSX)],
    ids=["exe-renamed-pdf", "text-named-docx", "zip-not-docx"],
)
def test_a_file_of_another_type_is_refused_and_nothing_changes(org, officer_a, media, name, content):
    n = make_nomination(org)
    before = AuditEvent.objects.count()
    with pytest.raises(dossier.DocumentError, match=re.escape(name)):
        add(officer_a, n, Kind.PROPOSAL_LETTER, name, content)
    assert not DossierDocument.objects.exists()
    assert stored_files(media) == []
    assert AuditEvent.objects.count() == before


def test_a_file_over_the_cap_is_refused(org, officer_a, media):
    n = make_nomination(org)
    with override_settings(DOSSIER_MAX_BYTES=len(PDF) - 1):
        with pytest.raises(dossier.DocumentError, match="to-trinh.pdf"):
            add(officer_a, n)
    assert not DossierDocument.objects.exists() and stored_files(media) == []
    with override_settings(DOSSIER_MAX_BYTES=len(PDF)):
        add(officer_a, n)
    assert DossierDocument.objects.count() == 1


def test_the_cap_is_twenty_megabytes_unless_configured():
    assert django_settings.DOSSIER_MAX_BYTES == 20 * 1024 * 1024


def test_an_unknown_kind_is_refused(org, officer_a, media):
    with pytest.raises(dossier.DocumentError):
        add(officer_a, make_nomination(org), "decision")
    assert not DossierDocument.objects.exists() and stored_files(media) == []


@pytest.mark.parametrize(
    "state", [s for s in Nomination.State.values if s not in (Nomination.State.DRAFT, Nomination.State.RETURNED)]
)
def test_documents_are_added_only_to_a_draft_or_returned_nomination(org, officer_a, media, state):
    n = make_nomination(org, state=state)
    with pytest.raises(dossier.DocumentError):
        add(officer_a, n)
    assert not DossierDocument.objects.exists() and stored_files(media) == []


def test_a_returned_nomination_takes_documents(org, officer_a):
    document = add(officer_a, make_nomination(org, state=Nomination.State.RETURNED))
    assert document.pk


def test_a_single_document_kind_is_replaced_and_the_old_one_kept(org, officer_a, media):
    n = make_nomination(org)
    first = add(officer_a, n, Kind.PROPOSAL_LETTER, "to-trinh-cu.pdf")
    second = add(officer_a, n, Kind.PROPOSAL_LETTER, "to-trinh-moi.pdf")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.replaced_at is not None and second.replaced_at is None
    assert len(stored_files(media)) == 2
    assert events("nomination.document_added", n)[-1].data["replaced"] == [first.pk]
    [item] = [item for item in dossier.checklist(n) if item.kind == Kind.PROPOSAL_LETTER]
    assert item.documents == [second]


@pytest.mark.parametrize("kind", [Kind.OTHER_CONFIRMATION, Kind.INITIATIVE_CERTIFICATE])
def test_confirmations_and_certificates_may_be_several(org, officer_a, kind):
    n = make_nomination(org)
    first, second = add(officer_a, n, kind, "a.pdf"), add(officer_a, n, kind, "b.pdf")
    assert DossierDocument.objects.filter(pk__in=[first.pk, second.pk], replaced_at__isnull=True).count() == 2


def test_adding_is_audited_on_the_nomination(org, officer_a):
    n = make_nomination(org)
    document = add(officer_a, n, Kind.MINUTES, "bien-ban.pdf")
    [event] = events("nomination.document_added", n)
    assert event.actor == officer_a
    assert event.data == {
        "document": document.pk,
        "kind": "minutes",
        "name": "bien-ban.pdf",
        "size": len(PDF),
        "content_type": "application/pdf",
        "replaced": [],
    }


# Removing --------------------------------------------------------------------------------------------


def test_removing_deletes_the_row_and_then_the_file(org, officer_a, media, django_capture_on_commit_callbacks):
    n = make_nomination(org)
    document = add(officer_a, n)
    with django_capture_on_commit_callbacks(execute=True):
        dossier.document_remove(by=officer_a, document=document)
    assert not DossierDocument.objects.exists()
    assert stored_files(media) == []
    [event] = events("nomination.document_removed", n)
    assert event.data == {"document": document.pk, "kind": "proposal_letter", "name": "to-trinh.pdf"}


def test_a_submitted_dossier_keeps_its_documents(org, officer_a, media, django_capture_on_commit_callbacks):
    n = make_nomination(org)
    document = add(officer_a, n)
    Nomination.objects.filter(pk=n.pk).update(state=Nomination.State.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(dossier.DocumentError):
        dossier.document_remove(by=officer_a, document=document)
    assert DossierDocument.objects.filter(pk=document.pk).exists()
    assert len(stored_files(media)) == 1
    assert events("nomination.document_removed", n) == []


# Checklist -------------------------------------------------------------------------------------------


def test_checklist_lists_required_kinds_first_and_what_is_missing(org, officer_a):
    n = make_nomination(org, code="LDTT")  # national rules: proposal letter, achievement report, minutes
    items = dossier.checklist(n)
    assert [item.kind for item in items if item.required] == ["proposal_letter", "achievement_report", "minutes"]
    assert [item.kind for item in items][:3] == ["proposal_letter", "achievement_report", "minutes"]
    assert len(items) == len(Kind.values)
    assert dossier.missing_documents(n) == ["proposal_letter", "achievement_report", "minutes"]
    add(officer_a, n, Kind.PROPOSAL_LETTER)
    add(officer_a, n, Kind.OTHER_CONFIRMATION, "xac-nhan.pdf")
    assert dossier.missing_documents(n) == ["achievement_report", "minutes"]


def test_checklist_follows_the_award_type(org):
    assert dossier.missing_documents(make_nomination(org, code="CSTDCS")) == [
        "proposal_letter",
        "achievement_report",
        "minutes",
        "initiative_certificate",
    ]


def test_simplified_procedure_requires_the_letter_and_the_report_only(org, officer_a):
    n = make_nomination(org, code="CSTDCS", procedure=Nomination.Procedure.SIMPLIFIED)
    assert dossier.missing_documents(n) == ["proposal_letter", "achievement_report"]
    add(officer_a, n, Kind.ACHIEVEMENT_REPORT, "bao-cao.pdf")
    assert dossier.missing_documents(n) == ["proposal_letter"]


def test_checklist_reads_the_province_rules_in_force_in_the_nomination_year(org, catalogue):
    national = AwardRuleSet.objects.get(award_type=catalogue["LDTT"], organisation__isnull=True)
    AwardRuleSet.objects.create(
        award_type=catalogue["LDTT"],
        organisation=org.province,
        valid_from=date(2025, 3, 1),
        rules=national.rules,
        vote_rule=national.vote_rule,
        required_documents=["proposal_letter", "achievement_report", "minutes", "tally_minutes"],
    )
    assert "tally_minutes" in dossier.missing_documents(make_nomination(org, code="LDTT"))
    earlier = make_nomination(org, code="LDTT", person=factories.make_person(org.unit_a))
    Nomination.objects.filter(pk=earlier.pk).update(year=2024)
    earlier.refresh_from_db()
    assert "tally_minutes" not in dossier.missing_documents(earlier)
    outside = make_nomination(org, code="LDTT", person=factories.make_person(org.unit_a))
    outside.proposing_unit = factories.make_unit("Tỉnh khác", level=Unit.Level.PROVINCE, kind=Unit.Kind.PROVINCE)
    assert "tally_minutes" not in dossier.missing_documents(outside)


# Views -----------------------------------------------------------------------------------------------


def test_upload_through_the_page_adds_the_document(org, officer_a, client, media):
    n = make_nomination(org)
    client.force_login(officer_a)
    response = client.post(
        upload_url(n), {"kind": "achievement_report", "file": upload("Báo cáo thành tích.pdf", PDF), "next": "/x/"}
    )
    assert response.status_code == 302 and response["Location"] == "/x/"
    document = DossierDocument.objects.get()
    assert (document.kind, document.original_name) == ("achievement_report", "Báo cáo thành tích.pdf")
    assert len(notes(response)) == 1


def test_an_exe_renamed_pdf_is_refused_with_a_vietnamese_message(org, officer_a, client, media):
    """The acceptance item."""
    n = make_nomination(org)
    client.force_login(officer_a)
    response = client.post(upload_url(n), {"kind": "proposal_letter", "file": upload("to-trinh.pdf", EXE)})
    assert response.status_code == 302
    [note] = notes(response)
    assert note.startswith("“to-trinh.pdf” không phải là tệp PDF, Word (DOCX), JPEG hoặc PNG")
    assert not DossierDocument.objects.exists() and stored_files(media) == []
    assert events("nomination.document_added", n) == []


def test_upload_without_a_file_is_refused(org, officer_a, client, media):
    client.force_login(officer_a)
    response = client.post(upload_url(make_nomination(org)), {"kind": "proposal_letter"})
    assert response.status_code == 302 and len(notes(response)) == 1
    assert not DossierDocument.objects.exists()


def test_upload_is_refused_once_the_nomination_is_submitted(org, officer_a, client, media):
    n = make_nomination(org, state=Nomination.State.SUBMITTED)
    client.force_login(officer_a)
    response = client.post(upload_url(n), {"kind": "proposal_letter", "file": upload("to-trinh.pdf", PDF)})
    assert response.status_code == 302 and len(notes(response)) == 1
    assert not DossierDocument.objects.exists() and stored_files(media) == []


@pytest.mark.parametrize(("persona", "status"), [("head_a", 302), ("admin_user", 302), ("officer_b", 404)])
def test_who_uploads(org, as_persona, media, persona, status):
    n = make_nomination(org, on_route=True)
    response = as_persona(persona).post(upload_url(n), {"kind": "minutes", "file": upload("bien-ban.pdf", PDF)})
    assert response.status_code == status
    assert DossierDocument.objects.count() == (1 if status == 302 else 0)


@pytest.mark.parametrize("role", [Unit.Role.VIEWER, Unit.Role.SIGNER])
def test_readers_of_the_unit_and_the_secretariat_may_not_upload(org, client, secretariat, media, role):
    n = make_nomination(org, on_route=True)
    reader = factories.make_user()
    permissions.grant_unit_role(reader, role, org.unit_a)
    for user in (reader, secretariat):
        client.force_login(user)
        response = client.post(upload_url(n), {"kind": "minutes", "file": upload("bien-ban.pdf", PDF)})
        assert response.status_code == 403
    assert not DossierDocument.objects.exists() and stored_files(media) == []


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("officer_a", 200),
        ("head_a", 200),
        ("officer_b", 404),
        ("secretariat", 200),
        ("member", 404),
        ("admin_user", 200),
        ("anonymous", 302),
    ],
)
def test_who_downloads(org, officer_a, as_persona, persona, status):
    document = add(officer_a, make_nomination(org, on_route=True), name="Tờ trình số 12.pdf")
    response = as_persona(persona).get(download_url(document))
    assert response.status_code == status
    if status == 200:
        quoted = "T%E1%BB%9D%20tr%C3%ACnh%20s%E1%BB%91%2012.pdf"
        assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quoted}"
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF  # read to the end: the client then closes the file


def test_a_secretariat_off_the_route_does_not_see_the_document(org, officer_a, client, secretariat):
    document = add(officer_a, make_nomination(org, on_route=False))
    client.force_login(secretariat)
    assert client.get(download_url(document)).status_code == 404


def test_a_document_of_another_nomination_is_404(org, officer_a, client):
    document = add(officer_a, make_nomination(org))
    other = make_nomination(org, person=factories.make_person(org.unit_a))
    client.force_login(officer_a)
    url = reverse("nomination_document_download", args=[other.pk, document.pk])
    assert client.get(url).status_code == 404


def test_download_keeps_the_stored_type_of_a_docx(org, officer_a, client):
    document = add(officer_a, make_nomination(org), Kind.ACHIEVEMENT_REPORT, "bao-cao.docx", DOCX)
    client.force_login(officer_a)
    response = client.get(download_url(document))
    assert response["Content-Type"] == uploads.DOCX
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao.docx"'
    assert b"".join(response.streaming_content) == DOCX


def test_remove_through_the_page(org, officer_a, head_a, client, media, django_capture_on_commit_callbacks):
    n = make_nomination(org)
    document = add(officer_a, n)
    client.force_login(head_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remove_url(document))
    assert response.status_code == 302
    assert not DossierDocument.objects.exists() and stored_files(media) == []


@pytest.mark.parametrize(("persona", "status"), [("officer_b", 404), ("secretariat", 403), ("member", 404)])
def test_others_may_not_remove(org, officer_a, as_persona, media, persona, status):
    document = add(officer_a, make_nomination(org, on_route=True))
    assert as_persona(persona).post(remove_url(document)).status_code == status
    assert DossierDocument.objects.filter(pk=document.pk).exists() and len(stored_files(media)) == 1


# What the permission matrix records for the three URL names, checked here until the matrix has the rows.
POST_ONLY = (405, 405, 405, 405, 405, 405, 302)
DOWNLOAD = (200, 200, 404, 200, 404, 200, 302)


@pytest.mark.parametrize("persona", PERSONAS)
def test_get_statuses_match_the_matrix(org, officer_a, as_persona, persona):
    document = add(officer_a, make_nomination(org, on_route=True))
    client = as_persona(persona)
    column = PERSONAS.index(persona)
    download = client.get(download_url(document))
    if download.streaming:
        b"".join(download.streaming_content)  # read to the end: the client then closes the file
    statuses = (
        client.get(upload_url(document.nomination)).status_code,
        download.status_code,
        client.get(remove_url(document)).status_code,
    )
    assert statuses == (POST_ONLY[column], DOWNLOAD[column], POST_ONLY[column])


# The partial -----------------------------------------------------------------------------------------


def _render(n, user):
    request = RequestFactory().get(f"/awards/nominations/{n.pk}/")
    request.user = user
    n = get_nomination_for_user(request, n.pk)
    return render_to_string("awards/nominations/_documents.html", dossier_context(n), request=request)


def test_the_partial_shows_the_checklist_and_the_form_to_editors(org, officer_a):
    n = make_nomination(org)
    document = add(officer_a, n, name="to-trinh.pdf")
    html = _render(n, officer_a)
    assert download_url(document) in html and "to-trinh.pdf" in html
    assert remove_url(document) in html and "data-confirm" in html
    assert 'enctype="multipart/form-data"' in html and 'accept=".pdf,.docx,.jpg,.jpeg,.png"' in html
    assert html.count("✓") == 1 and html.count("✗") == 2  # minutes and the achievement report are missing


def test_the_partial_is_read_only_for_the_secretariat_and_once_submitted(org, officer_a, secretariat):
    n = make_nomination(org, on_route=True)
    document = add(officer_a, n)
    html = _render(n, secretariat)
    assert download_url(document) in html
    assert remove_url(document) not in html and upload_url(n) not in html
    Nomination.objects.filter(pk=n.pk).update(state=Nomination.State.SUBMITTED)
    html = _render(n, officer_a)
    assert remove_url(document) not in html and upload_url(n) not in html
