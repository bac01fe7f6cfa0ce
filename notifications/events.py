"""What the services of other apps tell people, composed here so that those services only say that it happened.
Each function runs inside the caller's transaction and writes through services.notify; texts are stored in the
site's language (Vietnamese), whatever the language of the request that caused them."""

from collections import defaultdict

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organizations.models import Unit
from thiduakt.lib import permissions

from .models import Notification
from .services import notify, notify_each

MAX_LINKED = 1000  # awards.views.nominations.MAX_IDS


def nomination_returned(*, nomination, reasons: list[dict]) -> None:
    """The officers of the proposing unit: what to supplement, and a link to the nomination (two queries to find
    them and the nomination's label, two to write)."""
    holders = permissions.direct_role_holders([nomination.proposing_unit_id], roles={Unit.Role.OFFICER})
    users = [holder.user for holder in holders]
    if not users:
        return
    label = str(
        type(nomination).objects.select_related("award_type", "person", "unit", "household").get(pk=nomination.pk)
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Nomination returned for a supplement: %(nomination)s") % {"nomination": label}
        lines = [_("The council's secretariat returned the nomination %(nomination)s.") % {"nomination": label}]
        lines.append(_("What to supplement:"))
        lines += [f"- {reason['text']}" for reason in reasons]
        notify(
            recipients=users,
            kind=Notification.Kind.NOMINATION_RETURNED,
            subject=subject,
            body="\n".join(lines),
            link=reverse("nomination_detail", args=[nomination.pk]),
        )


def decision_issued(*, decision, nominations) -> None:
    """One notification to each officer and head of the proposing units of the decision's nominations: how many of
    their units' nominations it awards, with a link to the list of those nominations (one query to find them,
    two to write)."""
    by_unit = defaultdict(list)
    for nomination in nominations:
        by_unit[nomination.proposing_unit_id].append(nomination.pk)
    holders = permissions.direct_role_holders(by_unit.keys())
    per_user, users = defaultdict(set), {}
    for holder in holders:
        users[holder.user_id] = holder.user
        per_user[holder.user_id].add(holder.content_object_id)
    if not users:
        return
    label = decision.number_label
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Award decision %(number)s issued") % {"number": label}
        date_text = f"{decision.decided_on:%d/%m/%Y}"
        messages = []
        for user_id, units in per_user.items():
            ids = sorted(pk for unit in units for pk in by_unit[unit])
            body = ngettext(
                "Decision %(number)s of %(date)s awards %(count)d nomination of your unit.",
                "Decision %(number)s of %(date)s awards %(count)d nominations of your unit.",
                len(ids),
            ) % {"number": label, "date": date_text, "count": len(ids)}
            link = reverse("nomination_list") + "?state=awarded"
            if len(ids) <= MAX_LINKED:
                link += "&ids=" + ",".join(map(str, ids))
            messages.append((users[user_id], subject, body, link))
        notify_each(kind=Notification.Kind.DECISION_ISSUED, messages=messages)


def nominations_received(*, submission, stages) -> None:
    """The secretariat of each council that a sent letter's nominations reach first: which letter, from which unit,
    how many nominations, with a link to the review list (one query to find them, two to write)."""
    counts = defaultdict(int)
    for stage in stages:
        if stage.letter_id == submission.pk:
            counts[stage.council_id] += 1
    holders = list(permissions.secretariat_holders(counts))
    if not holders:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Proposal letter %(letter)s received from %(unit)s") % {
            "letter": str(submission),
            "unit": submission.unit.name,
        }
        messages = []
        for holder in holders:
            count = counts[holder.content_object_id]
            body = ngettext(
                "Proposal letter %(letter)s of %(unit)s brings %(count)d nomination to your council for appraisal.",
                "Proposal letter %(letter)s of %(unit)s brings %(count)d nominations to your council for appraisal.",
                count,
            ) % {"letter": str(submission), "unit": submission.unit.name, "count": count}
            messages.append((holder.user, subject, body, reverse("review_list") + "?state=submitted"))
        notify_each(kind=Notification.Kind.NOMINATIONS_RECEIVED, messages=messages)
