"""Nomination services: a nomination from draft through its proposal letter to the councils on its route.

Each action is one function, keyword-only. The shape is pretix's approve_order: inside one transaction lock the
rows (select_for_update(no_key=True)), check who acts and the current state, raise NominationError with a message
for the user when the move is not allowed (nothing has changed then), save the fields, write the audit event.

Lock order, everywhere: the proposing unit's letter, then nominations (by pk), then stages (by pk), then the
issuing unit when a letter is numbered. A stage action on a nomination in a letter locks the letter first, so
receiving and recalling queue on it.

Who acts: the proposing side through unit roles covering the proposing unit (officers and heads prepare; only
heads send, recall and resubmit: what leaves the unit is the head's act); the reviewing side is the secretariat
of the stage's council. System admins may do everything."""

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record, audit_record_many
from awards import eligibility
from notifications import events as notification_events
from organizations.models import Household, Person, Unit
from thiduakt.lib import bulk, permissions

from . import selectors_nominations as selectors
from .models import AwardType, DossierDocument, Nomination, NominationRevision, ReviewStage, Submission
from .models.catalogue import AwardKind
from .models.nominations import ENDED_STATES
from .routes import RouteError, compute_route

State = Nomination.State
StageState = ReviewStage.State

# Days a secretariat has to receive and appraise a dossier, per procedure. The law leaves current SLAs open
# (law-notes §8.3: old rule 10 working days; §8.2: simplified procedure, shorter); to be moved to per-level
# configuration when it exists.
APPRAISAL_WORKING_DAYS = {Nomination.Procedure.NORMAL: 10, Nomination.Procedure.SIMPLIFIED: 5}
SUBMISSION_SYMBOL = "TTr-{code}"

PREPARERS = permissions.EDITOR_ROLES
HEADS = frozenset({Unit.Role.HEAD})
# The dossier is the proposing unit's to change before it leaves and when it comes back for a supplement.
EDITABLE = frozenset({State.DRAFT, State.RETURNED})
# A hold freezes a nomination on its way; not one still with its unit, nor one whose way has ended.
HOLDABLE = frozenset({State.SUBMITTED, State.IN_APPRAISAL, State.IN_CONSULTATION, State.IN_COUNCIL, State.FORWARDED})
# Nominations that no longer count when the same subject is proposed again for the same title and year.
ENDED = frozenset(State(state) for state in ENDED_STATES)
UPDATABLE_FIELDS = frozenset({"achievement", "justification", "kind", "procedure", "campaign", "year", "award_type"})
SNAPSHOT_FIELDS = ("award_type", "year", "kind", "procedure", "campaign", "achievement", "justification")

VERB_LABELS = {
    "nomination.created": gettext_lazy("Nomination created"),
    "nomination.updated": gettext_lazy("Nomination changed"),
    "nomination.added_to_letter": gettext_lazy("Nomination added to a proposal letter"),
    "nomination.submitted": gettext_lazy("Nomination submitted"),
    "nomination.recalled": gettext_lazy("Nomination recalled with its letter"),
    "nomination.received": gettext_lazy("Nomination received by the secretariat"),
    "nomination.accepted": gettext_lazy("Nomination accepted for the council"),
    "nomination.returned": gettext_lazy("Nomination returned for supplement"),
    "nomination.rejected": gettext_lazy("Nomination rejected"),
    "nomination.resubmitted": gettext_lazy("Nomination resubmitted after a supplement"),
    "nomination.held": gettext_lazy("Nomination put on hold"),
    "nomination.released": gettext_lazy("Nomination released from hold"),
    "submission.created": gettext_lazy("Proposal letter created"),
    "submission.sent": gettext_lazy("Proposal letter sent"),
    "submission.recalled": gettext_lazy("Proposal letter recalled"),
    "submission.forwarded": gettext_lazy("Forwarding letter sent"),
    "nomination.passed": gettext_lazy("Nomination passed by the council"),
    "nomination.not_passed": gettext_lazy("Nomination not passed by the council"),
    "nomination.forwarded": gettext_lazy("Nomination forwarded to the next level"),
}


class NominationError(Exception):
    """An action was refused and nothing changed. The message is for the user; `problems` lists each reason
    (one line per nomination and cause when a whole letter is refused)."""

    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = problems or []
        super().__init__("\n".join([message, *self.problems]) if self.problems else message)


# Who acts --------------------------------------------------------------------------------------------------


def _require_unit_role(user, unit: Unit, roles: frozenset, message: str) -> None:
    if permissions.is_system_admin(user):
        return
    if not permissions.unit_roles(user, unit) & roles:
        raise NominationError(message % {"unit": unit.name})


def _require_preparer(user, unit: Unit) -> None:
    _require_unit_role(user, unit, PREPARERS, _("Only an emulation officer or the head of %(unit)s may do this."))


def _require_head(user, unit: Unit) -> None:
    _require_unit_role(user, unit, HEADS, _("Only the head of %(unit)s may do this."))


def _require_secretariat(user, council) -> None:
    if permissions.is_system_admin(user) or permissions.is_secretariat(user, council):
        return
    raise NominationError(_("Only the secretariat of %(council)s may do this.") % {"council": council.name})


def _changed_state() -> NominationError:
    return NominationError(_("The nomination has changed state: reload it and try again."))


# Locks -----------------------------------------------------------------------------------------------------


def _lock_nomination(nomination: Nomination) -> Nomination:
    return (
        Nomination.objects.select_for_update(no_key=True, of=("self",))
        .select_related("award_type", "proposing_unit", "person__unit", "unit", "household__unit")
        .get(pk=nomination.pk)
    )


def _lock_submission(submission: Submission) -> Submission:
    return Submission.objects.select_for_update(no_key=True, of=("self",)).select_related("unit").get(pk=submission.pk)


