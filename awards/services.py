"""Writes on the award catalogue: a new version of an award type's rules, a new base salary. Each one audited.

A rule set is never changed once saved (a verdict recorded under it keeps its meaning): a change of rules is
always a new version from a date on."""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from awards import eligibility
from organizations.models import Unit

from .models import AwardRuleSet, AwardType, BaseSalary

RULE_FIELDS = (
    "rules",
    "quota_rule",
    "vote_rule",
    "required_documents",
    "consultation_days",
    "coefficients",
    "note",
)


class AwardsError(Exception):
    """The catalogue refused a change. `problems` maps a form field name ("" for the whole form) to the
    messages shown to the user."""

    def __init__(self, problems: dict[str, list[str]]):
        self.problems = problems
        super().__init__(" ".join(message for messages in problems.values() for message in messages))


def rule_set_in_force(award_type: AwardType, organisation: Unit | None, on: date) -> AwardRuleSet | None:
    """The version of the rules that applies on `on` to one scope: the organisation's own version when it has
    one in force, else the national version."""
    versions = AwardRuleSet.objects.filter(award_type=award_type, valid_from__lte=on).select_related("organisation")
    if organisation is not None:
        own = versions.filter(organisation=organisation).order_by("-valid_from", "-pk").first()
        if own is not None:
            return own
    return versions.filter(organisation__isnull=True).order_by("-valid_from", "-pk").first()


def rule_set_problems(
    *,
    award_type: AwardType,
    organisation: Unit | None,
    valid_from: date,
    rules,
    quota_rule,
    vote_rule,
    coefficients,
) -> dict[str, list[str]]:
    """What stops these rules from becoming a new version; empty when nothing does."""
    problems: dict[str, list[str]] = {}
    messages = eligibility.validate_rule_set(
        rules=rules,
        quota_rule=quota_rule,
        vote_rule=vote_rule,
        coefficients=coefficients,
        subject_types=award_type.subject_types,
    )
    if messages:
        problems["rules"] = list(messages)
    current = rule_set_in_force(award_type, organisation, timezone.localdate())
    if current is not None and valid_from < current.valid_from:
        problems.setdefault("valid_from", []).append(
            _(
                "The new version cannot start before the version in force, which applies from %(date)s. "
                "Choose %(date)s or a later date."
            )
            % {"date": current.valid_from.strftime("%d/%m/%Y")}
        )
    same_day = AwardRuleSet.objects.filter(award_type=award_type, valid_from=valid_from).filter(
        Q(organisation=organisation) if organisation is not None else Q(organisation__isnull=True)
    )
    if same_day.exists():
        problems.setdefault("valid_from", []).append(
            _("A version of these rules already starts on %(date)s: versions are never changed, choose another date.")
            % {"date": valid_from.strftime("%d/%m/%Y")}
        )
    return problems


def _snapshot(rule_set: AwardRuleSet | None) -> dict:
    if rule_set is None:
        return {}
    return {name: getattr(rule_set, name) for name in RULE_FIELDS}


def rule_set_create(
    *,
    by,
    award_type: AwardType,
    organisation: Unit | None,
    valid_from: date,
    rules: list,
    quota_rule: dict,
    vote_rule: dict,
    required_documents: list,
    consultation_days: int,
    coefficients: dict,
    note: str = "",
) -> AwardRuleSet:
    """A new version of an award type's rules (nationally, or for an organisation's subtree)."""
    with transaction.atomic():
        # One writer at a time per award type: the date checks below must see the other writer's version.
        AwardType.objects.select_for_update(no_key=True).filter(pk=award_type.pk).first()
        problems = rule_set_problems(
            award_type=award_type,
            organisation=organisation,
            valid_from=valid_from,
            rules=rules,
            quota_rule=quota_rule,
            vote_rule=vote_rule,
            coefficients=coefficients,
        )
        if problems:
            raise AwardsError(problems)
        previous = rule_set_in_force(award_type, organisation, timezone.localdate())
        rule_set = AwardRuleSet.objects.create(
            award_type=award_type,
            organisation=organisation,
            valid_from=valid_from,
            rules=rules,
            quota_rule=quota_rule,
            vote_rule=vote_rule,
            required_documents=required_documents,
            consultation_days=consultation_days,
            coefficients=coefficients,
            note=note,
            created_by=by if by is not None and by.is_authenticated else None,
        )
        before, after = _snapshot(previous), _snapshot(rule_set)
        changes = {
            name: {"from": before.get(name), "to": after[name]}
            for name in RULE_FIELDS
            if name != "note" and before.get(name) != after[name]
        }
        audit_record(
            actor=by,
            verb="award_rules.changed",
            obj=award_type,
            data={
                "version": rule_set.pk,
                "organisation": organisation.code if organisation else None,
                "valid_from": valid_from,
                "compared_with_version": previous.pk if previous else None,
                "note": note,
                **changes,
            },
        )
    return rule_set


def base_salary_create(*, by, amount: int, valid_from: date, legal_basis: str = "") -> BaseSalary:
    """A new base salary from a date on; the bonus of a decision uses the one in force on its date."""
    with transaction.atomic():
        if BaseSalary.objects.filter(valid_from=valid_from).exists():
            raise AwardsError(
                {"valid_from": [_("A base salary already applies from %(date)s.") % {"date": f"{valid_from:%d/%m/%Y}"}]}
            )
        previous = BaseSalary.in_force(valid_from)
        try:
            with transaction.atomic():
                salary = BaseSalary.objects.create(amount=amount, valid_from=valid_from, legal_basis=legal_basis)
        except IntegrityError:  # another admin added the same date meanwhile
            raise AwardsError(
                {"valid_from": [_("A base salary already applies from %(date)s.") % {"date": f"{valid_from:%d/%m/%Y}"}]}
            ) from None
        audit_record(
            actor=by,
            verb="base_salary.created",
            obj=salary,
            data={
                "amount": amount,
                "valid_from": valid_from,
                "legal_basis": legal_basis,
                "previous_amount": previous.amount if previous else None,
            },
        )
    return salary
