"""The eligibility engine: who may be proposed for what in a year, and why, with the records that prove it.

Public interface (other modules use only these names):

    check(subject, year, award_codes=None) -> list[Verdict]
        subject: a Person, Unit or Household; award_codes: None = every award type that fits the subject.
    check_many(subjects, year, award_codes=None) -> list[Verdict]
        The same for many subjects with a number of queries that does not grow with their number.
    quota_usage(unit, award_code, year) -> Quota | None
        Used / allowed for an award type with a quota rule in a unit and year; None when it has none.
    validate_rule_set(*, rules, quota_rule, vote_rule, coefficients, subject_types) -> list[str]
        Vietnamese error messages for a rule set an admin is about to save (empty list: valid).

    Verdict: subject_type ("person" | "unit" | "household"), subject_code, subject, award_code, year,
             status ("eligible" | "ineligible" | "review"), reasons: list[Reason]; as_dict() gives the JSON of
             `check_eligibility --format json`.
    Reason: rule (the rule kind), ok (True, False, or None when a person must judge), message (Vietnamese,
            citing the records: decision numbers and years), records (list of short record references).
    Quota: award_code, unit, year, used, allowed, base_count, max_pct, rounding.
"""

from .engine import Reason, Status, Verdict, check, check_many
from .quotas import Quota, quota_usage
from .rules import validate_rule_set

__all__ = ["Quota", "Reason", "Status", "Verdict", "check", "check_many", "quota_usage", "validate_rule_set"]
