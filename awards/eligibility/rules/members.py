"""Rules on a collective's members in the year checked."""

from awards.models import Discipline, Rating

from ..history import AwardRow
from .base import (
    DEFAULT_KINDS,
    DISCIPLINES,
    KINDS,
    PCT,
    RATINGS,
    Context,
    RuleResult,
    _,
    award_code,
    award_records,
    boolean,
    day,
    decisions_text,
    discipline_label,
    discipline_text,
    percent,
    rating_label,
    rule,
    whole,
)

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
