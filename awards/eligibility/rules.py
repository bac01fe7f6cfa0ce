"""Rule kinds: each is one function (params, ctx) → (ok, message, records) registered in RULES.

ok is True (met), False (not met) or None (a person must judge: the verdict becomes "review"). The message
is one short Vietnamese line citing years and decision numbers; records are short references to the rows
that prove it. Adding a kind: write the function, register it with @rule and its parameters, test it.

Common parameters: "subjects" (the rule applies only to these subject types; checked by the engine) and,
for rules that count awards, "kinds" (default ["regular"]): sudden and campaign awards reward one
achievement and do not count toward the regular (merit) chains (law-notes §14.2). Revoked awards never
count.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from django.utils.formats import number_format
from django.utils.translation import get_language, gettext

from awards.models import Discipline, Initiative, Rating
from awards.models.catalogue import AwardKind

from .history import AwardRow, DisciplineRow, History, SubjectHistory

SUBJECTS = ("person", "unit", "household")
DEFAULT_KINDS = (AwardKind.REGULAR.value,)
RuleResult = tuple[bool | None, str, list[str]]


@dataclass
class Context:
    """What a rule sees: one subject's history for one year, and the members' records for a collective."""

    subject_type: str
    year: int
    history: SubjectHistory
    index: History
    award_names: dict[str, str] = field(default_factory=dict)
    # Years up to this one do not count (None: every year counts). See counted_after_discipline.
    void_until: int | None = None
    void_reason: DisciplineRow | None = None

    def counts(self, year: int) -> bool:
        return self.void_until is None or year > self.void_until

    def award_name(self, code: str) -> str:
        return self.award_names.get(code, code)

    def awards(self, code: str, kinds=DEFAULT_KINDS) -> dict[int, list[AwardRow]]:
        """Counted awards of one type by year: not revoked, of the given kinds, in a year that counts."""
        by_year: dict[int, list[AwardRow]] = {}
        for row in self.history.awards.get(code, ()):
            if not row.revoked and row.kind in kinds and self.counts(row.year):
                by_year.setdefault(row.year, []).append(row)
        return by_year


def counted_after_discipline(history: SubjectHistory, year: int):
    """The last year that does not count because of a discipline, and that discipline (None, None: none).

    NĐ 152/2025 principle (law-notes §14.2 "achievements counted from end of discipline"): what a person
    achieved up to the end of a discipline does not count toward a later award. A year Y counts only if
    1 January of Y is after the discipline's end, so a discipline ending in mid-2024 voids 2024 and every
    earlier year for the chains; one still in force voids every year up to the one checked."""
    void_until, reason = None, None
    for discipline in history.disciplines:
        last = year if discipline.end is None else min(discipline.end.year, year)
        if void_until is None or last > void_until:
            void_until, reason = last, discipline
    return void_until, reason


# Translations ----------------------------------------------------------------------------------------
# A check of 30,000 people writes over a million messages; Django's gettext looks the active language up in
# a context-local on every call, which was most of the time. check_many() fixes the language once per call
# and messages are translated once each. (The project has one language; a second one only empties the cache.)
_translated: dict = {}
_language: list = [None]


def use_language(language: str | None = None) -> None:
    language = language or get_language()
    if language != _language[0]:
        _translated.clear()
        _language[0] = language


def _(message: str) -> str:
    found = _translated.get(message)
    if found is None:
        found = _translated[message] = gettext(message)
    return found


def _label(choices, value: str) -> str:
    key = (choices, value)
    found = _translated.get(key)
    if found is None:
        found = _translated[key] = str(choices(value).label)
    return found


# Registry --------------------------------------------------------------------------------------------

RuleFunction = Callable[[dict, Context], RuleResult]
RULES: dict[str, RuleFunction] = {}
# kind → {parameter: (checker, required)}; checkers return None when the value is valid, else what it must be
PARAMETERS: dict[str, dict[str, tuple[Callable, bool]]] = {}


def rule(kind: str, **parameters):
    def register(function: RuleFunction) -> RuleFunction:
        RULES[kind] = function
        PARAMETERS[kind] = parameters
        return function

    return register


# Formatting ------------------------------------------------------------------------------------------


def years_text(years) -> str:
    return ", ".join(str(year) for year in sorted(years))


def decisions_text(rows: list[AwardRow]) -> str:
    numbers = list(dict.fromkeys(row.decision_number for row in sorted(rows, key=lambda row: row.year)))
    return ", ".join(numbers)


def period(first: int, last: int) -> str:
    return str(last) if first == last else f"{first}–{last}"


def award_records(rows: list[AwardRow]) -> list[str]:
    return [f"{row.code} {row.year} {row.decision_number}" for row in sorted(rows, key=lambda row: row.year)]


def rating_label(level: str) -> str:
    return _label(Rating.Level, level)


def discipline_label(level: str) -> str:
    return _label(Discipline.Level, level)


def scope_label(scope: str) -> str:
    return _label(Initiative.Scope, scope)


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def percent(part: int, whole: int) -> str:
    value = Fraction(100 * part, whole)
    return number_format(float(value), 0 if value.denominator == 1 else 1)


def with_void_note(message: str, ctx: Context, years) -> str:
    """Say why a year is missing when a discipline voided it, not just that it is missing."""
    voided = [year for year in years if not ctx.counts(year)]
    if not voided:
        return message
    end = ctx.void_reason.end
    note = _("%(years)s not counted: disciplined until %(end)s") % {
        "years": years_text(voided),
        "end": day(end) if end else _("now"),
    }
    return f"{message} ({note})"


# Parameter checkers ------------------------------------------------------------------------------------


def whole(low: int, high: int):
    def check(value):
        ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
        return None if ok else _("a whole number from %(low)s to %(high)s") % {"low": low, "high": high}

    return check


def number(low: float, high: float):
    def check(value):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and low <= value <= high
        return None if ok else _("a number from %(low)s to %(high)s") % {"low": low, "high": high}

    return check


def choice(*options: str):
    def check(value):
        return None if value in options else _("one of %(options)s") % {"options": ", ".join(options)}

    return check


def boolean(value):
    return None if isinstance(value, bool) else _("true or false")


def text(value):
    return None if isinstance(value, str) and value.strip() else _("a non-empty text")


def award_code(value):
    return None if isinstance(value, str) and value else _("an award code")


def kinds_list(value):
    ok = isinstance(value, list) and value and all(kind in AwardKind.values for kind in value)
    return None if ok else _("a list of award kinds among %(kinds)s") % {"kinds": ", ".join(AwardKind.values)}


def rule_list(value):
    return None if isinstance(value, list) and value else _("a non-empty list of rules")


RATINGS = choice(*Rating.RANK)
DISCIPLINES = choice(*Discipline.RANK)
SCOPES = choice(*Initiative.RANK)
YEARS = whole(1, 30)
PCT = number(0, 100)
KINDS = (kinds_list, False)


# Rules of the subject's own history ----------------------------------------------------------------------


@rule("rating", min=(RATINGS, True), years=(YEARS, True))
def rating(params: dict, ctx: Context) -> RuleResult:
    """Rated at least `min` in each of the last `years` years (the year checked included)."""
    years = range(ctx.year - params["years"] + 1, ctx.year + 1)
    floor = Rating.RANK[params["min"]]
    good = [
        y for y in years if ctx.counts(y) and y in ctx.history.ratings and Rating.RANK[ctx.history.ratings[y]] >= floor
    ]
    records = [f"{y}: {rating_label(ctx.history.ratings[y])}" for y in good]
    values = {"level": rating_label(params["min"])}
    if len(good) == len(years):
        return True, _("Rated “%(level)s” or better in %(years)s") % {**values, "years": years_text(years)}, records
    missing = [y for y in years if y not in good]
    message = _("Not rated “%(level)s” or better in %(years)s") % {**values, "years": years_text(missing)}
    return False, with_void_note(message, ctx, missing), records


@rule("rating_count", min=(RATINGS, True), count=(YEARS, True), window=(YEARS, True))
def rating_count(params: dict, ctx: Context) -> RuleResult:
    """Rated at least `min` in at least `count` of the last `window` years."""
    years = range(ctx.year - params["window"] + 1, ctx.year + 1)
    floor = Rating.RANK[params["min"]]
    good = [
        y for y in years if ctx.counts(y) and y in ctx.history.ratings and Rating.RANK[ctx.history.ratings[y]] >= floor
    ]
    values = {
        "level": rating_label(params["min"]),
        "found": len(good),
        "count": params["count"],
        "period": period(years[0], years[-1]),
        "years": years_text(good) or "—",
    }
    ok = len(good) >= params["count"]
    message = _("Rated “%(level)s” or better in %(found)s of the years %(period)s (%(years)s), %(count)s needed")
    message %= values
    if not ok:
        message = with_void_note(message, ctx, years)
    return ok, message, [f"{y}: {rating_label(ctx.history.ratings[y])}" for y in good]


@rule(
    "award",
    award=(award_code, True),
    years=(YEARS, True),
    step=(whole(1, 10), False),
    end_offset=(whole(-10, 0), False),
    kinds=KINDS,
)
def award(params: dict, ctx: Context) -> RuleResult:
    """Holds `award` in `years` years: the last one is the year checked + end_offset, then every `step` years
    back (CSTĐ toàn quốc: CSTĐ tỉnh in the year before and three years before that)."""
    last = ctx.year + params.get("end_offset", 0)
    step = params.get("step", 1)
    years = [last - i * step for i in range(params["years"])]
    held = ctx.awards(params["award"], tuple(params.get("kinds", DEFAULT_KINDS)))
    missing = [y for y in years if y not in held]
    name = ctx.award_name(params["award"])
    if missing:
        message = _("No %(award)s in %(years)s") % {"award": name, "years": years_text(missing)}
        found = [row for y in years if y in held for row in held[y]]
        return False, with_void_note(message, ctx, missing), award_records(found)
    found = [row for y in years for row in held[y]]
    return True, award_message(name, found), award_records(found)


def award_message(name: str, rows: list[AwardRow]) -> str:
    return _("%(award)s in %(years)s (decision %(decisions)s)") % {
        "award": name,
        "years": years_text({row.year for row in rows}),
        "decisions": decisions_text(rows),
    }


@rule("award_count", award=(award_code, True), count=(YEARS, True), window=(YEARS, True), kinds=KINDS)
def award_count(params: dict, ctx: Context) -> RuleResult:
    """Holds `award` in at least `count` of the last `window` years."""
    first = ctx.year - params["window"] + 1
    held = ctx.awards(params["award"], tuple(params.get("kinds", DEFAULT_KINDS)))
    rows = [row for y, found in held.items() if first <= y <= ctx.year for row in found]
    found_years = {row.year for row in rows}
    values = {
        "award": ctx.award_name(params["award"]),
        "found": len(found_years),
        "count": params["count"],
        "period": period(first, ctx.year),
    }
    if len(found_years) >= params["count"]:
        return True, award_message(values["award"], rows), award_records(rows)
    message = _("%(award)s in %(found)s of the years %(period)s, %(count)s needed") % values
    return False, with_void_note(message, ctx, range(first, ctx.year + 1)), award_records(rows)


@rule(
    "earlier_award",
    award=(award_code, True),
    min_years_before=(whole(0, 50), True),
    max_years_before=(whole(0, 80), False),
    kinds=KINDS,
)
def earlier_award(params: dict, ctx: Context) -> RuleResult:
    """Received `award` at least `min_years_before` (and at most `max_years_before`, if given) years before
    the year checked: Bằng khen Thủ tướng needs a Bằng khen tỉnh before the five years it counts."""
    latest = ctx.year - params["min_years_before"]
    earliest = ctx.year - params["max_years_before"] if "max_years_before" in params else 0
    held = ctx.awards(params["award"], tuple(params.get("kinds", DEFAULT_KINDS)))
    rows = [row for y, found in held.items() if earliest <= y <= latest for row in found]
    name = ctx.award_name(params["award"])
    if rows:
        return True, award_message(name, rows), award_records(rows)
    if earliest:
        message = _("No %(award)s between %(first)s and %(last)s") % {"award": name, "first": earliest, "last": latest}
    else:
        message = _("No %(award)s in %(last)s or earlier") % {"award": name, "last": latest}
    return False, message, []


@rule("initiative", scope=(SCOPES, True), count=(YEARS, True), window=(YEARS, True))
def initiative(params: dict, ctx: Context) -> RuleResult:
    """At least `count` initiatives recognised at `scope` or wider in the last `window` years."""
    first = ctx.year - params["window"] + 1
    floor = Initiative.RANK[params["scope"]]
    found = sorted(
        (
            item
            for item in ctx.history.initiatives
            if first <= item.year <= ctx.year and ctx.counts(item.year) and Initiative.RANK[item.scope] >= floor
        ),
        key=lambda item: item.year,
    )
    records = [f"{item.year} {item.decision_number}: {item.title}" for item in found]
    values = {"scope": scope_label(params["scope"]), "count": params["count"], "period": period(first, ctx.year)}
    if len(found) >= params["count"]:
        decisions = ", ".join(dict.fromkeys(item.decision_number for item in found))
        message = _("%(found)s initiative(s) at “%(scope)s” level or wider in %(years)s (decision %(decisions)s)")
        years = years_text({item.year for item in found})
        return True, message % {**values, "found": len(found), "years": years, "decisions": decisions}, records
    message = _("%(found)s initiative(s) at “%(scope)s” level or wider in %(period)s, %(count)s needed")
    message %= {**values, "found": len(found)}
    return False, with_void_note(message, ctx, range(first, ctx.year + 1)), records


@rule("any_of", rules=(rule_list, True))
def any_of(params: dict, ctx: Context) -> RuleResult | None:
    """Met when one of the rules is met; review when none is met but one needs a person's judgement."""
    results = [evaluate_rule(sub, ctx) for sub in params["rules"]]
    results = [result for result in results if result is not None]
    if not results:
        return None  # no alternative applies to this kind of subject: neither does the rule
    for ok, message, records in results:
        if ok:
            return True, message, records
    ok = None if any(ok is None for ok, _message, _records in results) else False
    return ok, _(" or ").join(message for _ok, message, _records in results), []


