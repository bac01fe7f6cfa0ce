"""Award history for demo and benchmark data: yearly ratings, LĐTT and CSTĐCS titles, TTLĐTT for units,
some initiatives, a few disciplines and the members of each collective. Written with bulk_create.

Used by `seed_demo` (through organizations.demo.register) for the first people of the demo province, and by
the eligibility bench for 30,000 people."""

import random
from datetime import date

from .models import AwardRecord, AwardType, Discipline, Initiative, Membership, Rating

BATCH = 5_000
LEVELS = ["excellent", "good", "completed", "failed"]
LEVEL_WEIGHTS = [20, 55, 20, 5]
DEMO_PEOPLE = 3_000
DEMO_LAST_YEAR = 2025
INITIATIVE_TOPICS = [
    "Ứng dụng chữ ký số trong xử lý văn bản",
    "Dạy học theo dự án STEM",
    "Số hóa hồ sơ một cửa",
    "Quy trình tiếp nhận hồ sơ trực tuyến",
    "Tiết kiệm điện năng tại trụ sở",
    "Sổ tay hướng dẫn thủ tục hành chính",
]


def write_history(
    people: list[tuple[int, int]], *, last_year: int, years: int = 5, seed: int = 2026, prefix: str = ""
) -> dict:
    """`people`: (person pk, unit pk) pairs. Decision numbers start with `prefix` so that a caller can find
    and remove what it wrote."""
    rng = random.Random(seed)
    first_year = last_year - years + 1
    unit_ids = sorted({unit for _pk, unit in people})
    codes = dict(AwardType.objects.values_list("code", "pk"))
    ratings, awards, memberships, disciplines, initiatives = [], [], [], [], []

    def award(person_id, unit_id, code, year, number):
        return AwardRecord(
            person_id=person_id, unit_id=unit_id, award_type_id=codes[code], year=year,
            decision_number=f"{prefix}{number}/QĐ-UBND", decision_date=date(year, 12, 15),
        )  # fmt: skip

    for pk, unit in people:
        for year in range(first_year, last_year + 1):
            level = rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
            ratings.append(Rating(person_id=pk, year=year, rating=level))
            if level in ("excellent", "good"):
                awards.append(award(pk, None, "LDTT", year, 100 + unit % 800))
                if level == "excellent" and rng.random() < 0.5:
                    awards.append(award(pk, None, "CSTDCS", year, 900 + unit % 800))
            if rng.random() < 0.04:
                initiatives.append((pk, rng.choices(["unit", "province", "national"], [85, 13, 2])[0], year))
        if rng.random() < 0.01:
            start = date(rng.randint(first_year, last_year), rng.randint(1, 12), rng.randint(1, 28))
            end = None if rng.random() < 0.3 else date(start.year + 1, start.month, start.day)
            disciplines.append(Discipline(person_id=pk, level=rng.choice(list(Discipline.RANK)), start=start, end=end))
        for year in (last_year - 1, last_year):
            memberships.append(Membership(unit_id=unit, person_id=pk, year=year))
    for unit in unit_ids:
        for year in range(first_year, last_year + 1):
            ratings.append(Rating(unit_id=unit, year=year, rating=rng.choices(LEVELS, LEVEL_WEIGHTS)[0]))
            if rng.random() < 0.5:
                awards.append(award(None, unit, "TTLDTT", year, 1700 + unit % 800))
    Rating.objects.bulk_create(ratings, batch_size=BATCH)
    AwardRecord.objects.bulk_create(awards, batch_size=BATCH)
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    Discipline.objects.bulk_create(disciplines, batch_size=BATCH)
    _write_initiatives(initiatives, rng=rng, prefix=prefix)
    return {
        "people": len(people),
        "units": len(unit_ids),
        "ratings": len(ratings),
        "awards": len(awards),
        "memberships": len(memberships),
        "initiatives": len(initiatives),
        "disciplines": len(disciplines),
    }


def _write_initiatives(items, *, rng, prefix) -> None:
    rows = [
        Initiative(
            title=f"{rng.choice(INITIATIVE_TOPICS)} ({n})",
            scope=scope,
            year=year,
            decision_number=f"{prefix}SK-{n}/QĐ-UBND",
            recognised_on=date(year, 11, 20),
        )  # fmt: skip
        for n, (_pk, scope, year) in enumerate(items, 1)
    ]
    Initiative.objects.bulk_create(rows, batch_size=BATCH)
    through = Initiative.authors.through
    through.objects.bulk_create(
        [through(initiative_id=row.pk, person_id=pk) for row, (pk, _scope, _year) in zip(rows, items, strict=True)],
        batch_size=BATCH,
    )


def seed_demo_history(*, scale: int, seed: int) -> dict:
    """The `seed_demo` extension: history for the first DEMO_PEOPLE people, whatever the scale."""
    from organizations.models import Person

    people = list(Person.objects.order_by("pk").values_list("pk", "unit_id")[:DEMO_PEOPLE])
    counts = write_history(people, last_year=DEMO_LAST_YEAR, seed=seed)
    state = _write_state_awards(people)
    return {"khen thưởng đã nhận": counts["awards"] + state, "xếp loại": counts["ratings"]}


def _write_state_awards(people: list[tuple[int, int]]) -> int:
    """A few state-level awards of the last demo year (Thủ tướng's Bằng khen, the Government's flag, an order, a
    CSTĐ toàn quốc), so that the national report form 0602.N has figures: every 500th person, and two units."""
    codes = dict(AwardType.objects.filter(code__in=["BK_TTG", "CO_CP", "HCLD3", "CSTDTQ"]).values_list("code", "pk"))
    if len(codes) < 4 or not people:
        return 0
    chosen = people[::500]
    units = sorted({unit for _pk, unit in people})[:2]
    rows = [
        AwardRecord(
            person_id=pk,
            award_type_id=codes["CSTDTQ" if n == 0 else "BK_TTG"],
            year=DEMO_LAST_YEAR,
            decision_number=f"{100 + n}/QĐ-TTg",
            decision_date=date(DEMO_LAST_YEAR, 10, 20),
            issuer="Thủ tướng Chính phủ",
        )
        for n, (pk, _unit) in enumerate(chosen)
    ]
    rows += [
        AwardRecord(
            unit_id=unit,
            award_type_id=codes[code],
            year=DEMO_LAST_YEAR,
            decision_number=number,
            decision_date=date(DEMO_LAST_YEAR, 11, 5),
            issuer=issuer,
        )
        for unit, (code, number, issuer) in zip(
            units,
            [("CO_CP", "1520/QĐ-TTg", "Thủ tướng Chính phủ"), ("HCLD3", "845/QĐ-CTN", "Chủ tịch nước")],
            strict=False,
        )
    ]
    AwardRecord.objects.bulk_create(rows)
    return len(rows)
