"""Minutes and ballot-count minutes of a closed council session (issue 6): what the PDFs say (read back with
pdftotext), who may read them, and their attachment to every nomination's dossier, once."""

import re
import subprocess
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from audit.models import AuditEvent
from awards import documents as dossier
from awards import minutes
from awards import sessions as services
from awards.minutes import MinutesError
from awards.models import AgendaItem, AwardRuleSet, AwardType, CouncilSession, DossierDocument, Nomination, ReviewStage
from organizations.models import CouncilMember
from tests import factories
from tests.awards.test_review_pages import at_council
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db

Kind = DossierDocument.Kind
Role = CouncilMember.Role
A, D, N = "agree", "disagree", "abstain"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def vi(message: str) -> str:
    with translation.override("vi"):
        return gettext(message)


def result(label: str) -> str:
    with translation.override("vi"):
        return pgettext("vote result", label)


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF as pdftotext reads it, on one line (table cells and paragraphs wrap anywhere)."""
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return " ".join(text.split())


ROW = re.compile(r"^\s*(\d+) (.+?)\s{2,}(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(.+?)\s*$")


def result_rows(pdf: bytes) -> dict[int, tuple]:
    """The first line of each item's row as pdftotext -layout prints it: order → (nominee, base, agree, disagree,
    abstain, share, threshold, result)."""
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    rows = {}
    for line in text.decode().splitlines():
        if match := ROW.match(line):
            order, nominee, *numbers, share, threshold, outcome = match.groups()
            rows[int(order)] = (nominee, *map(int, numbers), share, threshold, outcome)
    return rows


def pdf_pages(pdf: bytes) -> list[str]:
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return [" ".join(page.split()) for page in text.split("\f") if page.strip()]


def two_thirds_of_all(org, quorum="1/2"):
    AwardRuleSet.objects.create(
        award_type=AwardType.objects.get(code="CSTD_TINH"),
        organisation=org.province,
        valid_from=date(2025, 1, 1),
        vote_rule={"secret": True, "threshold": "2/3", "base": "all", "quorum": quorum},
    )


MEMBERS = [  # (first name, last name, role)
    ("Lê Minh", "Chính", Role.CHAIR),
    ("Phạm Thị", "Lan", Role.MEMBER),
    ("Hoàng Văn", "Nam", Role.MEMBER),
    ("Vũ Thị", "Mai", Role.VICE_CHAIR),
    ("Đặng Quốc", "Bảo", Role.MEMBER),
    ("Bùi Thị", "Hạnh", Role.MEMBER),
    ("Ngô Văn", "Tùng", Role.STANDING),
]
# Members 0–4 at the meeting; 5 votes without attending; 6 neither. Member 1 is recused from the second item.
VOTES = [
    [A, A, A],
    [A, None, A],
    [A, A, A],
    [A, D, A],
    [A, N, D],
    [D, A, D],
]
NOMINEES = ["Trần Thị Thu Hương", "Lý Văn Đức", "Mạc Thị Ngọc Ánh"]


def council_of_seven(org):
    members = [
        factories.add_member(org.council, factories.make_user(first_name=first, last_name=last), role=role)
        for first, last, role in MEMBERS
    ]
    secretary = factories.add_member(
        org.council, factories.make_user(first_name="Đỗ Thu", last_name="Trang"), role=Role.SECRETARY, voting=False
    )
    return members, secretary


def closed_session(org, secretariat, *, count=3, names=None, votes=VOTES):
    """A session of `count` accepted nominations before the council of seven, voted and closed by the secretariat."""
    two_thirds_of_all(org)
    members, secretary = council_of_seven(org)
    names = names or [f"Người được đề nghị số {index}" for index in range(1, count + 1)]
    stages = [at_council(org, state=ReviewStage.State.ACCEPTED, name=name) for name in names]
    now = timezone.now()
    session = services.session_create(
        by=secretariat,
        council=org.council,
        title="Phiên họp xét danh hiệu Chiến sĩ thi đua cấp tỉnh năm 2025",
        meeting_on=timezone.localdate(),
        opens_at=now - timezone.timedelta(minutes=5),
        closes_at=now + timezone.timedelta(hours=2),
    )
    services.session_add_items(by=secretariat, session=session, stages=stages)
    items = list(AgendaItem.objects.filter(session=session).order_by("order"))
    if len(items) > 1:
        services.session_declare_recusal(
            by=secretariat, item=items[1], member=members[1], reason="Cùng đơn vị công tác với người được đề nghị"
        )
    services.session_set_attendance(by=secretariat, session=session, members=[*members[:5], secretary])
    services.session_open(by=secretariat, session=session)
    for member, row in zip(members, votes, strict=False):
        choices = {item.pk: row[index % len(row)] or A for index, item in enumerate(items)}
        if len(items) > 1 and member == members[1]:
            del choices[items[1].pk]
        services.ballot_cast(by=member.user, session=CouncilSession(pk=session.pk), choices=choices)
    return services.session_close(by=secretariat, session=session), stages


@pytest.fixture
def session_of_three(org, secretariat):
    return closed_session(org, secretariat, names=NOMINEES)


# The documents ----------------------------------------------------------------------------------------------


def test_the_minutes_print_counts_shares_results_recusals_and_who_took_part(session_of_three):
    session, _stages = session_of_three
    pdf = minutes.render_minutes(session, "minutes")
    text = pdf_text(pdf)

    # Decree 30/2020 frame: issuing body, national motto, place and date, title.
    assert "TỈNH SÔNG HỒNG" in text
    assert vi("Emulation and Commendation Council").upper() in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    closed_on = timezone.localtime(session.closed_at)
    assert f"Sông Hồng, ngày {closed_on:%d} tháng {closed_on:%m} năm {closed_on:%Y}" in text
    assert vi("Minutes of the council meeting").upper() in text
    assert session.title in text
    # Members: present, voting without attending, absent; the non-voting secretary attended.
    assert "Lê Minh Chính (chủ tịch)" in text and "Vũ Thị Mai (phó chủ tịch)" in text
    present = text.index("Lê Minh Chính")
    assert present < text.index("Bùi Thị Hạnh") < text.index("Ngô Văn Tùng")
    assert "Đỗ Thu Trang (thư ký)" in text
    assert "6/7 thành viên có quyền biểu quyết tham gia." in text
    # Each item: nominee, unit, award, base, counts, share, threshold, result, note; the recusal of item 2.
    for name in NOMINEES:
        assert name in text
    assert "Sở Giáo dục và Đào tạo" in text and AwardType.objects.get(code="CSTD_TINH").name in text
    assert result_rows(pdf) == {
        1: (NOMINEES[0], 7, 5, 1, 0, "71,43%", "2/3", result("Passed")),
        2: (NOMINEES[1], 6, 3, 1, 1, "50,00%", "2/3", result("Not passed")),
        3: (NOMINEES[2], 7, 4, 2, 0, "57,14%", "2/3", result("Not passed")),
    }
    assert "5/7 thành viên đồng ý, đạt 2/3." in text
    assert "3/6 thành viên đồng ý, chưa đạt 2/3." in text
    assert "Phạm Thị Lan (Cùng đơn vị công tác với người được đề nghị)" in text
    assert session.result_note in text
    # Signatures: the chair and the secretary by name.
    assert vi("Council chair").upper() in text and text.rstrip().endswith("Lê Minh Chính")
    assert "Đỗ Thu Trang" in text[text.index(vi("Secretary").upper()) :]


def test_the_tally_minutes_count_the_ballots_and_every_item(session_of_three):
    session, _stages = session_of_three
    pdf = minutes.render_minutes(session, "tally")
    text = pdf_text(pdf)
    assert vi("Ballot-count minutes").upper() in text
    assert [row[1:7] for row in result_rows(pdf).values()] == [
        (7, 5, 1, 0, "71,43%", "2/3"),
        (6, 3, 1, 1, "50,00%", "2/3"),
        (7, 4, 2, 0, "57,14%", "2/3"),
    ]
    assert "Phạm Thị Lan (Cùng đơn vị công tác với người được đề nghị)" in text
    with translation.override("vi"):
        assert gettext("Ballots received, all valid: %(count)s.") % {"count": 6} in text
        assert gettext("Members who did not vote: %(count)s.") % {"count": 1} in text
    assert vi("Head of the counting board").upper() in text
    # Who voted is printed, how never: no paper, no choice per member.
    assert "Ngô Văn Tùng" in text


def test_no_minutes_before_the_close(org, secretariat):
    two_thirds_of_all(org)
    council_of_seven(org)
    stage = at_council(org, state=ReviewStage.State.ACCEPTED)
    session = services.session_create(
        by=secretariat,
        council=org.council,
        title="Phiên chưa đóng",
        meeting_on=timezone.localdate(),
        opens_at=timezone.now(),
        closes_at=timezone.now() + timezone.timedelta(hours=1),
    )
    services.session_add_items(by=secretariat, session=session, stages=[stage])
    for state in ("draft", "open"):
        if state == "open":
            services.session_open(by=secretariat, session=session)
        with pytest.raises(MinutesError):
            minutes.render_minutes(session, "minutes")
        with pytest.raises(MinutesError):
            minutes.attach_minutes(session=session)
        assert not DossierDocument.objects.exists()
    with pytest.raises(MinutesError):
        minutes.render_minutes(session, "agenda")


def test_a_long_agenda_repeats_the_table_header_on_every_page(org, secretariat):
    session, _stages = closed_session(org, secretariat, count=40)
    pages = pdf_pages(minutes.render_minutes(session, "tally"))
    assert len(pages) >= 3
    assert_header_on_every_page_of_the_table(pages, 40)


def assert_header_on_every_page_of_the_table(pages: list[str], count: int) -> None:
    """Every page that holds agenda rows starts them under the table's header ("Agree" is a header cell on one
    line: the rows say it only in lower case), and every row is printed once."""
    table_pages = [page for page in pages if "Người được đề nghị số" in page]
    assert len(table_pages) >= 2
    assert all(page.count(vi("Agree")) == 1 for page in table_pages)
    printed = re.findall(r"Người được đề nghị số (\d+) ", " ".join(table_pages) + " ")
    assert sorted(map(int, printed)) == list(range(1, count + 1))


@pytest.mark.parametrize("count", [3, 30])
def test_reading_a_session_for_its_minutes_takes_a_fixed_number_of_queries(
    count, org, secretariat, django_assert_max_num_queries
):
    session, _stages = closed_session(org, secretariat, count=count)
    session = CouncilSession.objects.select_related("council__unit").get(pk=session.pk)
    with django_assert_max_num_queries(12):
        context = minutes.minutes_context(session, "minutes")
    assert len(context["rows"]) == count


def test_agree_share_and_labels():
    assert minutes.agree_share(5, 7) == "71,43%"
    assert minutes.agree_share(2, 3) == "66,67%"
    assert minutes.agree_share(7, 7) == "100,00%"
    assert minutes.agree_share(0, 0) == "—"


# Attachment to the dossiers ---------------------------------------------------------------------------------


def session_documents(session):
    return DossierDocument.objects.filter(file__startswith=minutes.session_prefix(session))


def test_attach_puts_both_minutes_in_every_dossier_once(session_of_three, media):
    session, stages = session_of_three
    assert minutes.attach_minutes(session=session) == 6
    documents = list(session_documents(session))
    assert sorted((d.nomination_id, d.kind) for d in documents) == sorted(
        (stage.nomination_id, kind) for stage in stages for kind in (Kind.MINUTES, Kind.TALLY_MINUTES)
    )
    # Each PDF stored once, shared by the rows of its kind.
    files = {kind: {d.file.name for d in documents if d.kind == kind} for kind in (Kind.MINUTES, Kind.TALLY_MINUTES)}
    assert all(len(names) == 1 for names in files.values())
    stored = sorted(path for path in (media / "dossiers" / "sessions" / str(session.pk)).iterdir())
    assert len(stored) == 2 and all(path.read_bytes().startswith(b"%PDF") for path in stored)
    assert all(d.size == (media / d.file.name).stat().st_size for d in documents)
    assert {d.content_type for d in documents} == {"application/pdf"}
    assert AuditEvent.objects.filter(verb="session.minutes_attached", object_id=str(session.pk)).count() == 1

    # Twice: nothing more, no file more.
    assert minutes.attach_minutes(session=session) == 0
    assert session_documents(session).count() == 6
    assert len(list((media / "dossiers" / "sessions" / str(session.pk)).iterdir())) == 2
    assert AuditEvent.objects.filter(verb="session.minutes_attached").count() == 1


def test_attach_completes_a_dossier_that_lost_its_row(session_of_three, media):
    session, stages = session_of_three
    minutes.attach_minutes(session=session)
    session_documents(session).filter(nomination_id=stages[0].nomination_id, kind=Kind.TALLY_MINUTES).delete()
    assert minutes.attach_minutes(session=session) == 1
    assert len({d.file.name for d in session_documents(session).filter(kind=Kind.TALLY_MINUTES)}) == 1
    assert len(list((media / "dossiers" / "sessions" / str(session.pk)).iterdir())) == 2


def test_the_unit_reads_the_attached_minutes_in_its_dossier(session_of_three, officer_a, client):
    session, stages = session_of_three
    minutes.attach_minutes(session=session)
    nomination = stages[0].nomination
    client.force_login(officer_a)
    page = client.get(reverse("nomination_detail", args=[nomination.pk]))
    document = session_documents(session).get(nomination=nomination, kind=Kind.MINUTES)
    download = reverse("nomination_document_download", args=[nomination.pk, document.pk])
    assert page.status_code == 200 and download in page.content.decode()
    assert vi("Meeting minutes") in page.content.decode() and document.original_name in page.content.decode()
    response = client.get(download)
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and body.startswith(b"%PDF")
    assert NOMINEES[0] in pdf_text(body)
    # The PDF that the council's page serves is the one filed.
    client.force_login(factories.make_user("sysadmin_minutes", is_superuser=True))
    served = client.get(reverse("session_minutes", args=[session.pk, "minutes"]))
    assert served.content == body


def test_removing_one_dossiers_copy_keeps_the_shared_file_and_a_units_minutes_replace_nothing(
    session_of_three, officer_a, django_capture_on_commit_callbacks, media
):
    session, stages = session_of_three
    minutes.attach_minutes(session=session)
    nomination = stages[0].nomination
    Nomination.objects.filter(pk=nomination.pk).update(state=Nomination.State.RETURNED)  # back for a supplement
    mine = session_documents(session).get(nomination=nomination, kind=Kind.MINUTES)
    with django_capture_on_commit_callbacks(execute=True):
        dossier.document_remove(by=officer_a, document=mine)
    assert (media / mine.file.name).exists()
    other = session_documents(session).get(nomination=stages[1].nomination, kind=Kind.MINUTES)
    with other.file.open("rb") as handle:
        assert handle.read().startswith(b"%PDF")

    # The unit's own minutes (of its grassroots council) sit beside the council's tally minutes, replacing none.
    own = dossier.document_add(
        by=officer_a,
        nomination=Nomination.objects.get(pk=nomination.pk),
        kind=Kind.TALLY_MINUTES,
        upload=SimpleUploadedFile("bien-ban-co-so.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    )
    current = dossier.current_documents(nomination).filter(kind=Kind.TALLY_MINUTES)
    assert {d.pk for d in current} == {own.pk, session_documents(session).get(nomination=nomination).pk}


# The page ---------------------------------------------------------------------------------------------------

ALLOWED = {"secretariat", "member", "admin_user"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_reads_the_minutes(persona, session_of_three, as_persona):
    session, _stages = session_of_three
    client = as_persona(persona)
    for kind in ("minutes", "tally"):
        response = client.get(reverse("session_minutes", args=[session.pk, kind]))
        if persona == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        elif persona in ALLOWED:
            assert response.status_code == 200
            assert response["Content-Type"] == "application/pdf"
            assert response["Content-Disposition"] == f'inline; filename="{minutes.filename(session, kind)}"'
            assert response.content.startswith(b"%PDF")
        else:
            assert response.status_code == 404


def test_the_page_answers_404_to_an_unknown_kind_and_before_the_close(org, secretariat, client):
    client.force_login(secretariat)
    session, _stages = closed_session(org, secretariat, count=1)
    assert client.get(reverse("session_minutes", args=[session.pk, "agenda"])).status_code == 404
    CouncilSession.objects.filter(pk=session.pk).update(state=CouncilSession.State.OPEN)
    assert client.get(reverse("session_minutes", args=[session.pk, "minutes"])).status_code == 404


def test_a_long_agenda_breaks_across_pages_under_a_repeated_header(org, secretariat):
    """A long agenda (120 items, some fifteen pages) renders whole, the table's header on every page."""
    session, _stages = closed_session(org, secretariat, count=120, votes=[[A], [A], [D], [A], [N], [A]])
    pages = pdf_pages(minutes.render_minutes(session, "tally"))
    assert len(pages) > 2
    assert_header_on_every_page_of_the_table(pages, 120)