@rule("no_discipline", min_level=(DISCIPLINES, True))
def no_discipline(params: dict, ctx: Context) -> RuleResult:
    """No discipline at `min_level` or above in force at any time of the year checked."""
    floor = Discipline.RANK[params["min_level"]]
    hits = [d for d in ctx.history.disciplines if Discipline.RANK[d.level] >= floor and d.overlaps(ctx.year)]
    if not hits:
        message = _("No discipline of “%(level)s” or above in %(year)s")
        return True, message % {"level": discipline_label(params["min_level"]), "year": ctx.year}, []
    lines = [discipline_text(d) for d in sorted(hits, key=lambda d: d.start)]
    return False, "; ".join(lines), [f"{d.level} {day(d.start)} {d.decision_number}".strip() for d in hits]


def discipline_text(d) -> str:
    values = {"level": discipline_label(d.level), "start": day(d.start), "end": day(d.end) if d.end else _("now")}
    message = _("%(level)s from %(start)s to %(end)s") % values
    if d.decision_number:
        message += " " + _("(decision %(decision)s)") % {"decision": d.decision_number}
    return message


@rule("manual", message=(text, True))
def manual(params: dict, ctx: Context) -> RuleResult:
    """A criterion only people can judge (leading an emulation bloc, cultural standards): always review."""
    return None, params["message"], []


