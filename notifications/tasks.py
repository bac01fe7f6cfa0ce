from celery import shared_task

from . import services


@shared_task(acks_late=True)
def flush_outbox_task(limit: int = 500) -> int:
    """Queued after each commit that wrote notifications, and every minute by beat: a flush lost while the broker
    was down happens at the next beat."""
    return services.flush_outbox(limit=limit)
