"""The proposing unit's pages: a CSTĐ tỉnh nomination of a teacher created through the form, its page, a letter
sent and recalled through the pages, the letter PDF, the Excel export, and who may see what."""

import importlib
import io
from datetime import datetime

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from openpyxl import load_workbook

from awards import documents as dossier
from awards import nominations as services
from awards.models import Authority, AwardType, DossierDocument, Nomination, ReviewStage, Submission
from tests import factories
from tests.awards import factories as history
from thiduakt.lib import permissions

pytestmark = [pytest.mark.django_db]

Kind = DossierDocument.Kind
State = Nomination.State
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
CSTD_TINH_DOCS = [Kind.PROPOSAL_LETTER, Kind.ACHIEVEMENT_REPORT, Kind.MINUTES, Kind.INITIATIVE_CERTIFICATE]
CSTD_TINH_DOCS += [Kind.TALLY_MINUTES]
LIST_QUERY_BOUND = 14


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def councils(org, catalogue):
    if not Authority.objects.exists():
        importlib.import_module("awards.migrations.0005_seed_authorities").seed(apps, None)
    return {
        "school": factories.make_council(org.unit_a_child),
        "department": factories.make_council(org.unit_a),
        "province": org.council,
    }


@pytest.fixture
def teacher(org):
    person = factories.make_person(org.unit_a_child, "Trần Thị Mai", code="GV0001")
    history.awards(person, "CSTDCS", [2023, 2024, 2025])
    history.initiative(person, "province", 2024)
    return person


@pytest.fixture
def nomination(org, councils, teacher, officer_a):
    return services.nomination_create(
        by=officer_a,
        subject=teacher,
        award_type=AwardType.objects.get(code="CSTD_TINH"),
        year=2025,
        kind="regular",
        proposing_unit=org.unit_a_child,
        achievement="Giáo viên dạy giỏi cấp tỉnh.",
    )


@pytest.fixture
def letter(org, officer_a, nomination):
    """A draft letter of the school with the complete dossier of the nomination in it."""
    for kind in CSTD_TINH_DOCS:
        upload = SimpleUploadedFile("tai-lieu.pdf", PDF, content_type="application/pdf")
        dossier.document_add(by=officer_a, nomination=nomination, kind=kind, upload=upload)
    submission = services.submission_create(by=officer_a, unit=org.unit_a_child, year=2026, title="Đề nghị khen")
    services.submission_add(by=officer_a, submission=submission, nominations=[nomination])
    return submission


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# Nominations -----------------------------------------------------------------------------------------------


def test_officer_creates_a_nomination_through_the_form(client, org, councils, teacher, officer_a):
    client.force_login(officer_a)
    assert client.get(reverse("nomination_create")).status_code == 200
    data = {
        "subject_type": "person",
        "subject_code": "GV0001",
        "proposing_unit": org.unit_a_child.code,
        "award_type": "CSTD_TINH",
        "year": 2025,
        "kind": "regular",
        "procedure": "normal",
        "achievement": "Giáo viên dạy giỏi cấp tỉnh.",
    }
    response = client.post(reverse("nomination_create"), data)

    nomination = Nomination.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("nomination_detail", args=[nomination.pk])
    assert (nomination.person, nomination.proposing_unit, nomination.state) == (teacher, org.unit_a_child, State.DRAFT)

    # The same title for the same year again: the service's refusal is shown next to the form, nothing is added.
    again = client.post(reverse("nomination_create"), data)
    assert again.status_code == 200 and again.context["form"].non_field_errors()
    assert Nomination.objects.count() == 1


def test_a_subject_outside_the_units_covered_reads_as_unknown(client, org, councils, officer_a):
    client.force_login(officer_a)
    response = client.post(
        reverse("nomination_create"),
        {
            "subject_type": "person",
            "subject_code": org.person_b.code,
            "proposing_unit": org.unit_a.code,
            "award_type": "LDTT",
            "year": 2025,
            "kind": "regular",
            "procedure": "normal",
            "achievement": "x",
        },
    )
    assert response.status_code == 200 and "subject_code" in response.context["form"].errors
    assert not Nomination.objects.exists()


