"""Random histories: the engine never crashes, and a record that has nothing to do with a verdict (another
person's award, anything of a later year) never changes it."""

from datetime import date

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awards.eligibility import check_many
from awards.models import AwardRecord, AwardType, Discipline, Initiative, Membership, Rating
from tests import factories
from tests.awards import factories as h

YEAR = 2026
YEARS = st.integers(min_value=2016, max_value=YEAR)
KINDS = st.sampled_from(["regular", "regular", "regular", "sudden", "campaign"])
PERSON_CODES = ["LDTT", "CSTDCS", "CSTD_TINH", "CSTDTQ", "GK", "BK_TINH", "BK_TTG", "HCLD3"]
UNIT_CODES = ["TTLDTT", "TTLDXS", "CO_TINH", "CO_CP", "GK", "BK_TINH", "BK_TTG", "HCLD3", "THON_VH"]
RATING_LEVELS = st.sampled_from(list(Rating.RANK))
DISCIPLINE_LEVELS = st.sampled_from(list(Discipline.RANK))

REVOKED = st.sampled_from([False, False, False, True])


def awards_of(codes):
    return st.lists(st.tuples(st.sampled_from(codes), YEARS, KINDS, REVOKED), max_size=12)


ratings = st.dictionaries(YEARS, RATING_LEVELS, max_size=11)


@st.composite
def disciplines(draw):
    start = date(draw(st.integers(2016, YEAR)), draw(st.integers(1, 12)), draw(st.integers(1, 28)))
    days = draw(st.none() | st.integers(0, 900))
    end = None if days is None else date.fromordinal(start.toordinal() + days)
    return draw(DISCIPLINE_LEVELS), start, end


member_histories = st.lists(
    st.tuples(st.booleans(), st.none() | RATING_LEVELS, st.booleans(), st.lists(disciplines(), max_size=1)),
    max_size=8,
)
histories = st.fixed_dictionaries(
    {
        "person_awards": awards_of(PERSON_CODES),
        "person_ratings": ratings,
        "person_disciplines": st.lists(disciplines(), max_size=2),
        "initiatives": st.lists(st.tuples(st.sampled_from(list(Initiative.RANK)), YEARS), max_size=6),
        "unit_awards": awards_of(UNIT_CODES),
        "unit_ratings": ratings,
        "merged": st.booleans(),
        "members": member_histories,
    }
)
unrelated = st.sampled_from(
    [
        "other_persons_award",
        "other_persons_discipline",
        "later_award",
        "later_rating",
        "later_discipline",
        "later_initiative",
    ]
)
SETTINGS = settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def build(org, data):
    person = factories.make_person(org.unit_a)
    for code, year, kind, revoked in data["person_awards"]:
        h.award(person, code, year, kind=kind, revoked=revoked)
    for year, level in data["person_ratings"].items():
        h.rating(person, year, level)
    for level, start, end in data["person_disciplines"]:
        Discipline.objects.get_or_create(person=person, level=level, start=start, defaults={"end": end})
    for scope, year in data["initiatives"]:
        h.initiative(person, scope, year)
    unit = factories.make_unit(parent=org.unit_a)
    if data["merged"]:
        predecessor = factories.make_unit(parent=org.unit_a)
        unit.successor_of.set([predecessor])
        h.rating(predecessor, YEAR, "excellent")
        h.award(predecessor, "TTLDTT", YEAR - 1)
    for code, year, kind, revoked in data["unit_awards"]:
        h.award(unit, code, year, kind=kind, revoked=revoked)
    for year, level in data["unit_ratings"].items():
        h.rating(unit, year, level)
    for ldtt, level, is_member, member_disciplines in data["members"]:
        member = factories.make_person(org.unit_a)
        if is_member:
            Membership.objects.create(unit=unit, person=member, year=YEAR)
        if ldtt:
            h.award(member, "LDTT", YEAR)
        if level:
            h.rating(member, YEAR, level)
        for discipline_level, start, end in member_disciplines:
            h.discipline(member, discipline_level, start, end)
    return [person, unit, factories.make_household(org.unit_a)]


def add_unrelated(org, subjects, what):
    person, unit = subjects[0], subjects[1]
    stranger = factories.make_person(org.unit_b)
    if what == "other_persons_award":
        h.award(stranger, "CSTDCS", YEAR)
    elif what == "other_persons_discipline":
        h.discipline(stranger, "dismissal", date(YEAR, 1, 1))
    elif what == "later_award":
        h.award(person, "CSTDCS", YEAR + 1)
        h.award(unit, "TTLDXS", YEAR + 1)
    elif what == "later_rating":
        h.rating(person, YEAR + 1, "failed")
        h.rating(unit, YEAR + 1, "failed")
    elif what == "later_discipline":
        h.discipline(person, "dismissal", date(YEAR + 1, 1, 2))
    elif what == "later_initiative":
        h.initiative(person, "national", YEAR + 1, unit=unit)


def snapshot(verdicts):
    return [(v.subject_code, v.award_code, v.status, [(r.rule, r.ok, r.message) for r in v.reasons]) for v in verdicts]


@pytest.mark.usefixtures("catalogue")
@SETTINGS
@given(data=histories)
def test_random_histories_never_crash(org, data):
    with transaction.atomic():
        subjects = build(org, data)
        verdicts = check_many(subjects, YEAR)
        assert [v.award_code for v in verdicts] == [*PERSON_CODES, *UNIT_CODES, "GK", "GDVH"]
        for verdict in verdicts:
            assert verdict.status in ("eligible", "ineligible", "review")
            assert verdict.reasons and all(reason.message for reason in verdict.reasons)
            expected = "ineligible" if any(r.ok is False for r in verdict.reasons) else verdict.status
            assert verdict.status == expected
        transaction.set_rollback(True)


@pytest.mark.usefixtures("catalogue")
@SETTINGS
@given(data=histories, what=unrelated)
def test_an_unrelated_record_never_changes_a_verdict(org, data, what):
    with transaction.atomic():
        subjects = build(org, data)
        before = snapshot(check_many(subjects, YEAR))
        add_unrelated(org, subjects, what)
        assert snapshot(check_many(subjects, YEAR)) == before
        transaction.set_rollback(True)


def test_the_builders_write_what_they_say(org, catalogue):
    """Guard for the properties above: a history built from data really is in the database."""
    data = {
        "person_awards": [("LDTT", YEAR, "regular", False)],
        "person_ratings": {YEAR: "good"},
        "person_disciplines": [],
        "initiatives": [("unit", YEAR)],
        "unit_awards": [],
        "unit_ratings": {},
        "merged": True,
        "members": [(True, "good", True, [])],
    }
    person, unit, _household = build(org, data)
    assert AwardRecord.objects.filter(person=person, award_type=AwardType.objects.get(code="LDTT")).exists()
    assert Membership.objects.filter(unit=unit, year=YEAR).count() == 1
    verdicts = {v.award_code: v for v in check_many([person], YEAR)}
    assert verdicts["LDTT"].status == "eligible"
