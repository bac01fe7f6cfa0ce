"""Deadline reminders (issue 8): who is reminded of what, when, and exactly once.

Apps register a source per reminder kind (campaigns: registration deadline; awards: nomination deadline,
appraisal, vote, consultation, signature). At the moment of a pass a source lists what is still pending before a
deadline, as `Due` rows: one person, one target, one deadline, the unit whose organisation's schedule applies,
and whether the person acts (the officer, the secretariat, the member, the signer) or is the head of the unit told
that it is overdue.

The schedule of a kind (ReminderRule of the deepest organisation above the unit, else settings.REMINDER_DEFAULTS)
gives each track its moments: `days_before` the deadline and, when `overdue`, the deadline itself for those who
act; `escalate_after_days` after it for the heads. A moment that falls in the night waits for REMINDER_SEND_HOUR,
local time. Each person gets the latest moment reached on their track, once: a pass that runs late sends the
reminder that is current, not the ones it missed. Deadlines that are dates end at midnight after them in
Asia/Ho_Chi_Minh, whatever the server's time zone; a deadline moved by an amendment is a new deadline, so its
reminders start again.

Exactly once: a pass inserts its claims (ReminderDelivery, unique per kind, target, person, deadline and offset)
with ON CONFLICT DO NOTHING and writes notifications for the rows it inserted only, in the same transaction. A
pass run twice finds the claims taken; two passes at once queue on the unique index and the second skips what
the first committed; a pass killed mid-way rolls back whole. Mailing is the outbox's job (services.flush_outbox),
which has its own claims."""

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from thiduakt.lib.bulk import insert_missing

from .models import ReminderDelivery, ReminderRule
from .services import notify_each

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# Sources look at deadlines in this window around the pass: a schedule cannot remind earlier or escalate later.
MAX_DAYS_BEFORE = 60
MAX_DAYS_AFTER = 60


def end_of_day(day: date) -> datetime:
    """A deadline given as a date: the moment it ends, midnight after it in Vietnam."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=VN)


def local_day(moment: datetime) -> date:
    """The day (in Vietnam) of a deadline that ends a day: the day printed as "hạn …"."""
    return (moment.astimezone(VN) - timedelta(microseconds=1)).date()


def window(now: datetime) -> tuple[datetime, datetime]:
    """The deadlines a source must consider at `now`."""
    return now - timedelta(days=MAX_DAYS_AFTER + 1), now + timedelta(days=MAX_DAYS_BEFORE + 1)


@dataclass(frozen=True)
class Due:
    """One person with something pending before a deadline. `message(offset)` gives the notification's subject,
    body and link for the reminder at that offset (days left; 0 once passed; −N the escalation)."""

    target_type: str
    target_id: int
    deadline: datetime
    unit_path: str
    recipient: object
    message: Callable[[int], tuple[str, str, str]]
    escalation: bool = False


@dataclass(frozen=True)
class Schedule:
    days_before: tuple[int, ...]
    overdue: bool
    escalate_after_days: int | None

    @classmethod
    def default(cls) -> "Schedule":
        values = settings.REMINDER_DEFAULTS
        return cls(tuple(values["days_before"]), values["overdue"], values["escalate_after_days"])

    def moments(self, deadline: datetime, *, escalation: bool = False) -> list[tuple[int, datetime]]:
        """(offset, moment) of the track, earliest first."""
        if escalation:
            days = self.escalate_after_days
            return [] if days is None else [(-days, _awake(deadline + timedelta(days=days)))]
        before = sorted(set(self.days_before), reverse=True)
        moments = [(days, _awake(deadline - timedelta(days=days))) for days in before]
        if self.overdue:
            moments.append((0, _awake(deadline)))
        return moments

    def current(self, deadline: datetime, now: datetime, *, escalation: bool = False) -> int | None:
        """The offset whose moment is the latest reached at `now`, None before the first; a reminder before the
        deadline is never current once it has passed."""
        reached = [
            offset
            for offset, moment in self.moments(deadline, escalation=escalation)
            if moment <= now and (offset <= 0 or now < deadline)
        ]
        return reached[-1] if reached else None


def _awake(moment: datetime) -> datetime:
    local = moment.astimezone(VN)
    if local.hour < settings.REMINDER_SEND_HOUR:
        local = local.replace(hour=settings.REMINDER_SEND_HOUR, minute=0, second=0, microsecond=0)
    return local


class Schedules:
    """Every organisation's own schedules, read once per pass; `for_unit` walks up the unit's path."""

    def __init__(self):
        self.rules: dict[tuple[str, int], Schedule] = {
            (rule.kind, rule.organisation_id): Schedule(tuple(rule.days_before), rule.overdue, rule.escalate_after_days)
            for rule in ReminderRule.objects.all()
        }
        self.default = Schedule.default()
        self._cache: dict[tuple[str, str], Schedule] = {}

    def for_unit(self, kind: str, path: str) -> Schedule:
        key = (kind, path)
        if key not in self._cache:
            ids = [int(segment) for segment in path.split("/") if segment]
            found = next((self.rules[(kind, pk)] for pk in reversed(ids) if (kind, pk) in self.rules), None)
            self._cache[key] = found or self.default
        return self._cache[key]


def when(offset: int, deadline: datetime, *, with_time: bool = False) -> str:
    """How a reminder says where the deadline stands: "còn 3 ngày, hạn 30/11/2026", "đã quá hạn (30/11/2026)"."""
    shown = f"{deadline.astimezone(VN):%H:%M %d/%m/%Y}" if with_time else f"{local_day(deadline):%d/%m/%Y}"
    if offset > 0:
        text = ngettext(
            "%(count)d day left, deadline %(deadline)s", "%(count)d days left, deadline %(deadline)s", offset
        )
        return text % {"count": offset, "deadline": shown}
    if offset == 0:
        return _("deadline %(deadline)s has passed") % {"deadline": shown}
    return ngettext(
        "%(count)d day overdue (deadline %(deadline)s)", "%(count)d days overdue (deadline %(deadline)s)", -offset
    ) % {"count": -offset, "deadline": shown}


SOURCES: dict[str, Callable[[datetime], Iterable[Due]]] = {}


def register(kind: str, source: Callable[[datetime], Iterable[Due]]) -> None:
    """Called from an app's ready(): `source(now)` lists the Due rows of the kind."""
    SOURCES[kind] = source


