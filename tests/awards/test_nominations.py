"""Nomination services: a CSTĐ tỉnh nomination of a teacher climbs from draft to the council, and every refused
action changes nothing."""

import importlib

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from awards import documents as dossier
from awards import nominations as services
from awards.models import Authority, AwardType, DossierDocument, Nomination, NominationRevision, ReviewStage, Submission
from awards.nominations import NominationError
from organizations.models import Unit
from tests import factories
from tests.awards import factories as history
from thiduakt.lib import permissions

pytestmark = [pytest.mark.django_db]

Kind = DossierDocument.Kind
State = Nomination.State
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
CSTD_TINH_DOCS = [Kind.PROPOSAL_LETTER, Kind.ACHIEVEMENT_REPORT, Kind.MINUTES, Kind.INITIATIVE_CERTIFICATE]
CSTD_TINH_DOCS += [Kind.TALLY_MINUTES]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def authorities(catalogue):
    if not Authority.objects.exists():
        importlib.import_module("awards.migrations.0005_seed_authorities").seed(apps, None)
    return catalogue


@pytest.fixture
def councils(org, authorities):
    """Councils on the school, the department of education and (from `org`) the province."""
    return {
        "school": factories.make_council(org.unit_a_child),
        "department": factories.make_council(org.unit_a),
        "province": org.council,
    }


@pytest.fixture
def school_secretariat(councils):
    user = factories.make_user("school_secretariat")
    permissions.grant_secretariat(user, councils["school"])
    return user


@pytest.fixture
def teacher(org):
    """A teacher of the school eligible for CSTĐ tỉnh 2025: CSTĐCS 2023–2025 and a provincial initiative."""
    person = factories.make_person(org.unit_a_child, "Trần Thị Mai", code="GV0001")
    history.awards(person, "CSTDCS", [2023, 2024, 2025])
    history.initiative(person, "province", 2024)
    return person


def add_document(by, nomination, kind, name="tai-lieu.pdf"):
    upload = SimpleUploadedFile(name, PDF, content_type="application/pdf")
    return dossier.document_add(by=by, nomination=nomination, kind=kind, upload=upload)


def create(by, org, subject, code, year=2025, kind="regular", **extra):
    return services.nomination_create(
        by=by,
        subject=subject,
        award_type=_award(code),
        year=year,
        kind=kind,
        proposing_unit=extra.pop("proposing_unit", org.unit_a_child),
        achievement=extra.pop("achievement", "Giáo viên dạy giỏi cấp tỉnh, có sáng kiến cấp tỉnh."),
        **extra,
    )


def _award(code):
    return AwardType.objects.get(code=code)


def letter_with(by, org, nominations, year=2026):
    submission = services.submission_create(by=by, unit=org.unit_a_child, year=year, title="Đề nghị khen thưởng")
    services.submission_add(by=by, submission=submission, nominations=nominations)
    return submission


def verbs(nomination):
    return list(
        AuditEvent.objects.filter(object_type="awards.nomination", object_id=str(nomination.pk))
        .order_by("seq")
        .values_list("verb", flat=True)
    )


def unchanged(submission, *nominations):
    submission.refresh_from_db()
    assert submission.state == Submission.State.DRAFT and submission.number is None
    for nomination in nominations:
        nomination.refresh_from_db()
        assert nomination.state == State.DRAFT and nomination.eligibility == {}
        assert not nomination.stages.exists() and not nomination.revisions.exists()


# The climb -------------------------------------------------------------------------------------------------