def _lock_letter_nominations(submission: Submission) -> list[Nomination]:
    return list(
        Nomination.objects.select_for_update(no_key=True, of=("self",))
        .filter(submission=submission)
        .select_related("award_type", "proposing_unit", "person__unit", "unit", "household__unit")
        .order_by("pk")
    )


def _lock_stage(stage: ReviewStage) -> tuple[Nomination, ReviewStage]:
    """The stage's nomination and the stage, locked in the house order (letter, nomination, stage)."""
    nomination_id, submission_id = (
        ReviewStage.objects.filter(pk=stage.pk).values_list("nomination_id", "nomination__submission_id").first()
    ) or (None, None)
    if nomination_id is None:
        raise _changed_state()
    if submission_id is not None:
        Submission.objects.select_for_update(no_key=True).filter(pk=submission_id).first()
    nomination = _lock_nomination(Nomination(pk=nomination_id))
    stage = ReviewStage.objects.select_for_update(no_key=True, of=("self",)).select_related("council").get(pk=stage.pk)
    return nomination, stage


# Helpers ---------------------------------------------------------------------------------------------------


def add_working_days(start, days: int):
    """`days` working days (Monday to Friday) after `start`, local time. Public holidays are not known yet."""
    moment = timezone.localtime(start)
    while days > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


def subject_kwargs(subject) -> dict:
    if isinstance(subject, Person):
        return {"person": subject}
    if isinstance(subject, Unit):
        return {"unit": subject}
    if isinstance(subject, Household):
        return {"household": subject}
    raise NominationError(_("A nomination is for a person, a collective or a household."))


def _subject_type(subject) -> str:
    return next(iter(subject_kwargs(subject)))


def _subject_in_subtree(subject, proposing_unit: Unit) -> bool:
    unit = subject if isinstance(subject, Unit) else subject.unit
    return unit.path.startswith(proposing_unit.path)


def _check_fields(*, subject, award_type: AwardType, year: int, kind: str, procedure: str, achievement: str):
    subject_type = _subject_type(subject)
    if not award_type.fits(subject_type):
        raise NominationError(
            _("%(award)s is not awarded to this kind of subject.") % {"award": award_type.name},
        )
    if kind not in AwardKind.values or kind not in award_type.kinds:
        raise NominationError(
            _("%(award)s is not given for this kind of achievement.") % {"award": award_type.name},
        )
    if procedure not in Nomination.Procedure.values:
        raise NominationError(_("Choose the procedure from the list."))
    if procedure == Nomination.Procedure.SIMPLIFIED and kind != AwardKind.SUDDEN:
        raise NominationError(_("The simplified procedure is only for sudden achievements (Art. 85 Law 06/2022)."))
    if not 1945 <= int(year) <= 2100:
        raise NominationError(_("The year must be between 1945 and 2100."))
    if not (achievement or "").strip():
        raise NominationError(_("Summarise the achievement."))


def _check_not_proposed_twice(*, subject, award_type: AwardType, year: int, kind: str, exclude_pk=None) -> None:
    """A merit title is given once a year: a second live nomination for it would be decided twice. The check
    gives the message; the constraints one_live_nomination_* decide between two creations at the same moment
    (see _proposed_twice)."""
    if kind != AwardKind.REGULAR:
        return
    others = Nomination.objects.filter(
        **subject_kwargs(subject), award_type=award_type, year=year, kind=AwardKind.REGULAR
    ).exclude(state__in=ENDED)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise _proposed_twice_error(subject, award_type, year)


def _proposed_twice_error(subject, award_type: AwardType, year: int) -> NominationError:
    return NominationError(
        _("%(subject)s is already proposed for %(award)s %(year)s.")
        % {"subject": subject, "award": award_type.name, "year": year}
    )


@contextmanager
def _proposed_twice(subject, award_type: AwardType, year: int):
    """Turn the violation of a one_live_nomination_* constraint (another officer created the same nomination
    between the check and the insert) into the check's message. Wrap the whole transaction: it is rolled back."""
    try:
        yield
    except IntegrityError as error:
        if "one_live_nomination_" not in str(error):
            raise
        raise _proposed_twice_error(subject, award_type, year) from error


def nomination_snapshot(nomination: Nomination, documents: list[DossierDocument]) -> dict:
    """What a revision keeps: the fields a reviewer reads and the current documents."""
    subject = nomination.subject
    return {
        "fields": {
            "subject": f"{_subject_type(subject)}:{subject.pk}",
            "award_type": nomination.award_type.code,
            "year": nomination.year,
            "kind": nomination.kind,
            "procedure": nomination.procedure,
            "campaign": nomination.campaign_id,
            "achievement": nomination.achievement,
            "justification": nomination.justification,
        },
        "documents": selectors.documents_snapshot(documents),
    }


def revision_diff(old: dict, new: dict) -> dict:
    """What changed between two revision snapshots (NominationRevision.snapshot): fields as [old, new], and the
    documents added and removed (a replaced document is removed and its replacement added)."""
    old_fields, new_fields = old.get("fields", {}), new.get("fields", {})
    fields = {
        name: [old_fields.get(name), new_fields.get(name)]
        for name in sorted(set(old_fields) | set(new_fields))
        if old_fields.get(name) != new_fields.get(name)
    }
    old_documents = {d["id"]: d for d in old.get("documents", [])}
    new_documents = {d["id"]: d for d in new.get("documents", [])}
    return {
        "fields": fields,
        "documents": {
            "added": [d for pk, d in new_documents.items() if pk not in old_documents],
            "removed": [d for pk, d in old_documents.items() if pk not in new_documents],
        },
    }


# Eligibility at sending ------------------------------------------------------------------------------------


@dataclass
class Assessment:
    """The eligibility of one nomination of a letter, as stored on it and as it bears on sending."""

    nomination: Nomination
    snapshot: dict
    blocking: list[str] = field(default_factory=list)
    needs_justification: bool = False


