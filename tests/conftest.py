"""Personas: officer and head of unit A, officer of unit B, secretariat of the province council, a council
member, a system admin and an anonymous visitor. Units A and B sit under the province P."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser

from awards.models import AwardType
from organizations.models import Unit
from tests import factories
from thiduakt.lib import permissions


@pytest.fixture
def catalogue(db):
    """The award catalogue of the seed migration. Transactional tests flush it: seed it again when empty."""
    if not AwardType.objects.exists():
        importlib.import_module("awards.migrations.0002_seed_catalogue").seed(apps, None)
    return {award_type.code: award_type for award_type in AwardType.objects.all()}


@pytest.fixture
def org(catalogue):
    province = factories.make_unit("Tỉnh Sông Hồng", code="T01", kind=Unit.Kind.PROVINCE, level=Unit.Level.PROVINCE)
    unit_a = factories.make_unit("Sở Giáo dục và Đào tạo", code="SGD", parent=province, level=Unit.Level.PROVINCE)
    unit_a_child = factories.make_unit("Trường THPT Lê Quý Đôn", code="LQD", parent=unit_a, kind=Unit.Kind.SCHOOL)
    unit_b = factories.make_unit("Sở Y tế", code="SYT", parent=province, level=Unit.Level.PROVINCE)
    council = factories.make_council(province, "Hội đồng Thi đua – Khen thưởng tỉnh")
    person_a = factories.make_person(unit_a, "Nguyễn Thị Hoà", code="CB0001")
    person_b = factories.make_person(unit_b, "Lê Văn Ấn", code="CB0002")
    return SimpleNamespace(
        province=province,
        unit_a=unit_a,
        unit_a_child=unit_a_child,
        unit_b=unit_b,
        council=council,
        person_a=person_a,
        person_b=person_b,
    )


@pytest.fixture
def officer_a(org):
    user = factories.make_user("officer_a", first_name="Nguyễn Văn", last_name="An")
    permissions.grant_unit_role(user, Unit.Role.OFFICER, org.unit_a)
    return user


@pytest.fixture
def head_a(org):
    user = factories.make_user("head_a")
    permissions.grant_unit_role(user, Unit.Role.HEAD, org.unit_a)
    return user


@pytest.fixture
def officer_b(org):
    user = factories.make_user("officer_b")
    permissions.grant_unit_role(user, Unit.Role.OFFICER, org.unit_b)
    return user


@pytest.fixture
def secretariat(org):
    user = factories.make_user("secretariat")
    permissions.grant_secretariat(user, org.council)
    return user


@pytest.fixture
def member(org):
    user = factories.make_user("member")
    factories.add_member(org.council, user)
    return user


@pytest.fixture
def admin_user(org):
    return factories.make_user("sysadmin", is_superuser=True, is_staff=True)


@pytest.fixture
def anonymous():
    return AnonymousUser()


PERSONAS = ["officer_a", "head_a", "officer_b", "secretariat", "member", "admin_user", "anonymous"]


@pytest.fixture
def as_persona(request, client):
    """as_persona("officer_a") → a test client logged in as that persona (anonymous: not logged in)."""

    def login(name):
        user = request.getfixturevalue(name)
        if user.is_authenticated:
            client.force_login(user)
        return client

    return login
