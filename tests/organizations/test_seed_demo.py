"""manage.py seed_demo at scale 1: what someone running `make run` relies on."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import F

from audit.models import AuditEvent
from organizations.models import Council, CouncilMember, Employment, Household, Person, Unit
from thiduakt.lib import permissions
from thiduakt.lib.vn import fold

PERSONAS = ["admin", "canbo.sgd", "thutruong.sgd", "canbo.syt", "thuky.tinh", "uyvien.tinh", "ky.tinh"]


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def printed_passwords(output: str) -> dict[str, str]:
    """{username: password} read off the logins table the command prints."""
    passwords = {}
    for line in output.splitlines():
        cells = line.split()
        if len(cells) >= 3 and cells[0] in PERSONAS:
            passwords[cells[0]] = cells[1]
    return passwords


@pytest.mark.django_db
def test_every_persona_logs_in_with_the_printed_password(client):
    output = seed()
    passwords = printed_passwords(output)
    assert sorted(passwords) == sorted(PERSONAS)
    for username, password in passwords.items():
        assert client.login(username=username, password=password), username
        assert client.get("/").status_code == 200
        client.logout()


@pytest.mark.django_db
def test_personas_hold_the_roles_the_table_announces():
    seed()
    users = {user.username: user for user in get_user_model().objects.filter(username__in=PERSONAS)}
    education = Unit.objects.get(name="Sở Giáo dục và Đào tạo")
    health = Unit.objects.get(name="Sở Y tế")
    province = Unit.objects.get(name="Tỉnh Sông Hồng")
    council = Council.objects.get(unit=province)

    assert users["admin"].is_superuser and users["admin"].is_staff
    assert permissions.has_direct_unit_role(users["canbo.sgd"], Unit.Role.OFFICER, education)
    assert permissions.has_direct_unit_role(users["thutruong.sgd"], Unit.Role.HEAD, education)
    assert permissions.has_direct_unit_role(users["canbo.syt"], Unit.Role.OFFICER, health)
    assert not permissions.unit_roles(users["canbo.sgd"], health)
    assert permissions.has_direct_unit_role(users["ky.tinh"], Unit.Role.SIGNER, province)
    assert permissions.is_secretariat(users["thuky.tinh"], council)
    assert CouncilMember.objects.get(council=council, user=users["uyvien.tinh"]).voting
    roles = set(council.members.values_list("role", flat=True))
    assert roles == set(CouncilMember.Role.values)
    assert Council.objects.count() >= 3
    for user in users.values():
        assert user.first_name and user.last_name and user.email
    assert users["canbo.sgd"].get_full_name() == "Nguyễn Thị Hoà"
    assert users["canbo.sgd"].person.unit == education


@pytest.mark.django_db
def test_the_province_has_a_consistent_tree_and_searchable_names():
    seed()
    units = {unit.pk: unit for unit in Unit.objects.all()}
    assert 90 <= len(units) <= 110
    for unit in units.values():
        parent_path = units[unit.parent_id].path if unit.parent_id else ""
        assert unit.path == f"{parent_path}{unit.pk:08d}/", unit.code
        assert unit.search_name == fold(f"{unit.code} {unit.name} {unit.short_name}")
    kinds = {unit.kind for unit in units.values()}
    assert {
        Unit.Kind.PROVINCE,
        Unit.Kind.DEPARTMENT,
        Unit.Kind.COMMUNE,
        Unit.Kind.SCHOOL,
        Unit.Kind.HAMLET,
    } <= kinds
    assert not any(unit.name.startswith("Huyện") for unit in units.values())  # no districts after 2025

    merged = [unit for unit in units.values() if unit.successor_of.exists()]
    assert len(merged) >= 2
    for unit in merged:
        assert unit.valid_to is None
        assert all(old.valid_to is not None and old.valid_to < unit.valid_from for old in unit.successor_of.all())

    people = Person.objects.all()
    assert 3000 <= people.count() <= 3600
    assert not people.filter(search_name="").exists()
    assert all(person.search_name == fold(person.full_name) for person in people)
    assert people.filter(full_name="Nguyễn Thị Hoà").exists()
    assert people.filter(full_name="Nguyễn Văn Ấn").exists()
    assert people.filter(search_name__contains="nguyen thi hoa").exists()
    assert set(people.values_list("position_kind", flat=True)) == set(Person.PositionKind.values)
    current = Employment.objects.filter(end__isnull=True)
    assert current.count() == people.count()
    assert not current.exclude(unit=F("person__unit")).exists()
    assert all(h.search_name == fold(h.head_name) and h.unit.kind == Unit.Kind.HAMLET for h in Household.objects.all())
    assert Household.objects.exists()


@pytest.mark.django_db
def test_if_empty_creates_nothing_the_second_time_but_still_prints_the_logins():
    first = seed(if_empty=True)
    counts = (Unit.objects.count(), Person.objects.count(), get_user_model().objects.count())
    second = seed(if_empty=True)
    assert (Unit.objects.count(), Person.objects.count(), get_user_model().objects.count()) == counts
    assert AuditEvent.objects.filter(verb="demo.seeded").count() == 1
    event = AuditEvent.objects.get(verb="demo.seeded")
    assert event.actor is None and event.data["units"] == counts[0] and event.data["people"] == counts[1]
    assert printed_passwords(second) == printed_passwords(first)


class _Rollback(Exception):
    pass


def people_seeded_with(seed_value: int) -> list[tuple[str, str, str]]:
    """Seed inside a transaction that is rolled back, and return who was created where."""
    try:
        with transaction.atomic():
            seed(seed=seed_value)
            snapshot = list(Person.objects.order_by("code").values_list("code", "full_name", "unit__code"))
            raise _Rollback
    except _Rollback:
        return snapshot


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_people():
    first = people_seeded_with(7)
    assert people_seeded_with(7) == first
    assert people_seeded_with(8) != first
