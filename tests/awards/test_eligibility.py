"""Every award code of the catalogue against the chains of law-notes §14.2: a small history, the verdict, and
the reason a user would read first (with the years and decision numbers it cites)."""

from datetime import date

import pytest

from awards.eligibility import check, check_many, quota_usage
from awards.models import AwardRuleSet, AwardType
from organizations.models import Unit
from tests import factories
from tests.awards import factories as h

YEAR = 2026
pytestmark = pytest.mark.usefixtures("catalogue")


def person(org):
    return factories.make_person(org.unit_a)


def unit(org):
    return factories.make_unit(parent=org.unit_a)


def with_quota_room(org):
    """Seven LĐTT colleagues: with the subject's own LĐTT, 15 % of 8 leaves room for one CSTĐCS."""
    h.collective(org.unit_a, YEAR, 7, ldtt=7)


# Builders: each returns (subject, fragments the key reason's message must cite) ---------------------


def ldtt_good(org):
    p = person(org)
    h.rating(p, YEAR, "good")
    return p, [str(YEAR)]


def ldtt_completed_only(org):
    p = person(org)
    h.rating(p, YEAR, "completed")
    return p, [str(YEAR)]


def ldtt_reprimanded(org):
    p = person(org)
    h.rating(p, YEAR, "excellent")
    h.discipline(p, "reprimand", date(YEAR, 3, 1), date(YEAR, 9, 1), decision="12/QĐ-KL")
    return p, ["12/QĐ-KL", "01/03/2026"]


def ldtt_discipline_ended_last_year(org):
    p = person(org)
    h.rating(p, YEAR, "good")
    h.discipline(p, "reprimand", date(YEAR - 1, 1, 10), date(YEAR - 1, 6, 30))
    return p, [str(YEAR)]


def cstdcs_excellent(org):
    p = person(org)
    with_quota_room(org)
    ldtt = h.award(p, "LDTT", YEAR)
    h.rating(p, YEAR, "excellent")
    return p, [ldtt.decision_number, str(YEAR)]


def cstdcs_good_with_initiative(org):
    p = person(org)
    with_quota_room(org)
    h.award(p, "LDTT", YEAR)
    h.rating(p, YEAR, "good")
    item = h.initiative(p, "unit", YEAR)
    return p, [item.decision_number]


def cstdcs_good_without_initiative(org):
    p = person(org)
    with_quota_room(org)
    h.award(p, "LDTT", YEAR)
    h.rating(p, YEAR, "good")
    return p, [str(YEAR)]


def cstdcs_without_ldtt(org):
    p = person(org)
    with_quota_room(org)
    h.rating(p, YEAR, "excellent")
    return p, [str(YEAR)]


def cstdcs_quota_used_up(org):
    """Five LĐTT in the unit: 15 % of 6, rounded down, is 0."""
    p = person(org)
    h.collective(org.unit_a, YEAR, 5, ldtt=5)
    h.award(p, "LDTT", YEAR)
    h.rating(p, YEAR, "excellent")
    return p, ["0", "6"]


def cstd_tinh_chain(org):
    p = person(org)
    records = h.awards(p, "CSTDCS", [YEAR - 2, YEAR - 1, YEAR])
    h.initiative(p, "province", YEAR - 1)
    return p, [r.decision_number for r in records]


def cstd_tinh_gap_year(org):
    p = person(org)
    h.awards(p, "CSTDCS", [YEAR - 3, YEAR - 2, YEAR])
    h.initiative(p, "province", YEAR - 1)
    return p, [str(YEAR - 1)]


def cstd_tinh_sudden_award_in_chain(org):
    p = person(org)
    h.awards(p, "CSTDCS", [YEAR - 2, YEAR])
    h.award(p, "CSTDCS", YEAR - 1, kind="sudden")
    h.initiative(p, "province", YEAR - 1)
    return p, [str(YEAR - 1)]