def _same_year_prerequisite(reason, year: int) -> str | None:
    """The award code a failing `award` rule lacks in the year checked alone, else None: LĐTT of the year for
    CSTĐCS, or CSTĐCS of the year for CSTĐ tỉnh when the two years before are held."""
    if reason.rule == "award" and reason.missing_years == [year]:
        return reason.params.get("award")
    return None


def _assess(nominations: list[Nomination], letter: list[Nomination], rules: selectors.RuleSetIndex) -> dict:
    """Assessments by nomination pk. One engine call per distinct year, whatever the number of nominations.

    A prerequisite of the same year nominated in the same letter (LĐTT and CSTĐCS for one person, both for
    2026) cannot have been granted yet: an `award` rule failing only for that year, for an award proposed in
    the letter, counts as pending, not as a failure."""
    siblings: dict[tuple, set[str]] = defaultdict(set)
    for other in letter:
        siblings[(_subject_type(other.subject), other.subject.pk, other.year)].add(other.award_type_id)
    names = {n.award_type_id: n.award_type for n in letter}

    verdicts = {}
    by_year: dict[int, list[Nomination]] = defaultdict(list)
    for nomination in nominations:
        by_year[nomination.year].append(nomination)
    for year, group in by_year.items():
        subjects = list({(_subject_type(n.subject), n.subject.pk): n.subject for n in group}.values())
        codes = sorted({n.award_type.code for n in group})
        for verdict in eligibility.check_many(subjects, year, codes):
            verdicts[(verdict.subject_type, verdict.subject.pk, verdict.award_code, year)] = verdict

    quota_load: dict[tuple, list[Nomination]] = defaultdict(list)
    assessments = {}
    for nomination in nominations:
        subject = nomination.subject
        key = (_subject_type(subject), subject.pk, nomination.year)
        verdict = verdicts[(*key[:2], nomination.award_type.code, nomination.year)]
        pending_codes = {names[pk].code: pk for pk in siblings[key] if pk != nomination.award_type_id}
        reasons, pending, blocking = [], [], []
        for reason in verdict.reasons:
            row = reason.as_dict()
            prerequisite = _same_year_prerequisite(reason, nomination.year) if reason.ok is False else None
            if prerequisite in pending_codes:
                award = names[pending_codes[prerequisite]]
                note = _("pending: %(award)s %(year)s in the same letter") % {
                    "award": award.code,
                    "year": nomination.year,
                }
                row.update(pending=True, note=note)
                pending.append(note)
            elif reason.ok is False:
                blocking.append(reason.message)
            reasons.append(row)
        review = any(r.ok is None for r in verdict.reasons)
        status = eligibility.Status.REVIEW if review else eligibility.Status.ELIGIBLE
        if blocking:
            status = eligibility.Status.INELIGIBLE
        rule_set = rules.in_force(
            award_type_id=nomination.award_type_id, unit=selectors.subject_unit(nomination), year=nomination.year
        )
        quota = verdict.quota
        assessments[nomination.pk] = Assessment(
            nomination=nomination,
            snapshot={
                "status": status,
                "engine_status": verdict.status,
                "reasons": reasons,
                "pending": pending,
                "rule_set": rule_set.pk if rule_set else None,
                "quota": {"used": quota.used, "allowed": quota.allowed} if quota else None,
                "checked_at": timezone.now().isoformat(),
            },
            blocking=blocking,
            needs_justification=review,
        )
        if quota is not None:
            quota_load[(quota.unit.pk, nomination.award_type.code, nomination.year)].append(nomination)
    # The letter itself may use up a quota that each nominee alone fits in: the council then chooses among
    # them, and each must say why it should be chosen.
    for proposed in quota_load.values():
        quota = verdicts[
            (_subject_type(proposed[0].subject), proposed[0].subject.pk, proposed[0].award_type.code, proposed[0].year)
        ].quota
        if quota.used + len(proposed) > quota.allowed:
            for nomination in proposed:
                assessment = assessments[nomination.pk]
                assessment.needs_justification = True
                assessment.snapshot["quota"]["exceeded_by_letter"] = quota.used + len(proposed) - quota.allowed
    return assessments


def _label(nomination: Nomination) -> str:
    return f"{nomination.subject} – {nomination.award_type.name} {nomination.year}"


def _dossier_problems(
    nominations: list[Nomination],
    assessments: dict,
    documents: dict,
    rules: selectors.RuleSetIndex,
    justifications: dict,
) -> list[str]:
    kinds = dict(DossierDocument.Kind.choices)
    problems = []
    for nomination in nominations:
        assessment = assessments[nomination.pk]
        label = _label(nomination)
        if assessment.blocking:
            problems.append(
                _("%(nomination)s is not eligible: %(reasons)s")
                % {"nomination": label, "reasons": "; ".join(assessment.blocking)}
            )
        if assessment.needs_justification and not justifications.get(nomination.pk):
            problems.append(
                _("%(nomination)s needs a justification: its eligibility needs review or the quota is exceeded.")
                % {"nomination": label}
            )
        rule_set = rules.in_force(
            award_type_id=nomination.award_type_id, unit=nomination.proposing_unit, year=nomination.year
        )
        missing = selectors.missing_kinds(nomination, rule_set, documents[nomination.pk])
        if missing:
            problems.append(
                _("%(nomination)s lacks required documents: %(kinds)s")
                % {"nomination": label, "kinds": ", ".join(str(kinds[kind]) for kind in missing)}
            )
    return problems


# Nominations -----------------------------------------------------------------------------------------------


