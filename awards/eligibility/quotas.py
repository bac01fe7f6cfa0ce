"""Quotas: at most a share of a unit's awards of one type may be of another (CSTĐCS ≤ 15 % of the LĐTT of
the unit, NĐ 91/2017 k3 Đ9, kept configurable per organisation: law-notes §4.2).

The base is the number of people of the unit (Person.unit) holding `of_award` as a regular award in the
year; "used" is the number of people of the unit holding the quota's award in the year. Revoked awards
count in neither.
"""

import math
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Count, Q

from awards.models import AwardRecord
from awards.models.catalogue import AwardKind
from organizations.models import Unit

from .history import where_in

ROUNDINGS = ("floor", "round", "ceil")


@dataclass(frozen=True)
class Quota:
    award_code: str
    unit: Unit
    year: int
    used: int
    allowed: int
    base_count: int
    max_pct: float
    rounding: str

    @property
    def full(self) -> bool:
        return self.used >= self.allowed


def allowed_count(base_count: int, max_pct, rounding: str) -> int:
    """max_pct % of base_count, rounded as the rule says; exact, so 15 % of 20 is 3 whatever the floats."""
    value = Fraction(base_count) * Fraction(str(max_pct)) / 100
    if rounding == "ceil":
        return math.ceil(value)
    if rounding == "round":  # half up, as people round by hand (2.5 → 3)
        return math.floor(value + Fraction(1, 2))
    return math.floor(value)


def award_counts(unit_ids, year: int, codes) -> dict[tuple[int, str], tuple[int, int]]:
    """(unit id, award code) → (people of the unit holding it in the year, those holding it as regular)."""
    counts = {}
    awards = AwardRecord.objects.filter(year=year, revoked=False, award_type__code__in=sorted(set(codes)))
    for chunk in where_in(awards, "person__unit_id", unit_ids):
        grouped = chunk.values("person__unit_id", "award_type__code").annotate(
            people=Count("person", distinct=True),
            regular=Count("person", distinct=True, filter=Q(kind=AwardKind.REGULAR)),
        )
        for row in grouped.order_by():
            counts[row["person__unit_id"], row["award_type__code"]] = (row["people"], row["regular"])
    return counts


def make_quota(*, unit: Unit, award_code: str, year: int, quota_rule: dict, counts) -> Quota:
    base = counts.get((unit.pk, quota_rule["of_award"]), (0, 0))[1]
    used = counts.get((unit.pk, award_code), (0, 0))[0]
    rounding = quota_rule.get("rounding", "floor")
    return Quota(
        award_code=award_code,
        unit=unit,
        year=year,
        used=used,
        allowed=allowed_count(base, quota_rule["max_pct"], rounding),
        base_count=base,
        max_pct=quota_rule["max_pct"],
        rounding=rounding,
    )


def quota_usage(unit: Unit, award_code: str, year: int) -> Quota | None:
    """Used / allowed for `award_code` in `unit` and `year`, under the rule set in force there; None when the
    rule set has no quota."""
    from .engine import Catalogue

    rule_set = Catalogue.load(year).rule_set(award_code, unit)
    if rule_set is None or not rule_set.quota_rule:
        return None
    quota_rule = rule_set.quota_rule
    counts = award_counts([unit.pk], year, [award_code, quota_rule["of_award"]])
    return make_quota(unit=unit, award_code=award_code, year=year, quota_rule=quota_rule, counts=counts)