def cstd_tinh_revoked_in_chain(org):
    p = person(org)
    h.awards(p, "CSTDCS", [YEAR - 2, YEAR])
    h.award(p, "CSTDCS", YEAR - 1, revoked=True)
    h.initiative(p, "province", YEAR - 1)
    return p, [str(YEAR - 1)]


def cstd_tinh_initiative_too_small(org):
    p = person(org)
    h.awards(p, "CSTDCS", [YEAR - 2, YEAR - 1, YEAR])
    h.initiative(p, "unit", YEAR - 1)
    return p, ["0"]


def cstd_tinh_discipline_ended_mid_chain(org):
    """A reprimand that ended on 30/06 of the middle year voids that year and the one before."""
    p = person(org)
    h.awards(p, "CSTDCS", [YEAR - 2, YEAR - 1, YEAR])
    h.initiative(p, "province", YEAR)
    h.discipline(p, "reprimand", date(YEAR - 2, 11, 1), date(YEAR - 1, 6, 30))
    return p, [str(YEAR - 2), str(YEAR - 1), "30/06/2025"]


def cstdtq_chain(org):
    p = person(org)
    records = h.awards(p, "CSTD_TINH", [YEAR - 4, YEAR - 1])
    h.initiative(p, "national", YEAR - 2)
    return p, [r.decision_number for r in records]


def cstdtq_second_title_not_last_year(org):
    p = person(org)
    h.awards(p, "CSTD_TINH", [YEAR - 5, YEAR - 2])
    h.initiative(p, "national", YEAR - 2)
    return p, [str(YEAR - 4), str(YEAR - 1)]


def cstdtq_initiative_only_provincial(org):
    p = person(org)
    h.awards(p, "CSTD_TINH", [YEAR - 4, YEAR - 1])
    h.initiative(p, "province", YEAR - 2)
    return p, ["0"]


def ttldtt_majority(org):
    u = unit(org)
    h.rating(u, YEAR, "good")
    h.collective(u, YEAR, 10, ldtt=6)
    return u, ["6", "10", "60"]


def ttldtt_exactly_half(org):
    u = unit(org)
    h.rating(u, YEAR, "good")
    h.collective(u, YEAR, 10, ldtt=5)
    return u, ["5", "10", "50"]


def ttldtt_member_warned(org):
    u = unit(org)
    h.rating(u, YEAR, "good")
    members = h.collective(u, YEAR, 10, ldtt=8)
    h.discipline(members[9], "warning", date(YEAR, 2, 1), date(YEAR, 8, 1), decision="7/QĐ-KL")
    return u, [members[9].code, "7/QĐ-KL"]


def ttldtt_member_reprimanded(org):
    u = unit(org)
    h.rating(u, YEAR, "good")
    members = h.collective(u, YEAR, 10, ldtt=8)
    h.discipline(members[9], "reprimand", date(YEAR, 2, 1), date(YEAR, 8, 1))
    return u, [str(YEAR)]


def ttldtt_merged_unit(org):
    """A commune formed in the year from two older ones: their members and ratings are its own."""
    old_a, old_b = unit(org), unit(org)
    new = factories.make_unit(parent=org.unit_a)
    new.successor_of.set([old_a, old_b])
    h.rating(old_a, YEAR, "good")
    h.collective(old_a, YEAR, 4, ldtt=3)
    h.collective(old_b, YEAR, 4, ldtt=2)
    return new, ["5", "8"]


def ttldxs_full(org):
    u = unit(org)
    ttldtt = h.award(u, "TTLDTT", YEAR)
    h.rating(u, YEAR, "excellent")
    members = h.collective(u, YEAR, 10, ldtt=7, rating_level="completed")
    h.award(members[0], "CSTDCS", YEAR)
    return u, [ttldtt.decision_number]


def ttldxs_member_failed(org):
    u = unit(org)
    h.award(u, "TTLDTT", YEAR)
    h.rating(u, YEAR, "excellent")
    members = h.collective(u, YEAR, 10, ldtt=7)
    for member in members[:9]:
        h.rating(member, YEAR, "good")
    h.rating(members[9], YEAR, "failed")
    h.award(members[0], "CSTDCS", YEAR)
    return u, ["9", "10"]


