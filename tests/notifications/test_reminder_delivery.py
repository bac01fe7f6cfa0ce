"""Acceptance 1 and 2 of issue 8, with a real Redis broker and real Celery worker processes started by the test;
the workers mail into a directory that the test reads (tests.mail), one file per message accepted.

1. A campaign's nomination deadline is 3 days away: the officers of the units that registered targets and have
   not submitted get one email each, nobody else anything; the job run again sends nothing; two jobs at once on
   two workers (after an amendment moved the deadline: the 1-day reminder is due) send each reminder once; a
   worker killed while it mails (the deadline has passed) loses no reminder and sends none twice once the broker
   gives its task to the worker started after it.
2. With the broker's Redis stopped, a head sends a proposal letter through its page: the letter goes and the
   notification of the receiving council's secretariat waits in the outbox; Redis back and a worker started, the
   flush that beat queues every minute delivers it."""

import socket
import subprocess
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

import pytest
import redis
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from kombu.exceptions import OperationalError

from awards import documents as dossier
from awards import nominations as nomination_services
from awards.models import AwardType, DossierDocument, Submission
from campaigns.models import Campaign
from campaigns.services import campaigns as campaign_services
from notifications.models import Notification, ReminderDelivery
from notifications.tasks import flush_outbox_task, send_reminders_task
from organizations.models import Unit
from tests import factories, mail
from tests.awards import factories as history
from tests.awards.test_nomination_pages import councils  # noqa: F401 (the fixture: school, department, province)
from tests.workers import result_of, through_worker, wait_for, workers  # noqa: F401 (the fixture)
from thiduakt.celery import app
from thiduakt.lib import permissions

pytestmark = pytest.mark.django_db(transaction=True)

Kind = DossierDocument.Kind
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
CSTD_TINH_DOCS = [Kind.PROPOSAL_LETTER, Kind.ACHIEVEMENT_REPORT, Kind.MINUTES, Kind.INITIATIVE_CERTIFICATE]
CSTD_TINH_DOCS += [Kind.TALLY_MINUTES]
# A day's reminders are due from its first minute, not from 07:00: what is due does not depend on the hour the
# test runs at.
FROM_MIDNIGHT = {"REMINDER_SEND_HOUR": "0"}
CLAIM_TIMEOUT = 2  # seconds, for the worker started after the crash (production: 600)


