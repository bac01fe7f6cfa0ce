"""Public consultation services (law-notes §8.4): publish a council's list of nominees for N days, take comments
and complaints from anyone, answer them, and the gate that keeps a nomination from the vote until its
consultation is over and every complaint about it answered.

Same shape as awards/nominations.py: keyword-only, one transaction, rows locked with
select_for_update(no_key=True), ConsultationError (a NominationError) with a message for the user when an action
is refused and nothing changed, one audit event per action.

Lock order: feedback (answering), then nominations by pk, then stages by pk, as the sessions do; publishing and
putting on an agenda both lock the nominations first, so one of them sees what the other did. A feedback locks
its nomination too before checking that the window is still open: a complaint sent in the last second either
commits before an agenda check reads the complaints, or finds the window closed.

The sender's address is only counted, in the cache, under a hash; it never reaches the database nor the audit
trail (whose events cannot be erased), and neither do the sender's name and contact."""

import hashlib
import re
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record
from organizations.models import Unit
from thiduakt.lib import permissions

from . import nominations as nomination_services
from . import selectors_nominations as selectors
from .models import AgendaItem, Consultation, ConsultationEntry, Feedback, Nomination, ReviewStage
from .models.consultation import MAX_DAYS
from .nominations import NominationError

Kind = Feedback.Kind
Outcome = Feedback.Outcome

NAME_MAX = 150
CONTACT_MAX = 150
TEXT_MAX = 4000
ANSWER_MAX = 4000
DEFAULT_FEEDBACK_LIMIT = "5/hour"
RATE_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
# A Vietnamese or international telephone number: digits with spaces, dots or dashes, optionally +.
PHONE = re.compile(r"^\+?[0-9][0-9 .\-]*[0-9]$")

VERB_LABELS = {
    "consultation.published": gettext_lazy("Public consultation published"),
    "consultation.feedback_received": gettext_lazy("Feedback received in a public consultation"),
    "consultation.feedback_answered": gettext_lazy("Public consultation feedback answered"),
}


class ConsultationError(NominationError):
    """A consultation action was refused; nothing changed."""


# Who acts --------------------------------------------------------------------------------------------------


def _require_secretariat(user, council) -> None:
    if permissions.is_system_admin(user) or permissions.is_secretariat(user, council):
        return
    raise ConsultationError(_("Only the secretariat of %(council)s may do this.") % {"council": council.name})


# Reading the rules -----------------------------------------------------------------------------------------


def _facts(nomination_ids) -> dict[int, dict]:
    """What the rules and the messages need of each nomination, in one query whatever the count: award, year,
    the subject's name and the path of the unit whose rules apply (selectors.subject_unit)."""
    rows = Nomination.objects.filter(pk__in=list(nomination_ids)).values(
        "pk",
        "award_type_id",
        "award_type__code",
        "award_type__name",
        "year",
        "person__full_name",
        "person__unit__path",
        "household__head_name",
        "household__unit__path",
        "unit__name",
        "unit__path",
    )
    facts = {}
    for row in rows:
        if row["person__full_name"] is not None:
            subject, path = row["person__full_name"], row["person__unit__path"]
        elif row["household__head_name"] is not None:
            subject = _("Household of %(name)s") % {"name": row["household__head_name"]}
            path = row["household__unit__path"]
        else:
            subject, path = row["unit__name"], row["unit__path"]
        facts[row["pk"]] = {
            **row,
            "label": f"{row['award_type__code']} {row['year']}: {subject}",
            "rules_unit": Unit(path=path or ""),
        }
    return facts


def required_days(facts: dict[int, dict]) -> dict[int, int]:
    """Days of public consultation the rule set in force requires, by nomination id (0: not required)."""
    if not facts:
        return {}
    index = selectors.RuleSetIndex.load(
        award_type_ids={f["award_type_id"] for f in facts.values()}, last_year=max(f["year"] for f in facts.values())
    )
    days = {}
    for pk, fact in facts.items():
        rule_set = index.in_force(award_type_id=fact["award_type_id"], unit=fact["rules_unit"], year=fact["year"])
        days[pk] = rule_set.consultation_days if rule_set is not None else 0
    return days


