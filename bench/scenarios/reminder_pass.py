"""One reminder pass (notifications.reminders.run_pass) over the province (issue 8, acceptance 4: under 10 s and a
bounded number of queries), on the data of bench/reminders.py, in which every kind has work at the pass's moment:
~3,000 units with officers and heads, a campaign whose registration closes in two days, one whose nominations are
overdue, the 30,000 bench nominations and more at other councils waiting for appraisal, 200 open sessions
closing within three days, ended consultations with unanswered feedback, drafts waiting for a signature. The pass
runs at the data's reference moment (so reused data gives the same reminders) and is timed with its queries
(CaptureQueriesContext), with this process's CPU time beside the wall time (on a busy machine the wall time grows,
the CPU time much less); it runs a second time right after, which must write nothing (exactly once).

queries counts every statement of the pass: a fixed number per kind (plus one per campaign whose registration
deadline is near: other_queries, the same at every scale), and the multi-row INSERTs, which insert_statements counts
apart: on PostgreSQL one for the claims and one for the notifications of each kind that has any, whatever their
number (client-side binding has no parameter limit; SQLite takes them in batches).

Beside it, the naive way of writing the same reminders: the same sources and schedules, then for each reminder its
claim taken with get_or_create and its notification written on its own (notify_each for one message), timed on a
sample of the pass's reminders before the pass, in a transaction rolled back. ratio_vs_naive = naive ms per
reminder (writes only) / pass ms per reminder (the whole pass, reading the sources included, divided by the
reminders written): a ratio that favours the naive side.

The flush queued after each kind's commit goes to the in-memory broker (as in production, to the broker: the mail is
the outbox's job, not the pass's). The claims and notifications written are deleted afterwards, so a rerun
measures the same thing."""

import time

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from awards.models import CouncilSession, ReviewStage
from awards.reminders import OPEN_STAGES
from bench import reminders as data
from bench.context import ScenarioFailed, row
from notifications import reminders
from notifications.models import Notification, ReminderDelivery
from notifications.services import notify_each
from organizations.models import Unit

NAME = "reminder_pass"
BUDGET_SECONDS = 10.0
NAIVE_SAMPLE, NAIVE_SAMPLE_QUICK = 300, 30


def run(context) -> list[dict]:
    from thiduakt.celery import app

    marker = data.ensure_data(context.scale)
    now = data.reference_of(marker)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # the flush after commit is queued, not run inline (see the docstring)
    # Claims a killed run left (claimed at the reference moment, which no real pass uses) would hide reminders.
    ReminderDelivery.objects.filter(claimed_at=now).delete()
    claims_before = ReminderDelivery.objects.aggregate(last=Max("pk"))["last"] or 0
    notifications_before = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
    try:
        naive_per_reminder = _naive(now, NAIVE_SAMPLE_QUICK if context.scale <= 1 else NAIVE_SAMPLE)
        with CaptureQueriesContext(connection) as captured:
            started, cpu_started = time.perf_counter(), time.process_time()
            written = reminders.run_pass(now)
            seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        queries = len(captured.captured_queries)
        inserts = sum(1 for query in captured.captured_queries if query["sql"].startswith("INSERT"))
        with CaptureQueriesContext(connection) as again_captured:
            started = time.perf_counter()
            again = reminders.run_pass(now)
            again_seconds = time.perf_counter() - started
        claims = ReminderDelivery.objects.filter(pk__gt=claims_before).count()
        notifications = Notification.objects.filter(pk__gt=notifications_before).count()
    finally:
        ReminderDelivery.objects.filter(pk__gt=claims_before).delete()
        Notification.objects.filter(pk__gt=notifications_before).delete()
        app.conf.task_always_eager = eager
    total = sum(written.values())
    idle = [kind for kind, count in written.items() if not count]
    if idle:
        raise ScenarioFailed(f"{NAME}: no reminder of kind {', '.join(idle)} at {now}: the data gives them no work")
    if claims != total or notifications != total:
        raise ScenarioFailed(f"{NAME}: {total} reminders reported, {claims} claims and {notifications} notifications")
    if any(again.values()):
        raise ScenarioFailed(f"{NAME}: the second pass wrote {again}")
    per_reminder = seconds / total
    return [
        row(NAME, "units", Unit.objects.filter(valid_to__isnull=True).count(), "units"),
        row(NAME, "open_stages", ReviewStage.objects.filter(state__in=OPEN_STAGES).count(), "stages"),
        row(NAME, "open_sessions", CouncilSession.objects.filter(state=CouncilSession.State.OPEN).count(), "sessions"),
        row(NAME, "reminders_written", total, "notifications"),
        *(row(NAME, f"written.{kind}", count, "notifications") for kind, count in written.items()),
        row(NAME, "seconds", round(seconds, 3), "s"),
        row(NAME, "cpu_seconds", round(cpu_seconds, 3), "s (this process; the rest is the database and waiting)"),
        row(NAME, "queries", queries, "queries"),
        row(NAME, "insert_statements", inserts, "queries (multi-row INSERTs, of queries)"),
        row(NAME, "other_queries", queries - inserts, "queries (reads, per kind and campaign)"),
        row(NAME, "within_budget", seconds < BUDGET_SECONDS, f"< {BUDGET_SECONDS:g} s"),
        row(NAME, "second_pass_seconds", round(again_seconds, 3), "s"),
        row(NAME, "second_pass_queries", len(again_captured.captured_queries), "queries"),
        row(NAME, "second_pass_exactly_once", True, "wrote nothing"),
        row(NAME, "pass_ms_per_reminder", round(per_reminder * 1000, 3), "ms"),
        row(NAME, "naive_ms_per_reminder", round(naive_per_reminder * 1000, 3), "ms (writes only)"),
        row(NAME, "naive_extrapolated_seconds", round(naive_per_reminder * total, 2), "s"),
        row(NAME, "ratio_vs_naive", round(naive_per_reminder / per_reminder, 2), "×"),
    ]


def _naive(now, sample_size: int) -> float:
    """Seconds per reminder written one at a time, on a sample spread over every kind's reminders."""
    schedules = reminders.Schedules()
    candidates = []
    with translation.override(settings.LANGUAGE_CODE):
        for kind, source in reminders.SOURCES.items():
            for due in source(now):
                schedule = schedules.for_unit(kind, due.unit_path)
                offset = schedule.current(due.deadline, now, escalation=due.escalation)
                if offset is not None:
                    candidates.append((kind, due, offset))
        if not candidates:
            raise ScenarioFailed(f"{NAME}: no reminder is due at {now}")
        step = max(1, len(candidates) // sample_size)
        sample = candidates[::step][:sample_size]
        with transaction.atomic():
            started = time.perf_counter()
            for kind, due, offset in sample:
                _claim, created = ReminderDelivery.objects.get_or_create(
                    kind=kind,
                    target_type=due.target_type,
                    target_id=due.target_id,
                    recipient=due.recipient,
                    deadline=due.deadline,
                    offset_days=offset,
                    defaults={"claimed_at": now},
                )
                if created:
                    notify_each(kind=kind, messages=[(due.recipient, *due.message(offset))], one_per_user=False)
            seconds = time.perf_counter() - started
            transaction.set_rollback(True)
    return seconds / len(sample)
