"""Every URL name of the project × every persona → the status a GET answers.

A URL added without a row here fails `test_every_url_name_has_a_row`. POST-only actions answer 405 to a GET
once the visitor is logged in; what they do on POST is tested beside their feature."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from awards import consultation as consultation_services
from awards import documents
from awards import sessions as session_services
from awards.models import AwardType, Decision, DecisionItem, Feedback, Nomination, ReviewStage, Submission
from campaigns.services import blocs as bloc_services
from campaigns.services import campaigns as campaign_services
from notifications.models import Notification
from tests import factories
from tests.conftest import PERSONAS

# Columns, in the order of PERSONAS: officer_a, head_a, officer_b, secretariat, member, admin_user, anonymous.
ALL_LOGGED_IN = (200, 200, 200, 200, 200, 200, 302)
ADMIN_ONLY = (403, 403, 403, 403, 403, 200, 302)
UNIT_A_VIEW = (200, 200, 404, 404, 404, 200, 302)
UNIT_A_EDIT = (200, 200, 404, 404, 404, 200, 302)
UNIT_A_ADMIN = (403, 403, 404, 404, 404, 200, 302)
EDITORS_ANYWHERE = (200, 200, 200, 403, 403, 200, 302)
POST_ONLY = (405, 405, 405, 405, 405, 405, 302)
PUBLIC = (200, 200, 200, 200, 200, 200, 200)


def _campaign_objects(org, organiser):
    """A campaign launched by unit A (with a plan document), a draft one, and the school's registration."""
    today = timezone.localdate()
    dates = {
        "kind": "regular",
        "scope": "subtree",
        "period_start": today,
        "period_end": today + timedelta(days=300),
        "registration_deadline": today + timedelta(days=30),
        "nomination_deadline": today + timedelta(days=280),
    }
    criteria = [("Hoàn thành xuất sắc nhiệm vụ", 50)]
    launched = campaign_services.campaign_create(
        by=organiser, launching_unit=org.unit_a, code="PT-1", title="Dạy tốt, học tốt", criteria=criteria,
        plan_document=ContentFile(b"%PDF-1.4\n", name="ke-hoach.pdf"), **dates,
    )  # fmt: skip
    launched = campaign_services.campaign_launch(by=organiser, campaign=launched)
    draft = campaign_services.campaign_create(
        by=organiser, launching_unit=org.unit_a, code="PT-2", title="Chuyển đổi số", criteria=criteria, **dates
    )
    registration = campaign_services.registration_save(
        by=organiser, campaign=launched, unit=org.unit_a_child, targets=[(None, "TTLDTT")]
    )
    return {"launched": launched.pk, "launched_code": launched.code, "draft": draft.pk, "registration": registration.pk}


def _bloc_objects(org, organiser):
    """A bloc organised by the province: unit A leads, its school deputises; the school's sheet has evidence."""
    template = bloc_services.template_create(
        by=organiser,
        organising_unit=org.province,
        name="Bảng điểm khối giáo dục",
        groups=[
            {
                "title": "Chuyên môn",
                "criteria": [{"text": "Hoàn thành chỉ tiêu", "kind": "normal", "max_points": Decimal("60")}],
            }
        ],
    )
    bloc = bloc_services.bloc_create(
        by=organiser,
        name="Khối giáo dục",
        kind="bloc",
        year=2026,
        organising_unit=org.province,
        members=[org.unit_a, org.unit_a_child],
        leader=org.unit_a,
        deputy=org.unit_a_child,
        template=template,
    )
    sheet = bloc.sheets.get(unit=org.unit_a_child)
    entry = sheet.entries.first()
    entry.evidence.save("minh-chung.pdf", ContentFile(b"%PDF-1.4\n"))
    return {"bloc": bloc.pk, "template": template.pk, "sheet": sheet.pk, "entry": entry.pk}