def required_days_for(nominations) -> dict[int, int]:
    """required_days for nomination objects or ids (the create page shows them beside each nomination)."""
    return required_days(_facts({getattr(n, "pk", n) for n in nominations}))


# The gate --------------------------------------------------------------------------------------------------


def vote_blockers(nominations) -> dict[int, str]:
    """Why nominations may not be put on an agenda or voted, by nomination id (absent: nothing stands in the
    way here; holds and states are the sessions' business): (a) a consultation of it is open, (b) a complaint
    about it is not answered, (c) its award's rules require a consultation and none of it has ended at the
    stage waiting for the council. A fixed number of queries whatever the count."""
    ids = {getattr(n, "pk", n) for n in nominations}
    if not ids:
        return {}
    facts = _facts(ids)
    now = timezone.now()
    entries = list(
        ConsultationEntry.objects.filter(nomination_id__in=ids).values(
            "nomination_id", "consultation__opens_at", "consultation__closes_at", "stage__state"
        )
    )
    open_until, ended = {}, set()
    for entry in entries:
        if entry["consultation__opens_at"] <= now < entry["consultation__closes_at"]:
            open_until[entry["nomination_id"]] = entry["consultation__closes_at"]
        elif entry["consultation__closes_at"] <= now and entry["stage__state"] == ReviewStage.State.ACCEPTED:
            ended.add(entry["nomination_id"])
    complained = set(
        Feedback.objects.filter(
            entry__nomination_id__in=ids, kind=Kind.COMPLAINT, answered_at__isnull=True
        ).values_list("entry__nomination_id", flat=True)
    )
    days = required_days(facts)
    blockers = {}
    for pk, fact in facts.items():
        values = {"nomination": fact["label"]}
        if pk in open_until:
            last_day = timezone.localtime(open_until[pk] - timedelta(microseconds=1)).date()
            blockers[pk] = _("%(nomination)s is in public consultation until %(date)s.") % {
                **values,
                "date": last_day.strftime("%d/%m/%Y"),
            }
        elif pk in complained:
            blockers[pk] = (
                _("%(nomination)s has a complaint from the public consultation that has not been answered.") % values
            )
        elif days[pk] and pk not in ended:
            blockers[pk] = _(
                "%(nomination)s needs a public consultation of %(days)s days before the vote, and none has ended."
            ) % {**values, "days": days[pk]}
    return blockers


# Publishing ------------------------------------------------------------------------------------------------


def _closing_moment(start, days: int):
    """Midnight after the last day: the list stays up for `days` whole days after today, local time."""
    last_day = timezone.localtime(start).date() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(last_day + timedelta(days=1), time.min))


def _clean_days(days, required: int) -> tuple[int, bool]:
    """(days, on demand). The rules' largest requirement, or more if asked; an on-demand consultation (no award
    on the list requires one) must say how long it lasts."""
    if days in (None, ""):
        if not required:
            raise ConsultationError(
                _("No award on the list requires a public consultation: give its length in days (1 to %(max)s).")
                % {"max": MAX_DAYS}
            )
        return required, False
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_DAYS:
        raise ConsultationError(_("The consultation lasts 1 to %(max)s days.") % {"max": MAX_DAYS})
    if days < required:
        raise ConsultationError(
            _("The rules of the awards on the list require at least %(days)s days of public consultation.")
            % {"days": required}
        )
    return days, not required


def _lock(ids: list[int]) -> list[ReviewStage]:
    """The nominations, then the stages, each by pk (the house order)."""
    nomination_ids = list(ReviewStage.objects.filter(pk__in=ids).values_list("nomination_id", flat=True))
    list(Nomination.objects.select_for_update(no_key=True).filter(pk__in=nomination_ids).order_by("pk").values("pk"))
    return list(
        ReviewStage.objects.select_for_update(no_key=True, of=("self",))
        .filter(pk__in=ids)
        .select_related(
            "nomination__award_type",
            "nomination__proposing_unit",
            "nomination__person__unit",
            "nomination__unit__parent",
            "nomination__household__unit",
        )
        .order_by("pk")
    )


