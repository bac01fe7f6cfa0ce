"""Notifications (issue 8, the foundation): rows written in the action's transaction and mailed only after commit,
the outbox flush (once per row, failures kept and retried), email preferences, the inbox pages, the header badge
within the pages' query budgets, and the two events wired so far (decision issued, nomination returned)."""

import threading
import time
from smtplib import SMTPException

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext, override

from audit.models import AuditEvent
from awards import decisions as decision_services
from awards import nominations as nomination_services
from awards.models import AwardType, Nomination, ReviewStage
from notifications.models import MAX_ATTEMPTS, Notification, NotificationPreference
from notifications.services import flush_outbox, notify
from organizations.models import Unit
from tests import factories
from tests.awards.test_decisions import decidable, draft
from thiduakt.celery import app
from thiduakt.lib import permissions

Kind = Notification.Kind


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):
        raise SMTPException("451 4.3.0 Mail server temporarily unavailable")


def tell(users, subject="Hồ sơ bị trả lại", link="/awards/nominations/1/"):
    return notify(
        recipients=users, kind=Kind.NOMINATION_RETURNED, subject=subject, body="Bổ sung bản xác nhận.", link=link
    )


# Outbox -----------------------------------------------------------------------------------------------------


def test_notify_writes_the_rows_and_mails_only_after_commit(
    officer_a, head_a, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with django_assert_num_queries(2):  # the preferences, one insert
            rows = tell([officer_a, head_a, officer_a])
    assert sorted(row.recipient.username for row in rows) == ["head_a", "officer_a"]
    assert Notification.objects.filter(email=True, sent_at=None).count() == 2
    assert mail.outbox == [] and len(callbacks) == 1  # the flush waits for the commit


def test_the_flush_queued_at_commit_mails_each_row_once(officer_a, head_a, django_capture_on_commit_callbacks):
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            tell([officer_a, head_a])
    finally:
        app.conf.task_always_eager = False
    assert sorted(message.to[0] for message in mail.outbox) == ["head_a@example.vn", "officer_a@example.vn"]
    assert flush_outbox() == 0 and len(mail.outbox) == 2


def test_with_the_broker_down_the_action_commits_at_once_and_the_row_waits_for_the_next_flush(
    officer_a, django_capture_on_commit_callbacks
):
    broker = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            (row,) = tell([officer_a])
        elapsed = time.monotonic() - started
    finally:
        app.conf.broker_url = broker
    assert len(callbacks) == 1 and elapsed < 2  # the refused publish was swallowed (robust) and not retried
    row.refresh_from_db()
    assert row.sent_at is None and mail.outbox == []
    assert flush_outbox() == 1 and mail.outbox[0].to == ["officer_a@example.vn"]  # the beat's flush, later


def test_flush_sends_one_vietnamese_mail_per_row_with_the_absolute_link_and_a_second_flush_nothing(
    officer_a, head_a, settings
):
    settings.SITE_URL = "https://thiduakt.songhong.gov.vn"
    tell([officer_a, head_a], subject="Hồ sơ CSTĐ bị trả lại")
    assert flush_outbox() == 2
    assert len(mail.outbox) == 2
    message = next(m for m in mail.outbox if m.to == ["officer_a@example.vn"])
    assert message.subject == "Hồ sơ CSTĐ bị trả lại"
    assert "https://thiduakt.songhong.gov.vn/awards/nominations/1/" in message.body
    assert "Bổ sung bản xác nhận." in message.body
    with override("vi"):
        assert gettext("Dear %(name)s,") % {"name": "Nguyễn Văn An"} in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and 'href="https://thiduakt.songhong.gov.vn/awards/nominations/1/"' in html
    rows = Notification.objects.all()
    assert all(row.sent_at is not None and row.attempts == 1 for row in rows)
    assert flush_outbox() == 0 and len(mail.outbox) == 2


class SlowBackend(locmem.EmailBackend):
    """A mail server that takes its time, so that concurrent flushes overlap."""

    def send_messages(self, messages):
        time.sleep(0.01)
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
@override_settings(EMAIL_BACKEND="tests.notifications.test_notifications.SlowBackend")
def test_three_flushes_at_once_send_each_row_exactly_once(org):
    users = [factories.make_user(f"nguoi_nhan_{i}") for i in range(24)]
    Notification.objects.bulk_create(  # written directly: no flush queued to the broker
        [Notification(recipient=user, kind=Kind.DECISION_ISSUED, subject="Quyết định", body="…") for user in users]
    )
    barrier = threading.Barrier(3)
    counts = [None] * 3

    def flush(index):
        try:
            barrier.wait(timeout=10)
            counts[index] = flush_outbox()
        except Exception as error:  # reported below
            counts[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=flush, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(counts) == 24, counts
    assert sorted(m.to[0] for m in mail.outbox) == sorted(user.email for user in users)
    assert not Notification.objects.filter(sent_at=None).exists()
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}


def test_a_refused_send_keeps_the_row_unsent_and_it_is_retried_up_to_five_times(officer_a):
    (row,) = tell([officer_a])
    with override_settings(EMAIL_BACKEND="tests.notifications.test_notifications.FailingBackend"):
        assert flush_outbox() == 0
    row.refresh_from_db()
    assert (row.sent_at, row.attempts) == (None, 1)
    assert "Mail server temporarily unavailable" in row.last_error
    with override_settings(EMAIL_BACKEND="tests.notifications.test_notifications.FailingBackend"):
        for _ in range(MAX_ATTEMPTS + 2):
            flush_outbox()
    row.refresh_from_db()
    assert row.attempts == MAX_ATTEMPTS and row.sent_at is None
    assert flush_outbox() == 0 and mail.outbox == []  # given up after five attempts


def test_a_row_refused_once_is_sent_at_the_next_flush(officer_a):
    (row,) = tell([officer_a])
    with override_settings(EMAIL_BACKEND="tests.notifications.test_notifications.FailingBackend"):
        flush_outbox()
    assert flush_outbox() == 1
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 2 and row.last_error == ""
    assert len(mail.outbox) == 1


def test_email_off_for_the_kind_gives_the_inbox_row_but_no_mail(officer_a, head_a):
    NotificationPreference.objects.create(user=officer_a, kind=Kind.NOMINATION_RETURNED, email=False)
    NotificationPreference.objects.create(user=head_a, kind=Kind.DECISION_ISSUED, email=False)  # another kind
    tell([officer_a, head_a])
    assert flush_outbox() == 1
    assert [m.to for m in mail.outbox] == [["head_a@example.vn"]]
    assert Notification.objects.filter(recipient=officer_a, email=False, sent_at=None).count() == 1


def test_a_user_without_an_email_address_gets_the_inbox_row_only(org):
    user = factories.make_user("khong_email", email="")
    tell([user])
    assert flush_outbox() == 0 and mail.outbox == []
    assert Notification.objects.get(recipient=user).email is False


# Pages ------------------------------------------------------------------------------------------------------


def test_the_inbox_shows_only_ones_own_newest_first_unread_highlighted(client, officer_a, officer_b):
    tell([officer_a], subject="Thông báo thứ nhất")
    tell([officer_a], subject="Thông báo thứ hai")
    tell([officer_b], subject="Thông báo của người khác")
    Notification.objects.filter(subject="Thông báo thứ nhất").update(read_at=timezone.now())
    client.force_login(officer_a)
    page = client.get(reverse("notification_list")).content.decode()
    assert "Thông báo của người khác" not in page
    assert page.index("Thông báo thứ hai") < page.index("Thông báo thứ nhất")
    assert page.count("list-group-item-warning unread") == 1
    unread_only = client.get(reverse("notification_list"), {"unread": "1"}).content.decode()
    assert "Thông báo thứ hai" in unread_only and "Thông báo thứ nhất" not in unread_only


@pytest.mark.parametrize("size", [3, 70])
def test_the_inbox_pages_and_its_queries_do_not_grow(size, client, officer_a, django_assert_max_num_queries):
    for i in range(size):
        tell([officer_a], subject=f"Thông báo số {i}")
    client.force_login(officer_a)
    with django_assert_max_num_queries(8):  # session, user, page count and keys, rows, unread, header
        response = client.get(reverse("notification_list"))
    assert response.status_code == 200
    assert response.content.decode().count('href="/notifications/') >= min(size, 30)
    assert f"Thông báo số {size - 1}<" in response.content.decode()
    if size > 30:
        second = client.get(reverse("notification_list"), {"page": 2}).content.decode()
        assert "Thông báo số 0<" not in response.content.decode() and "Thông báo số 39<" in second


def test_open_marks_read_and_goes_to_the_link_only_for_the_recipient(client, officer_a, officer_b):
    (row,) = tell([officer_a], link="/awards/nominations/7/")
    client.force_login(officer_b)
    assert client.get(reverse("notification_open", args=[row.pk])).status_code == 404
    row.refresh_from_db()
    assert row.read_at is None
    client.force_login(officer_a)
    response = client.get(reverse("notification_open", args=[row.pk]))
    assert response.status_code == 302 and response["Location"] == "/awards/nominations/7/"
    row.refresh_from_db()
    assert row.read_at is not None


def test_an_external_link_is_not_followed(client, officer_a):
    (row,) = tell([officer_a], link="https://example.com/phishing")
    client.force_login(officer_a)
    response = client.get(reverse("notification_open", args=[row.pk]))
    assert response["Location"] == reverse("notification_list")


def test_mark_one_and_mark_all_read(client, officer_a, officer_b):
    first, second, third = (tell([officer_a])[0] for _ in range(3))
    (other,) = tell([officer_b])
    client.force_login(officer_a)
    assert client.post(reverse("notification_mark_read"), {"id": other.pk}).status_code == 404
    response = client.post(reverse("notification_mark_read"), {"id": first.pk}, follow=True)
    with override("vi"):
        assert gettext("The notification was marked as read.") in response.content.decode()
    assert Notification.objects.filter(recipient=officer_a, read_at=None).count() == 2
    client.post(reverse("notification_mark_read"))
    assert Notification.objects.filter(recipient=officer_a, read_at=None).count() == 0
    other.refresh_from_db()
    assert other.read_at is None


def test_preferences_page_turns_email_off_and_on_per_kind(client, officer_a):
    client.force_login(officer_a)
    page = client.get(reverse("notification_preferences")).content.decode()
    assert page.count('type="checkbox"') == len(Kind.values) and page.count(" checked") == len(Kind.values)
    client.post(reverse("notification_preferences"), {"email_kinds": [Kind.DECISION_ISSUED]})
    event = AuditEvent.objects.get(verb="notification.preferences_changed")
    others = sorted(set(Kind.values) - {Kind.DECISION_ISSUED})
    assert event.actor == officer_a and event.data["no_email"] == others
    assert dict(NotificationPreference.objects.filter(user=officer_a).values_list("kind", "email")) == {
        Kind.DECISION_ISSUED: True,
        **dict.fromkeys(others, False),
    }
    page = client.get(reverse("notification_preferences")).content.decode()
    assert page.count(" checked") == 1
    tell([officer_a])
    assert flush_outbox() == 0
    assert client.post(reverse("notification_preferences"), {"email_kinds": ["khong_co"]}).status_code == 200
    assert AuditEvent.objects.filter(verb="notification.preferences_changed").count() == 1  # refused: nothing saved
    client.post(reverse("notification_preferences"), {"email_kinds": Kind.values})
    tell([officer_a])
    assert flush_outbox() == 1


def _home_queries(client, user) -> tuple[int, str]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("persona", ["officer_a", "admin_user"])
def test_the_header_badge_counts_the_unread_without_a_query_more(persona, request, client):
    user = request.getfixturevalue(persona)
    before, page = _home_queries(client, user)
    assert 'id="notification-bell"' in page and "rounded-pill text-bg-warning" not in page
    for _ in range(4):
        tell([user])
    Notification.objects.filter(pk=Notification.objects.order_by("pk").first().pk).update(read_at=timezone.now())
    after, page = _home_queries(client, user)
    assert after == before
    bell = page[page.index('id="notification-bell"') :]
    assert ">3</span>" in bell[: bell.index("</a>")]


# Events -----------------------------------------------------------------------------------------------------


@pytest.fixture
def signer(org):
    user = factories.make_user("signer")
    permissions.grant_unit_role(user, Unit.Role.SIGNER, org.province)
    return user


def test_an_issued_decision_tells_each_officer_and_head_of_the_proposing_unit_once(
    org, secretariat, signer, officer_a, head_a, officer_b
):
    school_officer = factories.make_user("school_officer")
    permissions.grant_unit_role(school_officer, Unit.Role.OFFICER, org.unit_a_child)  # below: not told
    both = [decidable(org, org.person_a), decidable(org, factories.make_person(org.unit_a))]
    decision = draft(secretariat, org, both)
    decision_services.decision_issue(by=signer, decision=decision)
    rows = Notification.objects.filter(kind=Kind.DECISION_ISSUED)
    assert sorted(row.recipient.username for row in rows) == ["head_a", "officer_a"]
    row = rows.get(recipient=officer_a)
    decision.refresh_from_db()
    assert decision.number_label in row.subject
    with override("vi"):
        expected = ngettext(
            "Decision %(number)s of %(date)s awards %(count)d nomination of your unit.",
            "Decision %(number)s of %(date)s awards %(count)d nominations of your unit.",
            2,
        )
    assert row.body == expected % {
        "number": decision.number_label,
        "date": f"{decision.decided_on:%d/%m/%Y}",
        "count": 2,
    }
    assert row.link == reverse("nomination_list") + "?state=awarded&ids=" + ",".join(str(n.pk) for n in both)
    assert flush_outbox() == 2


def test_issuing_stays_within_a_fixed_number_of_queries_with_notifications(org, secretariat, signer, officer_a):
    permissions.is_system_admin(signer)  # cached on the user after the first question

    def queries(count):
        nominations = [decidable(org, factories.make_person(org.unit_a)) for _ in range(count)]
        decision = draft(secretariat, org, nominations)
        with CaptureQueriesContext(connection) as captured:
            decision_services.decision_issue(by=signer, decision=decision)
        return len(captured)

    assert queries(2) == queries(12)


def in_appraisal(org) -> tuple[Nomination, ReviewStage]:
    """Person A's LĐTT nomination, in appraisal at the province council."""
    nomination = Nomination.objects.create(
        person=org.person_a,
        award_type=AwardType.objects.get(code="LDTT"),
        year=2025,
        proposing_unit=org.unit_a,
        achievement="Hoàn thành xuất sắc nhiệm vụ.",
        state=Nomination.State.IN_APPRAISAL,
    )
    stage = ReviewStage.objects.create(
        nomination=nomination, council=org.council, order=1, decides=True, state=ReviewStage.State.IN_APPRAISAL
    )
    return nomination, stage


def test_a_returned_nomination_tells_the_officers_of_the_proposing_unit(
    org, secretariat, officer_a, head_a, officer_b, client
):
    nomination, stage = in_appraisal(org)
    reasons = [{"document": "", "text": "Bổ sung số liệu thành tích năm học."}]
    nomination_services.stage_return(by=secretariat, stage=stage, reasons=reasons)
    (row,) = Notification.objects.all()
    assert row.recipient == officer_a and row.kind == Kind.NOMINATION_RETURNED
    assert "Bổ sung số liệu thành tích năm học." in row.body and str(nomination) in row.subject
    assert row.link == reverse("nomination_detail", args=[nomination.pk])
    client.force_login(officer_a)
    assert client.get(reverse("notification_open", args=[row.pk]))["Location"] == row.link


def test_a_refused_return_writes_no_notification(org, secretariat, officer_a):
    nomination, stage = in_appraisal(org)
    with pytest.raises(nomination_services.NominationError):
        nomination_services.stage_return(by=officer_a, stage=stage, reasons=[{"document": "", "text": "Thiếu"}])
    assert not Notification.objects.exists()
