"""Reminder schedules per organisation ("Lịch nhắc hạn", issue 8): system admins set a unit's own schedule for a kind
of reminder, its sub-units follow it unless they have their own, a reset gives back the inherited one, and the
reminder pass sends what the schedule says."""

import html
from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from audit.models import AuditEvent
from campaigns.services import campaigns as campaign_services
from notifications import schedules
from notifications.models import Notification, ReminderDelivery, ReminderRule
from notifications.reminders import VN, Schedule, Schedules, end_of_day, run_pass
from organizations.models import Unit
from tests import factories
from thiduakt.lib import permissions

KIND = Notification.Kind.REGISTRATION_DUE


def _set(by, unit, days=(5,), overdue=False, escalate=10, kind=KIND):
    return schedules.schedule_set(
        by=by, organisation=unit, kind=kind, days_before=list(days), overdue=overdue, escalate_after_days=escalate
    )


def _entry(unit, kind=KIND):
    return next(entry for entry in schedules.effective_schedules(unit) if entry.kind == kind)


def _page_entry(response, kind=KIND):
    """(entry, form, deeper count) of the kind on the schedule page."""
    return next(row for row in response.context["rows"] if row[0].kind == kind)


@pytest.fixture
def outside(db):
    """A unit under another province: none of the schedules set on province P reach it."""
    other = factories.make_unit("Tỉnh Hà Giang", code="T02", kind=Unit.Kind.PROVINCE, level=Unit.Level.PROVINCE)
    return factories.make_unit("Sở Nội vụ Hà Giang", code="SNV2", parent=other, level=Unit.Level.PROVINCE)


# Inheritance ---------------------------------------------------------------------------------------------


def test_a_province_schedule_reaches_its_subunits_and_not_the_others(org, admin_user, outside, client):
    _set(admin_user, org.province, days=(5, 2), overdue=False, escalate=10)

    found = Schedules()
    assert found.for_unit(KIND, org.unit_a_child.path) == Schedule((5, 2), False, 10)
    assert found.for_unit(KIND, outside.path) == Schedule.default() == Schedule((7, 3, 1), True, 3)
    # Other kinds of the province keep the default.
    assert found.for_unit(Notification.Kind.VOTE_CLOSING, org.unit_a_child.path) == Schedule.default()

    client.force_login(admin_user)
    page = client.get(reverse("reminder_schedule_detail", args=[org.unit_a_child.pk]))
    assert page.status_code == 200
    entry, form, _deeper = _page_entry(page)
    assert (entry.origin, entry.source, entry.days_before) == ("ancestor", org.province, [5, 2])
    assert form["days_before"].value() == "5, 2"
    assert f'href="{reverse("reminder_schedule_detail", args=[org.province.pk])}">{org.province.name}</a>' in (
        page.content.decode()
    )
    elsewhere = client.get(reverse("reminder_schedule_detail", args=[outside.pk]))
    entry, form, _deeper = _page_entry(elsewhere)
    assert (entry.origin, entry.source, entry.days_before) == ("default", None, [7, 3, 1])
    assert form["days_before"].value() == "7, 3, 1"


def test_the_deepest_rule_wins(org, admin_user):
    _set(admin_user, org.province, days=(10,), escalate=5)
    _set(admin_user, org.unit_a, days=(4, 2), overdue=True, escalate=None)

    found = Schedules()
    assert found.for_unit(KIND, org.unit_a_child.path) == Schedule((4, 2), True, None)
    assert found.for_unit(KIND, org.unit_b.path) == Schedule((10,), False, 5)
    assert (_entry(org.unit_a).origin, _entry(org.unit_a).source) == ("own", org.unit_a)
    assert (_entry(org.unit_a_child).origin, _entry(org.unit_a_child).source) == ("ancestor", org.unit_a)
    assert (_entry(org.unit_b).origin, _entry(org.unit_b).source) == ("ancestor", org.province)
    # The province's page warns that unit A does not follow it.
    assert schedules.deeper_rule_counts(org.province) == {KIND: 1}


