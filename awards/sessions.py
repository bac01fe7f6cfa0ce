"""Council session services: prepare a session, open the vote, cast secret ballots, close and count.

Same shape as awards/nominations.py: keyword-only, one transaction, rows locked with
select_for_update(no_key=True), SessionError (a NominationError) with a message for the user when an action is
refused and nothing changed, one audit event per action.

Lock order: the session first, then (through stages_record_results and the agenda checks) letters, nominations,
stages. A ballot holds a shared lock on its session row (ballots run side by side), the close an exclusive one,
so a ballot and the close never interleave: the close sees every paper whose receipt committed, and no paper
arrives after the count.

Secrecy (issue 6): the receipt (Ballot) and the paper (BallotPaper) are written in one transaction, so until
the close they share PostgreSQL's xmin and sit in the same physical order. The close rewrites every paper in
random order under new random keys in its own transaction, then vacuums the table so that the dead row
versions are gone too. No function returns counts per item before the close."""

import random
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record
from organizations.models import CouncilMember
from thiduakt.lib import bulk, permissions

from . import consultation as consultation_services
from . import nominations as nomination_services
from . import selectors_nominations as selectors
from .models import (
    AgendaItem,
    Ballot,
    BallotPaper,
    CouncilSession,
    Nomination,
    Recusal,
    ReviewStage,
    SessionAttendance,
)
from .nominations import NominationError

SessionState = CouncilSession.State
Choice = BallotPaper.Choice

# The vote rule of an award type whose rule set says nothing: secret ballot, more than half of all voting
# members, no quorum. The law leaves the current thresholds open (law-notes §7.2: [U], often 70–90 % for the
# higher titles), so this default is [U] and configurable per award type and organisation through
# AwardRuleSet.vote_rule.
DEFAULT_VOTE_RULE = {"secret": True, "threshold_pct": 50, "base": "all", "quorum_pct": 0}
BASES = ("all", "present")

VERB_LABELS = {
    "session.created": gettext_lazy("Council session created"),
    "session.items_added": gettext_lazy("Nominations put on a session's agenda"),
    "session.item_removed": gettext_lazy("Nomination taken off a session's agenda"),
    "session.attendance_set": gettext_lazy("Session attendance recorded"),
    "session.recusal_declared": gettext_lazy("Recusal declared"),
    "session.opened": gettext_lazy("Voting opened"),
    "session.closed": gettext_lazy("Voting closed and counted"),
    "ballot.cast": gettext_lazy("Ballot cast"),
}


class SessionError(NominationError):
    """A session action was refused; nothing changed."""


# Vote rules ------------------------------------------------------------------------------------------------


def _fraction(value, *, name: str) -> Fraction:
    """A share of members as an exact fraction: "2/3", or a percentage such as 50 or "66.67"."""
    try:
        share = Fraction(str(value)) if "/" in str(value) else Fraction(str(value)) / 100
    except (ValueError, ZeroDivisionError) as error:
        raise _invalid_rule(name, value) from error
    if not 0 <= share <= 1:
        raise _invalid_rule(name, value)
    return share


def _invalid_rule(name: str, value) -> SessionError:
    return SessionError(_("The vote rule has an invalid %(name)s: %(value)s.") % {"name": name, "value": value})


def freeze_vote_rule(configured: dict | None) -> dict:
    """The rule as stored on an agenda item when voting opens: the configured keys over DEFAULT_VOTE_RULE, with
    the threshold and the quorum as exact fractions ("2/3", "1/2") so that 5 of 7 passes a two-thirds rule
    and 4 of 7 does not, whatever the rounding of a percentage. `{"threshold": "2/3"}` takes precedence over
    `threshold_pct`."""
    rule = {**DEFAULT_VOTE_RULE, **(configured or {})}
    if rule["base"] not in BASES:
        raise _invalid_rule("base", rule["base"])
    threshold = _fraction(rule.get("threshold") or rule["threshold_pct"], name="threshold")
    quorum = _fraction(rule.get("quorum") or rule["quorum_pct"], name="quorum")
    return {
        "secret": bool(rule["secret"]),
        "base": rule["base"],
        "threshold": f"{threshold.numerator}/{threshold.denominator}",
        "quorum": f"{quorum.numerator}/{quorum.denominator}",
    }


def reaches(count: int, total: int, share: str) -> bool:
    """count ≥ share × total, in integers."""
    fraction = Fraction(share)
    return count * fraction.denominator >= fraction.numerator * total