def nomination_create(
    *,
    by,
    subject: Person | Unit | Household,
    award_type: AwardType,
    year: int,
    kind: str,
    proposing_unit: Unit,
    achievement: str,
    campaign=None,
    procedure: str = Nomination.Procedure.NORMAL,
) -> Nomination:
    """A draft nomination of a subject in the proposing unit's subtree."""
    _require_preparer(by, proposing_unit)
    if not _subject_in_subtree(subject, proposing_unit):
        raise NominationError(
            _("%(subject)s does not belong to %(unit)s or a unit under it.")
            % {"subject": subject, "unit": proposing_unit.name}
        )
    _check_fields(
        subject=subject, award_type=award_type, year=year, kind=kind, procedure=procedure, achievement=achievement
    )
    with _proposed_twice(subject, award_type, year), transaction.atomic():
        _check_not_proposed_twice(subject=subject, award_type=award_type, year=year, kind=kind)
        nomination = Nomination.objects.create(
            **subject_kwargs(subject),
            award_type=award_type,
            year=year,
            kind=kind,
            procedure=procedure,
            campaign=campaign,
            proposing_unit=proposing_unit,
            achievement=achievement.strip(),
            created_by=by if by.is_authenticated else None,
        )
        audit_record(
            actor=by,
            verb="nomination.created",
            obj=nomination,
            data={
                "subject": str(subject),
                "award_type": award_type.code,
                "year": year,
                "kind": kind,
                "procedure": procedure,
                "proposing_unit": proposing_unit.code,
            },
        )
    return nomination


def nomination_update(*, by, nomination: Nomination, **fields) -> Nomination:
    """Change a draft, or a nomination returned for supplement: achievement, justification, kind, procedure,
    campaign, year, award_type."""
    unknown = set(fields) - UPDATABLE_FIELDS
    if unknown:
        raise TypeError(f"nomination_update() cannot change {', '.join(sorted(unknown))}")
    award_type, year = fields.get("award_type", nomination.award_type), fields.get("year", nomination.year)
    with _proposed_twice(nomination.subject, award_type, year), transaction.atomic():
        nomination = _lock_nomination(nomination)
        _require_preparer(by, nomination.proposing_unit)
        if nomination.state not in EDITABLE:
            raise NominationError(_("A nomination can be changed only while it is a draft or returned for supplement."))
        changes = {}
        for name, value in fields.items():
            old = getattr(nomination, name)
            if name == "achievement":
                value = (value or "").strip()
            if old != value:
                changes[name] = [_plain(old), _plain(value)]
                setattr(nomination, name, value)
        if not changes:
            return nomination
        _check_fields(
            subject=nomination.subject,
            award_type=nomination.award_type,
            year=nomination.year,
            kind=nomination.kind,
            procedure=nomination.procedure,
            achievement=nomination.achievement,
        )
        if {"award_type", "year", "kind"} & set(changes):
            _check_not_proposed_twice(
                subject=nomination.subject,
                award_type=nomination.award_type,
                year=nomination.year,
                kind=nomination.kind,
                exclude_pk=nomination.pk,
            )
        nomination.save(update_fields=[*fields, "updated_at"])
        audit_record(actor=by, verb="nomination.updated", obj=nomination, data={"changes": changes})
    return nomination


def _plain(value):
    if isinstance(value, AwardType):
        return value.code
    if hasattr(value, "pk"):
        return value.pk
    return value


# Proposal letters ------------------------------------------------------------------------------------------


def submission_create(*, by, unit: Unit, year: int, title: str) -> Submission:
    """A draft proposal letter of the unit; it gets its number when the head sends it."""
    _require_preparer(by, unit)
    if not (title or "").strip():
        raise NominationError(_("Give the proposal letter a subject line."))
    with transaction.atomic():
        submission = Submission.objects.create(
            unit=unit, year=year, title=title.strip(), created_by=by if by.is_authenticated else None
        )
        audit_record(actor=by, verb="submission.created", obj=submission, data={"unit": unit.code, "year": year})
    return submission


def submission_add(*, by, submission: Submission, nominations) -> Submission:
    """Put draft nominations of the letter's unit into the draft letter."""
    with transaction.atomic():
        submission = _lock_submission(submission)
        _require_preparer(by, submission.unit)
        if submission.state != Submission.State.DRAFT:
            raise NominationError(_("Nominations can be added only to a draft proposal letter."))
        locked = list(
            Nomination.objects.select_for_update(no_key=True, of=("self",))
            .filter(pk__in=[n.pk for n in nominations])
            .select_related("award_type", "person", "unit", "household")
            .order_by("pk")
        )
        for nomination in locked:
            if nomination.proposing_unit_id != submission.unit_id:
                raise NominationError(
                    _("%(nomination)s is not proposed by %(unit)s.")
                    % {"nomination": _label(nomination), "unit": submission.unit.name}
                )
            if nomination.state != State.DRAFT or nomination.submission_id not in (None, submission.pk):
                raise NominationError(
                    _("%(nomination)s is no longer a draft free to add.") % {"nomination": _label(nomination)}
                )
        added = [n for n in locked if n.submission_id is None]
        for nomination in added:
            nomination.submission = submission
        Nomination.objects.bulk_update(added, ["submission"])
        audit_record_many(
            actor=by,
            events=[("nomination.added_to_letter", n, {"submission": submission.pk}) for n in added],
        )
    return submission