def test_reset_goes_back_to_the_inherited_schedule(org, admin_user, client):
    _set(admin_user, org.province, days=(10,), escalate=5)
    _set(admin_user, org.unit_a, days=(4, 2), overdue=True, escalate=None)
    client.force_login(admin_user)

    response = client.post(reverse("reminder_schedule_reset", args=[org.unit_a.pk, KIND]))
    assert response.status_code == 302
    assert Schedules().for_unit(KIND, org.unit_a_child.path) == Schedule((10,), False, 5)
    assert (_entry(org.unit_a).origin, _entry(org.unit_a).source) == ("ancestor", org.province)

    client.post(reverse("reminder_schedule_reset", args=[org.province.pk, KIND]))
    assert Schedules().for_unit(KIND, org.unit_a_child.path) == Schedule.default()
    assert not ReminderRule.objects.exists()
    page = client.get(reverse("reminder_schedule_detail", args=[org.unit_a.pk]))
    assert _page_entry(page)[0].origin == "default"


def test_reset_without_an_own_schedule_is_refused_and_changes_nothing(org, admin_user, client):
    _set(admin_user, org.province)
    events = AuditEvent.objects.count()
    client.force_login(admin_user)

    response = client.post(reverse("reminder_schedule_reset", args=[org.unit_a.pk, KIND]), follow=True)

    with translation.override("vi"):
        expected = gettext("This organisation has no schedule of its own for this kind of reminder.")
    assert expected in [str(message) for message in response.context["messages"]]
    assert ReminderRule.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_admin_sets_a_schedule_through_the_page(org, admin_user, client):
    client.force_login(admin_user)
    response = client.post(
        reverse("reminder_schedule_set", args=[org.province.pk, KIND]),
        {f"{KIND}-days_before": "14, 7 ,2", f"{KIND}-overdue": "on", f"{KIND}-escalate_after_days": "4"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('reminder_schedule_detail', args=[org.province.pk])}#kind-{KIND}"
    rule = ReminderRule.objects.get()
    assert (rule.organisation, rule.kind, rule.days_before, rule.overdue, rule.escalate_after_days) == (
        org.province,
        KIND,
        [14, 7, 2],
        True,
        4,
    )

    # No escalation, no overdue reminder: the empty field and the unticked box.
    client.post(
        reverse("reminder_schedule_set", args=[org.province.pk, KIND]),
        {f"{KIND}-days_before": "3", f"{KIND}-escalate_after_days": ""},
    )
    rule.refresh_from_db()
    assert (rule.days_before, rule.overdue, rule.escalate_after_days) == ([3], False, None)
    assert ReminderRule.objects.count() == 1


# Refusals ------------------------------------------------------------------------------------------------

MAX = 60


def _bad_inputs():
    with translation.override("vi"):
        return [
            ("7, ba", "4", "days_before", gettext("Not a whole number of days: %(values)s.") % {"values": "ba"}),
            ("7, ²", "4", "days_before", gettext("Not a whole number of days: %(values)s.") % {"values": "²"}),
            ("7, -1", "4", "days_before", gettext("Not a whole number of days: %(values)s.") % {"values": "-1"}),
            (
                "0, 3",
                "4",
                "days_before",
                gettext("Days before the deadline go from 1 to %(max)d (not %(days)s).") % {"max": MAX, "days": "0"},
            ),
            (
                "61",
                "4",
                "days_before",
                gettext("Days before the deadline go from 1 to %(max)d (not %(days)s).") % {"max": MAX, "days": "61"},
            ),
            (
                "7, 3, 7",
                "4",
                "days_before",
                gettext("Each day may be given once (repeated: %(days)s).") % {"days": "7"},
            ),
            (
                ", ".join(str(day) for day in range(1, 12)),
                "4",
                "days_before",
                gettext("Give at most %(count)d reminders before the deadline.") % {"count": 10},
            ),
            ("7", "bốn", "escalate_after_days", gettext("Not a whole number of days: %(values)s.") % {"values": "bốn"}),
            *[
                (
                    "7",
                    value,
                    "escalate_after_days",
                    gettext(
                        "The head of the unit is told from 1 to %(max)d days after the deadline, or never (leave it "
                        "empty)."
                    )
                    % {"max": MAX},
                )
                for value in ("0", "61")
            ],
        ]


@pytest.mark.parametrize(("days", "escalate", "field", "message"), _bad_inputs())
def test_bad_input_is_refused_with_its_message_and_nothing_is_saved(
    org, admin_user, client, days, escalate, field, message
):
    _set(admin_user, org.unit_a, days=(6,), escalate=2)
    events = AuditEvent.objects.count()
    client.force_login(admin_user)

    response = client.post(
        reverse("reminder_schedule_set", args=[org.unit_a.pk, KIND]),
        {f"{KIND}-days_before": days, f"{KIND}-escalate_after_days": escalate},
    )

    assert response.status_code == 400
    _entry_, form, _deeper = _page_entry(response)
    assert form.errors[field] == [message]
    assert message in html.unescape(response.content.decode())
    # What was typed is kept in the form, and the rule stays as it was.
    assert form[field].value() == (days if field == "days_before" else escalate)
    rule = ReminderRule.objects.get()
    assert (rule.days_before, rule.escalate_after_days) == ([6], 2)
    assert AuditEvent.objects.count() == events


def test_the_service_refuses_what_the_form_cannot_catch(org, admin_user):
    with pytest.raises(schedules.ScheduleError) as refused:
        _set(admin_user, org.province, days=[3, 0])
    assert refused.value.field == "days_before"
    with pytest.raises(schedules.ScheduleError):
        _set(admin_user, org.province, days=[3], kind=Notification.Kind.DECISION_ISSUED)  # not a reminder
    with pytest.raises(schedules.ScheduleError):
        _set(admin_user, org.province, days=["3"])
    with pytest.raises(schedules.ScheduleError) as refused:
        _set(admin_user, org.province, days=[3], escalate=True)
    assert refused.value.field == "escalate_after_days"
    assert not ReminderRule.objects.exists()


def test_unknown_kind_or_unit_answers_404(org, admin_user, client):
    client.force_login(admin_user)
    form = {"decision_issued-days_before": "3"}
    assert (
        client.post(reverse("reminder_schedule_set", args=[org.unit_a.pk, "decision_issued"]), form).status_code == 404
    )
    assert client.post(reverse("reminder_schedule_set", args=[999999, KIND]), {}).status_code == 404
    assert client.post(reverse("reminder_schedule_reset", args=[org.unit_a.pk, "no_such_kind"])).status_code == 404
    assert client.get(reverse("reminder_schedule_detail", args=[999999])).status_code == 404
    assert not ReminderRule.objects.exists()


@pytest.mark.parametrize("persona", ["officer_a", "head_a", "secretariat"])
def test_non_admins_are_refused(org, admin_user, as_persona, request, persona):
    _set(admin_user, org.unit_a, days=(6,))
    client = as_persona(persona)
    user = request.getfixturevalue(persona)

    assert client.get(reverse("reminder_schedule_list")).status_code == 403
    assert client.get(reverse("reminder_schedule_detail", args=[org.unit_a.pk])).status_code == 403
    form = {f"{KIND}-days_before": "1", f"{KIND}-escalate_after_days": ""}
    assert client.post(reverse("reminder_schedule_set", args=[org.unit_a.pk, KIND]), form).status_code == 403
    assert client.post(reverse("reminder_schedule_reset", args=[org.unit_a.pk, KIND])).status_code == 403
    with pytest.raises(PermissionDenied):
        _set(user, org.unit_a, days=(1,))
    with pytest.raises(PermissionDenied):
        schedules.schedule_reset(by=user, organisation=org.unit_a, kind=KIND)
    assert ReminderRule.objects.get().days_before == [6]


def test_a_member_of_the_admin_group_may_set_schedules(org):
    user = factories.make_user("quantri")
    permissions.set_system_admin(user, True)
    _set(user, org.province, days=(2,))
    assert ReminderRule.objects.get().days_before == [2]


# Audit ---------------------------------------------------------------------------------------------------


def test_each_change_is_audited_with_the_old_and_new_values(org, admin_user):
    _set(admin_user, org.province, days=(10,), overdue=True, escalate=5)
    _set(admin_user, org.unit_a, days=(4, 2), overdue=False, escalate=None)
    _set(admin_user, org.unit_a, days=(6,), overdue=False, escalate=None)
    schedules.schedule_reset(by=admin_user, organisation=org.unit_a, kind=KIND)

    events = list(AuditEvent.objects.filter(verb__startswith="reminder_schedule.").order_by("seq"))
    assert [(event.verb, event.object_type, event.object_id, event.actor) for event in events] == [
        ("reminder_schedule.set", "organizations.unit", str(org.province.pk), admin_user),
        ("reminder_schedule.set", "organizations.unit", str(org.unit_a.pk), admin_user),
        ("reminder_schedule.set", "organizations.unit", str(org.unit_a.pk), admin_user),
        ("reminder_schedule.reset", "organizations.unit", str(org.unit_a.pk), admin_user),
    ]
    default = {"days_before": [7, 3, 1], "overdue": True, "escalate_after_days": 3, "from": ""}
    province = {"days_before": [10], "overdue": True, "escalate_after_days": 5, "from": "T01"}
    first_own = {"days_before": [4, 2], "overdue": False, "escalate_after_days": None, "from": "SGD"}
    second_own = {"days_before": [6], "overdue": False, "escalate_after_days": None, "from": "SGD"}
    assert [event.data for event in events] == [
        {"kind": KIND, "old": default, "new": province},
        {"kind": KIND, "old": province, "new": first_own},
        {"kind": KIND, "old": first_own, "new": second_own},
        {"kind": KIND, "old": second_own, "new": province},
    ]


def test_the_verbs_have_labels(org):
    from audit import registry

    assert registry.verb_label("reminder_schedule.set") != "reminder_schedule.set"
    assert registry.verb_label("reminder_schedule.reset") != "reminder_schedule.reset"


# Pages ---------------------------------------------------------------------------------------------------


def test_the_list_shows_organisations_with_their_own_schedules_and_searches_them(org, admin_user, client, outside):
    _set(admin_user, org.unit_a, days=(6,))
    _set(admin_user, org.unit_a, days=(2,), kind=Notification.Kind.VOTE_CLOSING)
    _set(admin_user, outside, days=(9,))
    client.force_login(admin_user)

    page = client.get(reverse("reminder_schedule_list"))
    assert [(unit, [rule.kind for rule in rules]) for unit, rules in page.context["rows"]] == [
        (org.unit_a, [KIND, Notification.Kind.VOTE_CLOSING]),
        (outside, [KIND]),
    ]
    searched = client.get(reverse("reminder_schedule_list"), {"q": "noi vu"})  # folded: "Nội vụ"
    assert [unit for unit, _rules in searched.context["rows"]] == [outside]


def test_the_list_is_paginated(org, admin_user, client):
    units = [factories.make_unit(f"Phòng {n:02d}", parent=org.unit_b) for n in range(55)]
    for unit in units:
        ReminderRule.objects.create(organisation=unit, kind=KIND, days_before=[2])
    client.force_login(admin_user)
    first = client.get(reverse("reminder_schedule_list"))
    second = client.get(reverse("reminder_schedule_list"), {"page": 2})
    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 5
    assert {unit for unit, _ in first.context["rows"]} | {unit for unit, _ in second.context["rows"]} == set(units)


def test_the_unit_picker_opens_a_unit_by_code_or_lists_the_names_that_match(org, admin_user, client):
    client.force_login(admin_user)
    url = reverse("reminder_schedule_list")

    by_code = client.get(url, {"unit": "LQD"})
    assert by_code.status_code == 302
    assert by_code["Location"] == reverse("reminder_schedule_detail", args=[org.unit_a_child.pk])
    one_name = client.get(url, {"unit": "le quy don"})
    assert one_name["Location"] == reverse("reminder_schedule_detail", args=[org.unit_a_child.pk])
    several = client.get(url, {"unit": "Sở"})  # folded "so": "Sở ...", and "Sông Hồng" too
    assert several.status_code == 200
    assert set(several.context["candidates"]) == {org.province, org.unit_a, org.unit_b}
    nothing = client.get(url, {"unit": "Không có"})
    with translation.override("vi"):
        expected = gettext("No organisation matches %(text)s.") % {"text": "Không có"}
    assert nothing.context["picker"].errors["unit"] == [expected]


def test_the_admin_menu_links_to_the_page(org, admin_user, officer_a, client):
    client.force_login(admin_user)
    assert reverse("reminder_schedule_list") in client.get(reverse("home")).content.decode()
    client.force_login(officer_a)
    assert reverse("reminder_schedule_list") not in client.get(reverse("home")).content.decode()


def test_the_pages_run_a_fixed_number_of_queries(org, admin_user, client, django_assert_max_num_queries):
    client.force_login(admin_user)
    ReminderRule.objects.create(organisation=org.unit_b, kind=KIND, days_before=[2])
    detail = reverse("reminder_schedule_detail", args=[org.unit_a_child.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(detail)
        client.get(reverse("reminder_schedule_list"))
    for kind in schedules.reminder_kinds():
        for unit in (org.province, org.unit_a, org.unit_a_child):
            ReminderRule.objects.create(organisation=unit, kind=kind, days_before=[2])
    for _ in range(20):
        ReminderRule.objects.create(organisation=factories.make_unit(parent=org.unit_b), kind=KIND, days_before=[1])
    with CaptureQueriesContext(connection) as many:
        client.get(detail)
        client.get(reverse("reminder_schedule_list"))
    assert len(many) == len(few)
    with django_assert_max_num_queries(1):
        schedules.effective_schedules(org.unit_a_child)


# The reminder pass ---------------------------------------------------------------------------------------


def _campaign(by, unit, code, deadline):
    campaign = campaign_services.campaign_create(
        by=by, launching_unit=unit, code=code, title=f"Phong trào {code}", criteria=[("Hoàn thành nhiệm vụ", 50)],
        kind="regular", scope="subtree", period_start=timezone.localdate(), period_end=deadline + timedelta(days=200),
        registration_deadline=deadline, nomination_deadline=deadline + timedelta(days=100),
    )  # fmt: skip
    return campaign_services.campaign_launch(by=by, campaign=campaign)


def _at(day, hour=8):
    return datetime.combine(day, time(hour), tzinfo=VN)


def _offsets(user):
    return sorted(ReminderDelivery.objects.filter(kind=KIND, recipient=user).values_list("offset_days", flat=True))


def test_the_reminder_pass_follows_the_organisations_schedule(org, admin_user, officer_a, outside):
    """Province P reminds 5 days before its registration deadlines and not at 7; a province without a schedule of
    its own keeps the default 7 days."""
    officer_out = factories.make_user("officer_out")
    permissions.grant_unit_role(officer_out, Unit.Role.OFFICER, outside)
    deadline = timezone.localdate() + timedelta(days=20)
    _campaign(admin_user, org.province, "PT-P", deadline)
    _campaign(admin_user, outside.parent, "PT-HG", deadline)
    _set(admin_user, org.province, days=(5,), overdue=True, escalate=None)
    assert end_of_day(deadline) - timedelta(days=7) == _at(deadline - timedelta(days=6), hour=0)

    run_pass(_at(deadline - timedelta(days=6)))  # 7 days before, at 8:00 in Vietnam
    assert _offsets(officer_a) == []
    assert _offsets(officer_out) == [7]

    run_pass(_at(deadline - timedelta(days=4)))  # 5 days before
    assert _offsets(officer_a) == [5]
    assert _offsets(officer_out) == [7]
    assert Notification.objects.filter(recipient=officer_a, kind=KIND).count() == 1

    run_pass(_at(deadline - timedelta(days=2)))  # 3 days before: the default's moment, not the province's
    assert _offsets(officer_a) == [5]
    assert _offsets(officer_out) == [3, 7]


def test_the_unit_page_links_its_schedules_for_admins_only(client, org, admin_user, officer_a):
    link = reverse("reminder_schedule_detail", args=[org.unit_a.pk])
    client.force_login(admin_user)
    assert f'href="{link}"' in client.get(reverse("unit_detail", args=[org.unit_a.pk])).content.decode()
    client.force_login(officer_a)
    assert link not in client.get(reverse("unit_detail", args=[org.unit_a.pk])).content.decode()
