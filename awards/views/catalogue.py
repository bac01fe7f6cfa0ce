"""The award catalogue: award types, their rules in force as sentences, versions, and the base salary."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from awards import services
from awards.forms import (
    DOCUMENT_LABELS,
    ROUNDING_CHOICES,
    SUBJECT_LABELS,
    AwardTypeFilterForm,
    BaseSalaryForm,
    RuleSetForm,
)
from awards.models import AwardRuleSet, AwardType, BaseSalary, Discipline, Initiative, Rating
from organizations import access
from organizations.models import Unit
from thiduakt.lib import permissions
from thiduakt.lib.vn import thousands

ROUNDING_LABELS = dict(ROUNDING_CHOICES)


def money(amount: int) -> str:
    """702000 → "702.000 đ" (Vietnamese thousands separator)."""
    return thousands(amount) + " đ"


# Rules as sentences ----------------------------------------------------------------------------------


def _rating(level: str) -> str:
    return str(dict(Rating.Level.choices).get(level, level))


def _discipline(level: str) -> str:
    return str(dict(Discipline.Level.choices).get(level, level))


def _scope(scope: str) -> str:
    return str(dict(Initiative.Scope.choices).get(scope, scope))


def _describe_rating(rule, names):
    years = rule.get("years", 1)
    if years == 1:
        return _("Rated “%(rating)s” or better in the year considered.") % {"rating": _rating(rule.get("min"))}
    return _("Rated “%(rating)s” or better in each of the %(years)s consecutive years up to the year considered.") % {
        "rating": _rating(rule.get("min")),
        "years": years,
    }


def _describe_rating_count(rule, names):
    return _("Rated “%(rating)s” at least %(count)s times in the last %(window)s years.") % {
        "rating": _rating(rule.get("min")),
        "count": rule.get("count", 1),
        "window": rule.get("window", 1),
    }


def _describe_award(rule, names):
    award, years = names(rule.get("award")), rule.get("years", 1)
    if rule.get("step"):
        text = _("Awarded %(award)s %(years)s consecutive times, %(step)s years apart") % {
            "award": award,
            "years": years,
            "step": rule["step"],
        }
    elif years == 1:
        text = _("Awarded %(award)s in the year considered") % {"award": award}
    else:
        text = _("Awarded %(award)s in each of the %(years)s consecutive years up to the year considered") % {
            "award": award,
            "years": years,
        }
    if rule.get("end_offset"):
        offset = abs(rule["end_offset"])
        text += ngettext(
            ", the last time %(offset)s year before the year considered",
            ", the last time %(offset)s years before the year considered",
            offset,
        ) % {"offset": offset}
    return text + "."


def _describe_award_count(rule, names):
    return _("Awarded %(award)s at least %(count)s times in the last %(window)s years.") % {
        "award": names(rule.get("award")),
        "count": rule.get("count", 1),
        "window": rule.get("window", 1),
    }


def _describe_earlier_award(rule, names):
    return _("Awarded %(award)s earlier, at least %(years)s years before the year considered.") % {
        "award": names(rule.get("award")),
        "years": rule.get("min_years_before", 0),
    }


def _describe_initiative(rule, names):
    return _(
        "At least %(count)s initiative(s) recognised at the scope “%(scope)s” or higher in the last %(window)s years."
    ) % {"count": rule.get("count", 1), "scope": _scope(rule.get("scope")), "window": rule.get("window", 1)}


def _describe_any_of(rule, names):
    return _("At least one of the following:")


def _describe_no_discipline(rule, names):
    return _("No discipline of level “%(level)s” or heavier in the year considered.") % {
        "level": _discipline(rule.get("min_level", "reprimand"))
    }


def _describe_members_award_share(rule, names):
    template = (
        _("More than %(pct)s%% of the members were awarded %(award)s.")
        if rule.get("strict")
        else _("At least %(pct)s%% of the members were awarded %(award)s.")
    )
    return template % {"pct": rule.get("min_pct"), "award": names(rule.get("award"))}


def _describe_members_rating_share(rule, names):
    if rule.get("min_pct") == 100:
        return _("Every member was rated “%(rating)s” or better.") % {"rating": _rating(rule.get("min"))}
    return _("At least %(pct)s%% of the members were rated “%(rating)s” or better.") % {
        "pct": rule.get("min_pct"),
        "rating": _rating(rule.get("min")),
    }


def _describe_members_award_count(rule, names):
    return _("At least %(count)s member(s) awarded %(award)s.") % {
        "count": rule.get("count", 1),
        "award": names(rule.get("award")),
    }


def _describe_no_member_discipline(rule, names):
    return _("No member disciplined at level “%(level)s” or heavier in the year considered.") % {
        "level": _discipline(rule.get("min_level", "reprimand"))
    }


def _describe_manual(rule, names):
    return _("%(criterion)s (judged by the council).") % {"criterion": rule.get("message", "")}


DESCRIBERS = {
    "rating": _describe_rating,
    "rating_count": _describe_rating_count,
    "award": _describe_award,
    "award_count": _describe_award_count,
    "earlier_award": _describe_earlier_award,
    "initiative": _describe_initiative,
    "any_of": _describe_any_of,
    "no_discipline": _describe_no_discipline,
    "members_award_share": _describe_members_award_share,
    "members_rating_share": _describe_members_rating_share,
    "members_award_count": _describe_members_award_count,
    "no_member_discipline": _describe_no_member_discipline,
    "manual": _describe_manual,
}


def describe_rule(rule: dict, names) -> dict:
    """{"text": a sentence, "subjects": labels of the subjects it is limited to, "parts": nested any_of rules}.
    `names(code)` gives an award's name."""
    describe = DESCRIBERS.get(rule.get("kind"))
    if describe is None:
        text = _("Rule “%(kind)s”: %(parameters)s") % {
            "kind": rule.get("kind", "?"),
            "parameters": json.dumps(rule, ensure_ascii=False, sort_keys=True),
        }
    else:
        text = describe(rule, names)
    return {
        "text": text,
        "subjects": [str(SUBJECT_LABELS.get(subject, subject)) for subject in rule.get("subjects", [])],
        "parts": [describe_rule(part, names) for part in rule.get("rules", [])] if rule.get("kind") == "any_of" else [],
    }