def test_cstd_tinh_of_a_teacher_climbs_from_draft_to_the_council(
    org, councils, teacher, officer_a, head_a, school_secretariat
):
    nomination = create(officer_a, org, teacher, "CSTD_TINH")
    assert nomination.state == State.DRAFT
    for kind in CSTD_TINH_DOCS:
        add_document(officer_a, nomination, kind)
    submission = letter_with(officer_a, org, [nomination])

    services.submission_send(by=head_a, submission=submission)

    submission.refresh_from_db()
    nomination.refresh_from_db()
    assert (submission.state, submission.number, str(submission)) == (Submission.State.SENT, 1, "01/TTr-LQD")
    assert nomination.state == State.SUBMITTED
    assert nomination.eligibility["status"] == "eligible" and nomination.eligibility["rule_set"] is not None
    stages = list(nomination.stages.order_by("order"))
    assert [(s.council, s.state, s.decides) for s in stages] == [
        (councils["school"], ReviewStage.State.SUBMITTED, False),
        (councils["department"], ReviewStage.State.WAITING, False),
        (councils["province"], ReviewStage.State.WAITING, True),
    ]
    assert stages[0].due_at is not None and stages[1].due_at is None
    first = nomination.revisions.get()
    assert first.number == 1 and len(first.snapshot["documents"]) == len(CSTD_TINH_DOCS)

    services.stage_receive(by=school_secretariat, stage=stages[0])
    nomination.refresh_from_db()
    submission.refresh_from_db()
    assert nomination.state == State.IN_APPRAISAL and submission.state == Submission.State.RECEIVED

    reasons = [
        {"document": Kind.OTHER_CONFIRMATION, "text": "Bổ sung xác nhận của Sở về danh hiệu giáo viên giỏi."},
        {"document": "", "text": "Nêu rõ số liệu thành tích năm học."},
        {"document": "", "text": "   "},
    ]
    services.stage_return(by=school_secretariat, stage=stages[0], reasons=reasons)
    nomination.refresh_from_db()
    stages[0].refresh_from_db()
    assert nomination.state == State.RETURNED and stages[0].state == ReviewStage.State.RETURNED
    assert [r["text"] for r in stages[0].reason] == [reasons[0]["text"], reasons[1]["text"]]

    services.nomination_update(by=officer_a, nomination=nomination, achievement="Thành tích có số liệu năm học.")
    confirmation = add_document(officer_a, nomination, Kind.OTHER_CONFIRMATION, "xac-nhan.pdf")
    diff = services.nomination_resubmit(by=head_a, nomination=nomination)

    assert diff["fields"] == {
        "achievement": ["Giáo viên dạy giỏi cấp tỉnh, có sáng kiến cấp tỉnh.", "Thành tích có số liệu năm học."]
    }
    assert [d["id"] for d in diff["documents"]["added"]] == [confirmation.pk]
    assert diff["documents"]["removed"] == []
    nomination.refresh_from_db()
    stages[0].refresh_from_db()
    assert nomination.state == State.SUBMITTED and stages[0].state == ReviewStage.State.SUBMITTED
    assert list(nomination.revisions.values_list("number", flat=True)) == [1, 2]

    services.stage_receive(by=school_secretariat, stage=stages[0])
    services.stage_accept(by=school_secretariat, stage=stages[0])
    nomination.refresh_from_db()
    stages[0].refresh_from_db()
    assert nomination.state == State.IN_COUNCIL and stages[0].state == ReviewStage.State.ACCEPTED
    assert verbs(nomination) == [
        "nomination.created",
        *["nomination.document_added"] * len(CSTD_TINH_DOCS),
        "nomination.added_to_letter",
        "nomination.submitted",
        "nomination.received",
        "nomination.returned",
        "nomination.updated",
        "nomination.document_added",
        "nomination.resubmitted",
        "nomination.received",
        "nomination.accepted",
    ]


def test_letters_are_numbered_per_unit_and_year(org, councils, teacher, officer_a, head_a):
    history.ratings(teacher, [2025, 2026], "good")
    numbers = []
    for year in (2025, 2026):
        nomination = create(officer_a, org, teacher, "LDTT", year=year)
        for kind in (Kind.PROPOSAL_LETTER, Kind.ACHIEVEMENT_REPORT, Kind.MINUTES):
            add_document(officer_a, nomination, kind)
        submission = letter_with(officer_a, org, [nomination], year=2026)
        numbers.append(str(services.submission_send(by=head_a, submission=submission)))
    assert numbers == ["01/TTr-LQD", "02/TTr-LQD"]


def test_same_year_prerequisite_in_the_same_letter_is_pending(org, councils, officer_a, head_a):
    """LĐTT 2026 and CSTĐCS 2026 for one person in one letter: CSTĐCS counts LĐTT 2026 as pending."""
    person = factories.make_person(org.unit_a_child, "Phạm Văn Lâm")
    history.rating(person, 2026, "excellent")
    history.collective(org.unit_a_child, 2026, 10, ldtt=10)  # CSTĐCS quota: 15 % of 10 LĐTT → 1
    ldtt = create(officer_a, org, person, "LDTT", year=2026)
    cstdcs = create(officer_a, org, person, "CSTDCS", year=2026)
    for nomination in (ldtt, cstdcs):
        for kind in (Kind.PROPOSAL_LETTER, Kind.ACHIEVEMENT_REPORT, Kind.MINUTES):
            add_document(officer_a, nomination, kind)
    add_document(officer_a, cstdcs, Kind.INITIATIVE_CERTIFICATE)
    alone = letter_with(officer_a, org, [cstdcs])
    with pytest.raises(NominationError) as error:
        services.submission_send(by=head_a, submission=alone)
    assert "chưa đủ điều kiện" in str(error.value)
    cstdcs.submission = None
    cstdcs.save(update_fields=["submission"])

    submission = letter_with(officer_a, org, [ldtt, cstdcs])
    services.submission_send(by=head_a, submission=submission)

    cstdcs.refresh_from_db()
    assert cstdcs.state == State.SUBMITTED
    assert cstdcs.eligibility["status"] == "eligible"
    assert cstdcs.eligibility["pending"] == ["chờ xét: LDTT năm 2026 trong cùng tờ trình"]


