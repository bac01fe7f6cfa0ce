"""Reminder schedules per organisation (issue 8, "Lịch nhắc hạn"): system admins give an organisation its own
schedule for a kind of reminder, or take it away so that the organisation follows the schedule above it again.

The reminder pass (notifications.reminders.Schedules) applies to a unit the rule of the deepest unit above it,
itself included, that has one for the kind, else settings.REMINDER_DEFAULTS; `effective_schedules` answers the
same question for one unit and says where the answer comes from, so the page shows what the pass will do."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record
from organizations.models import Unit
from thiduakt.lib import permissions

from .models import Notification, ReminderRule
from .reminders import MAX_DAYS_AFTER, MAX_DAYS_BEFORE, SOURCES, Schedule

MAX_DAYS_VALUES = 10

VERB_LABELS = {
    "reminder_schedule.set": gettext_lazy("Reminder schedule of an organisation set"),
    "reminder_schedule.reset": gettext_lazy("Reminder schedule of an organisation reset to the inherited one"),
}


class ScheduleError(Exception):
    """A schedule refused, with a translated message; `field` names the form field it is about, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class EffectiveSchedule:
    """The schedule in force for a unit and a kind. `origin` is "own" (the unit's rule), "ancestor" (the rule of
    `source`, a unit above it) or "default" (settings.REMINDER_DEFAULTS)."""

    kind: str
    schedule: Schedule
    origin: str
    source: Unit | None = None

    @property
    def label(self) -> str:
        return Notification.Kind(self.kind).label

    @property
    def days_before(self) -> list[int]:
        return sorted(set(self.schedule.days_before), reverse=True)


def reminder_kinds() -> list[str]:
    """The kinds a reminder source is registered for, in the order of Notification.Kind."""
    return [kind for kind in Notification.Kind.values if kind in SOURCES]


def effective_schedules(organisation: Unit) -> list[EffectiveSchedule]:
    """For each reminder kind, the schedule in force for `organisation` and where it comes from. One query."""
    kinds = reminder_kinds()
    depth = {pk: index for index, pk in enumerate(organisation.ancestor_ids)}
    deepest: dict[str, ReminderRule] = {}
    rules = ReminderRule.objects.filter(organisation_id__in=list(depth), kind__in=kinds).select_related("organisation")
    for rule in rules:
        current = deepest.get(rule.kind)
        if current is None or depth[rule.organisation_id] > depth[current.organisation_id]:
            deepest[rule.kind] = rule
    result = []
    for kind in kinds:
        rule = deepest.get(kind)
        if rule is None:
            result.append(EffectiveSchedule(kind, Schedule.default(), "default"))
        else:
            origin = "own" if rule.organisation_id == organisation.pk else "ancestor"
            result.append(EffectiveSchedule(kind, _schedule_of(rule), origin, rule.organisation))
    return result


def schedule_set(
    *,
    by,
    organisation: Unit,
    kind: str,
    days_before: list[int],
    overdue: bool,
    escalate_after_days: int | None,
) -> ReminderRule:
    """Gives `organisation` its own schedule for `kind` (its sub-units follow it unless they have their own)."""
    _require_admin(by)
    _check_kind(kind)
    days = _checked_days(days_before)
    escalation = _checked_escalation(escalate_after_days)
    with transaction.atomic():
        before = _in_force_locked(organisation, kind)
        rule, _created = ReminderRule.objects.update_or_create(
            organisation=organisation,
            kind=kind,
            defaults={"days_before": days, "overdue": bool(overdue), "escalate_after_days": escalation},
        )
        audit_record(
            actor=by,
            verb="reminder_schedule.set",
            obj=organisation,
            data={"kind": kind, "old": _described(before), "new": _described(_in_force(organisation, kind))},
        )
    return rule


def schedule_reset(*, by, organisation: Unit, kind: str) -> EffectiveSchedule:
    """Takes away `organisation`'s own schedule for `kind`: it follows the schedule above it again, which is
    returned."""
    _require_admin(by)
    _check_kind(kind)
    with transaction.atomic():
        before = _in_force_locked(organisation, kind)
        if before.origin != "own":
            raise ScheduleError(_("This organisation has no schedule of its own for this kind of reminder."))
        ReminderRule.objects.filter(organisation=organisation, kind=kind).delete()
        after = _in_force(organisation, kind)
        audit_record(
            actor=by,
            verb="reminder_schedule.reset",
            obj=organisation,
            data={"kind": kind, "old": _described(before), "new": _described(after)},
        )
    return after


