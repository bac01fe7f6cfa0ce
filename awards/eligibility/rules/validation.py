"""Validation of a rule set an admin is about to save: kinds, parameters, quota and vote rules, coefficients."""

from .base import PARAMETERS, RULES, SUBJECTS, _, award_code, boolean, choice, number


def validate_rules(rules, *, subject_types, known_awards, prefix: str = "") -> list[str]:
    if not isinstance(rules, list):
        return [_("The rules must be a list.")]
    errors = []
    for position, params in enumerate(rules, start=1):
        label = f"{prefix}{position}"
        if not isinstance(params, dict):
            errors.append(_("Rule %(number)s: must be an object with a “kind”.") % {"number": label})
            continue
        kind = params.get("kind")
        if kind not in RULES:
            errors.append(_("Rule %(number)s: unknown kind “%(kind)s”.") % {"number": label, "kind": kind})
            continue
        errors += validate_parameters(params, label, subject_types=subject_types, known_awards=known_awards)
        if kind == "any_of" and isinstance(params.get("rules"), list):
            errors += validate_rules(
                params["rules"], subject_types=subject_types, known_awards=known_awards, prefix=f"{label}."
            )
    return errors


def validate_parameters(params: dict, label: str, *, subject_types, known_awards) -> list[str]:
    kind = params["kind"]
    spec = PARAMETERS[kind]
    errors = []
    where = {"number": label, "kind": kind}
    for name in params:
        if name not in spec and name not in ("kind", "subjects"):
            errors.append(_("Rule %(number)s (%(kind)s): unknown parameter “%(name)s”.") % {**where, "name": name})
    for name, (check, required) in spec.items():
        if name not in params:
            if required:
                errors.append(_("Rule %(number)s (%(kind)s): “%(name)s” is missing.") % {**where, "name": name})
            continue
        expected = check(params[name])
        if expected is None and check is award_code and params[name] not in known_awards:
            expected = _("an existing award code")
        if expected:
            message = _("Rule %(number)s (%(kind)s): “%(name)s” must be %(expected)s.")
            errors.append(message % {**where, "name": name, "expected": expected})
    if "subjects" in params:
        subjects = params["subjects"]
        if not isinstance(subjects, list) or not subjects or not set(subjects) <= set(subject_types):
            message = _("Rule %(number)s (%(kind)s): “subjects” must be a list among %(subjects)s.")
            errors.append(message % {**where, "subjects": ", ".join(subject_types)})
    return errors


def validate_rule_set(*, rules, quota_rule, vote_rule, coefficients, subject_types) -> list[str]:
    """Vietnamese messages for what is wrong in a rule set an admin is about to save (empty: valid)."""
    from awards.models import AwardType

    errors = []
    if not isinstance(subject_types, list) or not subject_types or not set(subject_types) <= set(SUBJECTS):
        errors.append(_("The subject types must be a list among %(subjects)s.") % {"subjects": ", ".join(SUBJECTS)})
        subject_types = [s for s in subject_types or [] if s in SUBJECTS] if isinstance(subject_types, list) else []
    known_awards = set(AwardType.objects.values_list("code", flat=True))
    errors += validate_rules(rules, subject_types=subject_types, known_awards=known_awards)
    errors += validate_quota_rule(quota_rule, known_awards)
    errors += validate_vote_rule(vote_rule)
    errors += validate_coefficients(coefficients, subject_types)
    return errors


QUOTA_RULE = {"of_award": award_code, "max_pct": number(0, 100), "rounding": choice("floor", "round", "ceil")}
VOTE_RULE = {
    "secret": boolean,
    "threshold_pct": number(50, 100),
    "base": choice("all", "present"),
    "quorum_pct": number(0, 100),
}


def _validate_object(value, spec: dict, what: str, *, required: bool) -> list[str]:
    if not isinstance(value, dict):
        return [_("The %(what)s must be an object.") % {"what": what}]
    if not value:
        return []
    errors = []
    for name in value:
        if name not in spec:
            errors.append(_("The %(what)s has an unknown field “%(name)s”.") % {"what": what, "name": name})
    for name, check in spec.items():
        if name not in value:
            if required:
                errors.append(_("The %(what)s needs “%(name)s”.") % {"what": what, "name": name})
            continue
        expected = check(value[name])
        if expected:
            message = _("In the %(what)s, “%(name)s” must be %(expected)s.")
            errors.append(message % {"what": what, "name": name, "expected": expected})
    return errors


def validate_quota_rule(quota_rule, known_awards) -> list[str]:
    errors = _validate_object(quota_rule, QUOTA_RULE, _("quota rule"), required=True)
    if not errors and quota_rule and quota_rule["of_award"] not in known_awards:
        errors.append(
            _("The quota rule counts “%(code)s”, which is not an award code.") % {"code": quota_rule["of_award"]}
        )
    return errors


def validate_vote_rule(vote_rule) -> list[str]:
    return _validate_object(vote_rule, VOTE_RULE, _("vote rule"), required=False)


def validate_coefficients(coefficients, subject_types) -> list[str]:
    if not isinstance(coefficients, dict):
        return [_("The bonus coefficients must be an object.")]
    errors = []
    for subject, value in coefficients.items():
        if subject not in subject_types:
            errors.append(
                _("Bonus coefficient for “%(subject)s”, which this award does not apply to.") % {"subject": subject}
            )
        elif number(0, 100)(value):
            errors.append(
                _("The bonus coefficient for “%(subject)s” must be a number from 0 to 100.") % {"subject": subject}
            )
    return errors