def submission_send(*, by, submission: Submission, justifications: dict | None = None) -> Submission:
    """The head sends the letter: it is numbered, and every nomination in it is checked (eligibility, required
    documents, justification where needed) and set on its route. One refusal refuses the whole letter."""
    justifications = {pk: (text or "").strip() for pk, text in (justifications or {}).items()}
    with transaction.atomic():
        submission = _lock_submission(submission)
        _require_head(by, submission.unit)
        if submission.state != Submission.State.DRAFT:
            raise NominationError(_("This proposal letter has already been sent or recalled."))
        nominations = _lock_letter_nominations(submission)
        if not nominations:
            raise NominationError(_("The proposal letter has no nominations."))
        if any(n.state != State.DRAFT for n in nominations):
            raise _changed_state()
        for nomination in nominations:
            justifications[nomination.pk] = justifications.get(nomination.pk) or nomination.justification.strip()

        rules = selectors.RuleSetIndex.load(
            award_type_ids={n.award_type_id for n in nominations}, last_year=max(n.year for n in nominations)
        )
        documents = selectors.current_documents_many(nominations)
        assessments = _assess(nominations, nominations, rules)
        problems = _dossier_problems(nominations, assessments, documents, rules, justifications)
        routes = {}
        for nomination in nominations:
            key = (nomination.proposing_unit_id, nomination.award_type_id)
            if key not in routes:
                try:
                    routes[key] = compute_route(
                        proposing_unit=nomination.proposing_unit,
                        award_type=nomination.award_type,
                        on=timezone.localdate(),
                    )
                except RouteError as error:
                    routes[key] = None
                    problems.append(f"{_label(nomination)}: {error}")
        if problems:
            raise NominationError(_("The proposal letter was not sent:"), problems)

        now = timezone.now()
        _number(submission)
        submission.state, submission.sent_at = Submission.State.SENT, now
        submission.save(update_fields=["number", "symbol", "state", "sent_at"])
        stages = []
        for nomination in nominations:
            route = routes[(nomination.proposing_unit_id, nomination.award_type_id)]
            for order, step in enumerate(route, start=1):
                first = order == 1
                stages.append(
                    ReviewStage(
                        nomination=nomination,
                        council=step.council,
                        order=order,
                        decides=step.decides,
                        state=StageState.SUBMITTED if first else StageState.WAITING,
                        letter=submission if first else None,
                        due_at=add_working_days(now, APPRAISAL_WORKING_DAYS[nomination.procedure]) if first else None,
                    )
                )
            nomination.state = State.SUBMITTED
            nomination.eligibility = assessments[nomination.pk].snapshot
            nomination.justification = justifications[nomination.pk]
            nomination.updated_at = now
        ReviewStage.objects.bulk_create(stages)
        Nomination.objects.bulk_update(nominations, ["state", "eligibility", "justification", "updated_at"])
        revisions = _new_revisions(nominations, documents)
        audit_record_many(
            actor=by,
            events=[
                (
                    "submission.sent",
                    submission,
                    {"number": str(submission), "nominations": [n.pk for n in nominations]},
                ),
                *[
                    (
                        "nomination.submitted",
                        n,
                        {
                            "submission": str(submission),
                            "revision": revisions[n.pk].number,
                            "eligibility": n.eligibility["status"],
                            "pending": n.eligibility["pending"],
                            "route": [s.council_id for s in stages if s.nomination_id == n.pk],
                        },
                    )
                    for n in nominations
                ],
            ],
        )
        notification_events.nominations_received(submission=submission, stages=stages)
    return submission


def _number(submission: Submission) -> None:
    """The next number of the unit's letters in the year. Two heads of one unit sending at once queue on the
    unit row, so max + 1 cannot be taken twice (the unique constraint is the backstop)."""
    Unit.objects.select_for_update(no_key=True).filter(pk=submission.unit_id).first()
    last = Submission.objects.filter(unit_id=submission.unit_id, year=submission.year).aggregate(m=Max("number"))["m"]
    submission.number = (last or 0) + 1
    submission.symbol = SUBMISSION_SYMBOL.format(code=submission.unit.code)


def _new_revisions(nominations: list[Nomination], documents: dict) -> dict[int, NominationRevision]:
    previous = dict(
        NominationRevision.objects.filter(nomination__in=nominations)
        .values("nomination_id")
        .annotate(last=Max("number"))
        .values_list("nomination_id", "last")
    )
    revisions = [
        NominationRevision(
            nomination=n, number=previous.get(n.pk, 0) + 1, snapshot=nomination_snapshot(n, documents[n.pk])
        )
        for n in nominations
    ]
    NominationRevision.objects.bulk_create(revisions)
    return {revision.nomination_id: revision for revision in revisions}


def submission_recall(*, by, submission: Submission) -> Submission:
    """The head takes a sent letter back before any secretariat has received one of its nominations: the
    nominations become drafts again, free for another letter; the letter's number stays used."""
    with transaction.atomic():
        submission = _lock_submission(submission)
        _require_head(by, submission.unit)
        if submission.state != Submission.State.SENT:
            raise NominationError(_("Only a sent proposal letter that no one has received yet can be recalled."))
        nominations = _lock_letter_nominations(submission)
        first_stages = ReviewStage.objects.filter(nomination__in=nominations, order=1)
        if (
            any(n.state != State.SUBMITTED for n in nominations)
            or first_stages.filter(received_at__isnull=False).exists()
        ):
            raise NominationError(_("The proposal letter has been received: it can no longer be recalled."))
        ReviewStage.objects.filter(nomination__in=nominations).delete()
        for nomination in nominations:
            nomination.state, nomination.submission, nomination.eligibility = State.DRAFT, None, {}
            nomination.updated_at = timezone.now()
        Nomination.objects.bulk_update(nominations, ["state", "submission", "eligibility", "updated_at"])
        submission.state = Submission.State.RECALLED
        submission.save(update_fields=["state"])
        audit_record_many(
            actor=by,
            events=[
                ("submission.recalled", submission, {"number": str(submission)}),
                *[("nomination.recalled", n, {"submission": str(submission)}) for n in nominations],
            ],
        )
    return submission


# Stages ----------------------------------------------------------------------------------------------------


def stage_receive(*, by, stage: ReviewStage) -> ReviewStage:
    """The secretariat acknowledges the dossier: the appraisal starts."""
    return _one(stages_receive(by=by, stage_ids=[stage.pk]))