def _publish_problems(council, stages: list[ReviewStage], ids: list[int], now) -> list[str]:
    found = {stage.pk: stage for stage in stages}
    nomination_ids = [stage.nomination_id for stage in stages]
    on_agenda = dict(
        AgendaItem.objects.filter(stage_id__in=list(found), active=True).values_list("stage_id", "session__title")
    )
    in_consultation = dict(
        ConsultationEntry.objects.filter(
            nomination_id__in=nomination_ids, consultation__opens_at__lte=now, consultation__closes_at__gt=now
        ).values_list("nomination_id", "consultation__title")
    )
    problems = []
    for pk in ids:
        stage = found.get(pk)
        if stage is None:
            problems.append(_("Stage %(pk)s no longer exists.") % {"pk": pk})
            continue
        values = {"nomination": str(stage.nomination)}
        if stage.council_id != council.pk:
            problems.append(_("%(nomination)s is not at this council.") % values)
        elif stage.state != ReviewStage.State.ACCEPTED or stage.nomination.state != Nomination.State.IN_COUNCIL:
            problems.append(_("%(nomination)s is not waiting for the council's vote.") % values)
        elif pk in on_agenda:
            problems.append(
                _("%(nomination)s is already on the session %(session)s.") % {**values, "session": on_agenda[pk]}
            )
        elif stage.nomination_id in in_consultation:
            problems.append(
                _("%(nomination)s is already in the public consultation %(title)s.")
                % {**values, "title": in_consultation[stage.nomination_id]}
            )
    return problems


def _public_entry(number: int, stage: ReviewStage) -> ConsultationEntry:
    """What the public reads about a nominee: name, unit, award, achievement; nothing that identifies them
    further (no code, birth date, contact, nor any key of ours)."""
    nomination = stage.nomination
    if nomination.person_id:
        nominee, unit = nomination.person.full_name, nomination.person.unit.name
    elif nomination.household_id:
        nominee, unit = str(nomination.household), nomination.household.unit.name
    else:
        nominee = nomination.unit.name
        unit = nomination.unit.parent.name if nomination.unit.parent_id else ""
    return ConsultationEntry(
        number=number,
        nomination=nomination,
        stage=stage,
        nominee=nominee,
        unit_name=unit,
        award_name=nomination.award_type.name,
        year=nomination.year,
        achievement=nomination.achievement,
    )


def _list_order(stage: ReviewStage):
    nomination = stage.nomination
    return (nomination.award_type.order, nomination.award_type.code, str(nomination.subject).casefold(), stage.pk)


def consultation_publish(*, by, council, stages, days=None, title: str) -> Consultation:
    """Publish the nominations of accepted stages at this council for public consultation, from now to the end
    of the N-th day after today (local time). N is the largest consultation_days of the rule sets in force for
    the listed awards (more if `days` asks for more); when none requires one, `days` (1 to 60) makes it an
    on-demand consultation. The list is ordered by award and name and numbered from 1; all or nothing."""
    title = (title or "").strip()
    if not title:
        raise ConsultationError(_("Give the consultation a title."))
    if len(title) > 255:
        raise ConsultationError(_("The title is too long (at most 255 characters)."))
    ids = list(dict.fromkeys(int(getattr(stage, "pk", stage)) for stage in stages))
    if not ids:
        raise ConsultationError(_("Choose at least one nomination."))
    _require_secretariat(by, council)
    with transaction.atomic():
        locked = _lock(ids)
        now = timezone.now()
        problems = _publish_problems(council, locked, ids, now)
        if problems:
            raise ConsultationError(_("Nothing was published:"), problems)
        required = max(required_days_for([stage.nomination_id for stage in locked]).values())
        days, on_demand = _clean_days(days, required)
        consultation = Consultation.objects.create(
            council=council,
            title=title,
            days=days,
            on_demand=on_demand,
            opens_at=now,
            closes_at=_closing_moment(now, days),
            published_by=by if by.is_authenticated else None,
        )
        entries = [_public_entry(number, stage) for number, stage in enumerate(sorted(locked, key=_list_order), 1)]
        for entry in entries:
            entry.consultation = consultation
        ConsultationEntry.objects.bulk_create(entries)
        audit_record(
            actor=by,
            verb="consultation.published",
            obj=consultation,
            data={
                "council": council.pk,
                "days": days,
                "on_demand": on_demand,
                "closes_at": consultation.closes_at,
                "nominations": [entry.nomination_id for entry in entries],
            },
        )
    return consultation


