"""Public consultation before the vote (issue 6, acceptance 4): publishing a council's list, comments and
complaints from anonymous visitors through the public pages, answers, the hold of an upheld complaint, and the
gate that keeps a nomination off the agenda and the vote while its consultation is open, a complaint is
unanswered, or a required consultation has not been held."""

import ipaddress
import re
import threading
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from awards import consultation as services
from awards import nominations as nomination_services
from awards import sessions as session_services
from awards.consultation import ConsultationError
from awards.models import (
    AgendaItem,
    AwardRuleSet,
    AwardType,
    Consultation,
    ConsultationEntry,
    CouncilSession,
    Feedback,
    Nomination,
    ReviewStage,
)
from awards.sessions import SessionError
from tests import factories
from tests.awards.test_review_pages import at_council
from thiduakt.lib import excel, permissions

State = Nomination.State
ACCEPTED = ReviewStage.State.ACCEPTED
TITLE = "Lấy ý kiến nhân dân đối với các trường hợp đề nghị khen thưởng cấp Nhà nước năm 2025"


def address() -> str:
    """A client address of its own for each sender: the rate limit counts per address in the cache, which
    outlives a test run."""
    return str(ipaddress.IPv6Address(uuid.uuid4().int))


def publish(secretariat, org, stages, days=None, title=TITLE):
    return services.consultation_publish(by=secretariat, council=org.council, stages=stages, days=days, title=title)


def draft_session(secretariat, org):
    now = timezone.now()
    return session_services.session_create(
        by=secretariat,
        council=org.council,
        title="Phiên họp xét khen thưởng cấp Nhà nước",
        meeting_on=timezone.localdate(),
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=30),
    )


def after_close(consultation):
    return time_machine.travel(consultation.closes_at + timedelta(minutes=1), tick=False)


def send(client, consultation, entry_number, *, kind="comment", name="Trần Văn Bình", contact="", text="Ý kiến",
         ip=None, **extra):  # fmt: skip
    return client.post(
        reverse("consultation_feedback", args=[consultation.token, entry_number]),
        {"kind": kind, "name": name, "contact": contact, "text": text, **extra},
        REMOTE_ADDR=ip or address(),
        follow=True,
    )


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def form_errors(response):
    form = response.context["form"]
    return [str(error) for errors in form.errors.values() for error in errors]


def state(nomination):
    return Nomination.objects.get(pk=nomination.pk).state


# Acceptance 4 ----------------------------------------------------------------------------------------------