def test_a_chain_ending_in_the_year_counts_the_same_letter_as_pending(org, councils, officer_a, head_a):
    """CSTĐ tỉnh 2026 needs CSTĐCS 2024–2026: with 2024 and 2025 held, CSTĐCS 2026 (and the LĐTT 2026 it needs)
    proposed in the same letter are pending; with 2024 missing as well, the letter is refused."""
    person = factories.make_person(org.unit_a_child, "Phạm Thị Lan")
    history.rating(person, 2026, "excellent")
    history.initiative(person, "province", 2025)
    history.collective(org.unit_a_child, 2026, 10, ldtt=10)
    chain = [create(officer_a, org, person, code, year=2026) for code in ("LDTT", "CSTDCS", "CSTD_TINH")]
    for nomination in chain:
        for kind in (Kind.PROPOSAL_LETTER, Kind.ACHIEVEMENT_REPORT, Kind.MINUTES, Kind.INITIATIVE_CERTIFICATE):
            add_document(officer_a, nomination, kind)
    add_document(officer_a, chain[2], Kind.TALLY_MINUTES)

    history.awards(person, "CSTDCS", [2025])
    refused = letter_with(officer_a, org, chain)
    with pytest.raises(NominationError) as error:
        services.submission_send(by=head_a, submission=refused)
    assert "2024" in str(error.value)
    unchanged(refused, *chain)
    Nomination.objects.filter(pk__in=[n.pk for n in chain]).update(submission=None)

    history.awards(person, "CSTDCS", [2024])
    services.submission_send(by=head_a, submission=letter_with(officer_a, org, chain))
    cstd_tinh = Nomination.objects.get(pk=chain[2].pk)
    assert cstd_tinh.state == State.SUBMITTED
    assert "chờ xét: CSTDCS năm 2026 trong cùng tờ trình" in cstd_tinh.eligibility["pending"]


# Refusals that change nothing ------------------------------------------------------------------------------


def test_an_ineligible_nominee_refuses_the_whole_letter_with_the_reasons(org, councils, teacher, officer_a, head_a):
    newcomer = factories.make_person(org.unit_a_child, "Đỗ Văn Mới")
    good = create(officer_a, org, teacher, "CSTD_TINH")
    bad = create(officer_a, org, newcomer, "CSTD_TINH")
    for nomination in (good, bad):
        for kind in CSTD_TINH_DOCS:
            add_document(officer_a, nomination, kind)
    submission = letter_with(officer_a, org, [good, bad])

    with pytest.raises(NominationError) as error:
        services.submission_send(by=head_a, submission=submission)

    assert "Đỗ Văn Mới" in str(error.value) and "Trần Thị Mai" not in str(error.value)
    assert "2023, 2024, 2025" in error.value.problems[0]  # the engine's reason: no CSTĐCS in those years
    unchanged(submission, good, bad)


def test_a_review_verdict_needs_a_justification(org, councils, officer_a, head_a):
    household = factories.make_household(org.unit_a_child)
    nomination = create(officer_a, org, household, "GK", year=2026)
    for kind in (Kind.PROPOSAL_LETTER, Kind.ACHIEVEMENT_REPORT, Kind.MINUTES):
        add_document(officer_a, nomination, kind)
    submission = letter_with(officer_a, org, [nomination])

    with pytest.raises(NominationError) as error:
        services.submission_send(by=head_a, submission=submission, justifications={nomination.pk: "  "})
    assert "cần có giải trình" in str(error.value)
    unchanged(submission, nomination)

    services.submission_send(by=head_a, submission=submission, justifications={nomination.pk: "Gương mẫu."})
    nomination.refresh_from_db()
    assert nomination.state == State.SUBMITTED and nomination.justification == "Gương mẫu."
    assert nomination.eligibility["status"] == "review"