# Feedback from the public ----------------------------------------------------------------------------------


def feedback_limit() -> tuple[int, int]:
    """(count, seconds) from the setting CONSULTATION_FEEDBACK_LIMIT, "5/hour" by default."""
    value = str(getattr(settings, "CONSULTATION_FEEDBACK_LIMIT", DEFAULT_FEEDBACK_LIMIT))
    count, _slash, period = value.partition("/")
    try:
        count = int(count)
        seconds = RATE_PERIODS[period.strip().lower()]
    except (ValueError, KeyError):
        raise ImproperlyConfigured(
            f"CONSULTATION_FEEDBACK_LIMIT={value!r}: use <count>/<second|minute|hour|day>, e.g. 5/hour"
        ) from None
    if count < 1:
        raise ImproperlyConfigured(f"CONSULTATION_FEEDBACK_LIMIT={value!r}: the count must be at least 1")
    return count, seconds


def _rate_key(address: str) -> str:
    return "consultation:feedback:" + hashlib.sha256((address or "-").encode()).hexdigest()


def _count_sending(address: str) -> bool:
    """Count one sending from the address in the current window; False when it goes over the limit."""
    limit, window = feedback_limit()
    key = _rate_key(address)
    cache.add(key, 0, timeout=window)
    try:
        sent = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        sent = 1
    return sent <= limit


def clean_contact(contact: str, kind: str) -> str:
    contact = (contact or "").strip()
    if not contact:
        if kind == Kind.COMPLAINT:
            raise ConsultationError(_("A complaint needs a contact (email or telephone) for the answer."))
        return ""
    if len(contact) > CONTACT_MAX:
        raise ConsultationError(_("The contact is too long (at most %(max)s characters).") % {"max": CONTACT_MAX})
    if "@" in contact:
        try:
            validate_email(contact)
        except ValidationError:
            raise ConsultationError(_("Enter a valid email address or telephone number.")) from None
        return contact
    digits = re.sub(r"\D", "", contact)
    if not PHONE.match(contact) or not 9 <= len(digits) <= 15:
        raise ConsultationError(_("Enter a valid email address or telephone number."))
    return contact


def clean_feedback(*, kind: str, name: str, contact: str, text: str) -> dict:
    """The fields of a feedback, checked and trimmed, or a refusal (also used by the public form)."""
    if kind not in Kind.values:
        raise ConsultationError(_("Choose whether you send a comment or a complaint."))
    name, text = (name or "").strip(), (text or "").strip()
    if not name:
        raise ConsultationError(_("Give your name."))
    if len(name) > NAME_MAX:
        raise ConsultationError(_("The name is too long (at most %(max)s characters).") % {"max": NAME_MAX})
    if not text:
        raise ConsultationError(_("Write your comment or complaint."))
    if len(text) > TEXT_MAX:
        raise ConsultationError(_("The text is too long (at most %(max)s characters).") % {"max": TEXT_MAX})
    return {"kind": kind, "name": name, "contact": clean_contact(contact, kind), "text": text}


