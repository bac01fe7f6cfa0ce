"""Nominations created in bulk, pre-filled, from a campaign's approved registration or from a bloc's result.

A source gives candidate rows: one per registered target (a person, or the registering unit for a collective
target) or per unit the bloc's year-end meeting proposed (the leader for the flag, the next ones for the
certificate of merit). Each row says whether it is ready or why not, by the same rules as a single nomination
(awards.nominations), read for all rows at once. The user ticks the ready rows; `nominations_create_many`
creates them as drafts in one transaction, all or nothing, re-checking who acts and what is already proposed.

Which kind: a title (LĐTT, CSTĐCS, Cờ thi đua...) is only ever given as a merit award (`regular`, Law 06/2022
Art. 8), and so is anything a yearly campaign leads to; only a periodic or thematic campaign leads to a
`campaign` commendation, where the award type allows one."""

from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from audit.services import audit_record_many
from campaigns.models import Bloc, Campaign, Registration
from organizations.models import Household, Person, Unit
from thiduakt.lib import permissions

from .models import AwardType, Nomination
from .models.catalogue import AwardKind
from .nominations import (
    ENDED,
    PREPARERS,
    NominationError,
    _check_fields,
    _require_preparer,
    _subject_in_subtree,
    _subject_type,
    subject_kwargs,
)

FLAG_AWARD = "CO_TINH"
MERIT_AWARD = "BK_TINH"


@dataclass
class Candidate:
    """One nomination that a source proposes. `problem` is empty when it can be created as it is."""

    key: str  # stable within its source: what the preview's checkbox posts
    subject: Person | Unit | Household
    award_code: str
    award_type: AwardType | None
    year: int
    kind: str
    proposing_unit: Unit
    achievement: str
    campaign: Campaign | None = None
    problem: str = ""
    existing_pk: int | None = None  # the live nomination that makes this one a duplicate

    @property
    def ready(self) -> bool:
        return not self.problem

    @property
    def subject_type(self) -> str:
        return _subject_type(self.subject)

    @property
    def label(self) -> str:
        award = self.award_type.name if self.award_type else self.award_code
        return f"{self.subject} – {award} {self.year}"


# Checks shared by the preview and the creation ---------------------------------------------------------------


def _live_nominations(candidates: list[Candidate]) -> dict[tuple, list[tuple]]:
    """Live nominations (not ended) of the candidates' subjects for their awards and years, in one query:
    (subject type, subject pk, award type pk, year) → [(pk, kind, campaign pk)]."""
    ids: dict[str, set[int]] = defaultdict(set)
    for candidate in candidates:
        if candidate.award_type is not None:
            ids[candidate.subject_type].add(candidate.subject.pk)
    if not ids:
        return {}
    subjects = Q(pk__in=[])
    for subject_type, pks in ids.items():
        subjects |= Q(**{f"{subject_type}_id__in": pks})
    rows = (
        Nomination.objects.filter(
            subjects,
            award_type_id__in={c.award_type.pk for c in candidates if c.award_type is not None},
            year__in={c.year for c in candidates},
        )
        .exclude(state__in=ENDED)
        .values_list("pk", "person_id", "unit_id", "household_id", "award_type_id", "year", "kind", "campaign_id")
    )
    live: dict[tuple, list[tuple]] = defaultdict(list)
    for pk, person_id, unit_id, household_id, award_type_id, year, kind, campaign_id in rows:
        subject = ("person", person_id) if person_id else ("unit", unit_id) if unit_id else ("household", household_id)
        live[(*subject, award_type_id, year)].append((pk, kind, campaign_id))
    return live


def _duplicate_of(candidate: Candidate, live: dict) -> int | None:
    """A merit award is given once a year (awards.nominations._check_not_proposed_twice); a campaign's
    commendation once per campaign."""
    for pk, kind, campaign_id in live.get(
        (candidate.subject_type, candidate.subject.pk, candidate.award_type.pk, candidate.year), ()
    ):
        if kind == candidate.kind == AwardKind.REGULAR:
            return pk
        if candidate.campaign is not None and campaign_id == candidate.campaign.pk:
            return pk
    return None


