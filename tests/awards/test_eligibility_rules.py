"""Each rule kind on its own, on in-memory histories: the boundaries a secretariat would argue about."""

from datetime import date

import pytest

from awards.eligibility import validate_rule_set
from awards.eligibility.history import AwardRow, DisciplineRow, History, InitiativeRow, SubjectHistory
from awards.eligibility.rules import RULES, Context, counted_after_discipline, evaluate_rule

YEAR = 2026


def awards(code, *years, kind="regular", revoked=False):
    return {code: [AwardRow(code, year, kind, f"{year}/QĐ-{code}", date(year, 12, 1), revoked) for year in years]}


def context(subject_type="person", *, index=None, **history) -> Context:
    own = SubjectHistory(**history)
    void_until, void_reason = counted_after_discipline(own, YEAR)
    return Context(
        subject_type=subject_type,
        year=YEAR,
        history=own,
        index=index or History(year=YEAR),
        award_names={"LDTT": "Lao động tiên tiến", "CSTDCS": "Chiến sĩ thi đua cơ sở"},
        void_until=void_until,
        void_reason=void_reason,
    )


def run(params, ctx):
    """(ok, message, records); a failing year-based rule also names its missing years (see the gap test)."""
    return evaluate_rule(params, ctx)[:3]


def test_every_kind_used_by_the_seed_is_registered():
    assert set(RULES) >= {
        "rating",
        "rating_count",
        "award",
        "award_count",
        "earlier_award",
        "initiative",
        "any_of",
        "no_discipline",
        "members_award_share",
        "members_rating_share",
        "members_award_count",
        "no_member_discipline",
        "manual",
    }


# rating, rating_count ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratings", "ok", "cited"),
    [
        ({2024: "excellent", 2025: "excellent", 2026: "excellent"}, True, "2024, 2025, 2026"),
        ({2024: "excellent", 2026: "excellent"}, False, "2025"),  # a gap year
        ({2024: "excellent", 2025: "good", 2026: "excellent"}, False, "2025"),
        ({2025: "excellent", 2026: "excellent"}, False, "2024"),
    ],
)
def test_rating_needs_every_year_of_the_chain(ratings, ok, cited):
    result = run({"kind": "rating", "min": "excellent", "years": 3}, context(ratings=ratings))
    assert result[0] is ok and cited in result[1]


@pytest.mark.parametrize(
    ("excellent_years", "ok"), [([], False), ([2022], True), ([2021], False), ([2023, 2026], True)]
)
def test_rating_count_within_the_window(excellent_years, ok):
    ratings = {year: "good" for year in range(2020, 2027)} | {year: "excellent" for year in excellent_years}
    result = run({"kind": "rating_count", "min": "excellent", "count": 1, "window": 5}, context(ratings=ratings))
    assert result[0] is ok, result[1]
    assert "2022–2026" in result[1]


# award, award_count, earlier_award ------------------------------------------------------------------------


def test_award_chain_with_a_gap_year_names_the_missing_year():
    ok, message, records = run(
        {"kind": "award", "award": "CSTDCS", "years": 3}, context(awards=awards("CSTDCS", 2024, 2026))
    )
    assert ok is False and "2025" in message and "2024" not in message
    assert records == ["CSTDCS 2024 2024/QĐ-CSTDCS", "CSTDCS 2026 2026/QĐ-CSTDCS"]
    missing = evaluate_rule({"kind": "award", "award": "CSTDCS", "years": 3}, context(awards=awards("CSTDCS", 2024)))
    assert missing[3] == [2026, 2025]


def test_award_chain_cites_decisions():
    ok, message, _records = run(
        {"kind": "award", "award": "CSTDCS", "years": 2}, context(awards=awards("CSTDCS", 2025, 2026))
    )
    assert ok is True and "2025/QĐ-CSTDCS" in message and "2026/QĐ-CSTDCS" in message


