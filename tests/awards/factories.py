"""Small builders of award history for the eligibility tests. Each call writes fresh rows."""

import itertools
from datetime import date

from awards.models import AwardRecord, AwardType, Discipline, Initiative, Membership, Rating
from organizations.models import Household, Person, Unit
from tests import factories

_counter = itertools.count(1)


def _subject(subject) -> dict:
    if isinstance(subject, Person):
        return {"person": subject}
    if isinstance(subject, Unit):
        return {"unit": subject}
    if isinstance(subject, Household):
        return {"household": subject}
    raise TypeError(subject)


def award(subject, code: str, year: int, *, kind="regular", decision: str | None = None, revoked=False):
    decision = decision or f"{next(_counter)}/QĐ-{code}"
    return AwardRecord.objects.create(
        **_subject(subject),
        award_type=AwardType.objects.get(code=code),
        year=year,
        kind=kind,
        decision_number=decision,
        decision_date=date(year, 12, 1),
        revoked=revoked,
    )


def awards(subject, code: str, years, **extra) -> list[AwardRecord]:
    return [award(subject, code, year, **extra) for year in years]


def rating(subject, year: int, level: str) -> Rating:
    return Rating.objects.create(**_subject(subject), year=year, rating=level)


def ratings(subject, years, level: str) -> list[Rating]:
    return [rating(subject, year, level) for year in years]


def discipline(person: Person, level: str, start: date, end: date | None = None, decision: str = "") -> Discipline:
    return Discipline.objects.create(person=person, level=level, start=start, end=end, decision_number=decision)


def initiative(authors, scope: str, year: int, *, unit: Unit | None = None) -> Initiative:
    n = next(_counter)
    item = Initiative.objects.create(
        title=f"Sáng kiến số {n}", scope=scope, year=year, unit=unit, decision_number=f"{n}/QĐ-SK"
    )
    item.authors.set(authors if isinstance(authors, (list, tuple)) else [authors])
    return item


def collective(unit: Unit, year: int, size: int, *, ldtt: int = 0, rating_level: str | None = None) -> list[Person]:
    """`size` members of `unit` in `year` (people of the unit), the first `ldtt` of them Lao động tiên tiến."""
    people = [factories.make_person(unit) for _ in range(size)]
    Membership.objects.bulk_create([Membership(unit=unit, person=person, year=year) for person in people])
    for person in people[:ldtt]:
        award(person, "LDTT", year)
    if rating_level:
        Rating.objects.bulk_create([Rating(person=person, year=year, rating=rating_level) for person in people])
    return people


def verdict(verdicts, code: str):
    """The one verdict for `code` in a list of verdicts."""
    found = [v for v in verdicts if v.award_code == code]
    assert len(found) == 1, [v.award_code for v in verdicts]
    return found[0]


def reason(verdict, rule: str):
    """The one reason of a rule kind in a verdict."""
    found = [r for r in verdict.reasons if r.rule == rule]
    assert len(found) == 1, [(r.rule, r.message) for r in verdict.reasons]
    return found[0]