def organisations_with_rules():
    """Units that have a schedule of their own for some reminder kind."""
    return Unit.objects.filter(pk__in=ReminderRule.objects.filter(kind__in=reminder_kinds()).values("organisation_id"))


def own_rules_by_unit(unit_ids) -> dict[int, list[ReminderRule]]:
    """{unit pk: its own rules, in the order of the kinds}. One query."""
    order = {kind: index for index, kind in enumerate(reminder_kinds())}
    found: dict[int, list[ReminderRule]] = {}
    for rule in ReminderRule.objects.filter(organisation_id__in=list(unit_ids), kind__in=list(order)):
        found.setdefault(rule.organisation_id, []).append(rule)
    for rules in found.values():
        rules.sort(key=lambda rule: order[rule.kind])
    return found


def deeper_rule_counts(organisation: Unit) -> dict[str, int]:
    """{kind: how many units below `organisation` have their own schedule for it}: those units do not follow a
    schedule set here. One query."""
    counts: dict[str, int] = {}
    below = ReminderRule.objects.filter(
        organisation__path__startswith=organisation.path, kind__in=reminder_kinds()
    ).exclude(organisation=organisation)
    for kind in below.values_list("kind", flat=True):
        counts[kind] = counts.get(kind, 0) + 1
    return counts


# Checks -------------------------------------------------------------------------------------------------


def _require_admin(user) -> None:
    if not permissions.is_system_admin(user):
        raise PermissionDenied(_("Only system administrators set reminder schedules."))


def _check_kind(kind: str) -> None:
    if kind not in reminder_kinds():
        raise ScheduleError(_("Unknown kind of reminder: %(kind)s.") % {"kind": kind})


def _checked_days(days_before) -> list[int]:
    days = list(days_before)
    if any(isinstance(day, bool) or not isinstance(day, int) for day in days):
        raise ScheduleError(_("The days before the deadline must be whole numbers."), "days_before")
    if len(days) > MAX_DAYS_VALUES:
        raise ScheduleError(
            _("Give at most %(count)d reminders before the deadline.") % {"count": MAX_DAYS_VALUES}, "days_before"
        )
    out_of_range = [day for day in days if not 1 <= day <= MAX_DAYS_BEFORE]
    if out_of_range:
        raise ScheduleError(
            _("Days before the deadline go from 1 to %(max)d (not %(days)s).")
            % {"max": MAX_DAYS_BEFORE, "days": ", ".join(str(day) for day in out_of_range)},
            "days_before",
        )
    repeated = sorted({day for day in days if days.count(day) > 1}, reverse=True)
    if repeated:
        raise ScheduleError(
            _("Each day may be given once (repeated: %(days)s).") % {"days": ", ".join(str(day) for day in repeated)},
            "days_before",
        )
    return sorted(days, reverse=True)


def _checked_escalation(days) -> int | None:
    if days is None:
        return None
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS_AFTER:
        raise ScheduleError(
            _("The head of the unit is told from 1 to %(max)d days after the deadline, or never (leave it empty).")
            % {"max": MAX_DAYS_AFTER},
            "escalate_after_days",
        )
    return days


# The schedule in force ----------------------------------------------------------------------------------


def _in_force_locked(organisation: Unit, kind: str) -> EffectiveSchedule:
    """The schedule in force before a change, read after locking the organisation's row: two admins changing the
    same organisation's schedules queue, and each audit event's old values are the ones it replaced."""
    Unit.objects.select_for_update(no_key=True).filter(pk=organisation.pk).values_list("pk", flat=True).first()
    return _in_force(organisation, kind)


def _in_force(organisation: Unit, kind: str) -> EffectiveSchedule:
    return next(entry for entry in effective_schedules(organisation) if entry.kind == kind)


def _schedule_of(rule: ReminderRule) -> Schedule:
    return Schedule(tuple(rule.days_before), rule.overdue, rule.escalate_after_days)


def _described(entry: EffectiveSchedule) -> dict:
    return {
        "days_before": entry.days_before,
        "overdue": entry.schedule.overdue,
        "escalate_after_days": entry.schedule.escalate_after_days,
        "from": entry.source.code if entry.source else "",
    }
