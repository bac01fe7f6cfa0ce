"""The home page's "my work" panel: what waits for the user in nominations, with links to the lists."""

from django.db.models import Count, Q
from django.utils import timezone

from thiduakt.lib import permissions

from .models import Nomination, ReviewStage

OPEN_STAGES = (ReviewStage.State.SUBMITTED, ReviewStage.State.IN_APPRAISAL)


def work_panel(user) -> dict | None:
    """Counts for the proposer (drafts, returned for supplement) and for the secretariat (to receive, in
    appraisal, overdue); None when the user has neither kind of work. Two queries at most."""
    counts = {}
    if permissions.may_edit_somewhere(user):
        counts.update(
            Nomination.objects.filter(permissions.covered_units_q(user, field="proposing_unit__")).aggregate(
                drafts=Count("pk", filter=Q(state=Nomination.State.DRAFT)),
                returned=Count("pk", filter=Q(state=Nomination.State.RETURNED)),
            )
        )
    councils = permissions.secretariat_councils(user).values("pk")
    if permissions.is_system_admin(user) or councils.exists():
        stages = ReviewStage.objects.all()
        if not permissions.is_system_admin(user):
            stages = stages.filter(council__in=councils)
        counts.update(
            stages.aggregate(
                to_receive=Count("pk", filter=Q(state=ReviewStage.State.SUBMITTED)),
                in_appraisal=Count("pk", filter=Q(state=ReviewStage.State.IN_APPRAISAL)),
                overdue=Count("pk", filter=Q(state__in=OPEN_STAGES, due_at__lt=timezone.now())),
            )
        )
    return {"counts": counts} if counts else None
