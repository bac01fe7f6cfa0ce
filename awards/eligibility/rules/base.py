"""What every rule kind shares: the context, the registry, translated messages, formatting, parameter checkers,
and the evaluation of one rule."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from django.utils.formats import number_format
from django.utils.translation import get_language, gettext

from awards.models import Discipline, Initiative, Rating
from awards.models.catalogue import AwardKind

from ..history import AwardRow, DisciplineRow, History, SubjectHistory

SUBJECTS = ("person", "unit", "household")
DEFAULT_KINDS = (AwardKind.REGULAR.value,)
# (ok, message, records) or, for a failing year-based rule, (ok, message, records, missing years)
RuleResult = tuple[bool | None, str, list[str]] | tuple[bool | None, str, list[str], list[int]]


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


def discipline_text(d) -> str:
    values = {"level": discipline_label(d.level), "start": day(d.start), "end": day(d.end) if d.end else _("now")}
    message = _("%(level)s from %(start)s to %(end)s") % values
    if d.decision_number:
        message += " " + _("(decision %(decision)s)") % {"decision": d.decision_number}
    return message


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
