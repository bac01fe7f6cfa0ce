import datetime as dt

import pytest
from django.db import IntegrityError

from awards.models import AwardRecord, AwardRuleSet, AwardType, BaseSalary

GLOSSARY_CODES = {
    "LDTT", "CSTDCS", "CSTD_TINH", "CSTDTQ", "TTLDTT", "TTLDXS", "CO_TINH", "CO_CP", "GK", "BK_TINH", "BK_TTG",
    "HCLD3", "GDVH", "THON_VH",
}  # fmt: skip


@pytest.mark.django_db
def test_every_glossary_code_is_seeded_with_national_rules(catalogue):
    assert set(AwardType.objects.values_list("code", flat=True)) >= GLOSSARY_CODES
    for code in GLOSSARY_CODES:
        rule_set = AwardRuleSet.objects.get(award_type__code=code, organisation__isnull=True)
        assert rule_set.rules, code
        award_type = rule_set.award_type
        assert set(rule_set.coefficients) == set(award_type.subject_types), code


@pytest.mark.django_db
def test_bonus_uses_the_base_salary_in_force_on_the_decision_date(catalogue):
    assert BaseSalary.in_force(dt.date(2024, 6, 30)).amount == 1_800_000
    assert BaseSalary.in_force(dt.date(2024, 7, 1)).amount == 2_340_000
    assert BaseSalary.bonus(coefficient=0.3, base_amount=2_340_000) == 702_000
    individual = AwardRuleSet.objects.get(award_type__code="GK", organisation__isnull=True).coefficients["person"]
    household = AwardRuleSet.objects.get(award_type__code="GK", organisation__isnull=True).coefficients["household"]
    assert BaseSalary.bonus(coefficient=household, base_amount=2_340_000) == 1.5 * BaseSalary.bonus(
        coefficient=individual, base_amount=2_340_000
    )


def test_an_award_record_has_exactly_one_subject(org):
    ldtt = AwardType.objects.get(code="LDTT")
    with pytest.raises(IntegrityError):
        AwardRecord.objects.create(
            person=org.person_a, unit=org.unit_a, award_type=ldtt, year=2025, decision_number="1"
        )


def test_a_nomination_has_exactly_one_subject(org):
    from awards.models import Nomination

    ldtt = AwardType.objects.get(code="LDTT")
    common = {"award_type": ldtt, "year": 2026, "proposing_unit": org.unit_a, "achievement": "Hoàn thành xuất sắc"}
    Nomination.objects.create(person=org.person_a, **common)
    with pytest.raises(IntegrityError):
        Nomination.objects.create(person=org.person_a, unit=org.unit_a, **common)