def stage_accept(*, by, stage: ReviewStage) -> ReviewStage:
    """The appraisal found the dossier complete and eligible: it goes before the council."""
    return _one(stages_accept(by=by, stage_ids=[stage.pk]))


def stages_receive(*, by, stage_ids) -> "BulkResult":
    """Receive many stages at once (the work list's bulk action); the first stage received of a letter marks
    the letter received, which ends the proposing unit's right to recall it."""
    return _transition_many(
        by=by,
        stage_ids=stage_ids,
        moves=(StageState.SUBMITTED, State.SUBMITTED, StageState.IN_APPRAISAL, State.IN_APPRAISAL),
        verb="nomination.received",
        stamp="received_at",
    )


def stages_accept(*, by, stage_ids) -> "BulkResult":
    """Accept many appraised stages at once: their nominations wait for the council."""
    return _transition_many(
        by=by,
        stage_ids=stage_ids,
        moves=(StageState.IN_APPRAISAL, State.IN_APPRAISAL, StageState.ACCEPTED, State.IN_COUNCIL),
        verb="nomination.accepted",
    )


@dataclass
class BulkResult:
    """What a bulk action did: the stages moved, and per refused stage id the reason (nothing changed there)."""

    done: list[ReviewStage] = field(default_factory=list)
    refused: dict[int, NominationError] = field(default_factory=dict)


def _one(result: BulkResult) -> ReviewStage:
    if result.refused:
        raise next(iter(result.refused.values()))
    return result.done[0]


def _transition_many(*, by, stage_ids, moves: tuple, verb: str, stamp: str = "") -> BulkResult:
    """Move every stage in `stage_ids` that is in the `from` states and belongs to a council where `by` is
    secretariat, in one transaction with a fixed number of queries whatever the count: lock the letters,
    the nominations and the stages (house order, each by pk, so two bulk actions cannot deadlock), check each,
    update the movable ones with one UPDATE per table, and write one audit event per nomination."""
    stage_from, nomination_from, stage_to, nomination_to = moves
    ids = sorted({int(pk) for pk in stage_ids})
    result = BulkResult()
    with transaction.atomic():
        nominations, stages = _lock_many(ids)
        allowed = (
            None
            if permissions.is_system_admin(by)
            else set(permissions.secretariat_councils(by).values_list("pk", flat=True))
        )
        for pk in ids:
            stage = stages.get(pk)
            if stage is None:
                result.refused[pk] = _changed_state()
            elif allowed is not None and stage.council_id not in allowed:
                result.refused[pk] = NominationError(
                    _("Only the secretariat of %(council)s may do this.") % {"council": stage.council.name}
                )
            elif stage.state != stage_from or nominations[stage.nomination_id].state != nomination_from:
                result.refused[pk] = _changed_state()
            else:
                result.done.append(stage)
        if not result.done:
            return result
        now = timezone.now()
        changes = {"state": stage_to, **({stamp: now} if stamp else {})}
        ReviewStage.objects.filter(pk__in=[s.pk for s in result.done]).update(**changes)
        moved = [nominations[s.nomination_id] for s in result.done]
        Nomination.objects.filter(pk__in=[n.pk for n in moved]).update(state=nomination_to, updated_at=now)
        for stage, nomination in zip(result.done, moved, strict=True):
            for name, value in changes.items():
                setattr(stage, name, value)
            nomination.state, nomination.updated_at = nomination_to, now
            stage.nomination = nomination
        if stage_to == StageState.IN_APPRAISAL:
            first_letters = {n.submission_id for s, n in zip(result.done, moved, strict=True) if s.order == 1}
            Submission.objects.filter(pk__in=first_letters - {None}, state=Submission.State.SENT).update(
                state=Submission.State.RECEIVED
            )
        audit_record_many(actor=by, events=[(verb, s.nomination, _stage_data(s)) for s in result.done])
    return result


def _lock_many(stage_ids, *, whole_routes: bool = False) -> tuple[dict[int, Nomination], dict[int, ReviewStage]]:
    """Lock the stages `stage_ids` (or, with `whole_routes`, every stage of their nominations), their nominations
    and the letters of those, in the house order, each kind by pk so that two bulk actions cannot deadlock."""
    rows = ReviewStage.objects.filter(pk__in=stage_ids).values_list("nomination_id", "nomination__submission_id")
    letter_ids = sorted({letter for _n, letter in rows if letter is not None})
    nomination_ids = sorted({nomination for nomination, _l in rows})
    list(Submission.objects.select_for_update(no_key=True).filter(pk__in=letter_ids).order_by("pk").values("pk"))
    nominations = Nomination.objects.select_for_update(no_key=True, of=("self",)).filter(pk__in=nomination_ids)
    nominations = nominations.select_related("award_type", "person", "unit", "household").order_by("pk")
    stages = ReviewStage.objects.select_for_update(no_key=True, of=("self",))
    stages = stages.filter(nomination_id__in=nomination_ids) if whole_routes else stages.filter(pk__in=stage_ids)
    stages = stages.select_related("council__unit").order_by("pk")
    return {n.pk: n for n in nominations}, {s.pk: s for s in stages}


def stage_return(*, by, stage: ReviewStage, reasons: list[dict]) -> ReviewStage:
    """Back to the proposing unit for a supplement, with what to supply: [{"document": kind or "", "text": ...}]."""
    cleaned = _clean_reasons(reasons)
    with transaction.atomic():
        nomination, stage = _lock_stage(stage)
        _require_secretariat(by, stage.council)
        if stage.state != StageState.IN_APPRAISAL or nomination.state != State.IN_APPRAISAL:
            raise _changed_state()
        stage.state, stage.reason, stage.decided_at = StageState.RETURNED, cleaned, timezone.now()
        stage.save(update_fields=["state", "reason", "decided_at"])
        _set_state(nomination, State.RETURNED)
        audit_record(
            actor=by, verb="nomination.returned", obj=nomination, data={**_stage_data(stage), "reasons": cleaned}
        )
        notification_events.nomination_returned(nomination=nomination, reasons=cleaned)
    return stage


