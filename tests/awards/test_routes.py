"""The route of a nomination through councils, the seeded authority table, and the pages that edit it."""

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.urls import reverse

from audit.models import AuditEvent
from awards.models import Authority
from awards.routes import RouteError, authority_set, compute_route
from organizations.models import Unit
from tests import factories

AFTER_REFORM = date(2025, 8, 1)


@pytest.fixture
def authorities(catalogue):
    """The authority table of the seed migration; transactional tests elsewhere may have flushed it."""
    if not Authority.objects.exists():
        importlib.import_module("awards.migrations.0005_seed_authorities").seed(apps, None)
    return catalogue


@pytest.fixture
def councils(org, authorities):
    """Councils on the school, the department of education and (from `org`) the province."""
    return {
        "school": factories.make_council(org.unit_a_child),
        "department": factories.make_council(org.unit_a),
        "province": org.council,
    }


@pytest.fixture
def commune(org, authorities):
    """A commune under the province with a hamlet below it; both have a council."""
    commune = factories.make_unit(
        "Xã Tân Lập", code="XTL", parent=org.province, kind=Unit.Kind.COMMUNE, level=Unit.Level.COMMUNE
    )
    hamlet = factories.make_unit("Thôn Đông", code="TDONG", parent=commune, kind=Unit.Kind.HAMLET)
    return {
        "commune": commune,
        "hamlet": hamlet,
        "commune_council": factories.make_council(commune),
        "hamlet_council": factories.make_council(hamlet),
    }


def route_of(unit, award_type, on=AFTER_REFORM):
    return [(step.unit.code, step.council.pk, step.decides) for step in compute_route(
        proposing_unit=unit, award_type=award_type, on=on
    )]  # fmt: skip


# Seed ------------------------------------------------------------------------------------------------


def test_every_award_type_has_one_authority_in_force_either_side_of_the_reform(authorities):
    expected = {
        "LDTT": "grassroots", "CSTDCS": "grassroots", "TTLDTT": "grassroots", "GK": "grassroots",
        "GDVH": "commune", "THON_VH": "commune",
        "CSTD_TINH": "province", "TTLDXS": "province", "CO_TINH": "province", "BK_TINH": "province",
        "CSTDTQ": "national", "CO_CP": "national", "BK_TTG": "national", "HCLD3": "national",
    }  # fmt: skip
    for on in (date(2024, 1, 1), date(2025, 6, 30), date(2025, 7, 1)):
        in_force = Authority.objects.filter(valid_from__lte=on).exclude(valid_to__lte=on)
        assert sorted(in_force.values_list("award_type__code", flat=True)) == sorted(expected)
        assert {a.award_type.code: a.deciding_level for a in in_force.select_related("award_type")} == expected
    assert all(authority.legal_basis.startswith("Điều") for authority in Authority.objects.all())


# Routes ----------------------------------------------------------------------------------------------


def test_ldtt_is_decided_by_the_school_council(org, councils, catalogue):
    assert route_of(org.unit_a_child, catalogue["LDTT"]) == [("LQD", councils["school"].pk, True)]


def test_ldtt_goes_to_the_department_when_the_school_has_no_council(org, councils, catalogue):
    councils["school"].delete()
    assert route_of(org.unit_a_child, catalogue["LDTT"]) == [("SGD", councils["department"].pk, True)]


def test_a_dissolved_council_is_skipped_but_not_before_its_dissolution(org, councils, catalogue):
    councils["school"].dissolved_on = date(2025, 3, 1)
    councils["school"].save()
    assert route_of(org.unit_a_child, catalogue["LDTT"]) == [("SGD", councils["department"].pk, True)]
    assert route_of(org.unit_a_child, catalogue["LDTT"], on=date(2025, 2, 28)) == [("LQD", councils["school"].pk, True)]


def test_cstd_tinh_climbs_to_the_province_which_decides(org, councils, catalogue):
    assert route_of(org.unit_a_child, catalogue["CSTD_TINH"]) == [
        ("LQD", councils["school"].pk, False),
        ("SGD", councils["department"].pk, False),
        ("T01", councils["province"].pk, True),
    ]


def test_a_state_award_ends_at_the_province_which_forwards_without_deciding(org, councils, catalogue):
    route = compute_route(proposing_unit=org.unit_a_child, award_type=catalogue["CSTDTQ"], on=AFTER_REFORM)
    assert [(step.unit, step.decides) for step in route] == [
        (org.unit_a_child, False),
        (org.unit_a, False),
        (org.province, False),
    ]


def test_gia_dinh_van_hoa_from_a_hamlet_is_decided_by_the_commune(org, commune, catalogue):
    assert route_of(commune["hamlet"], catalogue["GDVH"]) == [
        ("TDONG", commune["hamlet_council"].pk, False),
        ("XTL", commune["commune_council"].pk, True),
    ]


def test_a_hamlet_never_decides_even_a_grassroots_award(org, commune, catalogue):
    assert route_of(commune["hamlet"], catalogue["LDTT"])[-1] == ("XTL", commune["commune_council"].pk, True)


def test_the_authority_in_force_on_the_date_gives_the_route(org, commune, catalogue):
    """Say the village title went to the province until the reform and to the commune from 01/07/2025."""
    thon = catalogue["THON_VH"]
    Authority.objects.filter(award_type=thon).delete()
    Authority.objects.create(
        award_type=thon, deciding_level="province", valid_from=date(2024, 1, 1), valid_to=date(2025, 7, 1)
    )
    Authority.objects.create(award_type=thon, deciding_level="commune", valid_from=date(2025, 7, 1))

    assert route_of(commune["hamlet"], thon, on=date(2025, 6, 30)) == [
        ("TDONG", commune["hamlet_council"].pk, False),
        ("XTL", commune["commune_council"].pk, False),
        ("T01", org.council.pk, True),
    ]
    assert route_of(commune["hamlet"], thon, on=date(2025, 7, 1)) == [
        ("TDONG", commune["hamlet_council"].pk, False),
        ("XTL", commune["commune_council"].pk, True),
    ]


