"""Small builders for test data. Each call makes fresh rows; nothing is shared between tests."""

import itertools
from datetime import date

from django.contrib.auth import get_user_model

from organizations.models import Council, CouncilMember, Household, Person, Unit

_counter = itertools.count(1)
PASSWORD = "mat-khau-thu-nghiem-123"


def _next() -> int:
    return next(_counter)


def make_user(username: str | None = None, **extra):
    username = username or f"user{_next()}"
    extra.setdefault("email", f"{username}@example.vn")
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)


def make_unit(name: str | None = None, *, parent: Unit | None = None, code: str | None = None, **extra) -> Unit:
    n = _next()
    extra.setdefault("kind", Unit.Kind.DEPARTMENT)
    extra.setdefault("level", Unit.Level.PROVINCE if parent is None else Unit.Level.GRASSROOTS)
    return Unit.objects.create(code=code or f"U{n:05d}", name=name or f"Đơn vị {n}", parent=parent, **extra)


def make_person(unit: Unit, full_name: str | None = None, *, code: str | None = None, **extra) -> Person:
    n = _next()
    extra.setdefault("gender", Person.Gender.FEMALE)
    extra.setdefault("birth_date", date(1985, 5, 17))
    return Person.objects.create(
        code=code or f"P{n:06d}", full_name=full_name or f"Nguyễn Thị Hoà {n}", unit=unit, **extra
    )


def make_household(unit: Unit, head_name: str = "Trần Văn Bình", **extra) -> Household:
    return Household.objects.create(code=f"H{_next():06d}", head_name=head_name, unit=unit, **extra)


def make_council(unit: Unit, name: str | None = None) -> Council:
    return Council.objects.create(unit=unit, name=name or f"Hội đồng Thi đua – Khen thưởng {unit.name}")


def add_member(council: Council, user, role=CouncilMember.Role.MEMBER, voting=True) -> CouncilMember:
    return CouncilMember.objects.create(council=council, user=user, role=role, voting=voting)