def ttldxs_no_cstdcs(org):
    u = unit(org)
    h.award(u, "TTLDTT", YEAR)
    h.rating(u, YEAR, "excellent")
    h.collective(u, YEAR, 10, ldtt=7, rating_level="good")
    return u, ["0"]


def co_tinh_with_ttldxs(org):
    u = unit(org)
    record = h.award(u, "TTLDXS", YEAR)
    return u, [record.decision_number]


def co_tinh_without_ttldxs(org):
    u = unit(org)
    h.award(u, "TTLDXS", YEAR - 1)
    return u, [str(YEAR)]


def co_cp_with_co_tinh(org):
    u = unit(org)
    record = h.award(u, "CO_TINH", YEAR)
    return u, [record.decision_number]


def gk_person(org):
    p = person(org)
    h.rating(p, YEAR, "good")
    return p, [str(YEAR)]


def gk_household(org):
    return factories.make_household(org.unit_a), ["Hộ gia đình"]


def bk_tinh_two_excellent_years(org):
    p = person(org)
    h.ratings(p, [YEAR - 1, YEAR], "excellent")
    return p, [str(YEAR - 1), str(YEAR)]


def bk_tinh_one_good_year(org):
    u = unit(org)
    h.rating(u, YEAR - 1, "good")
    h.rating(u, YEAR, "excellent")
    return u, [str(YEAR - 1)]


def bk_ttg_person(org):
    p = person(org)
    record = h.award(p, "BK_TINH", YEAR - 5)
    h.ratings(p, range(YEAR - 4, YEAR + 1), "excellent")
    for year in range(YEAR - 4, YEAR + 1):
        h.initiative(p, "unit", year)
    return p, [record.decision_number, str(YEAR - 5)]


def bk_ttg_bk_tinh_too_recent(org):
    p = person(org)
    h.award(p, "BK_TINH", YEAR - 4)
    h.ratings(p, range(YEAR - 4, YEAR + 1), "excellent")
    for year in range(YEAR - 4, YEAR + 1):
        h.initiative(p, "unit", year)
    return p, [str(YEAR - 5)]


def bk_ttg_four_initiatives(org):
    p = person(org)
    h.award(p, "BK_TINH", YEAR - 6)
    h.ratings(p, range(YEAR - 4, YEAR + 1), "excellent")
    for year in range(YEAR - 3, YEAR + 1):
        h.initiative(p, "unit", year)
    return p, ["4", "5"]


def bk_ttg_unit(org):
    u = unit(org)
    record = h.award(u, "BK_TINH", YEAR - 7)
    h.ratings(u, range(YEAR - 4, YEAR + 1), "excellent")
    return u, [record.decision_number]


def hcld3_person(org):
    p = person(org)
    record = h.award(p, "BK_TTG", YEAR - 5)
    h.ratings(p, range(YEAR - 4, YEAR), "good")
    h.rating(p, YEAR, "excellent")
    h.awards(p, "CSTDCS", [YEAR - 4, YEAR - 2, YEAR])
    return p, [record.decision_number]


def hcld3_person_two_cstdcs(org):
    p = person(org)
    h.award(p, "BK_TTG", YEAR - 5)
    h.ratings(p, range(YEAR - 4, YEAR), "good")
    h.rating(p, YEAR, "excellent")
    h.awards(p, "CSTDCS", [YEAR - 2, YEAR])
    h.award(p, "CSTDCS", YEAR - 4, kind="campaign")
    return p, ["2", "3"]