@pytest.mark.parametrize("kind", ["sudden", "campaign"])
def test_sudden_and_campaign_awards_do_not_count_toward_a_regular_chain(kind):
    history = awards("CSTDCS", 2024, 2026)
    history["CSTDCS"] += awards("CSTDCS", 2025, kind=kind)["CSTDCS"]
    assert run({"kind": "award", "award": "CSTDCS", "years": 3}, context(awards=history))[0] is False
    with_kinds = {"kind": "award", "award": "CSTDCS", "years": 3, "kinds": ["regular", kind]}
    assert run(with_kinds, context(awards=history))[0] is True


def test_a_revoked_award_never_counts():
    history = awards("CSTDCS", 2026, revoked=True)
    params = {"kind": "award", "award": "CSTDCS", "years": 1, "kinds": ["regular", "sudden"]}
    assert run(params, context(awards=history))[0] is False


def test_award_with_step_and_offset():
    """CSTĐ toàn quốc: the provincial title in the year before and three years before that."""
    params = {"kind": "award", "award": "CSTD_TINH", "years": 2, "step": 3, "end_offset": -1}
    assert run(params, context(awards=awards("CSTD_TINH", 2022, 2025)))[0] is True
    ok, message, _ = run(params, context(awards=awards("CSTD_TINH", 2023, 2026)))
    assert ok is False and "2022" in message and "2025" in message


@pytest.mark.parametrize(
    ("years", "ok"), [((2022, 2024, 2026), True), ((2021, 2024, 2026), False), ((2025, 2026), False)]
)
def test_award_count_in_the_window(years, ok):
    params = {"kind": "award_count", "award": "CSTDCS", "count": 3, "window": 5}
    assert run(params, context(awards=awards("CSTDCS", *years)))[0] is ok


@pytest.mark.parametrize(("year", "ok"), [(2021, True), (2015, True), (2022, False), (2026, False)])
def test_earlier_award_at_least_some_years_before(year, ok):
    params = {"kind": "earlier_award", "award": "BK_TINH", "min_years_before": 5}
    result = run(params, context(awards=awards("BK_TINH", year)))
    assert result[0] is ok
    assert (str(year) in result[1]) is ok


def test_earlier_award_within_a_window():
    params = {"kind": "earlier_award", "award": "BK_TINH", "min_years_before": 5, "max_years_before": 8}
    assert run(params, context(awards=awards("BK_TINH", 2018)))[0] is True
    ok, message, _ = run(params, context(awards=awards("BK_TINH", 2017)))
    assert ok is False and "2018" in message and "2021" in message


# initiative -------------------------------------------------------------------------------------------


def initiatives(*items):
    return [InitiativeRow(scope, year, f"{n}/QĐ-SK", f"Sáng kiến {n}") for n, (scope, year) in enumerate(items, 1)]


@pytest.mark.parametrize(
    ("items", "ok"),
    [
        ([("province", 2025)], True),
        ([("national", 2024)], True),  # wider scope counts
        ([("unit", 2025)], False),  # too small a scope
        ([("province", 2023)], False),  # outside the counted period
    ],
)
def test_initiative_scope_and_period(items, ok):
    params = {"kind": "initiative", "scope": "province", "count": 1, "window": 3}
    result = run(params, context(initiatives=initiatives(*items)))
    assert result[0] is ok
    if ok:
        assert "1/QĐ-SK" in result[1]


def test_initiative_count():
    params = {"kind": "initiative", "scope": "unit", "count": 5, "window": 5}
    four = [("unit", year) for year in range(2023, 2027)]
    ok, message, records = run(params, context(initiatives=initiatives(*four)))
    assert ok is False and "4" in message and "5" in message and len(records) == 4
    assert run(params, context(initiatives=initiatives(*four, ("province", 2022))))[0] is True