def test_publish_comment_uphold_a_complaint_and_the_agenda_refuses(org, secretariat, client):
    """The secretariat publishes a state-level nominee through its page; an anonymous visitor comments and
    complains through the public pages; the complaint is upheld: the nomination is on hold and can be put on no
    agenda, and the session's agenda page says why."""
    stage = at_council(org, state=ACCEPTED, code="CSTDTQ", name="Phạm Thị Lan")
    nomination = stage.nomination
    other = at_council(org, state=ACCEPTED, code="LDTT", name="Võ Văn Kiệt")
    client.force_login(secretariat)

    page = client.get(reverse("consultation_create"))
    assert page.status_code == 200
    by_stage = {s.pk: s.required_days for s in page.context["page"]}
    assert by_stage == {stage.pk: 10, other.pk: 0}  # CSTĐ toàn quốc: 10 days in the seeded rules
    response = client.post(reverse("consultation_create"), {"title": TITLE, "days": "", "stage": [stage.pk]})
    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("consultation_detail", args=[consultation.pk])
    assert (consultation.days, consultation.on_demand, consultation.council) == (10, False, org.council)
    assert consultation.last_day == timezone.localdate() + timedelta(days=10)
    assert state(nomination) == State.IN_COUNCIL  # the consultation is read off its rows, not the state

    visitor = Client()
    listing = visitor.get(reverse("consultation_public_list"))
    assert TITLE in listing.content.decode()
    public = visitor.get(reverse("consultation_public", args=[consultation.token]))
    html = public.content.decode()
    assert public.status_code == 200 and "Phạm Thị Lan" in html and "Võ Văn Kiệt" not in html
    form = visitor.get(reverse("consultation_feedback", args=[consultation.token, 1]))
    assert form.status_code == 200 and "Phạm Thị Lan" in form.content.decode()

    sent = send(visitor, consultation, 1, text="Đồng chí Lan rất xứng đáng.")
    thanks = _("Thank you: your feedback on %(nominee)s was received and will be reported to the council.")
    assert thanks % {"nominee": "Phạm Thị Lan"} in messages_of(sent)
    assert sent.redirect_chain[-1][0].startswith(reverse("consultation_public", args=[consultation.token]))
    complaint_text = "Sáng kiến nêu trong hồ sơ không phải của đồng chí Lan."
    send(visitor, consultation, 1, kind="complaint", name="Lê Thị Hạnh", contact="0912 345 678", text=complaint_text)
    assert sorted(Feedback.objects.values_list("kind", "name", "contact")) == [
        ("comment", "Trần Văn Bình", ""),
        ("complaint", "Lê Thị Hạnh", "0912 345 678"),
    ]

    session = draft_session(secretariat, org)
    with pytest.raises(SessionError) as refusal:
        session_services.session_add_items(by=secretariat, session=session, stages=[stage])
    label = str(nomination)
    assert label == "CSTDTQ 2025: Phạm Thị Lan"
    open_message = _("%(nomination)s is in public consultation until %(date)s.") % {
        "nomination": label,
        "date": consultation.last_day.strftime("%d/%m/%Y"),
    }
    assert refusal.value.problems == [open_message]

    comment, complaint = Feedback.objects.order_by("kind")
    detail_url = reverse("consultation_detail", args=[consultation.pk])
    detail = client.get(detail_url)
    assert "0912 345 678" in detail.content.decode() and complaint_text in detail.content.decode()
    client.post(reverse("consultation_answer", args=[comment.pk]), {"answer": "Cảm ơn ý kiến.", "outcome": ""})
    answered = client.post(
        reverse("consultation_answer", args=[complaint.pk]),
        {"answer": "Qua xác minh, khiếu nại có cơ sở.", "outcome": "upheld", "next": detail_url},
        follow=True,
    )
    assert _("The complaint was upheld: the nomination is on hold.") in messages_of(answered)
    nomination.refresh_from_db()
    assert nomination.state == State.ON_HOLD and nomination.held_from == State.IN_COUNCIL
    assert complaint_text in nomination.hold_reason and TITLE in nomination.hold_reason
    assert Feedback.objects.filter(answered_at__isnull=False).count() == 2

    with after_close(consultation):
        with pytest.raises(SessionError) as refusal:
            session_services.session_add_items(by=secretariat, session=session, stages=[stage])
        assert refusal.value.problems == [
            _("%(nomination)s is not waiting for the council's vote.") % {"nomination": label}
        ]
        client.force_login(secretariat)  # ten days later: a new login
        agenda = client.post(reverse("session_agenda", args=[session.pk]), {"stage": [stage.pk]})
        assert escape(refusal.value.problems[0]) in agenda.content.decode()
        assert not AgendaItem.objects.exists()

        # The secretariat settles the complaint and lifts the hold: the nomination may now go to the vote.
        nomination_services.nomination_release(by=secretariat, nomination=nomination)
        session_services.session_add_items(by=secretariat, session=session, stages=[stage])
    assert AgendaItem.objects.get().stage_id == stage.pk


def test_the_public_page_leaks_no_identifier(org, secretariat, client):
    user = factories.make_user("lan.pham", email="lan.pham@soyte.gov.vn")
    person = factories.make_person(
        org.unit_a, "Phạm Thị Lan", code="079185001234", birth_date=date(1985, 5, 17), pk=987654321, user=user
    )
    nomination = Nomination.objects.create(
        pk=876543219,
        person=person,
        award_type=AwardType.objects.get(code="CSTDTQ"),
        year=2025,
        proposing_unit=org.unit_a,
        achievement="Có sáng kiến cấp toàn quốc về chuyển đổi số ngành giáo dục.",
        state=State.IN_COUNCIL,
    )
    stage = ReviewStage.objects.create(
        pk=765432198, nomination=nomination, council=org.council, order=1, decides=True, state=ACCEPTED
    )
    consultation = publish(secretariat, org, [stage])
    contacts = ["nguoigui@example.vn", "0987 654 321"]
    visitor = Client()
    send(visitor, consultation, 1, contact=contacts[0])
    send(visitor, consultation, 1, kind="complaint", contact=contacts[1])
    assert Feedback.objects.count() == 2

    pages = [
        visitor.get(reverse("consultation_public_list")),
        visitor.get(reverse("consultation_public", args=[consultation.token])),
        visitor.get(reverse("consultation_feedback", args=[consultation.token, 1])),
    ]
    forbidden = [
        person.code,
        "17/05/1985",
        "1985-05-17",
        "17/5/1985",
        user.email,
        user.username,
        *contacts,
        "987654321",
        "876543219",
        "765432198",
        reverse("nomination_detail", args=[nomination.pk]),
        reverse("review_stage", args=[stage.pk]),
        reverse("person_awards", args=[person.pk]),
        reverse("consultation_detail", args=[consultation.pk]),
        "/awards/",
        "/admin/",
        "/manage/",
    ]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        leaks = [value for value in forbidden if value in html]
        assert not leaks, f"{page.request['PATH_INFO']} shows {leaks}"
    assert "Phạm Thị Lan" in pages[1].content.decode()
    assert "chuyển đổi số ngành giáo dục" in pages[1].content.decode()
    # The public address of the consultation is random, not its key.
    assert len(consultation.token) >= 22 and not consultation.token.isdigit()
    assert f"/{consultation.pk}/" not in reverse("consultation_public", args=[consultation.token])


