"""Award history for the eligibility bench: five years of ratings, LĐTT and CSTĐCS titles, some initiatives,
disciplines and memberships for the first PEOPLE people of the demo province and their units.

Written once with bulk_create and marked by an audit event; a later run reuses it when the marker and the
row counts still match, and otherwise deletes what an interrupted run left and writes it again.
"""

import time

from awards.demo import write_history
from awards.models import AwardRecord, Discipline, Initiative, Membership, Rating
from organizations.models import Person

PEOPLE = 30_000
YEAR = 2025  # the year checked; the history covers YEAR - 4 .. YEAR
MARKER = "bench.eligibility_history"


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
    unit_ids = sorted({unit for _pk, unit in people})
    _clear(people, unit_ids)
    counts = write_history(people, last_year=YEAR, prefix="BENCH-")
    return {**counts, "year": YEAR, "ratings": Rating.objects.count(), "awards": AwardRecord.objects.count()}