def hcld3_merged_unit(org):
    """The units a commune succeeded (and what they succeeded) earned the chain."""
    oldest, older = unit(org), unit(org)
    older.successor_of.set([oldest])
    new = factories.make_unit(parent=org.unit_a)
    new.successor_of.set([older])
    record = h.award(oldest, "BK_TTG", YEAR - 6)
    h.ratings(oldest, range(YEAR - 4, YEAR - 2), "excellent")
    h.ratings(older, [YEAR - 2, YEAR - 1], "good")
    h.rating(new, YEAR, "good")
    h.awards(older, "TTLDXS", [YEAR - 3, YEAR - 2])
    h.award(new, "TTLDXS", YEAR)
    return new, [record.decision_number]


def gdvh_household(org):
    return factories.make_household(org.unit_a), ["86/2023"]


def thon_vh_hamlet(org):
    return factories.make_unit(parent=org.unit_a, kind=Unit.Kind.HAMLET), ["86/2023"]


CASES = [
    # award, builder, status, the reason to read
    ("LDTT", ldtt_good, "eligible", "rating"),
    ("LDTT", ldtt_completed_only, "ineligible", "rating"),
    ("LDTT", ldtt_reprimanded, "ineligible", "no_discipline"),
    ("LDTT", ldtt_discipline_ended_last_year, "eligible", "rating"),
    ("CSTDCS", cstdcs_excellent, "eligible", "award"),
    ("CSTDCS", cstdcs_good_with_initiative, "eligible", "any_of"),
    ("CSTDCS", cstdcs_good_without_initiative, "ineligible", "any_of"),
    ("CSTDCS", cstdcs_without_ldtt, "ineligible", "award"),
    ("CSTDCS", cstdcs_quota_used_up, "review", "quota"),
    ("CSTD_TINH", cstd_tinh_chain, "eligible", "award"),
    ("CSTD_TINH", cstd_tinh_gap_year, "ineligible", "award"),
    ("CSTD_TINH", cstd_tinh_sudden_award_in_chain, "ineligible", "award"),
    ("CSTD_TINH", cstd_tinh_revoked_in_chain, "ineligible", "award"),
    ("CSTD_TINH", cstd_tinh_initiative_too_small, "ineligible", "initiative"),
    ("CSTD_TINH", cstd_tinh_discipline_ended_mid_chain, "ineligible", "award"),
    ("CSTDTQ", cstdtq_chain, "eligible", "award"),
    ("CSTDTQ", cstdtq_second_title_not_last_year, "ineligible", "award"),
    ("CSTDTQ", cstdtq_initiative_only_provincial, "ineligible", "initiative"),
    ("TTLDTT", ttldtt_majority, "eligible", "members_award_share"),
    ("TTLDTT", ttldtt_exactly_half, "ineligible", "members_award_share"),
    ("TTLDTT", ttldtt_member_warned, "ineligible", "no_member_discipline"),
    ("TTLDTT", ttldtt_member_reprimanded, "eligible", "no_member_discipline"),
    ("TTLDTT", ttldtt_merged_unit, "eligible", "members_award_share"),
    ("TTLDXS", ttldxs_full, "eligible", "award"),
    ("TTLDXS", ttldxs_member_failed, "ineligible", "members_rating_share"),
    ("TTLDXS", ttldxs_no_cstdcs, "ineligible", "members_award_count"),
    ("CO_TINH", co_tinh_with_ttldxs, "review", "award"),
    ("CO_TINH", co_tinh_without_ttldxs, "ineligible", "award"),
    ("CO_CP", co_cp_with_co_tinh, "review", "award"),
    ("GK", gk_person, "eligible", "rating"),
    ("GK", gk_household, "review", "manual"),
    ("BK_TINH", bk_tinh_two_excellent_years, "eligible", "rating"),
    ("BK_TINH", bk_tinh_one_good_year, "ineligible", "rating"),
    ("BK_TTG", bk_ttg_person, "eligible", "earlier_award"),
    ("BK_TTG", bk_ttg_bk_tinh_too_recent, "ineligible", "earlier_award"),
    ("BK_TTG", bk_ttg_four_initiatives, "ineligible", "initiative"),
    ("BK_TTG", bk_ttg_unit, "eligible", "earlier_award"),
    ("HCLD3", hcld3_person, "eligible", "earlier_award"),
    ("HCLD3", hcld3_person_two_cstdcs, "ineligible", "award_count"),
    ("HCLD3", hcld3_merged_unit, "eligible", "earlier_award"),
    ("GDVH", gdvh_household, "review", "manual"),
    ("THON_VH", thon_vh_hamlet, "review", "manual"),
]