def test_the_public_page_takes_the_same_queries_for_3_or_30_entries(org, secretariat, django_assert_max_num_queries):
    visitor = Client()
    counts = []
    for size in (3, 30):
        stages = [at_council(org, state=ACCEPTED, code="CSTDTQ") for _i in range(size)]
        consultation = publish(secretariat, org, stages, title=f"Đợt {size}")
        url = reverse("consultation_public", args=[consultation.token])
        with CaptureQueriesContext(connection) as queries:
            response = visitor.get(url)
        assert len(response.context["page"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(4):
        visitor.get(url)
    with django_assert_max_num_queries(4):
        visitor.get(reverse("consultation_public_list"))


# Feedback: limits and refusals -----------------------------------------------------------------------------


def test_the_sixth_feedback_in_an_hour_from_one_address_is_refused(org, secretariat):
    consultation = publish(secretariat, org, [at_council(org, state=ACCEPTED, code="CSTDTQ")])
    visitor, ip = Client(), address()
    thanks = _("Thank you: your feedback on %(nominee)s was received and will be reported to the council.")
    for number in range(5):
        response = send(visitor, consultation, 1, text=f"Góp ý số {number + 1}", ip=ip)
        assert messages_of(response) == [thanks % {"nominee": consultation.entries.get().nominee}]
    before = AuditEvent.objects.count()
    refused = send(visitor, consultation, 1, text="Góp ý số 6", ip=ip)
    too_many = _("You have sent too many comments and complaints in a short time. Please try again later.")
    assert too_many in form_errors(refused) and escape(too_many) in refused.content.decode()
    assert Feedback.objects.count() == 5 and AuditEvent.objects.count() == before
    # Another address is not held back.
    send(visitor, consultation, 1, text="Góp ý từ máy khác")
    assert Feedback.objects.count() == 6


@override_settings(CONSULTATION_FEEDBACK_LIMIT="2/minute")
def test_the_limit_is_a_setting(org, secretariat):
    consultation = publish(secretariat, org, [at_council(org, state=ACCEPTED, code="CSTDTQ")])
    ip = address()
    for _i in range(2):
        services.feedback_submit(
            consultation=consultation, entry=consultation.entries.get(), kind="comment", name="A", contact="",
            text="Ý kiến", address=ip,
        )  # fmt: skip
    with pytest.raises(ConsultationError):
        services.feedback_submit(
            consultation=consultation, entry=consultation.entries.get(), kind="comment", name="A", contact="",
            text="Ý kiến", address=ip,
        )  # fmt: skip
    assert Feedback.objects.count() == 2
    assert services.feedback_limit() == (2, 60)
    with override_settings(CONSULTATION_FEEDBACK_LIMIT="năm/giờ"), pytest.raises(ImproperlyConfigured):
        services.feedback_limit()


def test_feedback_after_the_close_is_refused(org, secretariat):
    consultation = publish(secretariat, org, [at_council(org, state=ACCEPTED, code="CSTDTQ")])
    visitor = Client()
    with after_close(consultation):
        page = visitor.get(reverse("consultation_public", args=[consultation.token]))
        html = page.content.decode()
        assert reverse("consultation_feedback", args=[consultation.token, 1]) not in html
        ended = _("This consultation ended on %(end)s: feedback is no longer received.") % {
            "end": consultation.last_day.strftime("%d/%m/%Y")
        }
        assert escape(ended) in html
        refused = send(visitor, consultation, 1, text="Gửi muộn")
        closed = _("This public consultation is closed: feedback is no longer accepted.")
        assert closed in form_errors(refused)
        with pytest.raises(ConsultationError, match=re.escape(closed)):
            services.feedback_submit(
                consultation=consultation, entry=consultation.entries.get(), kind="comment", name="A", contact="",
                text="Ý kiến", address=address(),
            )  # fmt: skip
        # Closed consultations leave the public list.
        assert consultation.title not in visitor.get(reverse("consultation_public_list")).content.decode()
    assert not Feedback.objects.exists()


def test_bad_input_changes_nothing(org, secretariat):
    consultation = publish(secretariat, org, [at_council(org, state=ACCEPTED, code="CSTDTQ")])
    other = publish(secretariat, org, [at_council(org, state=ACCEPTED, code="CSTDTQ")], title="Đợt khác")
    visitor = Client()
    assert visitor.get(reverse("consultation_public", args=["khong-co-dot-nay"])).status_code == 404
    assert visitor.get(reverse("consultation_feedback", args=["khong-co-dot-nay", 1])).status_code == 404
    assert visitor.get(reverse("consultation_feedback", args=[consultation.token, 2])).status_code == 404
    assert visitor.post(reverse("consultation_feedback", args=["khong-co-dot-nay", 1]), {}).status_code == 404
    assert visitor.get(f"/consultation/{consultation.pk}/").status_code == 404  # never by its key
    before = AuditEvent.objects.count()

    cases = [
        ({"text": ""}, _("This field is required.")),
        ({"text": "   "}, _("This field is required.")),
        ({"name": ""}, _("This field is required.")),
        ({"name": "A" * 151}, None),
        ({"text": "x" * 4001}, None),
        ({"contact": "0" * 151}, None),
        ({"contact": "không phải số"}, _("Enter a valid email address or telephone number.")),
        ({"contact": "ai@"}, _("Enter a valid email address or telephone number.")),
        ({"contact": "12345"}, _("Enter a valid email address or telephone number.")),
        ({"kind": "complaint", "contact": ""}, _("A complaint needs a contact (email or telephone) for the answer.")),
        ({"kind": "tố cáo"}, None),
    ]
    for fields, message in cases:
        response = send(visitor, consultation, 1, **fields)
        errors = form_errors(response)
        assert errors, fields
        if message is not None:
            assert message in errors, (fields, errors)
    # Without the form's CSRF token (a page of another site posting in the visitor's name).
    forged = Client(enforce_csrf_checks=True).post(
        reverse("consultation_feedback", args=[consultation.token, 1]),
        {"kind": "comment", "name": "A", "text": "Ý kiến"},
        REMOTE_ADDR=address(),
    )
    assert forged.status_code == 403
    # A robot fills in the hidden field: thanked like anyone, nothing kept.
    robot = send(visitor, consultation, 1, website="http://spam.example")
    assert robot.redirect_chain and len(messages_of(robot)) == 1
    # An entry of another consultation.
    with pytest.raises(ConsultationError):
        services.feedback_submit(
            consultation=consultation, entry=other.entries.get(), kind="comment", name="A", contact="",
            text="Ý kiến", address=address(),
        )  # fmt: skip
    assert not Feedback.objects.exists() and AuditEvent.objects.count() == before


def test_a_feedback_stores_no_address_and_the_audit_no_personal_data(org, secretariat):
    consultation = publish(secretariat, org, [at_council(org, state=ACCEPTED, code="CSTDTQ")])
    ip = address()
    send(Client(), consultation, 1, kind="complaint", name="Lê Thị Hạnh", contact="hanh@example.vn", ip=ip)
    fields = {field.name for field in Feedback._meta.get_fields()}
    assert not {"ip", "address", "ip_address", "remote_addr", "user_agent"} & fields
    row = Feedback.objects.values().get()
    assert ip not in str(row)
    event = AuditEvent.objects.get(verb="consultation.feedback_received")
    assert event.actor_id is None
    assert not [value for value in ("Lê Thị Hạnh", "hanh@example.vn", ip) if value in str(event.data)]


# Publishing ------------------------------------------------------------------------------------------------


def snapshot():
    return (
        list(Consultation.objects.values_list("pk", flat=True)),
        list(ConsultationEntry.objects.values_list("pk", flat=True)),
        list(Feedback.objects.values_list("pk", "answered_at", "outcome")),
        list(Nomination.objects.order_by("pk").values_list("state", "hold_reason")),
        AuditEvent.objects.count(),
    )


def refused(action, message=None):
    before = snapshot()
    with pytest.raises(ConsultationError) as error:
        action()
    assert snapshot() == before
    if message is not None:
        assert message in str(error.value), str(error.value)
    return error.value


def test_days_come_from_the_rules_or_are_asked_for(org, secretariat):
    state_level = at_council(org, state=ACCEPTED, code="CSTDTQ")
    ordinary = at_council(org, state=ACCEPTED, code="LDTT")
    # A province may ask for more than the national rule: the rule set in force for the nominee's unit wins.
    AwardRuleSet.objects.create(
        award_type=AwardType.objects.get(code="LDTT"), organisation=org.province, valid_from=date(2025, 1, 1),
        consultation_days=3,
    )  # fmt: skip
    with time_machine.travel(datetime(2026, 3, 2, 3, 0, tzinfo=UTC), tick=False):  # 10:00 in Hà Nội
        consultation = publish(secretariat, org, [ordinary, state_level])
        assert consultation.days == 10 and not consultation.on_demand
        assert timezone.localtime(consultation.closes_at).isoformat() == "2026-03-13T00:00:00+07:00"
        assert consultation.last_day == date(2026, 3, 12)
    # Ordered by award, then numbered from 1.
    assert list(consultation.entries.values_list("number", "award_name")) == [
        (1, "Lao động tiên tiến"),
        (2, "Chiến sĩ thi đua toàn quốc"),
    ]
    event = AuditEvent.objects.get(verb="consultation.published")
    assert event.data["days"] == 10 and sorted(event.data["nominations"]) == sorted(
        [state_level.nomination_id, ordinary.nomination_id]
    )


def test_an_on_demand_consultation_needs_its_days(org, secretariat):
    stage = at_council(org, state=ACCEPTED, code="BK_TINH")
    needs_days = _("No award on the list requires a public consultation: give its length in days (1 to %(max)s).")
    refused(lambda: publish(secretariat, org, [stage]), needs_days % {"max": 60})
    refused(lambda: publish(secretariat, org, [stage], days=0))
    refused(lambda: publish(secretariat, org, [stage], days=61))
    refused(lambda: publish(secretariat, org, [stage], days="mười"))
    consultation = publish(secretariat, org, [stage], days=7)
    assert (consultation.days, consultation.on_demand) == (7, True)


def test_publishing_refusals_change_nothing(org, secretariat):
    required = at_council(org, state=ACCEPTED, code="CSTDTQ")
    outsider = factories.make_user("outsider_secretariat")
    permissions.grant_secretariat(outsider, factories.make_council(org.unit_b))
    elsewhere = at_council(org, factories.make_council(org.unit_b), state=ACCEPTED, code="CSTDTQ")
    in_appraisal = at_council(org, state=ReviewStage.State.IN_APPRAISAL, code="CSTDTQ")
    only = _("Only the secretariat of %(council)s may do this.") % {"council": org.council.name}
    refused(lambda: publish(outsider, org, [required]), only)
    refused(lambda: publish(secretariat, org, []))
    refused(lambda: publish(secretariat, org, [required], title="  "))
    refused(lambda: publish(secretariat, org, [required], title="T" * 256))
    refused(lambda: publish(secretariat, org, [required], days=5), "10")  # fewer days than the rules require
    refused(lambda: publish(secretariat, org, [required, elsewhere]))
    refused(lambda: publish(secretariat, org, [required, in_appraisal]))
    refused(lambda: publish(secretariat, org, [required, 99999999]))
    Nomination.objects.filter(pk=required.nomination_id).update(state=State.ON_HOLD, held_from=State.IN_COUNCIL)
    refused(lambda: publish(secretariat, org, [required]))
    Nomination.objects.filter(pk=required.nomination_id).update(state=State.IN_COUNCIL, held_from="")

    publish(secretariat, org, [required])
    error = refused(lambda: publish(secretariat, org, [required], title="Lần hai"))
    assert TITLE in str(error)  # already in an open consultation
    on_agenda = at_council(org, state=ACCEPTED, code="LDTT")
    session = draft_session(secretariat, org)
    session_services.session_add_items(by=secretariat, session=session, stages=[on_agenda])
    refused(lambda: publish(secretariat, org, [on_agenda], days=7), session.title)


# Answers ---------------------------------------------------------------------------------------------------


def feedback_of(consultation, kind, text="Ý kiến", contact="0912345678"):
    return services.feedback_submit(
        consultation=consultation, entry=consultation.entries.get(), kind=kind, name="Người dân", contact=contact,
        text=text, address=address(),
    )  # fmt: skip


def test_answering_refusals_change_nothing(org, secretariat, member):
    consultation = publish(secretariat, org, [at_council(org, state=ACCEPTED, code="CSTDTQ")])
    comment, complaint = feedback_of(consultation, "comment"), feedback_of(consultation, "complaint")
    refused(lambda: services.feedback_answer(by=member, feedback=comment, answer="Cảm ơn."))
    refused(lambda: services.feedback_answer(by=secretariat, feedback=comment, answer="  "))
    refused(lambda: services.feedback_answer(by=secretariat, feedback=comment, answer="x" * 4001))
    refused(lambda: services.feedback_answer(by=secretariat, feedback=comment, answer="Cảm ơn.", outcome="upheld"))
    refused(lambda: services.feedback_answer(by=secretariat, feedback=complaint, answer="Đã xem."))
    refused(lambda: services.feedback_answer(by=secretariat, feedback=complaint, answer="Đã xem.", outcome="ok"))
    services.feedback_answer(by=secretariat, feedback=comment, answer="Cảm ơn.")
    refused(
        lambda: services.feedback_answer(by=secretariat, feedback=comment, answer="Lần nữa."),
        _("This feedback has already been answered."),
    )
    services.feedback_answer(by=secretariat, feedback=complaint, answer="Không có cơ sở.", outcome="dismissed")
    refused(lambda: services.feedback_answer(by=secretariat, feedback=complaint, answer="Xét lại", outcome="upheld"))


def test_the_answer_page_is_for_the_secretariat_only(org, secretariat, as_persona):
    consultation = publish(secretariat, org, [at_council(org, state=ACCEPTED, code="CSTDTQ")])
    complaint = feedback_of(consultation, "complaint")
    url = reverse("consultation_answer", args=[complaint.pk])
    for persona in ("officer_a", "member"):
        client = as_persona(persona)
        assert client.post(url, {"answer": "x", "outcome": "upheld"}).status_code == 404
    assert Client().post(url, {"answer": "x", "outcome": "upheld"}).status_code == 302
    client = as_persona("secretariat")
    empty = client.post(url, {"answer": "", "outcome": "upheld"}, follow=True)
    assert _("Write the answer (at most %(max)s characters).") % {"max": 4000} in messages_of(empty)
    assert not Feedback.objects.filter(answered_at__isnull=False).exists()
    assert state(complaint.entry.nomination) == State.IN_COUNCIL


def test_a_dismissed_complaint_no_longer_stands_in_the_way(org, secretariat):
    stage = at_council(org, state=ACCEPTED, code="CSTDTQ")
    consultation = publish(secretariat, org, [stage])
    complaint = feedback_of(consultation, "complaint")
    session = draft_session(secretariat, org)
    with after_close(consultation):
        with pytest.raises(SessionError) as refusal:
            session_services.session_add_items(by=secretariat, session=session, stages=[stage])
        assert "CSTDTQ 2025" in refusal.value.problems[0]
        assert refusal.value.problems == [
            _("%(nomination)s has a complaint from the public consultation that has not been answered.")
            % {"nomination": str(stage.nomination)}
        ]
        services.feedback_answer(by=secretariat, feedback=complaint, answer="Không có cơ sở.", outcome="dismissed")
        assert state(stage.nomination) == State.IN_COUNCIL
        session_services.session_add_items(by=secretariat, session=session, stages=[stage])
    event = AuditEvent.objects.get(verb="consultation.feedback_answered")
    assert event.object_id == str(stage.nomination_id) and event.data["outcome"] == "dismissed"


def test_a_second_upheld_complaint_keeps_the_hold(org, secretariat):
    stage = at_council(org, state=ACCEPTED, code="CSTDTQ")
    consultation = publish(secretariat, org, [stage])
    first, second = feedback_of(consultation, "complaint", "Thứ nhất"), feedback_of(consultation, "complaint", "Hai")
    services.feedback_answer(by=secretariat, feedback=first, answer="Có cơ sở.", outcome="upheld")
    services.feedback_answer(by=secretariat, feedback=second, answer="Có cơ sở.", outcome="upheld")
    nomination = Nomination.objects.get(pk=stage.nomination_id)
    assert nomination.state == State.ON_HOLD and "Thứ nhất" in nomination.hold_reason
    assert AuditEvent.objects.filter(verb="nomination.held").count() == 1
    assert AuditEvent.objects.filter(verb="consultation.feedback_answered").count() == 2


# The gate --------------------------------------------------------------------------------------------------


def test_a_required_consultation_not_held_keeps_the_nomination_off_the_agenda(org, secretariat):
    required = at_council(org, state=ACCEPTED, code="CSTDTQ")
    ordinary = at_council(org, state=ACCEPTED, code="LDTT")
    session = draft_session(secretariat, org)
    with pytest.raises(SessionError) as refusal:
        session_services.session_add_items(by=secretariat, session=session, stages=[ordinary, required])
    needs = _("%(nomination)s needs a public consultation of %(days)s days before the vote, and none has ended.")
    assert refusal.value.problems == [needs % {"nomination": str(required.nomination), "days": 10}]
    assert not AgendaItem.objects.exists()  # all or nothing
    session_services.session_add_items(by=secretariat, session=session, stages=[ordinary])

    consultation = publish(secretariat, org, [required])
    with after_close(consultation):
        assert services.vote_blockers([required.nomination]) == {}
        session_services.session_add_items(by=secretariat, session=session, stages=[required])
    assert AgendaItem.objects.count() == 2


def test_opening_the_vote_refuses_blocked_nominations(org, secretariat):
    """An agenda prepared before the rules changed, or before the gate existed: opening the vote checks again
    and lists every blocked nomination."""
    factories.add_member(org.council, factories.make_user())
    ordinary = at_council(org, state=ACCEPTED, code="BK_TINH", name="Đỗ Văn Nam")
    in_consultation = at_council(org, state=ACCEPTED, code="LDTT", name="Hà Thị Mai")
    session = draft_session(secretariat, org)
    session_services.session_add_items(by=secretariat, session=session, stages=[ordinary, in_consultation])
    # A consultation published while the item sat on the agenda (the gate did not exist yet) ...
    AgendaItem.objects.filter(stage=in_consultation).update(active=False)
    consultation = publish(secretariat, org, [in_consultation], days=5)
    AgendaItem.objects.filter(stage=in_consultation).update(active=True)
    # ... and the province that now requires 7 days of consultation for Bằng khen.
    AwardRuleSet.objects.create(
        award_type=AwardType.objects.get(code="BK_TINH"), organisation=org.province, valid_from=date(2025, 1, 1),
        consultation_days=7,
    )  # fmt: skip
    with pytest.raises(SessionError) as refusal:
        session_services.session_open(by=secretariat, session=session)
    assert str(refusal.value).startswith(_("The vote was not opened:"))
    assert refusal.value.problems == [
        _("%(nomination)s needs a public consultation of %(days)s days before the vote, and none has ended.")
        % {"nomination": str(ordinary.nomination), "days": 7},
        _("%(nomination)s is in public consultation until %(date)s.")
        % {"nomination": str(in_consultation.nomination), "date": consultation.last_day.strftime("%d/%m/%Y")},
    ]
    assert CouncilSession.objects.get(pk=session.pk).state == CouncilSession.State.DRAFT


def test_the_gate_takes_a_fixed_number_of_queries(org, secretariat, django_assert_num_queries):
    stages = [at_council(org, state=ACCEPTED, code=code) for code in ("CSTDTQ", "LDTT", "HCLD3") * 10]
    publish(secretariat, org, stages[:6])
    nominations = [stage.nomination_id for stage in stages]
    with django_assert_num_queries(4):
        blockers = services.vote_blockers(nominations[:3])
    with django_assert_num_queries(4):
        blockers = services.vote_blockers(nominations)
    assert len(blockers) == 6 + 16  # six in consultation; the other CSTĐTQ and HCLĐ3 require 10 days each
    assert services.vote_blockers([]) == {}


# The secretariat's pages -----------------------------------------------------------------------------------


def test_the_secretariat_pages(org, secretariat, as_persona):
    stage = at_council(org, state=ACCEPTED, code="CSTDTQ", name="Phạm Thị Lan")
    consultation = publish(secretariat, org, [stage])
    feedback_of(consultation, "complaint", text="Hồ sơ chưa đúng.", contact="0912 345 678")
    feedback_of(consultation, "comment", text="Xứng đáng.", contact="")
    other = factories.make_council(org.unit_b)
    services.consultation_publish(
        by=factories.make_user("root", is_superuser=True), council=other, days=3, title="Đợt của Sở Y tế",
        stages=[at_council(org, other, state=ACCEPTED, code="LDTT")],
    )  # fmt: skip
    client = as_persona("secretariat")

    listing = client.get(reverse("consultation_list"))
    rows = list(listing.context["page"])
    assert [c.title for c in rows] == [TITLE]
    assert (rows[0].entry_count, rows[0].feedback_count, rows[0].open_complaints) == (1, 2, 1)
    assert not list(client.get(reverse("consultation_list"), {"status": "ended"}).context["page"])
    assert len(client.get(reverse("consultation_list"), {"q": "ý kiến"}).context["page"]) == 1

    detail = client.get(reverse("consultation_detail", args=[consultation.pk]))
    (entry,) = detail.context["entries"]
    assert (entry.comments, entry.complaints, entry.open_complaints) == (1, 1, 1)
    assert entry.blocker.startswith("CSTDTQ 2025: Phạm Thị Lan")
    complaints = client.get(reverse("consultation_detail", args=[consultation.pk]), {"kind": "complaint"})
    assert [f.text for f in complaints.context["page"]] == ["Hồ sơ chưa đúng."]

    workbook = client.get(reverse("consultation_detail", args=[consultation.pk]), {"format": "xlsx"})
    assert workbook["Content-Type"] == excel.XLSX_CONTENT_TYPE
    sheet = excel.read_sheet(workbook.content)
    values = [" ".join(excel.cell_text(v) for v in row) for _n, row in sheet.rows]
    assert len(values) == 2 and "Hồ sơ chưa đúng." in values[0] and "0912 345 678" in values[0]

    # The review stage page shows the consultation and its unanswered complaint.
    stage_page = client.get(reverse("review_stage", args=[stage.pk])).content.decode()
    assert TITLE in stage_page and reverse("consultation_detail", args=[consultation.pk]) in stage_page

    # Another council's secretariat: 404; a unit officer sees an empty list and cannot publish.
    outsider = factories.make_user("outsider")
    permissions.grant_secretariat(outsider, other)
    client.force_login(outsider)
    assert client.get(reverse("consultation_detail", args=[consultation.pk])).status_code == 404
    officer = as_persona("officer_a")
    assert not list(officer.get(reverse("consultation_list")).context["page"])
    assert officer.get(reverse("consultation_create")).status_code == 403


def test_the_secretariat_pages_take_the_same_queries_for_3_or_30(org, secretariat, as_persona):
    client = as_persona("secretariat")
    counts = {"list": [], "detail": [], "create": []}
    for size in (3, 30):
        stages = [at_council(org, state=ACCEPTED, code="CSTDTQ") for _i in range(size)]
        consultation = publish(secretariat, org, stages, title=f"Đợt {size}")
        for entry in consultation.entries.all():
            services.feedback_submit(
                consultation=consultation, entry=entry, kind="complaint", name="A", contact="0912345678",
                text="Ý kiến", address=address(),
            )  # fmt: skip
        for _i in range(size):
            at_council(org, state=ACCEPTED, code="LDTT")
        for name, url in (
            ("list", reverse("consultation_list")),
            ("detail", reverse("consultation_detail", args=[consultation.pk])),
            ("create", reverse("consultation_create")),
        ):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts[name].append(len(queries))
    assert all(small == large for small, large in counts.values()), counts


def test_publishing_through_the_page_reports_refusals(org, secretariat, as_persona):
    stage = at_council(org, state=ACCEPTED, code="BK_TINH")
    client = as_persona("secretariat")
    response = client.post(reverse("consultation_create"), {"title": TITLE, "days": "", "stage": [stage.pk]})
    assert response.status_code == 200
    message = _("No award on the list requires a public consultation: give its length in days (1 to %(max)s).")
    assert message % {"max": 60} in response.context["form"].non_field_errors()
    assert not Consultation.objects.exists()
    response = client.post(reverse("consultation_create"), {"title": TITLE, "days": "7", "stage": [stage.pk]})
    assert response.status_code == 302 and Consultation.objects.get().on_demand


# Concurrency -----------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_publishing_and_the_agenda_at_the_same_moment_let_one_win(org):
    """Both lock the nomination first: whichever comes second sees the other's row and is refused."""
    secretariat = factories.make_user("secretariat_tx")
    permissions.grant_secretariat(secretariat, org.council)
    stage = at_council(org, state=ACCEPTED, code="LDTT")
    session = draft_session(secretariat, org)
    barrier = threading.Barrier(2)
    outcomes = {}

    def run(name, action):
        try:
            barrier.wait(timeout=10)
            action()
            outcomes[name] = "ok"
        except (ConsultationError, SessionError) as error:
            outcomes[name] = str(error)
        finally:
            connection.close()

    actions = {
        "publish": lambda: publish(secretariat, org, [stage], days=7),
        "agenda": lambda: session_services.session_add_items(by=secretariat, session=session, stages=[stage]),
    }
    threads = [threading.Thread(target=run, args=item) for item in actions.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["agenda", "publish"] and list(outcomes.values()).count("ok") == 1
    assert Consultation.objects.count() + AgendaItem.objects.count() == 1