def describe_quota(quota: dict, names) -> str:
    if not quota:
        return ""
    return _("At most %(pct)s%% of those awarded %(award)s in the unit (%(rounding)s).") % {
        "pct": quota.get("max_pct"),
        "award": names(quota.get("of_award")),
        "rounding": str(ROUNDING_LABELS.get(quota.get("rounding"), quota.get("rounding"))).lower(),
    }


def describe_vote(vote: dict) -> str:
    if not vote:
        return ""
    ballot = _("Secret ballot") if vote.get("secret") else _("Open vote")
    base = _("of all members") if vote.get("base") == "all" else _("of the members present")
    return _("%(ballot)s: at least %(threshold)s%% %(base)s; quorum %(quorum)s%% of the members.") % {
        "ballot": ballot,
        "threshold": vote.get("threshold_pct"),
        "base": base,
        "quorum": vote.get("quorum_pct", 0),
    }


def _award_names() -> dict[str, str]:
    return dict(AwardType.objects.values_list("code", "name"))


def _in_subject_order(rule_set: AwardRuleSet) -> list[tuple[str, object]]:
    """The coefficients in the award type's order of subjects (jsonb does not keep the keys' order)."""
    order = {subject: index for index, subject in enumerate(rule_set.award_type.subject_types)}
    return sorted(rule_set.coefficients.items(), key=lambda item: order.get(item[0], len(order)))


def describe_rule_set(rule_set: AwardRuleSet, names, base_salary: BaseSalary | None) -> dict:
    return {
        "rule_set": rule_set,
        "rules": [describe_rule(rule, names) for rule in rule_set.rules],
        "quota": describe_quota(rule_set.quota_rule, names),
        "vote": describe_vote(rule_set.vote_rule),
        "documents": [str(DOCUMENT_LABELS.get(kind, kind)) for kind in rule_set.required_documents],
        "coefficients": [
            {
                "subject": str(SUBJECT_LABELS.get(subject, subject)),
                "coefficient": coefficient,
                "bonus": money(BaseSalary.bonus(coefficient=coefficient, base_amount=base_salary.amount))
                if base_salary
                else "",
            }
            for subject, coefficient in _in_subject_order(rule_set)
        ],
    }


def _versions_by_scope(versions, today):
    """(national version in force, {organisation: version in force}) from all versions, newest first."""
    national, overrides = None, {}
    for version in versions:
        if version.valid_from > today:
            continue
        if version.organisation_id is None:
            national = national or version
        else:
            overrides.setdefault(version.organisation, version)
    return national, overrides


# Pages -----------------------------------------------------------------------------------------------