def _problem(candidate: Candidate, *, preparer_of: set[int] | None, live: dict, seen: set) -> tuple[str, int | None]:
    """Why the candidate cannot be created ("" when it can), and the live nomination it would duplicate.
    `preparer_of`: pks of the proposing units the user prepares for (None: all, a system admin); `seen`: the
    (subject, award, year) already taken by earlier rows."""
    unit = candidate.proposing_unit
    if candidate.award_type is None:
        return _("The award code %(code)s is not in the catalogue.") % {"code": candidate.award_code}, None
    if preparer_of is not None and unit.pk not in preparer_of:
        return _("Only an emulation officer or the head of %(unit)s may do this.") % {"unit": unit.name}, None
    if not _subject_in_subtree(candidate.subject, unit):
        message = _("%(subject)s does not belong to %(unit)s or a unit under it.")
        return message % {"subject": candidate.subject, "unit": unit.name}, None
    try:
        _check_fields(
            subject=candidate.subject,
            award_type=candidate.award_type,
            year=candidate.year,
            kind=candidate.kind,
            procedure=Nomination.Procedure.NORMAL,
            achievement=candidate.achievement,
        )
    except NominationError as error:
        return str(error), None
    names = {"subject": candidate.subject, "award": candidate.award_type.name, "year": candidate.year}
    existing_pk = _duplicate_of(candidate, live)
    if existing_pk is not None:
        return _("%(subject)s is already proposed for %(award)s %(year)s.") % names, existing_pk
    identity = (candidate.subject_type, candidate.subject.pk, candidate.award_type.pk, candidate.year)
    if identity in seen:
        return _("%(subject)s is chosen twice for %(award)s %(year)s.") % names, None
    seen.add(identity)
    return "", None


def _problems(candidates: list[Candidate], *, preparer_of: set[int] | None) -> list[tuple[str, int | None]]:
    """(problem, duplicated nomination) for each candidate, in order: one query whatever their number."""
    live, seen = _live_nominations(candidates), set()
    return [_problem(candidate, preparer_of=preparer_of, live=live, seen=seen) for candidate in candidates]


def _assess(candidates: list[Candidate], *, preparer_of: set[int] | None) -> list[Candidate]:
    for candidate, (problem, existing_pk) in zip(
        candidates, _problems(candidates, preparer_of=preparer_of), strict=True
    ):
        candidate.problem, candidate.existing_pk = problem, existing_pk
    return candidates


def _award_types(codes) -> dict[str, AwardType]:
    return {award_type.code: award_type for award_type in AwardType.objects.filter(code__in=set(codes))}


# Sources ---------------------------------------------------------------------------------------------------


def campaign_year(campaign: Campaign) -> int:
    """The year the campaign's nominations are for: the year its period ends (a campaign has no year of its
    own; a yearly campaign runs within its year, a periodic one is rewarded when it ends)."""
    return campaign.period_end.year


def campaign_kind(campaign: Campaign, award_type: AwardType | None) -> str:
    if campaign.kind != Campaign.Kind.REGULAR and award_type is not None and AwardKind.CAMPAIGN in award_type.kinds:
        return AwardKind.CAMPAIGN
    return AwardKind.REGULAR


def approved_registration(campaign: Campaign, unit: Unit) -> Registration | None:
    return (
        Registration.objects.filter(campaign=campaign, unit=unit, state=Registration.State.APPROVED)
        .select_related("unit", "campaign")
        .first()
    )


def candidates_from_registrations(*, by, campaign: Campaign, unit: Unit) -> list[Candidate]:
    """The targets of the unit's approved registration in the campaign, proposed by the unit."""
    _require_preparer(by, unit)
    registration = approved_registration(campaign, unit)
    if registration is None:
        raise NominationError(
            _("%(unit)s has no approved registration in this campaign: nominations are made from approved ones.")
            % {"unit": unit.name}
        )
    targets = list(
        registration.targets.select_related("person__unit").order_by(
            F("person__search_name").asc(nulls_first=True), "award_code"
        )
    )
    award_types = _award_types(t.award_code for t in targets)
    year = campaign_year(campaign)
    approved_on = registration.approved_at.strftime("%d/%m/%Y") if registration.approved_at else ""
    candidates = []
    for target in targets:
        award_type = award_types.get(target.award_code)
        text = _(
            "Registered in the emulation campaign «%(campaign)s» (%(code)s), aiming at %(award)s %(year)s; "
            "the registration of %(unit)s was approved on %(date)s."
        ) % {
            "campaign": campaign.title,
            "code": campaign.code,
            "award": award_type.name if award_type else target.award_code,
            "year": year,
            "unit": unit.name,
            "date": approved_on,
        }
        candidates.append(
            Candidate(
                key=str(target.pk),
                subject=target.person or unit,
                award_code=target.award_code,
                award_type=award_type,
                year=year,
                kind=campaign_kind(campaign, award_type),
                campaign=campaign,
                proposing_unit=unit,
                achievement=text,
            )
        )
    return _assess(candidates, preparer_of={unit.pk})


