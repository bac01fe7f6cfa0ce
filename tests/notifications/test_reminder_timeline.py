"""Issue 8, acceptance 3: a whole campaign lived through with time-machine, the reminder pass run every three hours
as beat would, and each persona's reminders compared with the schedule they were configured to follow:
registration (the default 7, 3, 1 days before, overdue, the head 3 days after), nominations (the province's own
schedule: 10 and 2 days before, overdue, the head 5 days after, with the deadline moved by an amendment), a
council's appraisals and a council vote."""

import datetime as dt

import time_machine
from django.utils import translation
from django.utils.translation import ngettext

from awards.models import CouncilSession, ReviewStage
from campaigns.services import campaigns as campaign_services
from notifications.models import Notification, ReminderDelivery, ReminderRule
from notifications.reminders import VN, run_pass
from organizations.models import Unit
from tests import factories
from tests.notifications.test_reminders import launch_campaign, nomination_at
from thiduakt.lib import permissions

Kind = Notification.Kind
PASS_HOURS = range(1, 24, 3)  # 01:00, 04:00, 07:00 … 22:00


def at(day: int, month: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=VN)


def test_each_persona_receives_exactly_the_configured_reminders(
    org, admin_user, officer_a, head_a, officer_b, secretariat, member
):
    head_b = factories.make_user("head_b")
    permissions.grant_unit_role(head_b, Unit.Role.HEAD, org.unit_b)
    ReminderRule.objects.create(
        organisation=org.province, kind=Kind.NOMINATIONS_DUE, days_before=[10, 2], overdue=True, escalate_after_days=5
    )
    with time_machine.travel(at(1, 3, 0, 30), tick=False) as traveller:
        campaign = launch_campaign(
            admin_user,
            org.province,
            start=dt.date(2026, 3, 1),
            registration_deadline=dt.date(2026, 3, 20),
            nomination_deadline=dt.date(2026, 4, 30),
        )

        def unit_b_registers():
            registration = campaign_services.registration_save(
                by=officer_b, campaign=campaign, unit=org.unit_b, targets=[(org.person_b, "LDTT")]
            )
            campaign_services.registration_submit(by=officer_b, registration=registration)

        stage = None

        def a_nomination_reaches_the_council():
            nonlocal stage
            _nomination, stage = nomination_at(org, org.council, due_at=at(17, 4, 15))

        def the_secretariat_accepts_it():
            ReviewStage.objects.filter(pk=stage.pk).update(state=ReviewStage.State.ACCEPTED)

        def the_deadline_is_moved():
            campaign_services.campaign_amend(
                by=admin_user, campaign=campaign, reason="Lùi hạn nộp hồ sơ", nomination_deadline=dt.date(2026, 5, 15)
            )

        def a_vote_opens():
            CouncilSession.objects.create(
                council=org.council,
                title="Phiên họp xét khen thưởng Đại hội",
                meeting_on=dt.date(2026, 5, 5),
                opens_at=at(5, 5, 9),
                closes_at=at(8, 5, 17),
                state=CouncilSession.State.OPEN,
                voter_ids=[org.council.members.get(user=member).pk],
            )

        events = {
            at(15, 3, 14): unit_b_registers,
            at(10, 4, 9): a_nomination_reaches_the_council,
            at(17, 4, 12): the_secretariat_accepts_it,
            at(25, 4, 10, 30): the_deadline_is_moved,
            at(5, 5, 9): a_vote_opens,
        }
        day = dt.date(2026, 3, 1)
        while day <= dt.date(2026, 5, 25):
            for hour in PASS_HOURS:
                moment = dt.datetime.combine(day, dt.time(hour), tzinfo=VN)
                for when in sorted(event for event in events if moment - dt.timedelta(hours=3) < event <= moment):
                    traveller.move_to(when)
                    events[when]()
                traveller.move_to(moment)
                run_pass(moment)
            day += dt.timedelta(days=1)

    def timeline(user):
        rows = ReminderDelivery.objects.filter(recipient=user).order_by("claimed_at", "pk")
        return [(f"{row.claimed_at.astimezone(VN):%d/%m %H:%M}", row.kind, row.offset_days) for row in rows]

    assert timeline(officer_a) == [
        ("14/03 07:00", Kind.REGISTRATION_DUE, 7),
        ("18/03 07:00", Kind.REGISTRATION_DUE, 3),
        ("20/03 07:00", Kind.REGISTRATION_DUE, 1),
        ("21/03 07:00", Kind.REGISTRATION_DUE, 0),
    ]
    assert timeline(head_a) == [("24/03 07:00", Kind.REGISTRATION_DUE, -3)]
    assert timeline(officer_b) == [
        ("14/03 07:00", Kind.REGISTRATION_DUE, 7),  # registered on the 15th: nothing more about it
        ("21/04 07:00", Kind.NOMINATIONS_DUE, 10),
        ("06/05 07:00", Kind.NOMINATIONS_DUE, 10),  # the deadline moved from 30/04 to 15/05 on 25/04
        ("14/05 07:00", Kind.NOMINATIONS_DUE, 2),
        ("16/05 07:00", Kind.NOMINATIONS_DUE, 0),
    ]
    assert timeline(head_b) == [("21/05 07:00", Kind.NOMINATIONS_DUE, -5)]
    assert timeline(secretariat) == [
        ("11/04 07:00", Kind.APPRAISAL_DUE, 7),
        ("15/04 07:00", Kind.APPRAISAL_DUE, 3),
        ("17/04 07:00", Kind.APPRAISAL_DUE, 1),  # accepted at noon that day: no overdue reminder
    ]
    assert timeline(member) == [
        ("05/05 10:00", Kind.VOTE_CLOSING, 7),  # the vote opened at 09:00, less than 7 days before it closes
        ("05/05 19:00", Kind.VOTE_CLOSING, 3),
        ("07/05 19:00", Kind.VOTE_CLOSING, 1),
    ]
    assert timeline(admin_user) == []

    # Each reminder is one notification in the inbox, saying where the deadline stands.
    for user in (officer_a, head_a, officer_b, head_b, secretariat, member):
        assert Notification.objects.filter(recipient=user).count() == len(timeline(user))
    first_vote = Notification.objects.filter(recipient=member).earliest("created_at")
    with translation.override("vi"):
        left = ngettext(
            "%(count)d day left, deadline %(deadline)s", "%(count)d days left, deadline %(deadline)s", 4
        ) % {"count": 4, "deadline": "17:00 08/05/2026"}
    assert left in first_vote.subject
