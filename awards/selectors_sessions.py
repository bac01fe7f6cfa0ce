"""Reads for the council session pages: which sessions a user may see and in which capacity, the agenda with its
nominees and recusals, the nominations waiting to be put on an agenda, the voting members.

Nothing here reads a ballot paper. The only counts per item are those the close wrote on the agenda items
(AgendaItem.agree ...), and the pages show them once the session is closed; while it is open, the secretariat
sees how many members have voted (awards.sessions.session_progress) and nothing else."""

from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import Council, CouncilMember
from thiduakt.lib import permissions
from thiduakt.lib.vn import fold

from .models import AgendaItem, Ballot, CouncilSession, Nomination, Recusal, ReviewStage
from .sessions import active_voting_members, share_label

NOMINATION_RELATED = (
    "nomination__award_type",
    "nomination__person__unit",
    "nomination__unit",
    "nomination__household__unit",
    "nomination__proposing_unit",
)
AGENDA_RELATED = tuple(f"stage__{name}" for name in NOMINATION_RELATED)


# Who sees what ---------------------------------------------------------------------------------------------


def sitting_member_councils(user):
    """Ids of the councils on which the user sits today (any role, voting or not)."""
    today = timezone.localdate()
    return (
        CouncilMember.objects.filter(user=user)
        .filter(Q(start__isnull=True) | Q(start__lte=today), Q(end__isnull=True) | Q(end__gte=today))
        .values("council_id")
    )


def visible_sessions(user):
    """Admins: every session; a secretariat: its councils' sessions; a member: the sessions of the councils the
    member sits on; anyone else: none."""
    sessions = CouncilSession.objects.select_related("council")
    if permissions.is_system_admin(user):
        return sessions
    if not user.is_authenticated:
        return sessions.none()
    return sessions.filter(
        Q(council__in=permissions.secretariat_councils(user).values("pk"))
        | Q(council__in=sitting_member_councils(user))
    )


def visible_councils(user):
    """The councils whose sessions the user may see, for the list's filter."""
    councils = Council.objects.order_by("name")
    if permissions.is_system_admin(user):
        return councils
    return councils.filter(
        Q(pk__in=permissions.secretariat_councils(user).values("pk")) | Q(pk__in=sitting_member_councils(user))
    )


def councils_to_prepare(user):
    """The councils for which the user may create a session: all for admins, else the secretariat's."""
    if permissions.is_system_admin(user):
        return Council.objects.filter(dissolved_on__isnull=True).order_by("name")
    return permissions.secretariat_councils(user).filter(dissolved_on__isnull=True).order_by("name")


def membership(user, session: CouncilSession) -> CouncilMember | None:
    """The user's seat in the session's council: a voting member frozen at the opening, or (before it, or for a
    member who does not vote) a member sitting today. A voting seat comes first."""
    if not user.is_authenticated:
        return None
    today = timezone.localdate()
    sitting = (Q(start__isnull=True) | Q(start__lte=today)) & (Q(end__isnull=True) | Q(end__gte=today))
    return (
        CouncilMember.objects.filter(council=session.council, user=user)
        .filter(Q(pk__in=session.voter_ids) | sitting)
        .order_by("-voting", "pk")
        .first()
    )


def is_voter(member: CouncilMember | None, session: CouncilSession) -> bool:
    """Does the member vote in this session? Before the opening: a voting member sitting on the meeting date."""
    if member is None:
        return False
    if session.state == CouncilSession.State.DRAFT:
        on = session.meeting_on
        return (
            member.voting and (member.start is None or member.start <= on) and (member.end is None or member.end >= on)
        )
    return member.pk in session.voter_ids


def has_voted(member: CouncilMember | None, session: CouncilSession) -> bool:
    return member is not None and Ballot.objects.filter(session=session, member=member).exists()


# Lists -----------------------------------------------------------------------------------------------------


def filter_sessions(sessions, data: dict):
    if data.get("council"):
        sessions = sessions.filter(council=data["council"])
    if data.get("state"):
        sessions = sessions.filter(state=data["state"])
    if data.get("year"):
        sessions = sessions.filter(meeting_on__year=data["year"])
    if data.get("q"):
        sessions = sessions.filter(title__icontains=data["q"].strip())
    return sessions.annotate(item_count=Count("items")).order_by("-meeting_on", "-pk")