@pytest.fixture
def mailbox(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    directory = tmp_path / "mail"
    directory.mkdir()
    return directory


def staffed(unit: Unit, officers: int) -> SimpleNamespace:
    """A unit with its officers and its head, each with an email address."""
    code = unit.code.lower()
    people = [factories.make_user(f"officer_{code}_{n}") for n in range(1, officers + 1)]
    for user in people:
        permissions.grant_unit_role(user, Unit.Role.OFFICER, unit)
    head = factories.make_user(f"head_{code}")
    permissions.grant_unit_role(head, Unit.Role.HEAD, unit)
    return SimpleNamespace(unit=unit, officers=people, head=head)


def school_letter(org, school, *, campaign=None) -> Submission:
    """A draft proposal letter of the school with one complete CSTĐ tỉnh nomination of a teacher (CSTĐCS 2023–2025
    and a provincial initiative), which its head can send."""
    teacher = factories.make_person(org.unit_a_child, "Trần Thị Mai", code="GV0001")
    history.awards(teacher, "CSTDCS", [2023, 2024, 2025])
    history.initiative(teacher, "province", 2024)
    officer = school.officers[0]
    nomination = nomination_services.nomination_create(
        by=officer,
        subject=teacher,
        award_type=AwardType.objects.get(code="CSTD_TINH"),
        year=2025,
        kind="regular",
        proposing_unit=org.unit_a_child,
        achievement="Giáo viên dạy giỏi cấp tỉnh, có sáng kiến cấp tỉnh.",
        campaign=campaign,
    )
    for kind in CSTD_TINH_DOCS:
        upload = SimpleUploadedFile("tai-lieu.pdf", PDF, content_type="application/pdf")
        dossier.document_add(by=officer, nomination=nomination, kind=kind, upload=upload)
    letter = nomination_services.submission_create(by=officer, unit=org.unit_a_child, year=2026, title="Đề nghị")
    nomination_services.submission_add(by=officer, submission=letter, nominations=[nomination])
    return letter


def nominations_due_subject(campaign: Campaign, offset: int) -> str:
    """The subject of the nomination reminder as a Vietnamese reader gets it."""
    shown = {"count": offset, "deadline": f"{campaign.nomination_deadline:%d/%m/%Y}"}
    with translation.override("vi"):
        if offset > 0:
            stand = ngettext(
                "%(count)d day left, deadline %(deadline)s", "%(count)d days left, deadline %(deadline)s", offset
            )
        else:
            stand = gettext("deadline %(deadline)s has passed")
        subject = gettext("Award nominations for %(campaign)s: %(when)s")
        return subject % {"campaign": campaign.title, "when": stand % shown}


def amend(campaign, by, **dates) -> None:
    campaign_services.campaign_amend(by=by, campaign=campaign, reason="Theo chỉ đạo của UBND tỉnh.", **dates)


def received(mailbox) -> Counter:
    """(recipient, subject) of every message accepted, with how many times."""
    return Counter((to, message["subject"]) for message in mail.messages_in(mailbox) for to in message["to"])


def delivered(mailbox) -> Counter:
    """What was received once the outbox is empty: the job's own flush and the one its commit queued run on any
    worker, and a task can return while another worker is still mailing the rows it claimed."""
    assert wait_for(lambda: not Notification.objects.filter(email=True, sent_at__isnull=True).exists(), timeout=60)
    return received(mailbox)


def queue_is_empty() -> bool:
    with app.connection_for_write() as broker:
        try:
            declared = broker.default_channel.queue_declare(app.conf.task_default_queue, passive=True)
        except broker.channel_errors:  # NOT_FOUND: Redis keeps no empty list
            return True
        return declared.message_count == 0


def test_nomination_reminders_reach_each_officer_once_through_real_workers_twice_concurrently_and_after_a_crash(
    org,
    councils,  # noqa: F811
    workers,  # noqa: F811
    mailbox,
):
    today = timezone.localdate()
    justice = staffed(factories.make_unit("Sở Tư pháp", parent=org.province, level=Unit.Level.PROVINCE), 2)
    building = staffed(factories.make_unit("Sở Xây dựng", parent=org.province, level=Unit.Level.PROVINCE), 1)
    school = staffed(org.unit_a_child, 1)  # registered, and has submitted its nominations
    health = staffed(org.unit_b, 1)  # did not register
    launcher = factories.make_user("officer_province")
    permissions.grant_unit_role(launcher, Unit.Role.OFFICER, org.province)

    # Launched in the summer, registrations closed long ago (no registration reminder is due any more); the
    # nomination deadline ends with the day after tomorrow: its 3-day reminder is due today.
    with time_machine.travel(timezone.now() - timedelta(days=100)):
        campaign = campaign_services.campaign_create(
            by=launcher,
            launching_unit=org.province,
            criteria=[("Hoàn thành xuất sắc nhiệm vụ", 50)],
            award_codes=["TTLDTT", "CSTD_TINH"],
            code="PT-2026-01",
            title="Thi đua hoàn thành xuất sắc nhiệm vụ năm 2026",
            kind=Campaign.Kind.REGULAR,
            scope=Campaign.Scope.SUBTREE,
            period_start=timezone.localdate(),
            period_end=today + timedelta(days=30),
            registration_deadline=timezone.localdate() + timedelta(days=10),
            nomination_deadline=today + timedelta(days=2),
        )
        campaign = campaign_services.campaign_launch(by=launcher, campaign=campaign)
        for unit in (justice, building, school):
            registration = campaign_services.registration_save(
                by=unit.officers[0], campaign=campaign, unit=unit.unit, targets=[(None, "TTLDTT")]
            )
            campaign_services.registration_submit(by=unit.officers[0], registration=registration)
    nomination_services.nomination_create(  # a draft is not a submission: the justice department is still due
        by=justice.officers[0],
        subject=justice.unit,
        award_type=AwardType.objects.get(code="TTLDTT"),
        year=today.year,
        kind="regular",
        proposing_unit=justice.unit,
        achievement="Hoàn thành xuất sắc nhiệm vụ.",
        campaign=campaign,
    )
    nomination_services.submission_send(by=school.head, submission=school_letter(org, school, campaign=campaign))

    due = {officer: unit for unit in (justice, building) for officer in unit.officers}
    nobody = [*school.officers, *health.officers, justice.head, building.head, school.head, health.head, launcher]
    expected = Counter()

    def reminded(offset):
        campaign.refresh_from_db()
        expected.update({(officer.email, nominations_due_subject(campaign, offset)) for officer in due})
        return expected

    env = {**mail.environment(mailbox), **FROM_MIDNIGHT}
    first, second = workers.start(wait=False, **env), workers.start(wait=False, **env)
    assert wait_for(lambda: first.ready() and second.ready(), timeout=60)

    # 3 days before: one email to each officer of the two units due, with the link to the page where they nominate.
    written = through_worker(send_reminders_task)
    assert written["nominations_due"] == sum(written.values()) == 3
    assert delivered(mailbox) == reminded(3)
    for message in mail.messages_in(mailbox):
        (officer,) = [officer for officer in due if officer.email in message["to"]]
        page = reverse("bulk_from_registration", args=[campaign.pk, due[officer].unit.pk])
        assert f"{settings.SITE_URL}{page}" in message["body"]
        assert due[officer].unit.name in message["body"]
    assert not {user.email for user in nobody} & {to for to, _subject in received(mailbox)}

    # The job again: nothing more.
    assert through_worker(send_reminders_task)["nominations_due"] == 0
    assert received(mailbox) == expected

    # The deadline moved by an amendment to the end of today: the 1-day reminder is due. Two jobs at the same moment
    # on the two workers, each taking one: each officer gets it once.
    amend(campaign, launcher, nomination_deadline=today)
    assert wait_for(queue_is_empty, timeout=30)
    jobs = [send_reminders_task.delay() for _i in range(2)]
    assert sorted(result_of(job)["nominations_due"] for job in jobs) == [0, 3]
    assert [sum(job.id in worker.log.read_text() for job in jobs) for worker in (first, second)] == [1, 1]
    assert delivered(mailbox) == reminded(1)
    second.stop()

    # The deadline passed (moved to yesterday): the one worker left is killed while it mails the second of the
    # three reminders. The first went; the other two stay claimed and unsent.
    amend(campaign, launcher, nomination_deadline=today - timedelta(days=1))
    (mailbox / "hold").write_text(str(len(mail.messages_in(mailbox)) + 1))
    crashed = send_reminders_task.delay()
    assert wait_for((mailbox / "held").exists, timeout=60), "the worker did not reach the second message"
    assert int((mailbox / "held").read_text()) == first.process.pid
    first.kill()
    (mailbox / "hold").unlink()
    passed = nominations_due_subject(Campaign.objects.get(pk=campaign.pk), 0)
    assert sum(count for (_to, subject), count in received(mailbox).items() if subject == passed) == 1
    stuck = Notification.objects.filter(kind=Notification.Kind.NOMINATIONS_DUE, sent_at__isnull=True)
    assert stuck.count() == 2 and not stuck.filter(claimed_at__isnull=True).exists()

    # A new worker, once the claims are older than its timeout: the broker gives it the task the killed worker
    # held (unacknowledged: acks_late), which claims no reminder again and mails the two left.
    oldest = max(stuck.values_list("claimed_at", flat=True))
    assert wait_for(lambda: timezone.now() - oldest > timedelta(seconds=CLAIM_TIMEOUT + 0.5), timeout=10)
    workers.start(
        **env, NOTIFICATION_CLAIM_TIMEOUT=str(CLAIM_TIMEOUT), TEST_BROKER_VISIBILITY_TIMEOUT=str(CLAIM_TIMEOUT)
    )
    assert result_of(crashed)["nominations_due"] == 0
    assert delivered(mailbox) == reminded(0)
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    assert sorted(Notification.objects.filter(subject=passed).values_list("attempts", flat=True)) == [1, 2, 2]
    assert ReminderDelivery.objects.count() == Notification.objects.count() == 3 * len(due)


# Acceptance 2 -----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_redis(port: int) -> subprocess.Popen:
    """A Redis of this test alone (the run's Redis on 6379 serves other tests at the same time), keeping nothing on
    disk."""
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert wait_for(lambda: answers(port) or process.poll() is not None, timeout=20)
    assert process.poll() is None, "redis-server did not start"
    return process


def answers(port: int) -> bool:
    try:
        return redis.Redis(port=port, socket_connect_timeout=0.5).ping()
    except redis.ConnectionError:
        return False


def stop_redis(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


def test_with_redis_stopped_a_letter_is_sent_and_its_notification_is_mailed_once_redis_is_back(
    org,
    councils,  # noqa: F811
    workers,  # noqa: F811
    mailbox,
    client,
    caplog,
):
    school = staffed(org.unit_a_child, 1)
    secretariat = factories.make_user("secretariat_lqd")
    permissions.grant_secretariat(secretariat, councils["school"])
    letter = school_letter(org, school)
    (nomination,) = letter.nominations.all()
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    server = start_redis(port)
    broker, worker = app.conf.broker_url, None
    app.conf.broker_url = url  # what the web process publishes to
    try:
        stop_redis(server)

        client.force_login(school.head)
        response = client.post(
            reverse("submission_send", args=[letter.pk]), {f"justification-{nomination.pk}": "Tiêu biểu."}
        )
        assert response.status_code == 302
        letter.refresh_from_db()
        assert letter.state == Submission.State.SENT
        # After the commit the flush could not be queued: the refusal was logged and swallowed.
        assert [record.exc_info[0] for record in caplog.records if record.exc_info] == [OperationalError]
        row = Notification.objects.get(recipient=secretariat)
        assert row.kind == Notification.Kind.NOMINATIONS_RECEIVED and row.sent_at is None and row.claimed_at is None
        with translation.override("vi"):
            subject = gettext("Proposal letter %(letter)s received from %(unit)s")
        assert row.subject == subject % {"letter": str(letter), "unit": org.unit_a_child.name}

        server = start_redis(port)
        worker = workers.start(**mail.environment(mailbox), REDIS_URL=url)
        with app.connection_for_write(url) as connection:  # beat's "flush-outbox" entry, every 60 s
            flush_outbox_task.apply_async(connection=connection)
        assert wait_for(Notification.objects.filter(pk=row.pk, sent_at__isnull=False).exists, timeout=60)
        assert received(mailbox) == Counter({(secretariat.email, row.subject): 1})
        (message,) = mail.messages_in(mailbox)
        assert f"{settings.SITE_URL}{reverse('review_list')}?state=submitted" in message["body"]
    finally:
        app.conf.broker_url = broker
        if worker is not None:
            worker.stop()
        stop_redis(server)
