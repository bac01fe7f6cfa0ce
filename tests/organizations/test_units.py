import pytest
from django.urls import reverse

from audit.models import AuditEvent
from organizations.models import Unit
from tests import factories


def test_admin_tree_starts_at_the_province(org, client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("unit_tree"))
    assert response.status_code == 200
    assert "Tỉnh Sông Hồng" in response.content.decode()


def test_officer_tree_starts_at_their_unit(org, client, officer_a):
    client.force_login(officer_a)
    page = client.get(reverse("unit_tree")).content.decode()
    assert "Sở Giáo dục và Đào tạo" in page
    assert "Tỉnh Sông Hồng" not in page
    assert "Sở Y tế" not in page


def test_children_partial_lists_sub_units(org, client, officer_a):
    client.force_login(officer_a)
    response = client.get(reverse("unit_children", args=[org.unit_a.pk]), HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "Trường THPT Lê Quý Đôn" in page
    assert "<html" not in page  # a fragment, not a whole page


def test_search_is_accent_insensitive_and_scoped(org, client, officer_a):
    client.force_login(officer_a)
    page = client.get(reverse("unit_tree"), {"q": "truong thpt le quy don"}).content.decode()
    assert "Trường THPT Lê Quý Đôn" in page
    page = client.get(reverse("unit_tree"), {"q": "so y te"}).content.decode()
    assert "Sở Y tế" not in page


@pytest.mark.parametrize("size", [5, 60])
def test_tree_and_search_queries_do_not_grow(size, org, client, admin_user, django_assert_max_num_queries):
    for i in range(size):
        child = factories.make_unit(f"Xã Bình An {i}", parent=org.province, kind=Unit.Kind.COMMUNE)
        factories.make_unit(f"Thôn {i}", parent=child, kind=Unit.Kind.HAMLET)
    client.force_login(admin_user)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("unit_tree")).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("unit_children", args=[org.province.pk])).status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(reverse("unit_tree"), {"q": "xa binh an"}).status_code == 200


@pytest.mark.parametrize("size", [3, 40])
def test_unit_page_queries_do_not_grow(size, org, client, head_a, django_assert_max_num_queries):
    for _i in range(size):
        factories.make_person(org.unit_a)
        factories.make_unit(parent=org.unit_a)
        factories.make_household(org.unit_a)
    client.force_login(head_a)
    with django_assert_max_num_queries(17):
        response = client.get(reverse("unit_detail", args=[org.unit_a.pk]))
    assert response.status_code == 200


def test_unit_page_shows_roles_inherited_from_ancestors_and_predecessors(org, client, head_a, officer_a):
    old = factories.make_unit("Xã Cũ", parent=org.province)
    org.unit_a_child.successor_of.add(old)
    client.force_login(head_a)
    page = client.get(reverse("unit_detail", args=[org.unit_a_child.pk])).content.decode()
    assert "officer_a" in page and "head_a" in page
    assert "Xã Cũ" in page


def test_admin_creates_a_unit_under_a_parent(org, client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("unit_create"),
        {
            "code": "XBA",
            "name": "Xã Bình An",
            "kind": "commune",
            "level": "commune",
            "parent_code": "T01",
        },
    )
    unit = Unit.objects.get(code="XBA")
    assert response.status_code == 302
    assert unit.path == org.province.path + f"{unit.pk:08d}/"
    assert AuditEvent.objects.filter(verb="unit.created", object_id=str(unit.pk)).exists()


def test_unknown_parent_code_is_refused_and_nothing_written(org, client, admin_user):
    client.force_login(admin_user)
    before = (Unit.objects.count(), AuditEvent.objects.count())
    response = client.post(
        reverse("unit_create"),
        {
            "code": "XBA",
            "name": "Xã Bình An",
            "kind": "commune",
            "level": "commune",
            "parent_code": "KHONG-CO",
        },
    )
    assert response.status_code == 200
    assert "KHONG-CO" in response.content.decode()
    assert (Unit.objects.count(), AuditEvent.objects.count()) == before


def test_moving_a_unit_moves_its_subtree(org, client, admin_user):
    grandchild = factories.make_unit("Tổ Toán", parent=org.unit_a_child)
    client.force_login(admin_user)
    response = client.post(
        reverse("unit_edit", args=[org.unit_a_child.pk]),
        {
            "code": "LQD",
            "name": "Trường THPT Lê Quý Đôn",
            "kind": "school",
            "level": "grassroots",
            "parent_code": "SYT",
        },
    )
    assert response.status_code == 302
    grandchild.refresh_from_db()
    assert grandchild.ancestor_ids == [org.province.pk, org.unit_b.pk, org.unit_a_child.pk, grandchild.pk]
    assert list(org.unit_b.subtree().values_list("code", flat=True)) == ["SYT", "LQD", grandchild.code]


def test_a_unit_cannot_move_under_its_own_descendant(org, client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("unit_edit", args=[org.unit_a.pk]),
        {
            "code": "SGD",
            "name": "Sở Giáo dục và Đào tạo",
            "kind": "department",
            "level": "province",
            "parent_code": "LQD",
        },
    )
    assert response.status_code == 200
    assert "cấp dưới" in response.content.decode()
    org.unit_a.refresh_from_db()
    assert org.unit_a.parent_id == org.province.pk
