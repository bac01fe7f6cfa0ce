"""What became of a campaign's registered targets: for each target of an approved registration, the nomination
made for it (if any) and whether the award history records it as granted. One query per page of rows.

A target is answered by a nomination of the same subject, award and year (the campaign's year) that belongs to
the campaign or to no campaign (a title proposed through the ordinary form still answers the registration); a
live nomination wins over an ended one, the latest over older ones."""

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)

from campaigns.models import Campaign, Registration, RegistrationTarget

from .bulk_nominations import campaign_year
from .models import AwardRecord, Nomination
from .nominations import ENDED

NOT_NOMINATED = "none"
COLLECTIVE = Q(person__isnull=True)


def _per_subject(queryset, field: str, output_field):
    """`field` of the first row of `queryset` for the target's subject: the registering unit for a collective
    target, the person otherwise."""
    for_unit = queryset.filter(unit_id=OuterRef("registration__unit_id")).values(field)[:1]
    for_person = queryset.filter(person_id=OuterRef("person_id")).values(field)[:1]
    return Case(
        When(COLLECTIVE, then=Subquery(for_unit, output_field=output_field)),
        default=Subquery(for_person, output_field=output_field),
        output_field=output_field,
    )


def campaign_target_rows(campaign: Campaign, *, unit_code: str = "", state: str = ""):
    """Targets of the campaign's approved registrations, annotated with `nomination_pk`, `nomination_state`,
    `awarded` and `decision_number`. `state` filters on the nomination's state, or NOT_NOMINATED."""
    year = campaign_year(campaign)
    ended_last = Case(When(state__in=ENDED, then=Value(1)), default=Value(0), output_field=IntegerField())
    nominations = (
        Nomination.objects.filter(award_type__code=OuterRef("award_code"), year=year)
        .filter(Q(campaign=campaign) | Q(campaign__isnull=True))
        .order_by(ended_last, "-pk")
    )
    records = AwardRecord.objects.filter(award_type__code=OuterRef("award_code"), year=year, revoked=False).order_by(
        "-decision_date", "-pk"
    )
    awarded = Case(
        When(COLLECTIVE, then=Exists(records.filter(unit_id=OuterRef("registration__unit_id")))),
        default=Exists(records.filter(person_id=OuterRef("person_id"))),
        output_field=BooleanField(),
    )
    targets = (
        RegistrationTarget.objects.filter(
            registration__campaign=campaign, registration__state=Registration.State.APPROVED
        )
        .select_related("registration__unit", "person")
        .annotate(
            nomination_pk=_per_subject(nominations, "pk", IntegerField()),
            nomination_state=_per_subject(nominations, "state", CharField()),
            awarded=awarded,
            decision_number=_per_subject(records, "decision_number", CharField()),
        )
        .order_by("registration__unit__path", F("person__search_name").asc(nulls_first=True), "award_code", "pk")
    )
    if unit_code:
        targets = targets.filter(registration__unit__code__iexact=unit_code)
    if state == NOT_NOMINATED:
        targets = targets.filter(nomination_pk__isnull=True)
    elif state in Nomination.State.values:
        targets = targets.filter(nomination_state=state)
    return targets