@login_required
def award_type_list(request):
    filters = AwardTypeFilterForm(request.GET or None)
    award_types = list(AwardType.objects.order_by("order", "code"))
    if filters.is_valid():
        category, subject = filters.cleaned_data["category"], filters.cleaned_data["subject"]
        # Filtered here rather than in SQL: fourteen rows, and JSON containment is not portable to SQLite.
        award_types = [
            award_type
            for award_type in award_types
            if (not category or award_type.category == category) and (not subject or award_type.fits(subject))
        ]
    rows = [
        {"award_type": award_type, "subjects": [SUBJECT_LABELS.get(s, s) for s in award_type.subject_types]}
        for award_type in award_types
    ]
    return render(request, "awards/award_type_list.html", {"filters": filters, "rows": rows})


@login_required
def award_type_detail(request, code):
    award_type = get_object_or_404(AwardType, code=code)
    today = timezone.localdate()
    versions = list(award_type.rule_sets.select_related("organisation", "created_by").order_by("-valid_from", "-pk"))
    national, overrides = _versions_by_scope(versions, today)
    names = _award_names().get
    base_salary = BaseSalary.in_force(today)
    in_force = [v for v in [national, *overrides.values()] if v is not None]
    context = {
        "award_type": award_type,
        "subjects": [SUBJECT_LABELS.get(s, s) for s in award_type.subject_types],
        "national": describe_rule_set(national, names, base_salary) if national else None,
        "overrides": [describe_rule_set(version, names, base_salary) for version in overrides.values()],
        "versions": [
            {
                "version": version,
                "state": "in_force" if version in in_force else ("scheduled" if version.valid_from > today else "old"),
                "described": describe_rule_set(version, names, base_salary),
            }
            for version in versions
        ],
        "base_salary": base_salary,
        "base_salary_text": money(base_salary.amount) if base_salary else "",
        "can_edit": permissions.is_system_admin(request.user),
    }
    return render(request, "awards/award_type_detail.html", context)


@login_required
def award_rules_edit(request, code):
    access.require_admin(request)
    award_type = get_object_or_404(AwardType, code=code)
    organisation = None
    if request.method == "GET" and request.GET.get("organisation"):
        organisation = Unit.objects.filter(code=request.GET["organisation"]).first()
    current = services.rule_set_in_force(award_type, organisation, timezone.localdate())
    form = RuleSetForm(
        request.POST or None,
        award_type=award_type,
        initial=RuleSetForm.initial_from(current, organisation=organisation),
    )
    if request.method == "POST" and form.is_valid():
        try:
            rule_set = services.rule_set_create(by=request.user, award_type=award_type, **form.rule_set_data())
        except services.AwardsError as error:
            for field, problems in error.problems.items():
                for problem in problems:
                    form.add_error(field or None, problem)
        else:
            messages.success(
                request,
                _("A new version of the rules of %(award)s applies from %(date)s; earlier versions are unchanged.")
                % {"award": award_type.name, "date": f"{rule_set.valid_from:%d/%m/%Y}"},
            )
            return redirect("award_type_detail", code=award_type.code)
    status = 400 if request.method == "POST" else 200
    context = {"award_type": award_type, "form": form, "current": current}
    return render(request, "awards/award_rules_form.html", context, status=status)


def _base_salary_page(request, form, status=200):
    today = timezone.localdate()
    salaries = list(BaseSalary.objects.order_by("-valid_from"))
    in_force = next((salary for salary in salaries if salary.valid_from <= today), None)
    rows = [{"salary": salary, "amount": money(salary.amount), "in_force": salary == in_force} for salary in salaries]
    context = {"rows": rows, "form": form if permissions.is_system_admin(request.user) else None}
    return render(request, "awards/base_salary_list.html", context, status=status)


@login_required
def base_salary_list(request):
    return _base_salary_page(request, BaseSalaryForm(initial={"valid_from": timezone.localdate()}))


@login_required
@require_POST
def base_salary_create(request):
    access.require_admin(request)
    form = BaseSalaryForm(request.POST)
    if form.is_valid():
        try:
            salary = services.base_salary_create(by=request.user, **form.cleaned_data)
        except services.AwardsError as error:
            for field, problems in error.problems.items():
                for problem in problems:
                    form.add_error(field or None, problem)
        else:
            messages.success(
                request,
                _("The base salary of %(amount)s applies from %(date)s.")
                % {"amount": money(salary.amount), "date": f"{salary.valid_from:%d/%m/%Y}"},
            )
            return redirect("base_salary_list")
    return _base_salary_page(request, form, status=400)