def share_label(share: str) -> str:
    """ "2/3" stays "2/3"; "1/2" reads "50%", "6667/10000" "66.67%"."""
    fraction = Fraction(share)
    percent = fraction * 100
    denominator = percent.denominator
    for factor in (2, 5):
        while denominator % factor == 0:
            denominator //= factor
    if denominator != 1:
        return f"{fraction.numerator}/{fraction.denominator}"
    return f"{(Decimal(percent.numerator) / Decimal(percent.denominator)).normalize():f}%"


# Who acts and locks ----------------------------------------------------------------------------------------


def _require_secretariat(user, session: CouncilSession) -> None:
    if permissions.is_system_admin(user) or permissions.is_secretariat(user, session.council):
        return
    raise SessionError(_("Only the secretariat of %(council)s may do this.") % {"council": session.council.name})


def _lock_session(session: CouncilSession) -> CouncilSession:
    found = (
        CouncilSession.objects.select_for_update(no_key=True, of=("self",))
        .select_related("council")
        .filter(pk=session.pk)
        .first()
    )
    if found is None:
        raise SessionError(_("The council session no longer exists."))
    return found


def _share_lock_session(session: CouncilSession) -> CouncilSession:
    """A ballot's lock: FOR SHARE, so that ballots run side by side but none runs while the close (FOR NO KEY
    UPDATE) counts, and the close waits for the ballots already under way. Django's select_for_update has no
    shared mode; other databases than PostgreSQL (SQLite in `make run`) serialise writes anyway."""
    if connection.vendor != "postgresql":
        return _lock_session(session)
    table = connection.ops.quote_name(CouncilSession._meta.db_table)
    found = next(iter(CouncilSession.objects.raw(f"SELECT * FROM {table} WHERE id = %s FOR SHARE", [session.pk])), None)
    if found is None:
        raise SessionError(_("The council session no longer exists."))
    return found


def _require_draft(session: CouncilSession) -> None:
    if session.state != SessionState.DRAFT:
        raise SessionError(_("The agenda, attendance and recusals cannot change once voting has opened."))


def _draft_session(by, session: CouncilSession) -> CouncilSession:
    session = _lock_session(session)
    _require_secretariat(by, session)
    _require_draft(session)
    return session


def active_voting_members(council, on: date | None = None):
    on = on or timezone.localdate()
    return CouncilMember.objects.filter(council=council, voting=True).filter(
        Q(start__isnull=True) | Q(start__lte=on), Q(end__isnull=True) | Q(end__gte=on)
    )


def _council_members(session: CouncilSession, member_ids) -> list[CouncilMember]:
    ids = {int(pk) for pk in member_ids}
    on = session.meeting_on
    members = list(
        CouncilMember.objects.filter(council=session.council, pk__in=ids)
        .filter(Q(start__isnull=True) | Q(start__lte=on), Q(end__isnull=True) | Q(end__gte=on))
        .select_related("user")
    )
    if len(members) != len(ids):
        raise SessionError(_("Choose members of %(council)s.") % {"council": session.council.name})
    return members


# Preparing -------------------------------------------------------------------------------------------------


def session_create(*, by, council, title: str, meeting_on: date, opens_at, closes_at, remote: bool = False):
    title = (title or "").strip()
    if not title:
        raise SessionError(_("Give the session a title."))
    if closes_at <= opens_at:
        raise SessionError(_("Voting must close after it opens."))
    if not (permissions.is_system_admin(by) or permissions.is_secretariat(by, council)):
        raise SessionError(_("Only the secretariat of %(council)s may do this.") % {"council": council.name})
    with transaction.atomic():
        session = CouncilSession.objects.create(
            council=council,
            title=title,
            meeting_on=meeting_on,
            opens_at=opens_at,
            closes_at=closes_at,
            remote=remote,
            created_by=by,
        )
        audit_record(actor=by, verb="session.created", obj=session, data={"council": council.pk})
    return session