# Rules of a collective's members (the year checked only) -----------------------------------------------


def _members_or_review(ctx: Context):
    if ctx.history.members:
        return None
    return None, _("No member list for %(year)s: add the members of the collective") % {"year": ctx.year}, []


def _member_holds(ctx: Context, person_id: int, code: str, kinds) -> list[AwardRow]:
    found = ctx.index.member_awards.get(person_id, {}).get(code, ())
    return [row for row in found if not row.revoked and row.kind in kinds]


def _share_ok(part: int, whole: int, min_pct, strict: bool) -> bool:
    # Exact arithmetic: "more than 50 %" of 20 members is 11, and 10 of 20 must not pass by rounding.
    return part * 100 > min_pct * whole if strict else part * 100 >= min_pct * whole


def _share_message(found: int, members: int, min_pct, strict: bool, what: str) -> str:
    values = {"found": found, "members": members, "pct": percent(found, members), "what": what, "min_pct": min_pct}
    if strict:
        return _("%(found)s of %(members)s members (%(pct)s %%) %(what)s; more than %(min_pct)s %% needed") % values
    return _("%(found)s of %(members)s members (%(pct)s %%) %(what)s; at least %(min_pct)s %% needed") % values


@rule("members_award_share", award=(award_code, True), min_pct=(PCT, True), strict=(boolean, False), kinds=KINDS)
def members_award_share(params: dict, ctx: Context) -> RuleResult:
    """A share of the members (more than / at least `min_pct` %) hold `award` in the year checked."""
    missing = _members_or_review(ctx)
    if missing:
        return missing
    kinds = tuple(params.get("kinds", DEFAULT_KINDS))
    holders = [pk for pk in ctx.history.members if _member_holds(ctx, pk, params["award"], kinds)]
    strict = params.get("strict", False)
    what = _("hold %(award)s") % {"award": ctx.award_name(params["award"])}
    members = len(ctx.history.members)
    message = _share_message(len(holders), members, params["min_pct"], strict, what)
    return _share_ok(len(holders), members, params["min_pct"], strict), message, []