def test_detail_shows_live_eligibility_documents_and_timeline(client, officer_a, nomination):
    client.force_login(officer_a)
    response = client.get(reverse("nomination_detail", args=[nomination.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["panel"]["live"] is True
    assert response.context["panel"]["status"] == "eligible"
    assert 'data-eligibility="eligible"' in page
    assert 'id="dossier"' in page and reverse("nomination_document_upload", args=[nomination.pk]) in page
    assert [row["event"].verb for row in response.context["timeline"]] == ["nomination.created"]


def test_edit_changes_a_draft_and_is_refused_once_submitted(client, officer_a, head_a, nomination, letter):
    client.force_login(officer_a)
    url = reverse("nomination_edit", args=[nomination.pk])
    data = {"award_type": "CSTD_TINH", "year": 2025, "kind": "regular", "procedure": "normal", "achievement": "Mới."}
    assert client.post(url, data).status_code == 302
    nomination.refresh_from_db()
    assert nomination.achievement == "Mới."

    services.submission_send(by=head_a, submission=letter)
    response = client.post(url, {**data, "achievement": "Sau khi gửi."}, follow=True)
    nomination.refresh_from_db()
    assert nomination.achievement == "Mới." and nomination.state == State.SUBMITTED
    assert response.redirect_chain[-1][0] == reverse("nomination_detail", args=[nomination.pk])
    assert response.context["can_edit"] is False
    # Once submitted the page shows the stored snapshot, not a live check.
    assert response.context["panel"]["live"] is False and response.context["panel"]["status"] == "eligible"


# Letters ---------------------------------------------------------------------------------------------------


def test_a_letter_is_created_filled_and_sent_through_the_pages(client, org, officer_a, head_a, nomination):
    for kind in CSTD_TINH_DOCS:
        upload = SimpleUploadedFile("tai-lieu.pdf", PDF, content_type="application/pdf")
        dossier.document_add(by=officer_a, nomination=nomination, kind=kind, upload=upload)
    client.force_login(officer_a)
    response = client.post(
        reverse("submission_create"), {"unit": org.unit_a_child.code, "year": 2026, "title": "Đề nghị khen thưởng"}
    )
    submission = Submission.objects.get()
    assert response["Location"] == reverse("submission_detail", args=[submission.pk])
    page = client.get(reverse("submission_detail", args=[submission.pk]))
    assert [n.pk for n in page.context["addable"]] == [nomination.pk] and page.context["can_send"] is False
    client.post(reverse("submission_add", args=[submission.pk]), {"nominations": [nomination.pk]})
    nomination.refresh_from_db()
    assert nomination.submission == submission

    # An officer may prepare but not send.
    assert client.post(reverse("submission_send", args=[submission.pk])).status_code == 403

    client.force_login(head_a)
    response = client.post(
        reverse("submission_send", args=[submission.pk]), {f"justification-{nomination.pk}": "Tiêu biểu."}
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    nomination.refresh_from_db()
    assert (submission.state, str(submission)) == (Submission.State.SENT, "01/TTr-LQD")
    assert nomination.state == State.SUBMITTED and nomination.justification == "Tiêu biểu."
    assert list(nomination.stages.order_by("order").values_list("state", flat=True)) == [
        ReviewStage.State.SUBMITTED,
        ReviewStage.State.WAITING,
        ReviewStage.State.WAITING,
    ]
    detail = client.get(reverse("nomination_detail", args=[nomination.pk]))
    assert [s.state for s in detail.context["stages"]][0] == ReviewStage.State.SUBMITTED


def test_sending_an_incomplete_letter_lists_the_problems_and_changes_nothing(
    client, org, officer_a, head_a, nomination
):
    submission = services.submission_create(by=officer_a, unit=org.unit_a_child, year=2026, title="Đề nghị")
    services.submission_add(by=officer_a, submission=submission, nominations=[nomination])
    client.force_login(head_a)
    response = client.post(reverse("submission_send", args=[submission.pk]), follow=True)
    assert len(_messages(response)) >= 2  # the refusal, then one line per problem (missing documents)
    submission.refresh_from_db()
    assert submission.state == Submission.State.DRAFT and submission.number is None


def test_recall_through_the_page_makes_drafts_again(client, head_a, nomination, letter):
    services.submission_send(by=head_a, submission=letter)
    client.force_login(head_a)
    page = client.get(reverse("submission_detail", args=[letter.pk]))
    assert page.context["can_recall"] is True and b"data-confirm" in page.content
    client.post(reverse("submission_recall", args=[letter.pk]))
    letter.refresh_from_db()
    nomination.refresh_from_db()
    assert letter.state == Submission.State.RECALLED
    assert nomination.state == State.DRAFT and nomination.submission is None and not nomination.stages.exists()


def test_letter_pdf_downloads(client, officer_a, head_a, letter):
    services.submission_send(by=head_a, submission=letter)
    client.force_login(officer_a)
    response = client.get(reverse("submission_detail", args=[letter.pk]), {"format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_resubmit_after_a_return_shows_the_diff(client, councils, officer_a, head_a, nomination, letter):
    secretary = factories.make_user("school_secretariat")
    permissions.grant_secretariat(secretary, councils["school"])
    services.submission_send(by=head_a, submission=letter)
    stage = nomination.stages.get(order=1)
    services.stage_receive(by=secretary, stage=stage)
    services.stage_return(by=secretary, stage=stage, reasons=[{"document": "", "text": "Nêu số liệu."}])
    services.nomination_update(by=officer_a, nomination=nomination, achievement="Có số liệu.")

    client.force_login(officer_a)
    assert client.post(reverse("nomination_resubmit", args=[nomination.pk])).status_code == 403
    page = client.get(reverse("nomination_detail", args=[nomination.pk]))
    assert page.context["stages"][0].reasons == [{"document": "", "text": "Nêu số liệu."}]

    client.force_login(head_a)
    response = client.post(reverse("nomination_resubmit", args=[nomination.pk]), follow=True)
    nomination.refresh_from_db()
    assert nomination.state == State.SUBMITTED
    assert response.context["diff"] == [("Tóm tắt thành tích", "Giáo viên dạy giỏi cấp tỉnh.", "Có số liệu.")]
    label = str(Nomination._meta.get_field("achievement").verbose_name)
    assert any(label in message for message in _messages(response))


def test_the_page_names_a_changed_field_in_words_and_dates_the_check_in_local_time(
    client, councils, officer_a, head_a, nomination, letter
):
    """The diff once showed the snapshot key (`achievement`) and the check time as a UTC ISO string."""
    secretary = factories.make_user("school_secretariat")
    permissions.grant_secretariat(secretary, councils["school"])
    services.submission_send(by=head_a, submission=letter)
    stage = nomination.stages.get(order=1)
    services.stage_receive(by=secretary, stage=stage)
    services.stage_return(by=secretary, stage=stage, reasons=[{"document": "", "text": "Nêu số liệu."}])
    services.nomination_update(by=officer_a, nomination=nomination, achievement="Có số liệu.")
    services.nomination_resubmit(by=head_a, nomination=nomination)
    nomination.refresh_from_db()

    client.force_login(officer_a)
    page = client.get(reverse("nomination_detail", args=[nomination.pk])).content.decode()
    label = capfirst(Nomination._meta.get_field("achievement").verbose_name)
    assert f"<tr><td>{label}</td><td>Giáo viên dạy giỏi cấp tỉnh.</td><td>Có số liệu.</td></tr>" in page
    assert ">achievement<" not in page
    checked_at = datetime.fromisoformat(nomination.eligibility["checked_at"])
    assert f"{timezone.localtime(checked_at):%d/%m/%Y %H:%M}" in page
    assert nomination.eligibility["checked_at"][:16] not in page


# Access ----------------------------------------------------------------------------------------------------


def test_outsiders_get_404_for_a_nomination_and_a_letter(client, officer_b, secretariat, nomination, letter):
    for user in (officer_b, secretariat):
        client.force_login(user)
        for name, pk in [
            ("nomination_detail", nomination.pk),
            ("nomination_edit", nomination.pk),
            ("submission_detail", letter.pk),
        ]:
            assert client.get(reverse(name, args=[pk])).status_code == 404, (user, name)
        assert client.post(reverse("submission_send", args=[letter.pk])).status_code == 404
        assert client.post(reverse("nomination_resubmit", args=[nomination.pk])).status_code == 404


def test_the_list_shows_only_nominations_of_units_covered(client, org, officer_a, officer_b, nomination):
    other = factories.make_person(org.unit_b, code="YT0001")
    history.ratings(other, [2025], "good")
    services.nomination_create(
        by=officer_b,
        subject=other,
        award_type=AwardType.objects.get(code="LDTT"),
        year=2025,
        kind="regular",
        proposing_unit=org.unit_b,
        achievement="Hoàn thành tốt.",
    )
    client.force_login(officer_a)
    assert [n.pk for n in client.get(reverse("nomination_list")).context["page"]] == [nomination.pk]
    assert list(client.get(reverse("nomination_list"), {"state": "submitted"}).context["page"]) == []
    assert list(client.get(reverse("nomination_list"), {"award": "LDTT"}).context["page"]) == []


def test_list_exports_to_excel(client, officer_a, nomination):
    client.force_login(officer_a)
    response = client.get(reverse("nomination_list"), {"format": "xlsx", "year": 2025})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == nomination.pk and rows[1][2] == "CSTD_TINH"


@pytest.mark.parametrize("size", [3, 25])
def test_the_list_takes_a_bounded_number_of_queries(
    size, client, org, catalogue, officer_a, django_assert_max_num_queries
):
    ldtt = AwardType.objects.get(code="LDTT")
    for index in range(size):
        person = factories.make_person(org.unit_a_child)
        Nomination.objects.create(
            person=person, award_type=ldtt, year=2026, proposing_unit=org.unit_a_child, achievement=f"{index}"
        )
    household = factories.make_household(org.unit_a_child)
    Nomination.objects.create(
        household=household,
        award_type=AwardType.objects.filter(subject_types__contains=["household"]).first() or ldtt,
        year=2026,
        proposing_unit=org.unit_a_child,
        achievement="h",
    )
    client.force_login(officer_a)
    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = client.get(reverse("nomination_list"))
    assert len(response.context["page"]) == size + 1


# Permission matrix: GET of every page for every persona ------------------------------------------------------

PERSONAS = ["officer_a", "head_a", "officer_b", "secretariat", "member", "admin_user", "anonymous"]
MATRIX = {
    # name: statuses in the order of PERSONAS (302: to the login page)
    "nomination_list": [200, 200, 200, 200, 200, 200, 302],
    "nomination_create": [200, 200, 200, 403, 403, 200, 302],
    "nomination_detail": [200, 200, 404, 404, 404, 200, 302],
    "nomination_edit": [200, 200, 404, 404, 404, 200, 302],
    "nomination_resubmit": [405, 405, 405, 405, 405, 405, 302],
    "submission_list": [200, 200, 200, 200, 200, 200, 302],
    "submission_create": [200, 200, 200, 403, 403, 200, 302],
    "submission_detail": [200, 200, 404, 404, 404, 200, 302],
    "submission_add": [405, 405, 405, 405, 405, 405, 302],
    "submission_send": [405, 405, 405, 405, 405, 405, 302],
    "submission_recall": [405, 405, 405, 405, 405, 405, 302],
}


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_permission_matrix(name, request, client, nomination, letter):
    args = []
    if name.startswith("nomination_") and name not in ("nomination_list", "nomination_create"):
        args = [nomination.pk]
    if name.startswith("submission_") and name not in ("submission_list", "submission_create"):
        args = [letter.pk]
    got = []
    for persona in PERSONAS:
        client.logout()
        user = request.getfixturevalue(persona)
        if user.is_authenticated:
            client.force_login(user)
        got.append(client.get(reverse(name, args=args)).status_code)
    assert got == MATRIX[name]


def test_the_secretariat_of_a_council_on_the_route_reads_but_does_not_edit(
    client, head_a, secretariat, nomination, letter
):
    services.submission_send(by=head_a, submission=letter)  # the route ends at the province council
    client.force_login(secretariat)
    assert client.get(reverse("nomination_detail", args=[nomination.pk])).status_code == 200
    assert client.get(reverse("nomination_edit", args=[nomination.pk])).status_code == 403
    assert client.get(reverse("submission_detail", args=[letter.pk])).status_code == 404