def waiting_stages(session: CouncilSession):
    """Stages that may go on this session's agenda: accepted at its council, the nomination waiting for the
    council (not on hold, not in public consultation), and not on the agenda of a session being prepared or
    open (this one included)."""
    busy = AgendaItem.objects.filter(stage=OuterRef("pk"), active=True)
    return ReviewStage.objects.filter(
        council=session.council,
        state=ReviewStage.State.ACCEPTED,
        nomination__state=Nomination.State.IN_COUNCIL,
    ).exclude(Exists(busy))


def filter_waiting(stages, data: dict):
    if data.get("award_type"):
        stages = stages.filter(nomination__award_type=data["award_type"])
    if data.get("unit"):
        stages = stages.filter(nomination__proposing_unit=data["unit"])
    if data.get("year"):
        stages = stages.filter(nomination__year=data["year"])
    query = (data.get("q") or "").strip()
    if query:
        folded = fold(query)
        stages = stages.filter(
            Q(nomination__person__search_name__contains=folded)
            | Q(nomination__person__code__iexact=query)
            | Q(nomination__unit__search_name__contains=folded)
            | Q(nomination__household__search_name__contains=folded)
        )
    return stages.select_related(*NOMINATION_RELATED).order_by(
        "nomination__award_type__order", "nomination__proposing_unit__code", "pk"
    )


def waiting_choices(session: CouncilSession) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The award types and proposing units among the waiting stages, for the agenda page's filters (two queries)."""
    stages = waiting_stages(session)
    awards = (
        stages.values_list("nomination__award_type__code", "nomination__award_type__name")
        .distinct()
        .order_by("nomination__award_type__code")
    )
    units = (
        stages.values_list("nomination__proposing_unit_id", "nomination__proposing_unit__name")
        .distinct()
        .order_by("nomination__proposing_unit__name")
    )
    return [(code, f"{code} · {name}") for code, name in awards], [(str(pk), name) for pk, name in units]


# One session -----------------------------------------------------------------------------------------------


def agenda(session: CouncilSession) -> list[AgendaItem]:
    """The items in order, with their nominees and recusals (two queries whatever the length of the agenda)."""
    recusals = Recusal.objects.select_related("member__user").order_by("automatic", "member__user__last_name", "pk")
    return list(
        session.items.select_related(*AGENDA_RELATED)
        .prefetch_related(Prefetch("recusals", queryset=recusals))
        .order_by("order")
    )


def voting_members(session: CouncilSession) -> list[CouncilMember]:
    """Before the opening, the voting members sitting on the meeting date; after it, those frozen at the opening."""
    if session.state == CouncilSession.State.DRAFT:
        members = active_voting_members(session.council, session.meeting_on)
    else:
        members = CouncilMember.objects.filter(pk__in=session.voter_ids)
    return list(members.select_related("user").order_by("role", "user__last_name", "user__first_name", "pk"))


def nominee_unit(nomination: Nomination):
    """The unit a nominee belongs to (a unit nominated is its own unit)."""
    if nomination.person_id:
        return nomination.person.unit
    if nomination.household_id:
        return nomination.household.unit
    return nomination.unit


@dataclass(frozen=True)
class RuleLabel:
    secret: bool
    text: str


def rule_label(rule: dict) -> RuleLabel | None:
    """A frozen vote rule in words: "2/3 of all voting members not recused", "50% of the votes cast"."""
    if not rule:
        return None
    share = share_label(rule["threshold"])
    if rule["base"] == "all":
        text = _("%(share)s of the voting members not recused") % {"share": share}
    else:
        text = _("%(share)s of the votes cast") % {"share": share}
    if Fraction(rule.get("quorum", "0")) > 0:
        text = _("%(rule)s; quorum %(quorum)s") % {"rule": text, "quorum": share_label(rule["quorum"])}
    return RuleLabel(secret=bool(rule.get("secret")), text=text)