def test_missing_documents_refuse_the_letter(org, councils, teacher, officer_a, head_a):
    nomination = create(officer_a, org, teacher, "CSTD_TINH")
    add_document(officer_a, nomination, Kind.PROPOSAL_LETTER)
    submission = letter_with(officer_a, org, [nomination])
    with pytest.raises(NominationError) as error:
        services.submission_send(by=head_a, submission=submission)
    assert "còn thiếu tài liệu bắt buộc" in str(error.value) and "Giấy chứng nhận sáng kiến" in str(error.value)
    unchanged(submission, nomination)


def test_another_units_officer_can_neither_create_nor_change_nor_send(org, councils, teacher, officer_a, officer_b):
    with pytest.raises(NominationError):
        create(officer_b, org, teacher, "CSTD_TINH")
    nomination = create(officer_a, org, teacher, "CSTD_TINH")
    with pytest.raises(NominationError):
        services.nomination_update(by=officer_b, nomination=nomination, achievement="Sửa trộm.")
    submission = letter_with(officer_a, org, [nomination])
    with pytest.raises(NominationError):
        services.submission_send(by=officer_b, submission=submission)
    with pytest.raises(NominationError):  # an officer prepares; only the head sends
        services.submission_send(by=officer_a, submission=submission)
    nomination.refresh_from_db()
    assert nomination.achievement.startswith("Giáo viên") and nomination.state == State.DRAFT


def test_creation_checks_subject_award_kind_and_procedure(org, councils, teacher, officer_a):
    with pytest.raises(NominationError, match="không thuộc"):
        create(officer_a, org, org.person_b, "LDTT", proposing_unit=org.unit_a)
    with pytest.raises(NominationError, match="cho đối tượng loại này"):
        create(officer_a, org, org.unit_a_child, "LDTT")
    with pytest.raises(NominationError, match="cho loại thành tích này"):
        create(officer_a, org, teacher, "LDTT", kind="sudden")
    with pytest.raises(NominationError, match="Thủ tục đơn giản"):
        create(officer_a, org, teacher, "GK", procedure="simplified")
    create(officer_a, org, teacher, "GK", kind="sudden", procedure="simplified")
    create(officer_a, org, teacher, "LDTT")
    with pytest.raises(NominationError, match="đã được đề nghị"):
        create(officer_a, org, teacher, "LDTT")
    assert Nomination.objects.count() == 2


@pytest.fixture
def sent(org, councils, teacher, officer_a, head_a):
    nomination = create(officer_a, org, teacher, "CSTD_TINH")
    for kind in CSTD_TINH_DOCS:
        add_document(officer_a, nomination, kind)
    submission = letter_with(officer_a, org, [nomination])
    services.submission_send(by=head_a, submission=submission)
    nomination.refresh_from_db()
    return submission, nomination, nomination.stages.get(order=1)


def test_a_submitted_nomination_cannot_be_updated(sent, officer_a):
    _submission, nomination, _stage = sent
    with pytest.raises(NominationError, match="bản nháp hoặc bị trả lại"):
        services.nomination_update(by=officer_a, nomination=nomination, achievement="Sửa sau khi gửi.")
    nomination.refresh_from_db()
    assert nomination.achievement.startswith("Giáo viên")


def test_accepting_twice_is_refused(sent, school_secretariat):
    _submission, nomination, stage = sent
    services.stage_receive(by=school_secretariat, stage=stage)
    services.stage_accept(by=school_secretariat, stage=stage)
    with pytest.raises(NominationError, match="đã chuyển sang trạng thái khác"):
        services.stage_accept(by=school_secretariat, stage=stage)
    assert verbs(nomination).count("nomination.accepted") == 1


def test_only_the_stage_councils_secretariat_receives(sent, secretariat, officer_a):
    _submission, nomination, stage = sent
    for outsider in (secretariat, officer_a):  # the province secretariat: not this stage's council
        with pytest.raises(NominationError, match="cơ quan thường trực"):
            services.stage_receive(by=outsider, stage=stage)
    stage.refresh_from_db()
    assert stage.state == ReviewStage.State.SUBMITTED


def test_recall_before_receipt_makes_drafts_again(sent, head_a):
    submission, nomination, _stage = sent
    services.submission_recall(by=head_a, submission=submission)
    submission.refresh_from_db()
    nomination.refresh_from_db()
    assert submission.state == Submission.State.RECALLED and submission.number == 1
    assert nomination.state == State.DRAFT and nomination.submission is None
    assert not nomination.stages.exists()