def candidates_from_bloc_result(*, by, bloc: Bloc) -> list[Candidate]:
    """The unit the bloc's year-end meeting proposed for the emulation flag (CO_TINH) and those proposed for
    the certificate of merit (BK_TINH), proposed by the bloc's organising unit for the bloc's year."""
    organiser = bloc.organising_unit
    _require_preparer(by, organiser)
    result = getattr(bloc, "result", None)
    if result is None:
        raise NominationError(_("The result of %(bloc)s has not been recorded yet.") % {"bloc": bloc})
    proposed = []
    if result.flag_unit_id:
        proposed.append((FLAG_AWARD, result.flag_unit))
    proposed += [(MERIT_AWARD, unit) for unit in result.merit_units.order_by("path")]
    award_types = _award_types(code for code, _unit in proposed)
    ranks = {row.get("unit"): row for row in result.ranking}
    candidates = []
    for code, unit in proposed:
        award_type = award_types.get(code)
        row = ranks.get(unit.pk)
        values = {
            "bloc": bloc.name,
            "year": bloc.year,
            "award": award_type.name if award_type else code,
            "date": result.meeting_on.strftime("%d/%m/%Y"),
        }
        if row:
            text = _(
                "Ranked %(rank)s of %(count)s in %(bloc)s %(year)s with %(total)s points; proposed for %(award)s "
                "by the bloc's year-end meeting of %(date)s."
            ) % {**values, "rank": row.get("rank"), "count": len(result.ranking), "total": row.get("total")}
        else:
            text = _("Proposed for %(award)s by the year-end meeting of %(bloc)s %(year)s on %(date)s.") % values
        candidates.append(
            Candidate(
                key=f"{code}-{unit.pk}",
                subject=unit,
                award_code=code,
                award_type=award_type,
                year=bloc.year,
                kind=AwardKind.REGULAR,
                proposing_unit=organiser,
                achievement=text,
            )
        )
    return _assess(candidates, preparer_of={organiser.pk})


# Creation --------------------------------------------------------------------------------------------------


def nominations_create_many(*, by, candidates: list[Candidate]) -> list[Nomination]:
    """Draft nominations of the chosen candidates, all or none: one refused row refuses them all, with one line
    per refused row. A fixed number of queries whatever the number of rows.

    The proposing units are locked first: the same source confirmed twice at once (a double click, two
    officers) queues, and the second sees the first's nominations as duplicates."""
    candidates = list(candidates)
    if not candidates:
        raise NominationError(_("Tick at least one nomination to create."))
    try:
        return _create_many(by=by, candidates=candidates)
    except IntegrityError as error:
        # A single nomination of the same subject created by someone else between the check and the insert
        # (the constraints one_live_nomination_*): the whole batch is rolled back.
        if "one_live_nomination_" not in str(error):
            raise
        raise NominationError(
            _("One of these nominations was created by someone else at the same moment; nothing was created.")
        ) from error


def _create_many(*, by, candidates: list[Candidate]) -> list[Nomination]:
    with transaction.atomic():
        unit_ids = {c.proposing_unit.pk for c in candidates}
        locked = Unit.objects.select_for_update(no_key=True).filter(pk__in=unit_ids).order_by("pk")
        if permissions.is_system_admin(by):
            preparer_of = None
            list(locked.values_list("pk", flat=True))
        else:
            covered = permissions.covered_units_q(by, roles=PREPARERS)
            preparer_of = set(locked.filter(covered).values_list("pk", flat=True))
        problems = _problems(candidates, preparer_of=preparer_of)
        refused = [f"{c.label}: {problem}" for c, (problem, _pk) in zip(candidates, problems, strict=True) if problem]
        if refused:
            raise NominationError(_("No nomination was created:"), refused)
        user = by if by.is_authenticated else None
        nominations = Nomination.objects.bulk_create(
            [
                Nomination(
                    **subject_kwargs(c.subject),
                    award_type=c.award_type,
                    year=c.year,
                    kind=c.kind,
                    procedure=Nomination.Procedure.NORMAL,
                    campaign=c.campaign,
                    proposing_unit=c.proposing_unit,
                    achievement=c.achievement.strip(),
                    created_by=user,
                )
                for c in candidates
            ]
        )
        audit_record_many(
            actor=by,
            events=[
                (
                    "nomination.created",
                    nomination,
                    {
                        "subject": str(c.subject),
                        "award_type": c.award_type.code,
                        "year": c.year,
                        "kind": c.kind,
                        "procedure": nomination.procedure,
                        "proposing_unit": c.proposing_unit.code,
                    },
                )
                for c, nomination in zip(candidates, nominations, strict=True)
            ],
        )
    return nominations
