"""Deadline reminders (issue 8): who is reminded of what and when, once. The pass is run in-process at chosen
moments; the real worker, the broker and the time-travel over a whole campaign are in their own files."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext, ngettext

from awards.models import (
    AwardType,
    Ballot,
    Consultation,
    ConsultationEntry,
    CouncilSession,
    Feedback,
    Nomination,
    ReviewStage,
)
from campaigns.models import Campaign, Registration, RegistrationTarget
from campaigns.services import campaigns as campaign_services
from notifications.models import Notification, ReminderDelivery, ReminderRule
from notifications.reminders import VN, Schedule, end_of_day, run_pass
from organizations.models import Unit
from tests import factories
from thiduakt.lib import permissions

Kind = Notification.Kind


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=VN)


def received(user, kind=None) -> list[str]:
    rows = Notification.objects.filter(recipient=user).order_by("created_at", "pk")
    if kind:
        rows = rows.filter(kind=kind)
    return [row.subject for row in rows]


def days_left(count: int, deadline: str) -> str:
    with translation.override("vi"):
        return ngettext(
            "%(count)d day left, deadline %(deadline)s", "%(count)d days left, deadline %(deadline)s", count
        ) % {"count": count, "deadline": deadline}


def passed(deadline: str) -> str:
    with translation.override("vi"):
        return gettext("deadline %(deadline)s has passed") % {"deadline": deadline}


# The schedule ---------------------------------------------------------------------------------------------------

DEADLINE = end_of_day(dt.date(2026, 11, 30))  # the 30th ends at midnight, Vietnam time
DEFAULT = Schedule((7, 3, 1), True, 3)


@pytest.mark.parametrize(
    ("now", "offset"),
    [
        (at(dt.date(2026, 11, 24), 6, 59), None),  # 7 days before is the 24th at 00:00: it waits for 07:00
        (at(dt.date(2026, 11, 24), 7), 7),
        (at(dt.date(2026, 11, 27), 23), 7),  # "3 days left" is the 28th: the 28th, 29th and 30th
        (at(dt.date(2026, 11, 28), 7), 3),
        (at(dt.date(2026, 11, 30), 7), 1),
        (at(dt.date(2026, 11, 30), 23, 59), 1),
        (at(dt.date(2026, 12, 1), 3), None),  # past the deadline: no "1 day left", the overdue one waits for 07:00
        (at(dt.date(2026, 12, 1), 7), 0),
        (at(dt.date(2026, 12, 20), 7), 0),
    ],
)
def test_the_current_reminder_is_the_latest_moment_reached(now, offset):
    assert DEFAULT.current(DEADLINE, now) == offset


def test_escalation_comes_days_after_the_deadline_and_only_for_heads():
    assert DEFAULT.current(DEADLINE, at(dt.date(2026, 12, 3), 9), escalation=True) is None
    assert DEFAULT.current(DEADLINE, at(dt.date(2026, 12, 4), 7), escalation=True) == -3
    assert Schedule((7,), False, None).current(DEADLINE, at(dt.date(2026, 12, 30)), escalation=True) is None
    assert Schedule((7,), False, None).current(DEADLINE, at(dt.date(2026, 12, 2))) is None  # no overdue reminder


def test_a_date_deadline_ends_at_midnight_in_vietnam_whatever_the_server_zone(settings):
    settings.TIME_ZONE = "UTC"
    assert end_of_day(dt.date(2026, 11, 30)) == dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC)


# Campaign registration ----------------------------------------------------------------------------------------


def launch_campaign(by, unit, *, start: dt.date, registration_deadline: dt.date, nomination_deadline: dt.date):
    """A thematic campaign of `unit` over its whole tree, launched on `start` (time is moved there for the launch's
    date checks)."""
    created = campaign_services.campaign_create(
        by=by,
        launching_unit=unit,
        criteria=[("Hoàn thành xuất sắc nhiệm vụ", None)],
        code=f"PT-{factories._next():04d}",
        title="Thi đua lập thành tích chào mừng Đại hội",
        kind=Campaign.Kind.THEMATIC,
        scope=Campaign.Scope.SUBTREE,
        period_start=start,
        period_end=start + dt.timedelta(days=300),
        registration_deadline=registration_deadline,
        nomination_deadline=nomination_deadline,
    )
    return campaign_services.campaign_launch(by=by, campaign=created)


@pytest.fixture
def campaign(org, admin_user):
    """Launched by the province over its whole tree on 01/11/2026; registration by 30/11, nominations by 31/12."""
    with _today(dt.date(2026, 11, 1)):
        return launch_campaign(
            admin_user,
            org.province,
            start=dt.date(2026, 11, 1),
            registration_deadline=dt.date(2026, 11, 30),
            nomination_deadline=dt.date(2026, 12, 31),
        )


def _today(day):
    return time_machine.travel(at(day), tick=False)


def test_officers_of_units_not_registered_get_the_reminder_once(org, campaign, officer_a, officer_b, head_a):
    Registration.objects.create(
        campaign=campaign, unit=org.unit_b, state=Registration.State.AWAITING_APPROVAL
    )  # unit B has sent its registration
    written = run_pass(at(dt.date(2026, 11, 28), 8))
    assert written[Kind.REGISTRATION_DUE] == 1
    [subject] = received(officer_a)
    assert campaign.title in subject and days_left(3, "30/11/2026") in subject
    row = Notification.objects.get(recipient=officer_a)
    assert row.link == f"/campaigns/{campaign.pk}/units/{org.unit_a.pk}/registration/"
    assert org.unit_a.name in row.body
    assert received(officer_b) == [] and received(head_a) == []
    assert run_pass(at(dt.date(2026, 11, 28), 8, 15))[Kind.REGISTRATION_DUE] == 0  # the next pass: nothing again
    run_pass(at(dt.date(2026, 12, 4), 8))  # three days overdue: the head of unit A hears of it
    assert len(received(officer_a)) == 2 and passed("30/11/2026") in received(officer_a)[1]
    [escalation] = received(head_a)
    assert campaign.title in escalation


def test_a_deadline_moved_by_an_amendment_gets_its_own_reminders(org, campaign, officer_a, admin_user):
    run_pass(at(dt.date(2026, 11, 27), 8))
    with _today(dt.date(2026, 11, 28)):
        campaign_services.campaign_amend(
            by=admin_user,
            campaign=campaign,
            reason="Lùi hạn đăng ký theo đề nghị của các đơn vị",
            registration_deadline=dt.date(2026, 12, 10),
        )
    run_pass(at(dt.date(2026, 11, 29), 8))  # 1 day before the old deadline: nothing, it is no longer the deadline
    run_pass(at(dt.date(2026, 12, 1), 8))  # past the old deadline: no overdue reminder
    assert len(received(officer_a)) == 1
    run_pass(at(dt.date(2026, 12, 8), 8))
    assert days_left(3, "10/12/2026") in received(officer_a)[-1]
    assert len(received(officer_a)) == 2


def test_an_organisation_schedule_replaces_the_default_for_its_subtree(org, campaign, officer_a):
    ReminderRule.objects.create(
        organisation=org.province, kind=Kind.REGISTRATION_DUE, days_before=[5], overdue=False, escalate_after_days=None
    )
    for day in (23, 24, 25, 26, 27, 28, 29, 30):
        run_pass(at(dt.date(2026, 11, day), 8))
    run_pass(at(dt.date(2026, 12, 10), 8))
    assert received(officer_a) == [received(officer_a)[0]] and days_left(5, "30/11/2026") in received(officer_a)[0]


# The award sources ------------------------------------------------------------------------------------------


def nomination_at(org, council, *, due_at, state=ReviewStage.State.SUBMITTED, person=None):
    nomination = Nomination.objects.create(
        person=person or factories.make_person(org.unit_a),
        award_type=AwardType.objects.get(code="LDTT"),
        year=2026,
        proposing_unit=org.unit_a,
        achievement="Hoàn thành xuất sắc nhiệm vụ.",
        state=Nomination.State.IN_APPRAISAL,
    )
    stage = ReviewStage.objects.create(nomination=nomination, council=council, order=1, state=state, due_at=due_at)
    return nomination, stage


def test_the_secretariat_gets_one_reminder_per_council_and_due_day(org, secretariat):
    head = factories.make_user("chairman")
    permissions.grant_unit_role(head, Unit.Role.HEAD, org.province)
    for hour in (9, 15, 16):
        nomination_at(org, org.council, due_at=at(dt.date(2026, 12, 4), hour))
    nomination_at(org, org.council, due_at=at(dt.date(2026, 12, 4), 10), state=ReviewStage.State.ACCEPTED)
    run_pass(at(dt.date(2026, 12, 2), 9))
    [subject] = received(secretariat)
    body = Notification.objects.get(recipient=secretariat).body
    with translation.override("vi"):
        assert body.startswith(
            ngettext(
                "%(count)d nomination waiting at %(council)s is due for appraisal on %(date)s.",
                "%(count)d nominations waiting at %(council)s are due for appraisal on %(date)s.",
                3,
            )
            % {"count": 3, "council": org.council.name, "date": "04/12/2026"}
        )
    assert days_left(3, "04/12/2026") in subject and received(head) == []
    run_pass(at(dt.date(2026, 12, 8), 9))  # overdue since the 5th, escalated after 3 days
    assert len(received(secretariat)) == 2 and len(received(head)) == 1
    assert Notification.objects.filter(recipient=secretariat).latest("pk").link == "/awards/review/?state=overdue"


def test_only_members_who_have_not_voted_are_reminded(org):
    voters = [factories.make_user(f"uyvien{n}") for n in range(3)]
    members = [factories.add_member(org.council, user) for user in voters]
    session = CouncilSession.objects.create(
        council=org.council,
        title="Phiên họp xét khen thưởng tháng 12",
        meeting_on=dt.date(2026, 12, 1),
        opens_at=at(dt.date(2026, 12, 1), 8),
        closes_at=at(dt.date(2026, 12, 3), 17),
        state=CouncilSession.State.OPEN,
        voter_ids=[member.pk for member in members],
    )
    Ballot.objects.create(session=session, member=members[0])
    run_pass(at(dt.date(2026, 12, 2), 18))
    assert received(voters[0]) == []
    for user in voters[1:]:
        [subject] = received(user)
        assert days_left(1, "17:00 03/12/2026") in subject
    assert Notification.objects.get(recipient=voters[1]).link == f"/awards/sessions/{session.pk}/ballot/"
    run_pass(at(dt.date(2026, 12, 3), 18))  # the window has closed: nothing more to tell a member
    assert len(received(voters[1])) == 1


def test_consultation_end_goes_to_the_secretariat_and_unanswered_feedback_to_the_head(org, secretariat):
    head = factories.make_user("chairman")
    permissions.grant_unit_role(head, Unit.Role.HEAD, org.province)
    consultation = Consultation.objects.create(
        council=org.council,
        title="Lấy ý kiến nhân dân đợt 1",
        days=10,
        opens_at=at(dt.date(2026, 11, 20), 0),
        closes_at=end_of_day(dt.date(2026, 11, 29)),
    )
    nomination, stage = nomination_at(org, org.council, due_at=None)
    entry = ConsultationEntry.objects.create(
        consultation=consultation,
        number=1,
        nomination=nomination,
        stage=stage,
        nominee="Nguyễn Thị Hoà",
        award_name="Lao động tiên tiến",
        year=2026,
        achievement="…",
    )
    Feedback.objects.create(entry=entry, kind=Feedback.Kind.values[0], name="Công dân", text="Ý kiến")
    run_pass(at(dt.date(2026, 11, 30), 8))
    [ended] = received(secretariat)
    assert consultation.title in ended and received(head) == []
    run_pass(at(dt.date(2026, 12, 3), 8))
    assert len(received(head)) == 1 and len(received(secretariat)) == 1


def test_a_draft_decision_reminds_the_signer(org, settings):
    from awards.models import Decision

    signer = factories.make_user("signer")
    permissions.grant_unit_role(signer, Unit.Role.SIGNER, org.province)
    settings.REMINDER_SIGNATURE_DAYS = 10
    decision = Decision.objects.create(
        issuer=org.province,
        award_type=AwardType.objects.get(code="BK_TINH"),
        place="Sông Hồng",
        title="Về việc tặng Bằng khen",
        issuer_title="CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH",
        signer_title="CHỦ TỊCH",
        signer_name="Trần Văn Minh",
        achievement="Đã có thành tích xuất sắc",
    )
    Decision.objects.filter(pk=decision.pk).update(created_at=at(dt.date(2026, 11, 20), 10))
    run_pass(at(dt.date(2026, 11, 23), 9))  # due on the 30th at 10:00: "7 days left" is the 23rd at 10:00
    assert received(signer) == []
    run_pass(at(dt.date(2026, 11, 27), 10))
    [subject] = received(signer)
    assert days_left(3, "30/11/2026") in subject
    assert Notification.objects.get(recipient=signer).link == f"/awards/decisions/{decision.pk}/"


# Exactly once, and at scale -------------------------------------------------------------------------------------


def _units_not_registered(org, campaign, count):
    for n in range(count):
        unit = factories.make_unit(parent=org.unit_b)
        officer = factories.make_user()
        permissions.grant_unit_role(officer, Unit.Role.OFFICER, unit)
        if n % 2:
            registration = Registration.objects.create(campaign=campaign, unit=unit, state=Registration.State.APPROVED)
            RegistrationTarget.objects.create(registration=registration, award_code="TTLDXS")


def test_a_pass_costs_the_same_queries_for_ten_units_or_sixty(org, campaign):
    _units_not_registered(org, campaign, 10)
    with CaptureQueriesContext(connection) as small:
        first = run_pass(at(dt.date(2026, 11, 27), 8))
    _units_not_registered(org, campaign, 50)
    with CaptureQueriesContext(connection) as large:
        second = run_pass(at(dt.date(2026, 11, 29), 8))
    assert first[Kind.REGISTRATION_DUE] == 5 and second[Kind.REGISTRATION_DUE] == 30
    assert len(large) == len(small) <= 40


@pytest.mark.django_db(transaction=True)
def test_two_passes_at_the_same_moment_give_each_reminder_once(org, campaign):
    _units_not_registered(org, campaign, 40)
    moment = at(dt.date(2026, 11, 27), 8)
    barrier, results, errors = threading.Barrier(2), [], []

    def one_pass():
        try:
            barrier.wait()
            results.append(run_pass(moment)[Kind.REGISTRATION_DUE])
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=one_pass) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [0, 20]
    assert Notification.objects.filter(kind=Kind.REGISTRATION_DUE).count() == 20
    assert ReminderDelivery.objects.count() == 20