def test_recall_after_receipt_is_refused(sent, head_a, school_secretariat):
    submission, nomination, stage = sent
    services.stage_receive(by=school_secretariat, stage=stage)
    with pytest.raises(NominationError, match="tiếp nhận"):
        services.submission_recall(by=head_a, submission=submission)
    nomination.refresh_from_db()
    assert nomination.state == State.IN_APPRAISAL and nomination.stages.count() == 3


def test_return_needs_a_reason_and_reject_ends_the_nomination(sent, school_secretariat):
    _submission, nomination, stage = sent
    services.stage_receive(by=school_secretariat, stage=stage)
    with pytest.raises(NominationError, match="ít nhất một lý do"):
        services.stage_return(by=school_secretariat, stage=stage, reasons=[{"document": "", "text": " "}])
    services.stage_reject(by=school_secretariat, stage=stage, reason="Sáng kiến chưa được công nhận cấp tỉnh.")
    nomination.refresh_from_db()
    assert nomination.state == State.REJECTED


def test_hold_freezes_and_release_restores(sent, school_secretariat, secretariat, admin_user):
    _submission, nomination, stage = sent
    services.stage_receive(by=school_secretariat, stage=stage)
    with pytest.raises(NominationError):
        services.nomination_hold(by=secretariat, nomination=nomination, reason="Đơn khiếu nại")
    services.nomination_hold(by=school_secretariat, nomination=nomination, reason="Đơn khiếu nại")
    nomination.refresh_from_db()
    assert (nomination.state, nomination.held_from) == (State.ON_HOLD, State.IN_APPRAISAL)
    with pytest.raises(NominationError, match="đã chuyển sang trạng thái khác"):
        services.stage_accept(by=school_secretariat, stage=stage)
    services.nomination_release(by=admin_user, nomination=nomination)
    nomination.refresh_from_db()
    assert (nomination.state, nomination.held_from) == (State.IN_APPRAISAL, "")
    services.stage_accept(by=school_secretariat, stage=stage)


def test_revision_diff_is_pure():
    old = {"fields": {"achievement": "a", "year": 2025}, "documents": [{"id": 1, "kind": "minutes"}]}
    new = {"fields": {"achievement": "b", "year": 2025}, "documents": [{"id": 2, "kind": "minutes"}]}
    assert services.revision_diff(old, new) == {
        "fields": {"achievement": ["a", "b"]},
        "documents": {"added": [{"id": 2, "kind": "minutes"}], "removed": [{"id": 1, "kind": "minutes"}]},
    }


# Queries ---------------------------------------------------------------------------------------------------

SEND_QUERY_BOUND = 32  # measured 29 at 5 and at 30 nominations (one award type, one year); +2 per award type


@pytest.mark.parametrize("size", [5, 30])
def test_sending_a_letter_takes_a_bounded_number_of_queries(
    size, org, councils, officer_a, head_a, django_assert_max_num_queries
):
    people = [factories.make_person(org.unit_a_child) for _ in range(size)]
    nominations = []
    for person in people:
        history.rating(person, 2026, "good")
        nominations.append(
            Nomination.objects.create(
                person=person,
                award_type=_award("LDTT"),
                year=2026,
                proposing_unit=org.unit_a_child,
                achievement="Hoàn thành tốt nhiệm vụ.",
            )
        )
    DossierDocument.objects.bulk_create(
        DossierDocument(
            nomination=n, kind=kind, file=f"dossiers/{n.pk}/{kind}", original_name=f"{kind}.pdf", size=10,
            content_type="application/pdf",
        )
        for n in nominations
        for kind in (Kind.PROPOSAL_LETTER, Kind.ACHIEVEMENT_REPORT, Kind.MINUTES)
    )  # fmt: skip
    submission = letter_with(officer_a, org, nominations)

    with django_assert_max_num_queries(SEND_QUERY_BOUND):
        services.submission_send(by=head_a, submission=submission)

    assert Nomination.objects.filter(state=State.SUBMITTED).count() == size
    assert NominationRevision.objects.count() == size
    assert ReviewStage.objects.count() == size  # LĐTT: the school council decides


def test_unit_role_of_the_head_covers_the_school(org, head_a):
    assert Unit.Role.HEAD in permissions.unit_roles(head_a, org.unit_a_child)