@rule("members_rating_share", min=(RATINGS, True), min_pct=(PCT, True), strict=(boolean, False))
def members_rating_share(params: dict, ctx: Context) -> RuleResult:
    """A share of the members are rated at least `min` in the year checked (100 %: every member)."""
    missing = _members_or_review(ctx)
    if missing:
        return missing
    floor = Rating.RANK[params["min"]]
    ratings = ctx.index.member_ratings
    good = [pk for pk in ctx.history.members if pk in ratings and Rating.RANK[ratings[pk]] >= floor]
    strict = params.get("strict", False)
    what = _("rated “%(level)s” or better") % {"level": rating_label(params["min"])}
    members = len(ctx.history.members)
    message = _share_message(len(good), members, params["min_pct"], strict, what)
    return _share_ok(len(good), members, params["min_pct"], strict), message, []


@rule("members_award_count", award=(award_code, True), count=(whole(1, 10_000), True), kinds=KINDS)
def members_award_count(params: dict, ctx: Context) -> RuleResult:
    """At least `count` members hold `award` in the year checked (TTLĐXS: at least one CSTĐCS)."""
    kinds = tuple(params.get("kinds", DEFAULT_KINDS))
    rows = [row for pk in ctx.history.members for row in _member_holds(ctx, pk, params["award"], kinds)]
    holders = sum(1 for pk in ctx.history.members if _member_holds(ctx, pk, params["award"], kinds))
    values = {"award": ctx.award_name(params["award"]), "found": holders, "count": params["count"], "year": ctx.year}
    message = _("%(found)s member(s) hold %(award)s in %(year)s; %(count)s needed") % values
    if rows:
        message += " " + _("(decision %(decision)s)") % {"decision": decisions_text(rows)}
    return holders >= params["count"], message, award_records(rows)