def _agenda_problems(session: CouncilSession, stages: list[ReviewStage], ids) -> list[str]:
    """Why stages cannot be voted on in this session: each must exist, be accepted at this council with its
    nomination waiting for the council (not on hold), not be on another session being prepared or open, and
    pass the public consultation gate (consultation_services.vote_blockers). session_open checks again."""
    found = {stage.pk: stage for stage in stages}
    blocked = consultation_services.vote_blockers({stage.nomination_id for stage in stages})
    busy = dict(
        AgendaItem.objects.filter(stage_id__in=list(found), active=True)
        .exclude(session=session)
        .values_list("stage_id", "session__title")
    )
    problems = []
    for pk in ids:
        stage = found.get(pk)
        if stage is None:
            problems.append(_("Stage %(pk)s no longer exists.") % {"pk": pk})
            continue
        label = str(stage.nomination)
        if stage.council_id != session.council_id:
            problems.append(_("%(nomination)s is not at this council.") % {"nomination": label})
        elif stage.state != ReviewStage.State.ACCEPTED or stage.nomination.state != Nomination.State.IN_COUNCIL:
            problems.append(_("%(nomination)s is not waiting for the council's vote.") % {"nomination": label})
        elif pk in busy:
            problems.append(
                _("%(nomination)s is already on the session %(session)s.") % {"nomination": label, "session": busy[pk]}
            )
        elif stage.nomination_id in blocked:
            problems.append(blocked[stage.nomination_id])
    return problems


def _lock_stages(ids) -> list[ReviewStage]:
    """The nominations, then the stages, each by pk (the house order; the letters are not changed here)."""
    nomination_ids = list(ReviewStage.objects.filter(pk__in=ids).values_list("nomination_id", flat=True))
    list(Nomination.objects.select_for_update(no_key=True).filter(pk__in=nomination_ids).order_by("pk").values("pk"))
    return list(
        ReviewStage.objects.select_for_update(no_key=True, of=("self",))
        .filter(pk__in=ids)
        .select_related("nomination__award_type", "nomination__person", "nomination__unit", "nomination__household")
        .order_by("pk")
    )


def session_add_items(*, by, session: CouncilSession, stages) -> list[AgendaItem]:
    """Put accepted nominations on the agenda, in the order given, after those already there; all or nothing."""
    ids = list(dict.fromkeys(int(getattr(stage, "pk", stage)) for stage in stages))
    if not ids:
        raise SessionError(_("Choose at least one nomination."))
    with transaction.atomic():
        session = _draft_session(by, session)
        locked = _lock_stages(ids)
        already = set(session.items.filter(stage_id__in=ids).values_list("stage_id", flat=True))
        ids = [pk for pk in ids if pk not in already]
        problems = _agenda_problems(session, locked, ids)
        if problems:
            raise SessionError(_("Nothing was added to the agenda:"), problems)
        last = session.items.aggregate(last=Max("order"))["last"] or 0
        items = AgendaItem.objects.bulk_create(
            AgendaItem(session=session, stage_id=pk, order=last + index) for index, pk in enumerate(ids, start=1)
        )
        audit_record(actor=by, verb="session.items_added", obj=session, data={"stages": ids})
    return items


def session_remove_item(*, by, item: AgendaItem) -> None:
    with transaction.atomic():
        session = _draft_session(by, CouncilSession(pk=item.session_id))
        deleted, _rows = AgendaItem.objects.filter(pk=item.pk, session=session).delete()
        if not deleted:
            raise SessionError(_("The item is no longer on the agenda."))
        audit_record(actor=by, verb="session.item_removed", obj=session, data={"stage": item.stage_id})


def session_set_attendance(*, by, session: CouncilSession, members) -> None:
    """The members present at the meeting (replaces what was recorded)."""
    with transaction.atomic():
        session = _draft_session(by, session)
        present = _council_members(session, [getattr(m, "pk", m) for m in members])
        session.attendance.all().delete()
        SessionAttendance.objects.bulk_create(SessionAttendance(session=session, member=m) for m in present)
        audit_record(
            actor=by, verb="session.attendance_set", obj=session, data={"members": sorted(m.pk for m in present)}
        )


def session_declare_recusal(*, by, item: AgendaItem, member: CouncilMember, reason: str) -> Recusal:
    """A conflict of interest declared before voting opens: the member does not vote on the item."""
    text = (reason or "").strip()
    if not text:
        raise SessionError(_("Give the reason for the recusal."))
    with transaction.atomic():
        session = _draft_session(by, CouncilSession(pk=item.session_id))
        (member,) = _council_members(session, [member.pk])
        if not AgendaItem.objects.filter(pk=item.pk, session=session).exists():
            raise SessionError(_("The item is no longer on the agenda."))
        recusal, created = Recusal.objects.get_or_create(item_id=item.pk, member=member, defaults={"reason": text})
        if not created:
            raise SessionError(_("%(member)s is already recused from this item.") % {"member": member.user})
        audit_record(
            actor=by,
            verb="session.recusal_declared",
            obj=session,
            data={"item": item.pk, "member": member.pk, "reason": text},
        )
    return recusal


