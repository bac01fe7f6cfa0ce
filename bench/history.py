"""Award history for the eligibility bench: five years of ratings, LĐTT and CSTĐCS titles, some initiatives,
disciplines and memberships for the first PEOPLE people of the demo province and their units.

Written once with bulk_create and marked by an audit event; a later run reuses it when the marker and the
row counts still match, and otherwise deletes what an interrupted run left and writes it again.
"""

import random
import time
from datetime import date

from awards.models import AwardRecord, AwardType, Discipline, Initiative, Membership, Rating
from organizations.models import Person

PEOPLE = 30_000
YEAR = 2025  # the year checked; the history covers YEAR - 4 .. YEAR
FIRST_YEAR = YEAR - 4
MARKER = "bench.eligibility_history"
BATCH = 5_000
LEVELS = ["excellent", "good", "completed", "failed"]
LEVEL_WEIGHTS = [20, 55, 20, 5]


def ensure_history(count: int = PEOPLE) -> dict:
    """Return the marker's data, writing the history of the first `count` people (fewer when the database
    has fewer) when it is missing or incomplete."""
    from audit.models import AuditEvent

    people = _people(count)
    marker = AuditEvent.objects.filter(verb=MARKER).order_by("-seq").values_list("data", flat=True).first()
    if (
        marker
        and marker.get("people") == len(people)
        and marker.get("ratings") == Rating.objects.count()
        and marker.get("awards") == AwardRecord.objects.count()
    ):
        print(f"reusing the eligibility history of {len(people)} people")
        return marker
    started = time.perf_counter()
    print(f"writing eligibility history for {len(people)} people…", flush=True)
    counts = _write(people)
    counts["seconds"] = round(time.perf_counter() - started, 1)
    from audit.services import audit_record

    audit_record(actor=None, verb=MARKER, data=counts)
    print(f"eligibility history written in {counts['seconds']} s: {counts}")
    return counts


def _people(count: int) -> list[tuple[int, int]]:
    return list(Person.objects.order_by("pk").values_list("pk", "unit_id")[:count])


def _clear(people, unit_ids) -> None:
    """The demo seeds no award history: anything on these people and units was written by this module."""
    person_ids = [pk for pk, _unit in people]
    AwardRecord.objects.filter(person_id__in=person_ids).delete()
    AwardRecord.objects.filter(unit_id__in=unit_ids).delete()
    Rating.objects.filter(person_id__in=person_ids).delete()
    Rating.objects.filter(unit_id__in=unit_ids).delete()
    Discipline.objects.filter(person_id__in=person_ids).delete()
    Membership.objects.filter(unit_id__in=unit_ids).delete()
    Initiative.objects.filter(decision_number__startswith="BENCH-").delete()


def _write(people) -> dict:
    rng = random.Random(2026)
    unit_ids = sorted({unit for _pk, unit in people})
    _clear(people, unit_ids)
    codes = dict(AwardType.objects.values_list("code", "pk"))
    ratings, awards, memberships, disciplines = [], [], [], []
    initiatives = []
    for pk, unit in people:
        for year in range(FIRST_YEAR, YEAR + 1):
            level = rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
            ratings.append(Rating(person_id=pk, year=year, rating=level))
            if level in ("excellent", "good"):
                awards.append(_award(pk, None, codes["LDTT"], year, unit))
                if level == "excellent" and rng.random() < 0.5:
                    awards.append(_award(pk, None, codes["CSTDCS"], year, unit))
            if rng.random() < 0.04:
                initiatives.append((pk, rng.choices(["unit", "province", "national"], [85, 13, 2])[0], year))
        if rng.random() < 0.01:
            start = date(rng.randint(FIRST_YEAR, YEAR), rng.randint(1, 12), rng.randint(1, 28))
            end = None if rng.random() < 0.3 else date(start.year + 1, start.month, start.day)
            disciplines.append(Discipline(person_id=pk, level=rng.choice(list(Discipline.RANK)), start=start, end=end))
        for year in (YEAR - 1, YEAR):
            memberships.append(Membership(unit_id=unit, person_id=pk, year=year))
    for unit in unit_ids:
        for year in range(FIRST_YEAR, YEAR + 1):
            ratings.append(Rating(unit_id=unit, year=year, rating=rng.choices(LEVELS, LEVEL_WEIGHTS)[0]))
            if rng.random() < 0.5:
                awards.append(_award(None, unit, codes["TTLDTT"], year, unit))
    Rating.objects.bulk_create(ratings, batch_size=BATCH)
    AwardRecord.objects.bulk_create(awards, batch_size=BATCH)
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    Discipline.objects.bulk_create(disciplines, batch_size=BATCH)
    _write_initiatives(initiatives)
    return {
        "people": len(people),
        "units": len(unit_ids),
        "year": YEAR,
        "ratings": Rating.objects.count(),
        "awards": AwardRecord.objects.count(),
        "memberships": len(memberships),
        "initiatives": len(initiatives),
        "disciplines": len(disciplines),
    }


def _award(person_id, unit_id, award_type_id, year, unit) -> AwardRecord:
    return AwardRecord(
        person_id=person_id,
        unit_id=unit_id,
        award_type_id=award_type_id,
        year=year,
        decision_number=f"BENCH-{unit}/{year}",
        decision_date=date(year, 12, 15),
    )


def _write_initiatives(items) -> None:
    rows = [
        Initiative(title=f"Sáng kiến {n}", scope=scope, year=year, decision_number=f"BENCH-SK-{n}")
        for n, (_pk, scope, year) in enumerate(items, 1)
    ]
    Initiative.objects.bulk_create(rows, batch_size=BATCH)
    Through = Initiative.authors.through
    Through.objects.bulk_create(
        [Through(initiative_id=row.pk, person_id=pk) for row, (pk, _scope, _year) in zip(rows, items, strict=True)],
        batch_size=BATCH,
    )