# disciplines ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "ok"),
    [
        (date(2025, 3, 1), date(2025, 12, 31), True),  # ended before the year
        (date(2025, 3, 1), date(2026, 1, 1), False),  # still in force on 1 January
        (date(2026, 12, 31), None, False),  # began on the last day
        (date(2024, 1, 1), None, False),  # in force, no end
    ],
)
def test_no_discipline_in_force_at_any_time_of_the_year(start, end, ok):
    history = {"disciplines": [DisciplineRow("reprimand", start, end, "9/QĐ-KL")]}
    result = run({"kind": "no_discipline", "min_level": "reprimand"}, context(**history))
    assert result[0] is ok
    if not ok:
        assert "9/QĐ-KL" in result[1] and start.strftime("%d/%m/%Y") in result[1]


def test_no_discipline_ignores_lower_levels():
    history = {"disciplines": [DisciplineRow("reprimand", date(2026, 1, 5), None, "")]}
    assert run({"kind": "no_discipline", "min_level": "warning"}, context(**history))[0] is True


def test_a_discipline_ending_mid_year_voids_that_year_and_earlier_ones():
    """NĐ 152: achievements count from the end of the discipline; 1 January of a year must be after it."""
    ctx = context(
        ratings={year: "excellent" for year in range(2022, 2027)},
        disciplines=[DisciplineRow("reprimand", date(2023, 9, 1), date(2024, 6, 30), "5/QĐ-KL")],
    )
    assert run({"kind": "rating", "min": "excellent", "years": 2}, ctx)[0] is True  # 2025, 2026
    ok, message, _ = run({"kind": "rating", "min": "excellent", "years": 3}, ctx)
    assert ok is False and "2024" in message and "30/06/2024" in message
    assert run({"kind": "rating_count", "min": "excellent", "count": 3, "window": 5}, ctx)[0] is False


def test_a_discipline_ending_on_31_december_voids_only_up_to_that_year():
    ctx = context(
        awards=awards("CSTDCS", 2025, 2026),
        disciplines=[DisciplineRow("warning", date(2024, 1, 1), date(2024, 12, 31), "")],
    )
    assert run({"kind": "award", "award": "CSTDCS", "years": 2}, ctx)[0] is True


# any_of, manual, subjects, unknown kinds -------------------------------------------------------------------

EXCELLENT_OR_INITIATIVE = {
    "kind": "any_of",
    "rules": [
        {"kind": "rating", "min": "excellent", "years": 1},
        {"kind": "initiative", "scope": "unit", "count": 1, "window": 1},
    ],
}


def test_any_of_is_met_by_either_alternative():
    assert run(EXCELLENT_OR_INITIATIVE, context(ratings={2026: "excellent"}))[0] is True
    ok, message, records = run(EXCELLENT_OR_INITIATIVE, context(initiatives=initiatives(("unit", 2026))))
    assert ok is True and "1/QĐ-SK" in message and records


def test_any_of_fails_when_no_alternative_is_met_and_says_both():
    ok, message, _ = run(EXCELLENT_OR_INITIATIVE, context(ratings={2026: "good"}))
    assert ok is False and message.count("2026") == 2


def test_any_of_with_a_manual_alternative_needs_review():
    params = {
        "kind": "any_of",
        "rules": [{"kind": "rating", "min": "excellent", "years": 1}, {"kind": "manual", "message": "Hội đồng xét"}],
    }
    assert run(params, context(ratings={2026: "good"}))[0] is None


def test_manual_always_needs_review_with_its_own_words():
    assert run({"kind": "manual", "message": "Dẫn đầu cụm thi đua"}, context()) == (None, "Dẫn đầu cụm thi đua", [])


def test_a_rule_for_other_subjects_does_not_apply():
    params = {"kind": "rating", "min": "good", "years": 1, "subjects": ["person"]}
    assert evaluate_rule(params, context("household")) is None
    assert evaluate_rule(params, context("person"))[0] is False