@rule("no_member_discipline", min_level=(DISCIPLINES, True))
def no_member_discipline(params: dict, ctx: Context) -> RuleResult:
    """Nobody in the collective disciplined at `min_level` or above at any time of the year checked."""
    floor = Discipline.RANK[params["min_level"]]
    hits = {
        pk: [d for d in ctx.index.member_disciplines.get(pk, ()) if Discipline.RANK[d.level] >= floor]
        for pk in ctx.history.members
    }
    hits = {pk: found for pk, found in hits.items() if found}
    values = {"level": discipline_label(params["min_level"]), "year": ctx.year}
    if not hits:
        return True, _("No member disciplined at “%(level)s” or above in %(year)s") % values, []
    people = "; ".join(
        f"{ctx.index.member_labels.get(pk, pk)}: {discipline_text(d)}"
        for pk, found in sorted(hits.items())
        for d in found
    )
    message = _("Members disciplined at “%(level)s” or above in %(year)s: %(people)s") % {**values, "people": people}
    records = [f"{d.level} {day(d.start)} {d.decision_number}".strip() for found in hits.values() for d in found]
    return False, message, records


# Evaluation and validation ---------------------------------------------------------------------------


def evaluate_rule(params: dict, ctx: Context) -> RuleResult | None:
    """The result of one rule, or None when it does not apply to this kind of subject."""
    subjects = params.get("subjects")
    if subjects is not None and ctx.subject_type not in subjects:
        return None
    function = RULES.get(params.get("kind"))
    if function is None:  # saved before validation existed, or by hand in the database
        return (
            None,
            _("Unknown rule “%(kind)s”: ask an administrator to fix the rule set") % {"kind": params.get("kind")},
            [],
        )
    return function(params, ctx)


def validate_rules(rules, *, subject_types, known_awards, prefix: str = "") -> list[str]:
    if not isinstance(rules, list):
        return [_("The rules must be a list.")]
    errors = []
    for number, params in enumerate(rules, start=1):
        label = f"{prefix}{number}"
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