# Opening ---------------------------------------------------------------------------------------------------


def session_open(*, by, session: CouncilSession) -> CouncilSession:
    """Freeze the agenda's vote rules (from the rule set in force for each award type, unit and year), the
    voting membership and the nominees' recusals, and open the vote."""
    with transaction.atomic():
        session = _draft_session(by, session)
        items = list(session.items.order_by("order"))
        if not items:
            raise SessionError(_("Put at least one nomination on the agenda before opening the vote."))
        if session.closes_at <= timezone.now():
            raise SessionError(_("The voting window has already ended: change it before opening the vote."))
        stages = {s.pk: s for s in _lock_stages([item.stage_id for item in items])}
        problems = _agenda_problems(session, list(stages.values()), [item.stage_id for item in items])
        if problems:
            raise SessionError(_("The vote was not opened:"), problems)
        voters = list(active_voting_members(session.council, session.meeting_on).order_by("pk"))
        if not voters:
            raise SessionError(_("%(council)s has no voting member.") % {"council": session.council.name})
        _freeze_rules(items, stages)
        _recuse_nominees(items, stages, voters)
        session.state, session.opened_at = SessionState.OPEN, timezone.now()
        session.voter_ids = [member.pk for member in voters]
        session.save(update_fields=["state", "opened_at", "voter_ids"])
        audit_record(
            actor=by,
            verb="session.opened",
            obj=session,
            data={"voters": session.voter_ids, "items": [item.pk for item in items]},
        )
    return session


def _freeze_rules(items: list[AgendaItem], stages: dict[int, ReviewStage]) -> None:
    nominations = [stages[item.stage_id].nomination for item in items]
    index = selectors.RuleSetIndex.load(
        award_type_ids={n.award_type_id for n in nominations}, last_year=max(n.year for n in nominations)
    )
    for item, nomination in zip(items, nominations, strict=True):
        rule_set = index.in_force(
            award_type_id=nomination.award_type_id, unit=selectors.subject_unit(nomination), year=nomination.year
        )
        item.vote_rule = freeze_vote_rule(rule_set.vote_rule if rule_set is not None else None)
    AgendaItem.objects.bulk_update(items, ["vote_rule"])


def _recuse_nominees(items: list[AgendaItem], stages: dict[int, ReviewStage], voters: list[CouncilMember]) -> None:
    by_user = {member.user_id: member for member in voters}
    recusals = []
    for item in items:
        person = stages[item.stage_id].nomination.person
        member = by_user.get(person.user_id) if person is not None and person.user_id else None
        if member is not None:
            recusals.append(Recusal(item=item, member=member, reason=_("The member is the nominee."), automatic=True))
    Recusal.objects.bulk_create(recusals, ignore_conflicts=True)


# Voting ----------------------------------------------------------------------------------------------------


def _voter(by, session: CouncilSession) -> CouncilMember:
    member = (
        CouncilMember.objects.filter(council=session.council, user=by, pk__in=session.voter_ids).first()
        if by is not None and by.is_authenticated
        else None
    )
    if member is None:
        raise SessionError(_("Only the voting members of %(council)s may vote.") % {"council": session.council.name})
    return member


def ballot_items(session: CouncilSession, member: CouncilMember) -> list[AgendaItem]:
    """The items a member votes on: the agenda without those the member is recused from."""
    return list(session.items.exclude(recusals__member=member).order_by("order"))


def ballot_cast(*, by, session: CouncilSession, choices: dict) -> None:
    """One member's whole, final ballot for the session: {item id: agree | disagree | abstain} for every item the
    member is not recused from. Writes the receipt and the anonymous paper; a second ballot is refused (the
    receipt's unique constraint decides when two arrive at once)."""
    try:
        _cast(by=by, session=session, choices=choices)
    except IntegrityError as error:
        raise SessionError(_("You have already voted in this session: a ballot is final.")) from error