def feedback_submit(
    *, consultation: Consultation, entry: ConsultationEntry, kind: str, name: str, contact: str, text: str, address: str
) -> Feedback:
    """A comment or complaint from anyone, no login, while the consultation is open. At most
    CONSULTATION_FEEDBACK_LIMIT sendings per address (counted in the cache); over it, nothing is stored."""
    fields = clean_feedback(kind=kind, name=name, contact=contact, text=text)
    if entry.consultation_id != consultation.pk:
        raise ConsultationError(_("This nominee is not on the list of this consultation."))
    with transaction.atomic():
        list(Nomination.objects.select_for_update(no_key=True).filter(pk=entry.nomination_id).values("pk"))
        if not consultation.is_open(timezone.now()):
            raise ConsultationError(_("This public consultation is closed: feedback is no longer accepted."))
        if not _count_sending(address):
            raise ConsultationError(
                _("You have sent too many comments and complaints in a short time. Please try again later.")
            )
        feedback = Feedback.objects.create(entry=entry, **fields)
        audit_record(
            actor=None,
            verb="consultation.feedback_received",
            obj=consultation,
            data={"feedback": feedback.pk, "entry": entry.number, "kind": feedback.kind},
        )
    return feedback


# Answers ---------------------------------------------------------------------------------------------------


def _hold_reason(feedback: Feedback) -> str:
    quoted = feedback.text if len(feedback.text) <= 500 else feedback.text[:499] + "…"
    return _("Complaint upheld in the public consultation “%(title)s”: “%(text)s”") % {
        "title": feedback.entry.consultation.title,
        "text": quoted,
    }


def feedback_answer(*, by, feedback: Feedback, answer: str, outcome: str | None = None) -> Feedback:
    """The secretariat answers a comment, or upholds or dismisses a complaint with its answer. An upheld
    complaint puts the nomination on hold (nomination_hold, quoting the complaint); a dismissed one is resolved
    and no longer stands in the way of the vote. An answer is final."""
    answer = (answer or "").strip()
    outcome = outcome or ""
    if not answer:
        raise ConsultationError(_("Write the answer."))
    if len(answer) > ANSWER_MAX:
        raise ConsultationError(_("The answer is too long (at most %(max)s characters).") % {"max": ANSWER_MAX})
    with transaction.atomic():
        feedback = (
            Feedback.objects.select_for_update(no_key=True, of=("self",))
            .select_related("entry__consultation__council", "entry__nomination")
            .filter(pk=feedback.pk)
            .first()
        )
        if feedback is None:
            raise ConsultationError(_("The feedback no longer exists."))
        consultation = feedback.entry.consultation
        _require_secretariat(by, consultation.council)
        if feedback.answered:
            raise ConsultationError(_("This feedback has already been answered."))
        if feedback.kind == Kind.COMPLAINT and outcome not in Outcome.values:
            raise ConsultationError(_("Uphold or dismiss the complaint."))
        if feedback.kind == Kind.COMMENT and outcome:
            raise ConsultationError(_("Only a complaint is upheld or dismissed."))
        nomination = feedback.entry.nomination
        state = (
            Nomination.objects.select_for_update(no_key=True).filter(pk=nomination.pk).values_list("state", flat=True)
        ).first()
        # A second upheld complaint finds the nomination held by the first: the hold stands, with its reason.
        already_held = state == Nomination.State.ON_HOLD
        if outcome == Outcome.UPHELD and not already_held:
            nomination_services.nomination_hold(by=by, nomination=nomination, reason=_hold_reason(feedback))
        feedback.answer, feedback.outcome = answer, outcome
        feedback.answered_by = by if by.is_authenticated else None
        feedback.answered_at = timezone.now()
        feedback.save(update_fields=["answer", "outcome", "answered_by", "answered_at"])
        audit_record(
            actor=by,
            verb="consultation.feedback_answered",
            obj=nomination,
            data={
                "consultation": consultation.pk,
                "feedback": feedback.pk,
                "kind": feedback.kind,
                "outcome": outcome,
                "already_on_hold": outcome == Outcome.UPHELD and already_held,
            },
        )
    return feedback
