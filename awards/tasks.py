"""Celery tasks of the awards app: each loads ids and calls the services (STYLE §11-13).

Both are safe to run twice, concurrently or after a redelivery (acks_late: a worker that dies mid-task leaves the
message to another): the close locks the session and refuses one that is no longer open, the attachment locks it
and creates only the documents that are missing."""

import logging

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from . import minutes
from . import sessions as session_services
from .models import CouncilSession

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def attach_session_minutes(session_id: int) -> int:
    """Put a closed session's minutes and ballot-count minutes in its nominations' dossiers; how many documents
    were created (0: already there, or the session is gone)."""
    session = CouncilSession.objects.filter(pk=session_id).first()
    if session is None:
        logger.warning("attach_session_minutes: council session %s no longer exists", session_id)
        return 0
    return minutes.attach_minutes(session=session)


def due_session_ids() -> list[int]:
    """Open sessions whose voting window has ended, the longest overdue first (index session_state_closes)."""
    return list(
        CouncilSession.objects.filter(state=CouncilSession.State.OPEN, closes_at__lte=timezone.now())
        .order_by("closes_at", "pk")
        .values_list("pk", flat=True)
    )


@shared_task(acks_late=True)
def close_due_sessions() -> int:
    """Close and count every open session whose window has ended, each in its own transaction (session_close); how
    many this run closed. A session closed meanwhile by the secretariat or by another run is refused by
    session_close under its lock and skipped; a failure on one session does not keep the others open."""
    closed = 0
    for pk in due_session_ids():
        try:
            session_services.session_close(by=None, session=CouncilSession(pk=pk))
        except session_services.SessionError:
            continue
        except Exception:
            logger.exception("close_due_sessions: council session %s could not be closed", pk)
            continue
        closed += 1
    return closed


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def generate_certificates(batch_id: int) -> int:
    """Render the missing certificates of a batch's decision and build its downloads (awards/certificates.py);
    how many this run rendered. A redelivered or repeated job resumes where the last one stopped."""
    from . import certificates

    return certificates.batch_run(batch_id=batch_id)
