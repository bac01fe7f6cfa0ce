from celery import shared_task

from . import reminders, services


@shared_task(acks_late=True)
def flush_outbox_task(limit: int = 500) -> int:
    """Queued after each commit that wrote notifications, and every minute by beat: a flush lost while the broker
    was down happens at the next beat."""
    return services.flush_outbox(limit=limit)


@shared_task(acks_late=True)
def send_reminders_task() -> dict[str, int]:
    """Beat's "send-reminders" (every 15 minutes): one reminder pass, then the outbox is mailed. Redelivered after a
    worker died, it gives nothing twice (see notifications.reminders)."""
    written = reminders.run_pass()
    services.flush_outbox(limit=10_000)
    return written