def _cast(*, by, session: CouncilSession, choices: dict) -> None:
    # No savepoint around the receipt: the close's rewrite must be the only thing that separates the paper from
    # its receipt; a failed insert of the receipt rolls back the whole ballot.
    with transaction.atomic():
        session = _share_lock_session(session)
        if session.state != SessionState.OPEN:
            raise SessionError(_("Voting is not open in this session."))
        now = timezone.now()
        if not session.opens_at <= now < session.closes_at:
            raise SessionError(_("The voting window is closed."))
        member = _voter(by, session)
        if Ballot.objects.filter(session=session, member=member).exists():
            raise SessionError(_("You have already voted in this session: a ballot is final."))
        papers = _clean_choices(choices, ballot_items(session, member))
        Ballot.objects.create(session=session, member=member)
        bulk.insert_rows(
            BallotPaper,
            ["id", "session", "item", "choice"],
            ((uuid.uuid4(), session.pk, item_id, choice) for item_id, choice in papers),
        )
        # Who voted, never what.
        audit_record(actor=by, verb="ballot.cast", obj=session, data={"member": member.pk})


def _clean_choices(choices: dict, items: list[AgendaItem]) -> list[tuple[int, str]]:
    """[(item id, choice)] for exactly the member's items, or a refusal."""
    expected = {str(item.pk): item.pk for item in items}
    given = {str(key): value for key, value in (choices or {}).items()}
    if set(given) != set(expected):
        raise SessionError(_("Vote on every item of the agenda that you are not recused from, and on nothing else."))
    if any(value not in Choice.values for value in given.values()):
        raise SessionError(_("Choose agree, disagree or abstain for each item."))
    return [(item_id, given[key]) for key, item_id in expected.items()]


def session_progress(session: CouncilSession) -> tuple[int, int]:
    """(members who voted, voting members): all anyone sees while the vote is open."""
    voted = Ballot.objects.filter(session=session).count()
    if session.state == SessionState.DRAFT:
        return voted, active_voting_members(session.council, session.meeting_on).count()
    return voted, len(session.voter_ids)


# Closing ---------------------------------------------------------------------------------------------------


@dataclass
class _Count:
    agree: int = 0
    disagree: int = 0
    abstain: int = 0

    @property
    def cast(self) -> int:
        return self.agree + self.disagree + self.abstain


def session_close(*, by, session: CouncilSession) -> CouncilSession:
    """Count the papers and record each item's result; `by` None is the scheduled close at the end of the
    window. Quorum per item's rule (members present or who voted, of all voting members); each item passes when
    agree ≥ threshold × base (base "all": voting members not recused; "present": papers with the item). The
    papers are then rewritten (see the module docstring) and the nominations move on."""
    with transaction.atomic():
        session = _lock_session(session)
        if by is not None:
            _require_secretariat(by, session)
        if session.state != SessionState.OPEN:
            raise SessionError(_("Voting is not open in this session."))
        if by is None and timezone.now() < session.closes_at:
            raise SessionError(_("The voting window has not ended yet."))
        items = list(session.items.select_related("stage__nomination").order_by("order"))
        voters = set(session.voter_ids)
        recused = _recused_by_item(items, voters)
        papers = list(BallotPaper.objects.filter(session=session).values_list("item_id", "choice"))
        counts = tally(papers, items)
        participants = _participants(session, voters)
        for item in items:
            _decide(item, counts[item.pk], len(voters - recused[item.pk]), len(participants), len(voters))
        _rewrite_papers(session, papers)
        _apply_results(by, items)
        bulk.update_rows(items, ["active", "agree", "disagree", "abstain", "eligible_voters", "passed", "result_note"])
        session.state, session.closed_at = SessionState.CLOSED, timezone.now()
        session.result_note = _session_note(items, len(participants), len(voters))
        session.save(update_fields=["state", "closed_at", "result_note"])
        audit_record(
            actor=by,
            verb="session.closed",
            obj=session,
            data={"papers": len(papers), "participants": len(participants), "voters": len(voters)},
        )
        transaction.on_commit(_vacuum_papers)
        # The minutes are rendered by a worker, never inside the close (awards/minutes.py). Robust: the close has
        # committed; a broker that is down must not turn it into an error page (the task is logged as not sent).
        from . import tasks  # tasks imports this module

        transaction.on_commit(lambda pk=session.pk: tasks.attach_session_minutes.delay(pk), robust=True)
    return session


def _recused_by_item(items: list[AgendaItem], voters: set[int]) -> dict[int, set[int]]:
    recused = {item.pk: set() for item in items}
    rows = Recusal.objects.filter(item__in=items, member_id__in=voters).values_list("item_id", "member_id")
    for item_id, member_id in rows:
        recused[item_id].add(member_id)
    return recused