def test_an_unknown_kind_needs_review_instead_of_crashing():
    ok, message, _ = evaluate_rule({"kind": "lunar_phase"}, context())
    assert ok is None and "lunar_phase" in message


# members ----------------------------------------------------------------------------------------------


def collective(members: int, *, ldtt: int = 0, ratings=None, disciplines=None) -> Context:
    index = History(year=YEAR)
    for pk in range(1, ldtt + 1):
        index.member_awards[pk] = awards("LDTT", YEAR)
    index.member_ratings.update(ratings or {})
    index.member_disciplines.update(disciplines or {})
    index.member_labels.update({pk: f"Người {pk} (CB{pk:04d})" for pk in disciplines or {}})
    return context("unit", index=index, members=set(range(1, members + 1)))


@pytest.mark.parametrize(
    ("members", "ldtt", "strict", "ok"),
    [
        (20, 10, True, False),  # exactly 50 % is not more than 50 %
        (20, 11, True, True),
        (20, 10, False, True),  # at least 50 %
        (3, 1, False, False),
        (7, 4, True, True),  # 57.1 %
    ],
)
def test_members_award_share_boundaries(members, ldtt, strict, ok):
    params = {"kind": "members_award_share", "award": "LDTT", "min_pct": 50, "strict": strict}
    result = run(params, collective(members, ldtt=ldtt))
    assert result[0] is ok
    assert f"{ldtt}" in result[1] and f"{members}" in result[1]


def test_members_award_share_ignores_sudden_and_revoked_awards():
    ctx = collective(4, ldtt=0)
    ctx.index.member_awards[1] = awards("LDTT", YEAR, kind="sudden")
    ctx.index.member_awards[2] = awards("LDTT", YEAR, revoked=True)
    ctx.index.member_awards[3] = awards("LDTT", YEAR)
    params = {"kind": "members_award_share", "award": "LDTT", "min_pct": 25, "strict": False}
    ok, message, _ = run(params, ctx)
    assert ok is True and "1" in message and "25" in message


def test_without_a_member_list_a_person_must_judge():
    ok, message, _ = run({"kind": "members_award_share", "award": "LDTT", "min_pct": 50}, collective(0))
    assert ok is None and "2026" in message


def test_members_rating_share_every_member():
    params = {"kind": "members_rating_share", "min": "completed", "min_pct": 100}
    assert run(params, collective(3, ratings={1: "good", 2: "completed", 3: "excellent"}))[0] is True
    assert run(params, collective(3, ratings={1: "good", 2: "failed", 3: "excellent"}))[0] is False
    assert run(params, collective(3, ratings={1: "good", 3: "excellent"}))[0] is False  # a member not rated


def test_members_award_count():
    ctx = collective(5)
    params = {"kind": "members_award_count", "award": "CSTDCS", "count": 1}
    assert run(params, ctx)[0] is False
    ctx.index.member_awards[4] = awards("CSTDCS", YEAR)
    ok, message, _ = run(params, ctx)
    assert ok is True and f"{YEAR}/QĐ-CSTDCS" in message


def test_no_member_discipline_names_the_member():
    warned = {2: [DisciplineRow("warning", date(2026, 5, 1), date(2026, 11, 1), "3/QĐ-KL")]}
    ok, message, _ = run({"kind": "no_member_discipline", "min_level": "warning"}, collective(3, disciplines=warned))
    assert ok is False and "CB0002" in message and "3/QĐ-KL" in message
    reprimanded = {2: [DisciplineRow("reprimand", date(2026, 5, 1), None, "")]}
    assert run({"kind": "no_member_discipline", "min_level": "warning"}, collective(3, disciplines=reprimanded))[0]


# validate_rule_set --------------------------------------------------------------------------------------


def validate(rules, quota_rule=None, vote_rule=None, coefficients=None, subject_types=("person",)):
    return validate_rule_set(
        rules=rules,
        quota_rule=quota_rule or {},
        vote_rule=vote_rule or {},
        coefficients=coefficients or {},
        subject_types=list(subject_types),
    )