def _consultation_objects(org, organiser):
    """A consultation of the province council open on an accepted nomination of unit A, with a complaint."""
    nomination = Nomination.objects.create(
        person=factories.make_person(org.unit_a), award_type=AwardType.objects.get(code="LDTT"), year=2025,
        proposing_unit=org.unit_a, achievement="Hoàn thành xuất sắc nhiệm vụ", state=Nomination.State.IN_COUNCIL,
    )  # fmt: skip
    stage = ReviewStage.objects.create(
        nomination=nomination, council=org.council, order=1, decides=True, state=ReviewStage.State.ACCEPTED
    )
    consultation = consultation_services.consultation_publish(
        by=organiser, council=org.council, stages=[stage], days=7, title="Lấy ý kiến nhân dân năm 2025"
    )
    entry = consultation.entries.get()
    # Straight into the table: the service counts sendings per address in the cache, across tests.
    feedback = Feedback.objects.create(entry=entry, kind="complaint", name="Trần Văn Bình", contact="0912345678",
                                       text="Chưa đúng thành tích.")  # fmt: skip
    return {
        "consultation": consultation.pk,
        "consultation_token": consultation.token,
        "consultation_entry": entry.number,
        "feedback": feedback.pk,
    }


def _nomination_objects(org, organiser):
    """A draft LDTT nomination of unit A with a proposal letter, on the route of the province council."""
    nomination = Nomination.objects.create(
        person=org.person_a,
        award_type=AwardType.objects.get(code="LDTT"),
        year=2025,
        proposing_unit=org.unit_a,
        achievement="Hoàn thành xuất sắc nhiệm vụ",
    )
    ReviewStage.objects.create(nomination=nomination, council=org.council, order=1, decides=True)
    document = documents.document_add(
        by=organiser,
        nomination=nomination,
        kind="proposal_letter",
        upload=SimpleUploadedFile("to-trinh.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    )
    submission = Submission.objects.create(unit=org.unit_a, year=2025, title="Về việc đề nghị khen thưởng năm 2025")
    stage = nomination.stages.get()
    stage.letter = submission  # the letter brought the nomination to the province council's stage
    stage.save(update_fields=["letter"])
    return {"nomination": nomination.pk, "document": document.pk, "submission": submission.pk, "stage": stage.pk}


def _session_objects(org, organiser):
    """A session of the province council being prepared, and an open one voting on a nomination of unit B (the
    council's members at the opening vote in it)."""
    now = timezone.now()
    window = {
        "meeting_on": timezone.localdate(),
        "opens_at": now - timedelta(minutes=5),
        "closes_at": now + timedelta(hours=2),
    }
    draft = session_services.session_create(by=organiser, council=org.council, title="Phiên họp tháng 5", **window)
    nomination = Nomination.objects.create(
        person=org.person_b, award_type=AwardType.objects.get(code="CSTD_TINH"), year=2025, proposing_unit=org.unit_b,
        achievement="Hoàn thành xuất sắc nhiệm vụ", state=Nomination.State.IN_COUNCIL,
    )  # fmt: skip
    stage = ReviewStage.objects.create(
        nomination=nomination, council=org.council, order=1, decides=True, state=ReviewStage.State.ACCEPTED
    )
    voting = session_services.session_create(by=organiser, council=org.council, title="Phiên họp tháng 6", **window)
    session_services.session_add_items(by=organiser, session=voting, stages=[stage])
    session_services.session_open(by=organiser, session=voting)
    return {"session": draft.pk, "open_session": voting.pk}


def _minutes_objects(org, organiser):
    """A closed session of the province council on a nomination of unit B (closed early by the organiser)."""
    now = timezone.now()
    nomination = Nomination.objects.create(
        person=factories.make_person(org.unit_b), award_type=AwardType.objects.get(code="CSTD_TINH"), year=2025,
        proposing_unit=org.unit_b, achievement="Hoàn thành xuất sắc nhiệm vụ", state=Nomination.State.IN_COUNCIL,
    )  # fmt: skip
    stage = ReviewStage.objects.create(
        nomination=nomination, council=org.council, order=1, decides=True, state=ReviewStage.State.ACCEPTED
    )
    closed = session_services.session_create(
        by=organiser, council=org.council, title="Phiên họp tháng 4", meeting_on=timezone.localdate(),
        opens_at=now - timedelta(minutes=5), closes_at=now + timedelta(hours=2),
    )  # fmt: skip
    session_services.session_add_items(by=organiser, session=closed, stages=[stage])
    session_services.session_open(by=organiser, session=closed)
    session_services.session_close(by=organiser, session=closed)
    return {"closed_session": closed.pk}


def _publication_objects(org, organiser):
    """An issued decision of the province, published, with one line; an issued one not published."""
    award_type = AwardType.objects.get(code="LDTT")
    decisions = []
    for number, published in ((5, True), (6, False)):
        decision = Decision.objects.create(
            issuer=org.province, award_type=award_type, state=Decision.State.ISSUED, number=number, year=2025,
            decided_on=date(2025, 3, 12), place="Sông Hồng", title="Về việc tặng danh hiệu Lao động tiên tiến",
            issuer_title="CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH", signer_title="CHỦ TỊCH", signer_name="Trần Văn Chính",
            achievement="Đã có thành tích", published_at=timezone.now() if published else None,
        )  # fmt: skip
        nomination = Nomination.objects.create(
            person=factories.make_person(org.unit_a), award_type=award_type, year=2024, proposing_unit=org.unit_a,
            achievement="Hoàn thành xuất sắc nhiệm vụ", state=Nomination.State.AWARDED,
        )  # fmt: skip
        DecisionItem.objects.create(
            decision=decision, nomination=nomination, group=DecisionItem.Group.INDIVIDUAL, order=1,
            recipient_name=nomination.person.full_name, recipient_unit=org.unit_a.name,
        )  # fmt: skip
        decisions.append(decision)
    return {"published_year": 2025, "published_issuer": org.province.code, "unpublished_decision": decisions[1].pk}


def _certificate_objects(org, organiser):
    """An issued decision of the province with one line, its certificate (a stored PDF) and a finished batch."""
    from datetime import date

    from awards.models import Certificate, CertificateBatch, Decision, DecisionItem

    award_type = AwardType.objects.get(code="BK_TINH")
    decision = Decision.objects.create(
        issuer=org.province, award_type=award_type, state=Decision.State.ISSUED, number=9, year=2026,
        decided_on=date(2026, 3, 12), place="Sông Hồng", title="Về việc tặng Bằng khen",
        issuer_title="CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH", signer_title="CHỦ TỊCH", signer_name="Trần Văn Chính",
        achievement="Đã có thành tích xuất sắc",
    )  # fmt: skip
    nomination = Nomination.objects.create(
        person=factories.make_person(org.unit_a), award_type=award_type, year=2025, proposing_unit=org.unit_a,
        achievement="Hoàn thành xuất sắc nhiệm vụ", state=Nomination.State.AWARDED,
    )  # fmt: skip
    item = DecisionItem.objects.create(
        decision=decision, nomination=nomination, group=DecisionItem.Group.INDIVIDUAL, order=1,
        recipient_name=nomination.person.full_name, recipient_unit=org.unit_a.name,
    )  # fmt: skip
    certificate = Certificate.objects.create(
        item=item, family="bang_khen", text={"recipient": item.recipient_name},
        pdf=ContentFile(b"%PDF-1.4\n", name="c.pdf"),
    )  # fmt: skip
    CertificateBatch.objects.create(
        decision=decision, state=CertificateBatch.State.DONE, total=1, done_count=1, finished_at=timezone.now(),
        merged_pdf=ContentFile(b"%PDF-1.4\n", name="in.pdf"), zip_file=ContentFile(b"PK", name="all.zip"),
    )  # fmt: skip
    return {"certificate_decision": decision.pk, "certificate": certificate.pk, "certificate_token": certificate.token}


def _decision_objects(org, organiser):
    """An issued decision of the province (one LDTT line, a signed scan) drafted and issued through the services."""
    from awards import decisions as decision_services

    nomination = Nomination.objects.create(
        person=factories.make_person(org.unit_a), award_type=AwardType.objects.get(code="LDTT"), year=2025,
        proposing_unit=org.unit_a, achievement="Hoàn thành tốt nhiệm vụ", state=Nomination.State.IN_DECISION,
    )  # fmt: skip
    ReviewStage.objects.create(
        nomination=nomination, council=org.council, order=1, decides=True, state=ReviewStage.State.PASSED
    )
    decision = decision_services.decision_create(
        by=organiser, issuer=org.province, award_type=nomination.award_type, nominations=[nomination],
        title="Về việc công nhận danh hiệu Lao động tiên tiến năm 2025", place="Sông Hồng",
        issuer_title="CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH SÔNG HỒNG", signer_title="CHỦ TỊCH", signer_name="Trần Văn Minh",
        achievement="Đã có thành tích hoàn thành tốt nhiệm vụ năm 2025",
    )  # fmt: skip
    decision_services.decision_issue(by=organiser, decision=decision)
    scan = SimpleUploadedFile("ban-ky.pdf", b"%PDF-1.4\n", content_type="application/pdf")
    decision_services.decision_attach_scan(by=organiser, decision=decision, file=scan)
    return {"decision": decision.pk}


def _notification_objects(org, organiser):
    """A notification of officer_a when that persona is the one logged in (the organiser's otherwise): only its
    recipient opens it."""
    recipient = get_user_model().objects.filter(username="officer_a").first() or organiser
    notification = Notification.objects.create(
        recipient=recipient, kind=Notification.Kind.DECISION_ISSUED, subject="Quyết định", body="…", link="/"
    )
    return {"notification": notification.pk}


def _objects(org):
    organiser = factories.make_user("organiser", is_superuser=True)
    household = factories.make_household(org.unit_a)
    admin_member = factories.add_member(org.council, factories.make_user("chair"))
    return {
        "unit": org.unit_a.pk,
        "unit_a_child": org.unit_a_child.pk,
        "person": org.person_a.pk,
        "household": household.pk,
        "council": org.council.pk,
        "member": admin_member.pk,
        **_campaign_objects(org, organiser),
        **_bloc_objects(org, organiser),
        **_consultation_objects(org, organiser),
        **_nomination_objects(org, organiser),
        **_session_objects(org, organiser),
        **_minutes_objects(org, organiser),
        **_decision_objects(org, organiser),
        **_certificate_objects(org, organiser),
        **_publication_objects(org, organiser),
        **_notification_objects(org, organiser),
    }


# url name → (kwargs from the objects above, expected statuses)
MATRIX = {
    "home": (lambda o: {}, ALL_LOGGED_IN),
    "notification_list": (lambda o: {}, ALL_LOGGED_IN),
    "notification_open": (lambda o: {"pk": o["notification"]}, (302, 404, 404, 404, 404, 404, 302)),
    "notification_mark_read": (lambda o: {}, POST_ONLY),
    "notification_preferences": (lambda o: {}, ALL_LOGGED_IN),
    # Reminder schedules per organisation ("Lịch nhắc hạn"): system admins only, 403 even on a unit one covers.
    "reminder_schedule_list": (lambda o: {}, ADMIN_ONLY),
    "reminder_schedule_detail": (lambda o: {"pk": o["unit"]}, ADMIN_ONLY),
    "reminder_schedule_set": (lambda o: {"pk": o["unit"], "kind": "registration_due"}, POST_ONLY),
    "reminder_schedule_reset": (lambda o: {"pk": o["unit"], "kind": "registration_due"}, POST_ONLY),
    "unit_tree": (lambda o: {}, ALL_LOGGED_IN),
    "unit_create": (lambda o: {}, ADMIN_ONLY),
    "unit_detail": (lambda o: {"pk": o["unit"]}, UNIT_A_VIEW),
    "unit_children": (lambda o: {"pk": o["unit"]}, UNIT_A_VIEW),
    "unit_edit": (lambda o: {"pk": o["unit"]}, UNIT_A_ADMIN),
    "person_list": (lambda o: {}, ALL_LOGGED_IN),
    "person_create": (lambda o: {}, EDITORS_ANYWHERE),
    "person_detail": (lambda o: {"pk": o["person"]}, UNIT_A_VIEW),
    "person_edit": (lambda o: {"pk": o["person"]}, UNIT_A_EDIT),
    "household_create": (lambda o: {}, EDITORS_ANYWHERE),
    "household_detail": (lambda o: {"pk": o["household"]}, UNIT_A_VIEW),
    "household_edit": (lambda o: {"pk": o["household"]}, UNIT_A_EDIT),
    "council_list": (lambda o: {}, ALL_LOGGED_IN),
    "council_create": (lambda o: {}, ADMIN_ONLY),
    # The province council: officers of units A and B hold no role on the province itself.
    "council_detail": (lambda o: {"pk": o["council"]}, (404, 404, 404, 200, 200, 200, 302)),
    "council_edit": (lambda o: {"pk": o["council"]}, (404, 404, 404, 403, 403, 200, 302)),
    "council_member_add": (lambda o: {"pk": o["council"]}, POST_ONLY),
    "council_member_end": (lambda o: {"pk": o["council"], "member_pk": o["member"]}, POST_ONLY),
    "role_list": (lambda o: {}, ADMIN_ONLY),
    "role_grant": (lambda o: {}, POST_ONLY),
    "role_revoke": (lambda o: {}, POST_ONLY),
    "secretariat_grant": (lambda o: {}, POST_ONLY),
    "secretariat_revoke": (lambda o: {}, POST_ONLY),
    "import_start": (lambda o: {}, ADMIN_ONLY),
    "import_template": (lambda o: {"kind": "units"}, ADMIN_ONLY),
    "import_preview": (lambda o: {}, POST_ONLY),
    "import_confirm": (lambda o: {}, POST_ONLY),
    "history_import_start": (lambda o: {}, ADMIN_ONLY),
    "history_import_template": (lambda o: {}, ADMIN_ONLY),
    "history_import_preview": (lambda o: {}, POST_ONLY),
    "history_import_confirm": (lambda o: {}, POST_ONLY),
    "award_type_list": (lambda o: {}, ALL_LOGGED_IN),
    "award_type_detail": (lambda o: {"code": "LDTT"}, ALL_LOGGED_IN),
    "award_rules_edit": (lambda o: {"code": "LDTT"}, ADMIN_ONLY),
    "base_salary_list": (lambda o: {}, ALL_LOGGED_IN),
    "base_salary_create": (lambda o: {}, POST_ONLY),
    # The search box: every logged-in user; each group of results shows only what its own list would.
    "search": (lambda o: {}, ALL_LOGGED_IN),
    "person_awards": (lambda o: {"pk": o["person"]}, UNIT_A_VIEW),
    "unit_awards": (lambda o: {"pk": o["unit"]}, UNIT_A_VIEW),
    "household_awards": (lambda o: {"pk": o["household"]}, UNIT_A_VIEW),
    # Council members hold no unit role and check nothing; the others check the subtrees they cover.
    "eligibility_check": (lambda o: {}, (200, 200, 200, 200, 403, 200, 302)),
    "campaign_list": (lambda o: {}, ALL_LOGGED_IN),
    "campaign_create": (lambda o: {}, EDITORS_ANYWHERE),
    "campaign_detail": (lambda o: {"pk": o["launched"]}, UNIT_A_VIEW),
    "campaign_edit": (lambda o: {"pk": o["draft"]}, UNIT_A_EDIT),
    "campaign_launch": (lambda o: {"pk": o["draft"]}, POST_ONLY),
    "campaign_amend": (lambda o: {"pk": o["launched"]}, UNIT_A_EDIT),
    "campaign_advance": (lambda o: {"pk": o["launched"]}, POST_ONLY),
    "campaign_public": (lambda o: {"code": o["launched_code"]}, PUBLIC),
    "campaign_document": (lambda o: {"pk": o["launched"]}, PUBLIC),
    "campaign_registrations": (lambda o: {"pk": o["launched"]}, UNIT_A_VIEW),
    "registration_edit": (lambda o: {"pk": o["launched"], "unit_pk": o["unit_a_child"]}, UNIT_A_VIEW),
    "registration_submit": (lambda o: {"pk": o["registration"]}, POST_ONLY),
    "registration_approve": (lambda o: {"pk": o["registration"]}, POST_ONLY),
    "registration_return": (lambda o: {"pk": o["registration"]}, POST_ONLY),
    "bloc_list": (lambda o: {}, ALL_LOGGED_IN),
    "bloc_create": (lambda o: {}, EDITORS_ANYWHERE),
    "bloc_detail": (lambda o: {"pk": o["bloc"]}, UNIT_A_VIEW),
    "bloc_edit": (lambda o: {"pk": o["bloc"]}, UNIT_A_ADMIN),
    "pledge_edit": (lambda o: {"pk": o["bloc"]}, UNIT_A_EDIT),
    "bloc_lock": (lambda o: {"pk": o["bloc"]}, POST_ONLY),
    "bloc_ranking": (lambda o: {"pk": o["bloc"]}, UNIT_A_VIEW),
    "bloc_result": (lambda o: {"pk": o["bloc"]}, UNIT_A_ADMIN),
    "template_list": (lambda o: {}, EDITORS_ANYWHERE),
    "template_create": (lambda o: {}, EDITORS_ANYWHERE),
    "template_detail": (lambda o: {"pk": o["template"]}, UNIT_A_VIEW),
    "sheet_detail": (lambda o: {"pk": o["sheet"]}, UNIT_A_VIEW),
    "sheet_submit": (lambda o: {"pk": o["sheet"]}, POST_ONLY),
    "sheet_verify": (lambda o: {"pk": o["sheet"]}, UNIT_A_VIEW),
    "sheet_evidence": (lambda o: {"pk": o["sheet"], "entry_pk": o["entry"]}, UNIT_A_VIEW),
    "authority_list": (lambda o: {}, ALL_LOGGED_IN),
    "authority_create": (lambda o: {}, ADMIN_ONLY),
    "nomination_document_upload": (lambda o: {"pk": o["nomination"]}, POST_ONLY),
    "nomination_document_download": (
        lambda o: {"pk": o["nomination"], "doc_pk": o["document"]},
        (200, 200, 404, 200, 404, 200, 302),
    ),
    "nomination_document_remove": (lambda o: {"pk": o["nomination"], "doc_pk": o["document"]}, POST_ONLY),
    "nomination_list": (lambda o: {}, ALL_LOGGED_IN),
    "nomination_create": (lambda o: {}, EDITORS_ANYWHERE),
    # The province council's secretariat reads a nomination on its route but does not edit it.
    "nomination_detail": (lambda o: {"pk": o["nomination"]}, (200, 200, 404, 200, 404, 200, 302)),
    "nomination_edit": (lambda o: {"pk": o["nomination"]}, (200, 200, 404, 403, 404, 200, 302)),
    "nomination_resubmit": (lambda o: {"pk": o["nomination"]}, POST_ONLY),
    "submission_list": (lambda o: {}, ALL_LOGGED_IN),
    "submission_create": (lambda o: {}, EDITORS_ANYWHERE),
    "submission_detail": (lambda o: {"pk": o["submission"]}, UNIT_A_VIEW),
    "submission_add": (lambda o: {"pk": o["submission"]}, POST_ONLY),
    "submission_send": (lambda o: {"pk": o["submission"]}, POST_ONLY),
    "submission_recall": (lambda o: {"pk": o["submission"]}, POST_ONLY),
    # Bulk nominations: a unit's registration is used by who prepares for the unit; a bloc's result by its
    # organiser (the province here: unit A leads the bloc, which makes its users members, not organisers).
    "bulk_nomination_sources": (lambda o: {}, EDITORS_ANYWHERE),
    "bulk_from_registration": (lambda o: {"pk": o["launched"], "unit_pk": o["unit_a_child"]}, UNIT_A_EDIT),
    "bulk_from_bloc": (lambda o: {"pk": o["bloc"]}, UNIT_A_ADMIN),
    "campaign_targets": (lambda o: {"pk": o["launched"]}, UNIT_A_VIEW),
    "review_list": (lambda o: {}, ALL_LOGGED_IN),
    "review_stage": (lambda o: {"pk": o["stage"]}, (404, 404, 404, 200, 404, 200, 302)),
    "review_bulk": (lambda o: {}, POST_ONLY),
    "review_act": (lambda o: {"pk": o["stage"]}, POST_ONLY),
    # The letter that brought a stage, for the secretariat of that stage's council; units read it on their page.
    "review_letter": (lambda o: {"pk": o["submission"]}, (404, 404, 404, 200, 404, 200, 302)),
    # Public consultation: the list and its feedback form for anyone by the random key; the province council's
    # secretariat manages its consultations.
    "consultation_public_list": (lambda o: {}, PUBLIC),
    "consultation_public": (lambda o: {"token": o["consultation_token"]}, PUBLIC),
    "consultation_feedback": (
        lambda o: {"token": o["consultation_token"], "number": o["consultation_entry"]},
        PUBLIC,
    ),
    "consultation_list": (lambda o: {}, ALL_LOGGED_IN),
    "consultation_create": (lambda o: {}, (403, 403, 403, 200, 403, 200, 302)),
    "consultation_detail": (lambda o: {"pk": o["consultation"]}, (404, 404, 404, 200, 404, 200, 302)),
    "consultation_answer": (lambda o: {"pk": o["feedback"]}, POST_ONLY),
    # Council sessions: the council's secretariat prepares and runs them; its members see them and vote; the
    # ballot is for the voting members only (admins and the secretariat included: 404).
    "session_list": (lambda o: {}, ALL_LOGGED_IN),
    "session_create": (lambda o: {}, (403, 403, 403, 200, 403, 200, 302)),
    "session_detail": (lambda o: {"pk": o["session"]}, (404, 404, 404, 200, 200, 200, 302)),
    "session_agenda": (lambda o: {"pk": o["session"]}, (404, 404, 404, 200, 403, 200, 302)),
    "session_act": (lambda o: {"pk": o["session"]}, POST_ONLY),
    "session_ballot": (lambda o: {"pk": o["open_session"]}, (404, 404, 404, 404, 200, 404, 302)),
    # The minutes of a closed session: its council's secretariat and members, admins.
    "session_minutes": (lambda o: {"pk": o["closed_session"], "kind": "minutes"}, (404, 404, 404, 200, 200, 200, 302)),
    # Published award lists: anyone reads them; system admins publish and withdraw.
    "published_index": (lambda o: {}, PUBLIC),
    "published_list": (lambda o: {"year": o["published_year"], "code": o["published_issuer"]}, PUBLIC),
    "published_admin": (lambda o: {}, ADMIN_ONLY),
    "decision_publish": (lambda o: {"pk": o["unpublished_decision"]}, POST_ONLY),
    "decision_unpublish": (lambda o: {"pk": o["unpublished_decision"]}, POST_ONLY),
    # Certificates of an issued decision: the decision page's readers (admins, the issuer's signers, its council's
    # secretariat); the verification by token is public; the template preview is for admins.
    "certificate_panel": (lambda o: {"pk": o["certificate_decision"]}, (404, 404, 404, 200, 404, 200, 302)),
    "certificate_generate": (lambda o: {"pk": o["certificate_decision"]}, POST_ONLY),
    "certificate_batch_pdf": (lambda o: {"pk": o["certificate_decision"]}, (404, 404, 404, 200, 404, 200, 302)),
    "certificate_batch_zip": (lambda o: {"pk": o["certificate_decision"]}, (404, 404, 404, 200, 404, 200, 302)),
    "certificate_pdf": (lambda o: {"pk": o["certificate"]}, (404, 404, 404, 200, 404, 200, 302)),
    "certificate_verify": (lambda o: {"token": o["certificate_token"]}, PUBLIC),
    "certificate_templates": (lambda o: {}, ADMIN_ONLY),
    "certificate_preview": (lambda o: {"family": "bang_khen"}, ADMIN_ONLY),
    # Award decisions: the issuer's signers and the secretariat of its councils draft and read them, admins too;
    # everyone else does not learn they exist.
    "decision_list": (lambda o: {}, ALL_LOGGED_IN),
    "decision_create": (lambda o: {}, (403, 403, 403, 200, 403, 200, 302)),
    "decision_detail": (lambda o: {"pk": o["decision"]}, (404, 404, 404, 200, 404, 200, 302)),
    "decision_act": (lambda o: {"pk": o["decision"]}, POST_ONLY),
    "decision_pdf": (lambda o: {"pk": o["decision"]}, (404, 404, 404, 200, 404, 200, 302)),
    "decision_xlsx": (lambda o: {"pk": o["decision"]}, (404, 404, 404, 200, 404, 200, 302)),
    "decision_scan": (lambda o: {"pk": o["decision"]}, (404, 404, 404, 200, 404, 200, 302)),
    # Statistics of the subtrees a user covers (unit roles, a council's secretariat, admins); a council member with no
    # role covers nothing: 403.
    "statistics": (lambda o: {}, (200, 200, 200, 200, 403, 200, 302)),
    "statistics_xlsx": (lambda o: {}, (200, 200, 200, 200, 403, 200, 302)),
    "statistics_pdf": (lambda o: {}, (200, 200, 200, 200, 403, 200, 302)),
    # Form 0602.N: for whoever covers a unit (officer, head, viewer; admins every unit), for the first unit they
    # cover when none is asked; users with no unit role get 403.
    "report_0602": (lambda o: {}, (200, 200, 200, 403, 403, 200, 302)),
    "report_0602_xlsx": (lambda o: {}, (200, 200, 200, 403, 403, 200, 302)),
    "audit_object": (
        lambda o: {"object_type": "organizations.unit", "object_id": o["unit"]},
        (403, 200, 404, 404, 404, 200, 302),
    ),
    "audit_verify": (lambda o: {}, ADMIN_ONLY),
    "login": (lambda o: {}, PUBLIC),
    "logout": (lambda o: {}, (405, 405, 405, 405, 405, 405, 405)),
    "password_change": (lambda o: {}, ALL_LOGGED_IN),
    "password_change_done": (lambda o: {}, ALL_LOGGED_IN),
    "password_reset": (lambda o: {}, PUBLIC),
    "password_reset_done": (lambda o: {}, PUBLIC),
    "password_reset_confirm": (lambda o: {"uidb64": "MQ", "token": "bad-token"}, PUBLIC),
    "password_reset_complete": (lambda o: {}, PUBLIC),
    # Django's admin is one application: its index stands for it (non-staff users are sent to its login).
    "admin:index": (lambda o: {}, (302, 302, 302, 302, 302, 200, 302)),
}


def _url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_name_has_a_row():
    names = {name for name in _url_names() if not name.startswith("admin:")}
    missing = sorted(names - MATRIX.keys())
    assert not missing, f"URL names without a row in the permission matrix: {missing}"
    stale = sorted(set(MATRIX) - names - {"admin:index"})
    assert not stale, f"Rows for URL names that no longer exist: {stale}"


CASES = [(name, persona, MATRIX[name][1][i]) for name in MATRIX for i, persona in enumerate(PERSONAS)]


@pytest.mark.parametrize(("url_name", "persona", "expected"), CASES, ids=[f"{n}-{p}" for n, p, _ in CASES])
def test_matrix(url_name, persona, expected, org, as_persona):
    client = as_persona(persona)
    url = reverse(url_name, kwargs=MATRIX[url_name][0](_objects(org)))
    response = client.get(url)
    response.close()  # file downloads stream: close them
    assert response.status_code == expected, f"GET {url} as {persona}"
    if expected == 302 and persona == "anonymous" and url_name != "admin:index":
        assert response["Location"].startswith(reverse("login"))
