"""The award reminders (issue 8; the engine is notifications.reminders). Each source lists, at the moment of a
pass, who still has something to do before a deadline, in a fixed number of queries:

- nominations_due: units that registered targets in a running campaign and have submitted no nomination for it
  (their officers; their heads once overdue);
- appraisal_due: nominations waiting at a council whose appraisal is due on a day (its secretariat, one reminder
  per council and day; the head of the council's unit once overdue);
- vote_closing: members of an open session who have not voted, before the window closes;
- consultation_ended: a public consultation's end (its council's secretariat; the head of the council's unit if
  feedback is still unanswered once overdue);
- signature_due: a draft decision, due REMINDER_SIGNATURE_DAYS after it was drafted (the issuer's signers; the
  head of the issuer once overdue)."""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaigns.models import Campaign, Registration, RegistrationTarget
from campaigns.reminders import RUNNING, SENT, units_due
from notifications.reminders import VN, Due, end_of_day, local_day, when, window
from organizations.models import CouncilMember, Unit
from thiduakt.lib import permissions

from .models import Ballot, Consultation, CouncilSession, Decision, Nomination, ReviewStage

OPEN_STAGES = (ReviewStage.State.SUBMITTED, ReviewStage.State.IN_APPRAISAL)
NOT_SUBMITTED = (Nomination.State.DRAFT, Nomination.State.WITHDRAWN)


def nominations_due(now) -> list[Due]:
    """Three queries: the campaigns, the registrations still owing nominations, their units' officers and heads."""
    earliest, latest = window(now)
    campaigns = {
        campaign.pk: campaign
        for campaign in Campaign.objects.filter(
            state__in=RUNNING,
            nomination_deadline__gte=local_day(earliest),
            nomination_deadline__lte=local_day(latest),
        ).select_related("launching_unit")
    }
    if not campaigns:
        return []
    submitted = Nomination.objects.filter(
        campaign_id=OuterRef("campaign_id"), proposing_unit_id=OuterRef("unit_id")
    ).exclude(state__in=NOT_SUBMITTED)
    registrations = (
        Registration.objects.filter(campaign_id__in=campaigns, state__in=SENT)
        .filter(Exists(RegistrationTarget.objects.filter(registration=OuterRef("pk"))), ~Exists(submitted))
        .select_related("unit")
        .only("campaign_id", "unit__id", "unit__name", "unit__path")
    )
    pending = defaultdict(dict)
    for registration in registrations:
        pending[campaigns[registration.campaign_id]][registration.unit.pk] = registration.unit
    return units_due(
        pending,
        deadline_of=lambda campaign: end_of_day(campaign.nomination_deadline),
        texts=_nomination_texts,
        link_of=_nomination_link,
    )


def _nomination_texts(campaign, units, offset: int) -> tuple[str, str]:
    stand = when(offset, end_of_day(campaign.nomination_deadline))
    subject = _("Award nominations for %(campaign)s: %(when)s") % {"campaign": campaign.title, "when": stand}
    lines = [
        _("These units registered emulation targets in the campaign %(campaign)s and have not submitted a nomination:")
        % {"campaign": campaign.title}
    ]
    lines += [f"- {unit.name}" for unit in units]
    lines.append(_("Nomination deadline: %(date)s.") % {"date": f"{campaign.nomination_deadline:%d/%m/%Y}"})
    return subject, "\n".join(lines)


def _nomination_link(campaign, units) -> str:
    if len(units) == 1:
        return reverse("bulk_from_registration", args=[campaign.pk, units[0].pk])
    return reverse("bulk_nomination_sources")


def appraisal_due(now) -> list[Due]:
    """Three queries: open stages counted per council and due day, the secretariats, the heads of the councils'
    units."""
    earliest, latest = window(now)
    groups = list(
        ReviewStage.objects.filter(state__in=OPEN_STAGES, due_at__gte=earliest, due_at__lte=latest)
        .values(
            "council_id", "council__name", "council__unit_id", "council__unit__path", day=TruncDate("due_at", tzinfo=VN)
        )
        .annotate(count=Count("pk"))
        .order_by()
    )
    if not groups:
        return []
    secretariat = _secretariats({group["council_id"] for group in groups})
    heads = _heads({group["council__unit_id"] for group in groups})
    rows = []
    for group in groups:
        deadline = end_of_day(group["day"])
        message = _appraisal_message(group, deadline)
        for user, escalation in [(user, False) for user in secretariat[group["council_id"]]] + [
            (user, True) for user in heads[group["council__unit_id"]]
        ]:
            rows.append(
                Due("council", group["council_id"], deadline, group["council__unit__path"], user, message, escalation)
            )
    return rows


def _appraisal_message(group, deadline):
    def message(offset: int) -> tuple[str, str, str]:
        subject = _("Nominations to appraise at %(council)s: %(when)s") % {
            "council": group["council__name"],
            "when": when(offset, deadline),
        }
        body = ngettext(
            "%(count)d nomination waiting at %(council)s is due for appraisal on %(date)s.",
            "%(count)d nominations waiting at %(council)s are due for appraisal on %(date)s.",
            group["count"],
        ) % {"count": group["count"], "council": group["council__name"], "date": f"{group['day']:%d/%m/%Y}"}
        return subject, body, reverse("review_list") + ("?state=overdue" if offset <= 0 else "")

    return message