def tally(papers: list[tuple[int, str]], items: list[AgendaItem]) -> dict[int, _Count]:
    """One pass over the papers (item id, choice)."""
    counts = {item.pk: _Count() for item in items}
    for item_id, choice in papers:
        count = counts[item_id]
        setattr(count, choice, getattr(count, choice) + 1)
    return counts


def _participants(session: CouncilSession, voters: set[int]) -> set[int]:
    """Voting members who took part: present at the meeting, or who sent a ballot (remote voting, or an absent
    member's written vote: law-notes §7.2)."""
    present = set(session.attendance.values_list("member_id", flat=True))
    voted = set(Ballot.objects.filter(session=session).values_list("member_id", flat=True))
    return (present | voted) & voters


def _decide(item: AgendaItem, count: _Count, not_recused: int, participants: int, voters: int) -> None:
    rule = item.vote_rule
    item.active = False
    item.agree, item.disagree, item.abstain = count.agree, count.disagree, count.abstain
    base = not_recused if rule["base"] == "all" else count.cast
    item.eligible_voters = base
    if not reaches(participants, voters, rule["quorum"]):
        item.passed = None
        item.result_note = _("No quorum: %(present)s of %(voters)s members took part, %(quorum)s required.") % {
            "present": participants,
            "voters": voters,
            "quorum": share_label(rule["quorum"]),
        }
        return
    item.passed = base > 0 and reaches(count.agree, base, rule["threshold"])
    values = {"agree": count.agree, "base": base, "threshold": share_label(rule["threshold"])}
    if item.passed:
        item.result_note = _("%(agree)s/%(base)s members agreed, reaching %(threshold)s.") % values
    else:
        item.result_note = _("%(agree)s/%(base)s members agreed, short of %(threshold)s.") % values


def _rewrite_papers(session: CouncilSession, papers: list[tuple[int, str]]) -> None:
    """Delete every paper and insert them again in random order under new random keys, in the close's
    transaction: afterwards every paper carries this transaction's xmin and a physical position that says
    nothing about when its voter voted."""
    shuffled = list(papers)
    random.SystemRandom().shuffle(shuffled)
    BallotPaper.objects.filter(session=session).delete()
    bulk.insert_rows(
        BallotPaper,
        ["id", "session", "item", "choice"],
        ((uuid.uuid4(), session.pk, item_id, choice) for item_id, choice in shuffled),
    )


def _apply_results(by, items: list[AgendaItem]) -> None:
    """The nominations move on, all in one batch. An item whose nomination changed state during the vote (put on
    hold after a complaint) keeps its count, is marked not applied, and its nomination stays where it is."""
    decided = {item.stage_id: item for item in items if item.passed is not None}
    result = nomination_services.stages_record_results(
        by=by,
        results={
            stage_id: (
                item.passed,
                "" if item.passed else item.result_note,
                {
                    "session": item.session_id,
                    "item": item.pk,
                    "agree": item.agree,
                    "disagree": item.disagree,
                    "abstain": item.abstain,
                    "eligible_voters": item.eligible_voters,
                },
            )
            for stage_id, item in decided.items()
        },
    )
    for stage_id in result.refused:
        item = decided[stage_id]
        item.passed = None
        item.result_note = _("%(note)s Not applied: the nomination changed state during the vote.") % {
            "note": item.result_note
        }


def _session_note(items: list[AgendaItem], participants: int, voters: int) -> str:
    values = {"present": participants, "voters": voters}
    if not any(reaches(participants, voters, item.vote_rule["quorum"]) for item in items):
        return (
            _(
                "No quorum: %(present)s of %(voters)s members took part. Nothing was decided; the nominations "
                "wait for a new session."
            )
            % values
        )
    return _("%(present)s of %(voters)s voting members took part.") % values


def _vacuum_papers() -> None:
    """VACUUM removes the deleted row versions of the papers (which kept their voters' transaction ids). It cannot
    run inside a transaction block: a new connection of the database driver, in autocommit mode, does it."""
    if connection.vendor != "postgresql":
        return
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.autocommit = True
        with raw.cursor() as cursor:
            cursor.execute(f"VACUUM {connection.ops.quote_name(BallotPaper._meta.db_table)}")
    finally:
        raw.close()