def test_no_authority_in_force_is_a_route_error(org, councils, catalogue):
    with pytest.raises(RouteError) as error:
        compute_route(proposing_unit=org.unit_a_child, award_type=catalogue["LDTT"], on=date(2023, 12, 31))
    assert catalogue["LDTT"].name in str(error.value)


def test_no_council_able_to_decide_is_a_route_error(org, authorities, catalogue):
    """Only the province has a council: it cannot decide a grassroots award for a school."""
    with pytest.raises(RouteError) as error:
        compute_route(proposing_unit=org.unit_a_child, award_type=catalogue["LDTT"], on=AFTER_REFORM)
    assert org.unit_a_child.name in str(error.value)


def test_a_provincial_award_without_a_provincial_council_is_a_route_error(org, councils, catalogue):
    org.council.dissolved_on = date(2025, 1, 1)
    org.council.save()
    with pytest.raises(RouteError):
        compute_route(proposing_unit=org.unit_a_child, award_type=catalogue["BK_TINH"], on=AFTER_REFORM)


def _chain(top, depth):
    unit = top
    for _ in range(depth - 1):
        unit = factories.make_unit(parent=unit, kind=Unit.Kind.OTHER)
        factories.make_council(unit)
    return unit


@pytest.mark.parametrize("depth", [3, 8])
def test_compute_route_runs_two_queries_whatever_the_depth(org, authorities, catalogue, depth,
                                                           django_assert_num_queries):  # fmt: skip
    bottom = _chain(org.province, depth)
    with django_assert_num_queries(2):
        route = compute_route(proposing_unit=bottom, award_type=catalogue["BK_TINH"], on=AFTER_REFORM)
    assert len(route) == depth
    assert route[-1].unit == org.province and route[-1].decides


# authority_set ---------------------------------------------------------------------------------------


def test_authority_set_closes_the_version_before(authorities, catalogue, admin_user):
    gk = catalogue["GK"]
    previous = Authority.objects.get(award_type=gk, valid_to__isnull=True)
    authority = authority_set(
        by=admin_user, award_type=gk, deciding_level="commune", valid_from=date(2026, 1, 1), legal_basis="Thử"
    )
    previous.refresh_from_db()
    assert previous.valid_to == date(2026, 1, 1)
    assert authority.valid_to is None and authority.deciding_level == "commune"
    event = AuditEvent.objects.get(verb="authority.changed", object_id=str(authority.pk))
    assert event.data["previous"]["id"] == previous.pk


# Pages -----------------------------------------------------------------------------------------------


def test_anyone_logged_in_reads_the_table_in_force(as_persona, authorities):
    response = as_persona("officer_b").get(reverse("authority_list"))
    assert response.status_code == 200
    assert "Điều 79 Luật Thi đua, khen thưởng 2022" in response.content.decode()
    assert reverse("authority_create") not in response.content.decode()


def test_anonymous_is_sent_to_log_in(as_persona, authorities):
    assert as_persona("anonymous").get(reverse("authority_list")).status_code == 302
    assert as_persona("anonymous").get(reverse("authority_create")).status_code == 302


def test_admin_creates_a_version(as_persona, authorities, catalogue, admin_user):
    client = as_persona("admin_user")
    assert client.get(reverse("authority_create")).status_code == 200
    previous = Authority.objects.get(award_type=catalogue["TTLDTT"], valid_to__isnull=True)
    response = client.post(
        reverse("authority_create"),
        {"award_type": "TTLDTT", "deciding_level": "commune", "valid_from": "2026-01-01", "legal_basis": "Thử"},
    )
    assert response.status_code == 302 and response.url == reverse("authority_list")
    previous.refresh_from_db()
    assert previous.valid_to == date(2026, 1, 1)
    created = Authority.objects.get(award_type=catalogue["TTLDTT"], valid_from=date(2026, 1, 1))
    assert created.deciding_level == "commune" and created.legal_basis == "Thử"
    event = AuditEvent.objects.get(verb="authority.changed", object_id=str(created.pk))
    assert event.actor == admin_user and event.data["award_type"] == "TTLDTT"


@pytest.mark.parametrize("persona", ["officer_a", "head_a", "secretariat", "member"])
def test_others_may_not_change_the_table(as_persona, authorities, persona):
    client = as_persona(persona)
    before = Authority.objects.count()
    assert client.get(reverse("authority_create")).status_code == 403
    response = client.post(
        reverse("authority_create"), {"award_type": "GK", "deciding_level": "province", "valid_from": "2026-01-01"}
    )
    assert response.status_code == 403
    assert Authority.objects.count() == before


def test_a_date_not_after_the_latest_version_is_refused_and_nothing_is_written(as_persona, authorities, catalogue):
    client = as_persona("admin_user")
    before = list(Authority.objects.order_by("pk").values_list("pk", "valid_to"))
    events = AuditEvent.objects.count()
    response = client.post(
        reverse("authority_create"), {"award_type": "GK", "deciding_level": "province", "valid_from": "2023-06-01"}
    )
    assert response.status_code == 400
    assert "01/01/2024" in response.content.decode()
    assert list(Authority.objects.order_by("pk").values_list("pk", "valid_to")) == before
    assert AuditEvent.objects.count() == events