@pytest.mark.parametrize(("code", "build", "status", "rule"), CASES, ids=[f"{c[0]}-{c[1].__name__}" for c in CASES])
def test_award_chains(org, code, build, status, rule):
    subject, fragments = build(org)
    verdict = h.verdict(check(subject, YEAR, [code]), code)
    key = h.reason(verdict, rule)
    assert verdict.status == status, [(r.rule, r.ok, r.message) for r in verdict.reasons]
    expected_ok = {"eligible": True, "ineligible": False, "review": None}[status]
    if status != "review" or rule in ("manual", "quota"):
        assert key.ok is expected_ok, key.message
    for fragment in fragments:
        assert fragment in key.message, (fragment, key.message)


def test_every_award_code_has_a_case():
    assert {case[0] for case in CASES} == set(AwardType.objects.values_list("code", flat=True))


def test_without_award_codes_every_type_that_fits_the_subject(org):
    p, u, household = person(org), unit(org), factories.make_household(org.unit_a)
    verdicts = check_many([p, u, household], YEAR)
    by_subject = {
        kind: [v.award_code for v in verdicts if v.subject_type == kind] for kind in ("person", "unit", "household")
    }
    assert by_subject == {
        "person": ["LDTT", "CSTDCS", "CSTD_TINH", "CSTDTQ", "GK", "BK_TINH", "BK_TTG", "HCLD3"],
        "unit": ["TTLDTT", "TTLDXS", "CO_TINH", "CO_CP", "GK", "BK_TINH", "BK_TTG", "HCLD3", "THON_VH"],
        "household": ["GK", "GDVH"],
    }
    assert [v.subject_code for v in verdicts[:8]] == [p.code] * 8


def test_a_year_before_the_current_regime_has_no_award_types(org):
    assert check(person(org), 2023) == []


def test_an_award_asked_for_by_name_without_rules_in_force_needs_review(org):
    [verdict] = check(person(org), 2023, ["LDTT"])
    assert verdict.status == "review"
    assert h.reason(verdict, "rule_set").ok is None


def test_unknown_award_code_is_refused(org):
    with pytest.raises(ValueError, match="NOPE"):
        check(person(org), YEAR, ["NOPE"])


def test_a_province_rule_set_applies_in_its_subtree_only(org):
    """The province requires 70 % LĐTT for TTLĐTT; units elsewhere keep the national 50 %."""
    national = AwardRuleSet.objects.get(award_type__code="TTLDTT", organisation=None)
    rules = [dict(r, min_pct=70) if r["kind"] == "members_award_share" else r for r in national.rules]
    AwardRuleSet.objects.create(
        award_type=national.award_type, organisation=org.province, valid_from=date(2025, 1, 1), rules=rules
    )
    inside = factories.make_unit(parent=org.unit_a)
    outside = factories.make_unit()
    for u in (inside, outside):
        h.rating(u, YEAR, "good")
        h.collective(u, YEAR, 10, ldtt=6)
    verdicts = {v.subject_code: v for v in check_many([inside, outside], YEAR, ["TTLDTT"])}
    assert verdicts[inside.code].status == "ineligible"
    assert "70" in h.reason(verdicts[inside.code], "members_award_share").message
    assert verdicts[outside.code].status == "eligible"
    assert [v.status for v in check(inside, 2024, ["TTLDTT"])] == ["ineligible"]  # no 2024 ratings at all