@pytest.mark.usefixtures("catalogue")
def test_the_seeded_rule_sets_are_valid():
    from awards.models import AwardRuleSet

    for rule_set in AwardRuleSet.objects.select_related("award_type"):
        assert (
            validate_rule_set(
                rules=rule_set.rules,
                quota_rule=rule_set.quota_rule,
                vote_rule=rule_set.vote_rule,
                coefficients=rule_set.coefficients,
                subject_types=rule_set.award_type.subject_types,
            )
            == []
        ), rule_set.award_type.code


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    ("rules", "cited"),
    [
        ("not a list", None),
        ([{"kind": "horoscope"}], "horoscope"),
        ([{"kind": "rating", "min": "good"}], "years"),  # missing
        ([{"kind": "rating", "min": "superb", "years": 1}], "min"),
        ([{"kind": "rating", "min": "good", "years": 0}], "years"),
        ([{"kind": "rating", "min": "good", "years": True}], "years"),
        ([{"kind": "rating", "min": "good", "years": 1, "colour": "red"}], "colour"),
        ([{"kind": "award", "award": "NOPE", "years": 1}], "award"),
        ([{"kind": "award", "award": "LDTT", "years": 1, "kinds": ["yearly"]}], "kinds"),
        ([{"kind": "members_award_share", "award": "LDTT", "min_pct": 150}], "min_pct"),
        ([{"kind": "manual", "message": "  "}], "message"),
        ([{"kind": "rating", "min": "good", "years": 1, "subjects": ["household"]}], "subjects"),
        ([{"kind": "any_of", "rules": [{"kind": "rating", "min": "good"}]}], "1.1"),
        ([{"kind": "any_of", "rules": []}], "rules"),
    ],
)
def test_invalid_rules_are_explained(rules, cited):
    errors = validate(rules)
    assert len(errors) >= 1
    if cited:
        assert any(cited in error for error in errors), errors


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    ("kwargs", "cited"),
    [
        ({"quota_rule": {"of_award": "LDTT", "max_pct": 15}}, "rounding"),
        ({"quota_rule": {"of_award": "LDTT", "max_pct": 150, "rounding": "floor"}}, "max_pct"),
        ({"quota_rule": {"of_award": "NOPE", "max_pct": 15, "rounding": "floor"}}, "NOPE"),
        ({"vote_rule": {"threshold_pct": 30}}, "threshold_pct"),
        ({"vote_rule": {"base": "everyone"}}, "base"),
        ({"coefficients": {"unit": 0.8}}, "unit"),
        ({"coefficients": {"person": -1}}, "person"),
        ({"subject_types": ["martian"]}, "person, unit, household"),
    ],
)
def test_invalid_quota_vote_and_coefficients_are_explained(kwargs, cited):
    errors = validate([{"kind": "rating", "min": "good", "years": 1}], **kwargs)
    assert any(cited in error for error in errors), errors


@pytest.mark.usefixtures("catalogue")
def test_a_valid_custom_rule_set_has_no_errors():
    rules = [
        {"kind": "earlier_award", "award": "BK_TINH", "min_years_before": 5, "max_years_before": 10},
        {"kind": "award", "award": "LDTT", "years": 2, "kinds": ["regular", "sudden"]},
        {"kind": "members_award_share", "award": "LDTT", "min_pct": 70, "strict": False, "subjects": ["unit"]},
    ]
    assert (
        validate(
            rules,
            quota_rule={"of_award": "LDTT", "max_pct": 12.5, "rounding": "round"},
            vote_rule={"secret": True, "threshold_pct": 90, "base": "all", "quorum_pct": 67},
            coefficients={"person": 1.0, "unit": 2},
            subject_types=["person", "unit"],
        )
        == []
    )
