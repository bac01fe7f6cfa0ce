"""Rules on the subject's own history: ratings, awards, initiatives, disciplines."""

from awards.models import Discipline, Initiative, Rating

from ..history import AwardRow
from .base import (
    DEFAULT_KINDS,
    DISCIPLINES,
    KINDS,
    RATINGS,
    SCOPES,
    YEARS,
    Context,
    RuleResult,
    _,
    award_code,
    award_records,
    day,
    decisions_text,
    discipline_label,
    discipline_text,
    evaluate_rule,
    period,
    rating_label,
    rule,
    rule_list,
    scope_label,
    text,
    whole,
    with_void_note,
    years_text,
)

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
        return False, with_void_note(message, ctx, missing), award_records(found), missing
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


@rule("manual", message=(text, True))
def manual(params: dict, ctx: Context) -> RuleResult:
    """A criterion only people can judge (leading an emulation bloc, cultural standards): always review."""
    return None, params["message"], []