def vote_closing(now) -> list[Due]:
    """Three queries: the open sessions closing within the window, their voting members without a ballot."""
    _earliest, latest = window(now)
    sessions = {
        session.pk: session
        for session in CouncilSession.objects.filter(
            state=CouncilSession.State.OPEN, closes_at__gt=now, closes_at__lte=latest
        ).select_related("council__unit")
    }
    if not sessions:
        return []
    voted = set(Ballot.objects.filter(session_id__in=sessions).values_list("session_id", "member_id"))
    member_ids = {member_id for session in sessions.values() for member_id in session.voter_ids}
    members = CouncilMember.objects.filter(pk__in=member_ids, user__is_active=True).select_related("user")
    users = {member.pk: member.user for member in members}
    rows = []
    for session in sessions.values():
        message = _vote_message(session)
        for member_id in session.voter_ids:
            if (session.pk, member_id) not in voted and member_id in users:
                rows.append(
                    Due("session", session.pk, session.closes_at, session.council.unit.path, users[member_id], message)
                )
    return rows


def _vote_message(session):
    def message(offset: int) -> tuple[str, str, str]:
        subject = _("Council vote %(session)s: %(when)s") % {
            "session": session.title,
            "when": when(offset, session.closes_at, with_time=True),
        }
        body = _("You have not voted yet in %(session)s of %(council)s. Voting closes at %(moment)s.") % {
            "session": session.title,
            "council": session.council.name,
            "moment": f"{session.closes_at.astimezone(VN):%H:%M %d/%m/%Y}",
        }
        return subject, body, reverse("session_ballot", args=[session.pk])

    return message


def consultation_ended(now) -> list[Due]:
    """Three queries: consultations ending within the window with their unanswered feedback, the secretariats, the
    heads of the councils' units (told only of consultations with feedback still unanswered)."""
    earliest, latest = window(now)
    consultations = list(
        Consultation.objects.filter(closes_at__gte=earliest, closes_at__lte=latest)
        .select_related("council__unit")
        .annotate(unanswered=Count("entries__feedback", filter=Q(entries__feedback__answered_at__isnull=True)))
    )
    if not consultations:
        return []
    secretariat = _secretariats({consultation.council_id for consultation in consultations})
    heads = _heads({consultation.council.unit_id for consultation in consultations})
    rows = []
    for consultation in consultations:
        message = _consultation_message(consultation)
        path = consultation.council.unit.path
        for user in secretariat[consultation.council_id]:
            rows.append(Due("consultation", consultation.pk, consultation.closes_at, path, user, message))
        if consultation.unanswered:
            for user in heads[consultation.council.unit_id]:
                rows.append(Due("consultation", consultation.pk, consultation.closes_at, path, user, message, True))
    return rows


def _consultation_message(consultation):
    def message(offset: int) -> tuple[str, str, str]:
        if offset > 0:
            subject = _("Public consultation %(title)s closes: %(when)s")
        elif offset == 0:
            subject = _("Public consultation %(title)s has ended")
        else:
            subject = _("Public consultation %(title)s: feedback still unanswered, %(when)s")
        subject %= {"title": consultation.title, "when": when(offset, consultation.closes_at, with_time=True)}
        lines = [
            _("Last day for feedback: %(date)s.") % {"date": f"{consultation.last_day:%d/%m/%Y}"},
            ngettext(
                "%(count)d comment or complaint is waiting for an answer.",
                "%(count)d comments or complaints are waiting for an answer.",
                consultation.unanswered,
            )
            % {"count": consultation.unanswered},
        ]
        if offset <= 0:
            lines.append(_("Answer the feedback and put the consultation's result before the council."))
        return subject, "\n".join(lines), reverse("consultation_detail", args=[consultation.pk])

    return message


def signature_due(now) -> list[Due]:
    """Three queries: the draft decisions due within the window, the signers and the heads of their issuers."""
    earliest, latest = window(now)
    days = timedelta(days=settings.REMINDER_SIGNATURE_DAYS)
    decisions = list(
        Decision.objects.filter(
            state=Decision.State.DRAFT, created_at__gte=earliest - days, created_at__lte=latest - days
        ).select_related("issuer", "award_type")
    )
    if not decisions:
        return []
    holders = defaultdict(list)
    roles = {Unit.Role.SIGNER, Unit.Role.HEAD}
    for holder in permissions.direct_role_holders({decision.issuer_id for decision in decisions}, roles=roles):
        holders[holder.content_object_id].append((holder.user, holder.permission.codename == Unit.Role.HEAD))
    rows = []
    for decision in decisions:
        deadline = decision.created_at + days
        message = _signature_message(decision, deadline)
        for user, escalation in holders[decision.issuer_id]:
            rows.append(Due("decision", decision.pk, deadline, decision.issuer.path, user, message, escalation))
    return rows


def _signature_message(decision, deadline):
    def message(offset: int) -> tuple[str, str, str]:
        subject = _("Draft decision waiting for signature: %(title)s, %(when)s") % {
            "title": decision.title,
            "when": when(offset, deadline),
        }
        body = _("The draft decision %(title)s (%(award)s) of %(issuer)s, drafted on %(date)s, waits to be signed.") % {
            "title": decision.title,
            "award": decision.award_type.name,
            "issuer": decision.issuer.name,
            "date": f"{decision.created_at.astimezone(VN):%d/%m/%Y}",
        }
        return subject, body, reverse("decision_detail", args=[decision.pk])

    return message


def _secretariats(council_ids) -> dict[int, list]:
    found = defaultdict(list)
    for holder in permissions.secretariat_holders(council_ids):
        found[holder.content_object_id].append(holder.user)
    return found


def _heads(unit_ids) -> dict[int, list]:
    found = defaultdict(list)
    for holder in permissions.direct_role_holders(unit_ids, roles={Unit.Role.HEAD}):
        found[holder.content_object_id].append(holder.user)
    return found