def test_a_newer_national_rule_set_replaces_the_older_from_its_year(org):
    national = AwardRuleSet.objects.get(award_type__code="LDTT", organisation=None)
    AwardRuleSet.objects.create(
        award_type=national.award_type,
        valid_from=date(YEAR, 1, 1),
        rules=[{"kind": "rating", "min": "excellent", "years": 1}],
    )
    p = person(org)
    h.ratings(p, [YEAR - 1, YEAR], "good")
    assert check(p, YEAR - 1, ["LDTT"])[0].status == "eligible"
    assert check(p, YEAR, ["LDTT"])[0].status == "ineligible"


def test_quota_usage_counts_the_people_of_the_unit(org):
    people = h.collective(org.unit_a, YEAR, 20, ldtt=20)
    h.award(people[0], "CSTDCS", YEAR)
    h.award(people[1], "CSTDCS", YEAR, revoked=True)
    h.award(factories.make_person(org.unit_b), "LDTT", YEAR)  # another unit
    quota = quota_usage(org.unit_a, "CSTDCS", YEAR)
    assert (quota.used, quota.allowed, quota.base_count, quota.max_pct, quota.rounding) == (1, 3, 20, 15, "floor")
    assert quota_usage(org.unit_a, "LDTT", YEAR) is None


@pytest.mark.parametrize(("rounding", "allowed"), [("floor", 1), ("round", 2), ("ceil", 2)])
def test_quota_rounding_is_configurable(org, rounding, allowed):
    national = AwardRuleSet.objects.get(award_type__code="CSTDCS", organisation=None)
    AwardRuleSet.objects.create(
        award_type=national.award_type,
        organisation=org.province,
        valid_from=date(YEAR, 1, 1),
        rules=national.rules,
        quota_rule={"of_award": "LDTT", "max_pct": 15, "rounding": rounding},
    )
    h.collective(org.unit_a, YEAR, 10, ldtt=10)  # 15 % of 10 = 1.5
    assert quota_usage(org.unit_a, "CSTDCS", YEAR).allowed == allowed


def test_the_verdict_shows_the_quota_of_the_persons_unit(org):
    p, fragments = cstdcs_excellent(org)
    verdict = check(p, YEAR, ["CSTDCS"])[0]
    assert (verdict.quota.used, verdict.quota.allowed, verdict.quota.base_count) == (0, 1, 8)
    assert "0" in h.reason(verdict, "quota").message and "8" in h.reason(verdict, "quota").message


def test_as_dict_is_the_json_of_the_command(org):
    p, _fragments = ldtt_good(org)
    [verdict] = check(p, YEAR, ["LDTT"])
    data = verdict.as_dict()
    assert list(data) == ["subject_type", "subject_code", "award_code", "year", "status", "reasons"]
    assert data["subject_code"] == p.code and data["status"] == "eligible"
    assert [set(reason) for reason in data["reasons"]] == [{"rule", "ok", "message"}] * 2


@pytest.mark.parametrize("size", [10, 60])
def test_check_many_runs_a_fixed_number_of_queries(org, size, django_assert_num_queries):
    """Mixed subjects, every award type: the same queries for 10 subjects as for 60."""
    people = h.collective(org.unit_a, YEAR, size, ldtt=size // 2, rating_level="good")
    units = [unit(org) for _ in range(size // 10)]
    for index, u in enumerate(units):
        h.collective(u, YEAR, 3, ldtt=index % 3)
        u.successor_of.set([units[index - 1]])
    households = [factories.make_household(org.unit_a) for _ in range(size // 10)]
    for p in people[::3]:
        h.award(p, "CSTDCS", YEAR - 1)
        h.initiative(p, "unit", YEAR)
        h.discipline(p, "reprimand", date(YEAR - 2, 1, 1), date(YEAR - 2, 6, 1))
    subjects = [*people, *units, *households]
    with django_assert_num_queries(QUERIES):
        verdicts = check_many(subjects, YEAR)
    assert len(verdicts) == size * 8 + len(units) * 9 + len(households) * 2


QUERIES = 17