def stage_reject(*, by, stage: ReviewStage, reason: str) -> ReviewStage:
    """The appraisal found the nominee not eligible: the nomination ends here."""
    text = (reason or "").strip()
    if not text:
        raise NominationError(_("Give the reason for the rejection."))
    with transaction.atomic():
        nomination, stage = _lock_stage(stage)
        _require_secretariat(by, stage.council)
        if stage.state != StageState.IN_APPRAISAL or nomination.state != State.IN_APPRAISAL:
            raise _changed_state()
        stage.state, stage.decided_at = StageState.REJECTED, timezone.now()
        stage.reason = [{"document": "", "text": text}]
        stage.save(update_fields=["state", "reason", "decided_at"])
        _set_state(nomination, State.REJECTED)
        audit_record(actor=by, verb="nomination.rejected", obj=nomination, data={**_stage_data(stage), "reason": text})
    return stage


def _clean_reasons(reasons) -> list[dict]:
    kinds = set(DossierDocument.Kind.values)
    cleaned = []
    for reason in reasons or []:
        text = (reason.get("text") or "").strip()
        document = reason.get("document") or ""
        if document and document not in kinds:
            raise NominationError(_("Choose the document from the list."))
        if text:
            cleaned.append({"document": document, "text": text})
    if not cleaned:
        raise NominationError(_("Say what the proposing unit must supplement: at least one reason with a text."))
    return cleaned


def _set_state(nomination: Nomination, state: str) -> None:
    nomination.state = state
    nomination.save(update_fields=["state", "updated_at"])


def _stage_data(stage: ReviewStage) -> dict:
    return {"stage": stage.pk, "order": stage.order, "council": stage.council_id, "state": stage.state}


def nomination_resubmit(*, by, nomination: Nomination, justification: str = "") -> dict:
    """The proposing unit sends the supplemented dossier back to the stage that returned it; returns what
    changed since the previous revision (revision_diff)."""
    with transaction.atomic():
        if nomination.submission_id:
            Submission.objects.select_for_update(no_key=True).filter(pk=nomination.submission_id).first()
        nomination = _lock_nomination(nomination)
        _require_head(by, nomination.proposing_unit)
        stage = (
            ReviewStage.objects.select_for_update(no_key=True)
            .filter(nomination=nomination, state=StageState.RETURNED)
            .first()
        )
        if nomination.state != State.RETURNED or stage is None:
            raise _changed_state()
        justification = (justification or "").strip() or nomination.justification.strip()
        letter = [nomination]
        if nomination.submission_id:
            letter = list(
                Nomination.objects.filter(submission_id=nomination.submission_id)
                .exclude(state__in=ENDED)
                .select_related("award_type", "person__unit", "unit", "household__unit")
            )
        rules = selectors.RuleSetIndex.load(award_type_ids=[nomination.award_type_id], last_year=nomination.year)
        documents = selectors.current_documents_many([nomination])
        assessments = _assess([nomination], letter, rules)
        problems = _dossier_problems([nomination], assessments, documents, rules, {nomination.pk: justification})
        if problems:
            raise NominationError(_("The nomination was not resubmitted:"), problems)

        now = timezone.now()
        stage.state, stage.decided_at = StageState.SUBMITTED, None
        stage.due_at = add_working_days(now, APPRAISAL_WORKING_DAYS[nomination.procedure])
        stage.save(update_fields=["state", "decided_at", "due_at"])
        nomination.state, nomination.justification = State.SUBMITTED, justification
        nomination.eligibility = assessments[nomination.pk].snapshot
        nomination.save(update_fields=["state", "justification", "eligibility", "updated_at"])
        previous = nomination.revisions.order_by("-number").first()
        revision = _new_revisions([nomination], documents)[nomination.pk]
        diff = revision_diff(previous.snapshot if previous else {}, revision.snapshot)
        audit_record(
            actor=by,
            verb="nomination.resubmitted",
            obj=nomination,
            data={**_stage_data(stage), "revision": revision.number, "diff": diff},
        )
    return diff


# Council results and forwarding ---------------------------------------------------------------------------


def stage_record_result(*, by, stage: ReviewStage, passed: bool, reason: str = "", data: dict | None = None):
    """Record the council's vote on one accepted nomination: see stages_record_results."""
    return _one(stages_record_results(by=by, results={stage.pk: (passed, reason, data or {})}))


def stages_record_results(*, by, results: dict) -> BulkResult:
    """Record a council's votes: {stage id: (passed, reason, data)} for accepted nominations (a council
    session's close calls this; `by` is None when the scheduled close acts). Passed at the deciding stage: the
    nomination waits for the decision; passed below: it is forwarded, waiting for this level's forwarding letter;
    not passed: it ends here with the reason. A fixed number of queries whatever the count, like
    _transition_many; a stage no longer accepted (a nomination put on hold during the vote) is refused alone."""
    results = {int(pk): outcome for pk, outcome in results.items()}
    ids = sorted(results)
    result = BulkResult()
    with transaction.atomic():
        nominations, stages = _lock_many(ids)
        allowed = (
            None
            if by is None or permissions.is_system_admin(by)
            else set(permissions.secretariat_councils(by).values_list("pk", flat=True))
        )
        for pk in ids:
            stage = stages.get(pk)
            if stage is None or stage.state != StageState.ACCEPTED:
                result.refused[pk] = _changed_state()
            elif allowed is not None and stage.council_id not in allowed:
                result.refused[pk] = NominationError(
                    _("Only the secretariat of %(council)s may do this.") % {"council": stage.council.name}
                )
            elif nominations[stage.nomination_id].state != State.IN_COUNCIL:
                result.refused[pk] = _changed_state()
            else:
                result.done.append(stage)
        now = timezone.now()
        events = []
        for stage in result.done:
            passed, reason, data = results[stage.pk]
            nomination = nominations[stage.nomination_id]
            if passed:
                stage.state = StageState.PASSED
                nomination.state = State.IN_DECISION if stage.decides else State.FORWARDED
            else:
                text = (reason or "").strip() or _("Not passed by the council.")
                stage.state, stage.reason = StageState.FAILED, [{"document": "", "text": text}]
                nomination.state = State.NOT_APPROVED
            stage.decided_at, nomination.updated_at, stage.nomination = now, now, nomination
            verb = "nomination.passed" if passed else "nomination.not_passed"
            events.append((verb, nomination, {**_stage_data(stage), **(data or {})}))
        bulk.update_rows(result.done, ["state", "reason", "decided_at"])
        bulk.update_rows([stage.nomination for stage in result.done], ["state", "updated_at"])
        audit_record_many(actor=by, events=events)
    return result