def run_pass(now: datetime | None = None) -> dict[str, int]:
    """One reminder pass at `now`: for each kind, the reminders now current and not yet given are claimed and
    written to the outbox, in one transaction per kind. Returns the number written per kind."""
    now = now or timezone.now()
    schedules = Schedules()
    written = {}
    with translation.override(settings.LANGUAGE_CODE):  # texts are stored in the site's language
        for kind, source in SOURCES.items():
            written[kind] = _pass_kind(kind, source, now, schedules)
    return written


def _pass_kind(kind: str, source, now: datetime, schedules: Schedules) -> int:
    with transaction.atomic():
        candidates, offsets = {}, {}  # offsets: the current offset per schedule, deadline and track, computed once
        for due in source(now):
            schedule = schedules.for_unit(kind, due.unit_path)
            track = (schedule, due.deadline, due.escalation)
            if track not in offsets:
                offsets[track] = schedule.current(due.deadline, now, escalation=due.escalation)
            offset = offsets[track]
            if offset is not None:
                candidates.setdefault((due.target_type, due.target_id, due.recipient.pk, offset), due)
        return _claim_and_write(kind, candidates, now)


def _claim_and_write(kind: str, candidates: dict, now: datetime) -> int:
    if not candidates:
        return 0
    # (target type, target id, recipient id, offset) in key order: two passes insert in the same order.
    rows = [(kind, *key[:3], candidates[key].deadline, key[3], now) for key in sorted(candidates)]
    claimed = insert_missing(
        ReminderDelivery,
        ["kind", "target_type", "target_id", "recipient", "deadline", "offset_days", "claimed_at"],
        rows,
        returning=["target_type", "target_id", "recipient", "offset_days"],
    )
    messages = []
    for key in sorted(claimed):
        due, offset = candidates[tuple(key)], key[3]
        if offset > 0:  # a reminder given late (its target appeared after the moment) tells the days really left
            offset = min(offset, math.ceil((due.deadline - now) / timedelta(days=1)))
        messages.append((due.recipient, *due.message(offset)))
    notify_each(kind=kind, messages=messages, one_per_user=False)
    return len(messages)