def stages_forward(*, by, stage_ids, title: str) -> Submission:
    """This level's forwarding letter: the nominations its council passed go up to the next stage of their route,
    submitted to the next council's secretariat with an appraisal due date. One council per letter, numbered
    in its unit's series; all or nothing."""
    title = (title or "").strip()
    if not title:
        raise NominationError(_("Give the forwarding letter a subject line."))
    ids = sorted({int(pk) for pk in stage_ids})
    if not ids:
        raise NominationError(_("Choose the nominations to forward."))
    with transaction.atomic():
        nominations, stages = _lock_many(ids, whole_routes=True)
        chosen = [stages[pk] for pk in ids if pk in stages]
        if len(chosen) != len(ids):
            raise _changed_state()
        councils = {stage.council for stage in chosen}
        if len(councils) != 1:
            raise NominationError(_("A forwarding letter carries the nominations passed by one council."))
        council = councils.pop()
        _require_secretariat(by, council)
        following = {(s.nomination_id, s.order): s for s in stages.values()}
        problems, moves = [], []
        for stage in chosen:
            nomination, next_stage = (
                nominations[stage.nomination_id],
                following.get((stage.nomination_id, stage.order + 1)),
            )
            if (
                stage.state != StageState.PASSED
                or nomination.state != State.FORWARDED
                or next_stage is None
                or next_stage.state != StageState.WAITING
            ):
                problems.append(_label(nomination))
            else:
                moves.append((nomination, next_stage))
        if problems:
            raise NominationError(_("These nominations are not waiting to be forwarded: reload the list."), problems)

        now = timezone.now()
        letter = Submission(
            unit=council.unit,
            council=council,
            year=timezone.localdate().year,
            title=title,
            state=Submission.State.SENT,
            sent_at=now,
            created_by=by if by.is_authenticated else None,
        )
        _number(letter)
        letter.save()
        for nomination, next_stage in moves:
            next_stage.state, next_stage.letter = StageState.SUBMITTED, letter
            next_stage.due_at = add_working_days(now, APPRAISAL_WORKING_DAYS[nomination.procedure])
        ReviewStage.objects.bulk_update([stage for _n, stage in moves], ["state", "letter", "due_at"])
        Nomination.objects.filter(pk__in=[n.pk for n, _s in moves]).update(state=State.SUBMITTED, updated_at=now)
        audit_record_many(
            actor=by,
            events=[
                ("submission.forwarded", letter, {"number": str(letter), "nominations": [n.pk for n, _s in moves]}),
                *[
                    ("nomination.forwarded", n, {"submission": str(letter), "from": council.pk, **_stage_data(stage)})
                    for n, stage in moves
                ],
            ],
        )
    return letter


# Holds -----------------------------------------------------------------------------------------------------


def nomination_hold(*, by, nomination: Nomination, reason: str) -> Nomination:
    """Freeze a nomination on its way while a complaint, discipline or inspection is pending (NĐ 152/2025)."""
    text = (reason or "").strip()
    if not text:
        raise NominationError(_("Give the reason for the hold."))
    with transaction.atomic():
        nomination = _lock_nomination(nomination)
        stage = selectors.current_stage(nomination)
        if not permissions.is_system_admin(by):
            if stage is None:
                raise NominationError(_("Only the secretariat of the stage the nomination is at may do this."))
            _require_secretariat(by, stage.council)
        if nomination.state not in HOLDABLE:
            raise NominationError(_("Only a nomination on its way through the councils can be put on hold."))
        nomination.held_from, nomination.hold_reason = nomination.state, text
        nomination.state = State.ON_HOLD
        nomination.save(update_fields=["state", "held_from", "hold_reason", "updated_at"])
        audit_record(
            actor=by,
            verb="nomination.held",
            obj=nomination,
            data={"from": nomination.held_from, "reason": text, "stage": stage.pk if stage else None},
        )
    return nomination


def nomination_release(*, by, nomination: Nomination) -> Nomination:
    """Lift a hold: the nomination resumes the state it was frozen in."""
    with transaction.atomic():
        nomination = _lock_nomination(nomination)
        stage = selectors.current_stage(nomination)
        if not permissions.is_system_admin(by):
            if stage is None:
                raise NominationError(_("Only the secretariat of the stage the nomination is at may do this."))
            _require_secretariat(by, stage.council)
        if nomination.state != State.ON_HOLD or not nomination.held_from:
            raise _changed_state()
        resumed, reason = nomination.held_from, nomination.hold_reason
        nomination.state, nomination.held_from, nomination.hold_reason = resumed, "", ""
        nomination.save(update_fields=["state", "held_from", "hold_reason", "updated_at"])
        audit_record(actor=by, verb="nomination.released", obj=nomination, data={"to": resumed, "reason": reason})
    return nomination
