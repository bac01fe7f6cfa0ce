import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEvent
from organizations.models import Employment, Person
from tests import factories
from thiduakt.lib.vn import fold


def test_fold_removes_vietnamese_diacritics():
    assert fold("Nguyễn Văn Ấn") == "nguyen van an"
    assert fold("  ĐẶNG  Thị   Hoà ") == "dang thi hoa"


def test_search_without_accents_finds_the_person(org, client, admin_user):
    factories.make_person(org.unit_b, "Nguyễn Văn Ấn")
    client.force_login(admin_user)
    page = client.get(reverse("person_list"), {"q": "nguyen van an"}).content.decode()
    assert "Nguyễn Văn Ấn" in page


def test_search_by_code(org, client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("person_list"), {"q": "CB0002"}).content.decode()
    assert "Lê Văn Ấn" in page and "Nguyễn Thị Hoà" not in page


def test_officer_sees_only_people_of_their_subtree(org, client, officer_a):
    client.force_login(officer_a)
    page = client.get(reverse("person_list")).content.decode()
    assert "Nguyễn Thị Hoà" in page
    assert "Lê Văn Ấn" not in page


@pytest.mark.parametrize("size", [5, 80])
def test_person_search_queries_do_not_grow(size, org, client, officer_a, django_assert_max_num_queries):
    for _ in range(size):
        factories.make_person(org.unit_a_child)
    client.force_login(officer_a)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("person_list"), {"q": "nguyen thi hoa"})
    assert response.status_code == 200


def _person_data(**overrides):
    data = {
        "code": "CB0100",
        "full_name": "Trần Thị Thu",
        "gender": "female",
        "birth_date": "1990-03-02",
        "position": "Giáo viên",
        "position_kind": "direct_worker",
        "unit_code": "LQD",
    }
    data.update(overrides)
    return data


def test_officer_adds_a_person_with_employment(org, client, officer_a):
    client.force_login(officer_a)
    response = client.post(reverse("person_create"), _person_data())
    person = Person.objects.get(code="CB0100")
    assert response.status_code == 302
    assert person.employments.get().unit == org.unit_a_child
    assert AuditEvent.objects.filter(verb="person.created", object_id=str(person.pk)).exists()


def test_officer_cannot_place_a_person_in_another_unit(org, client, officer_a):
    client.force_login(officer_a)
    response = client.post(reverse("person_create"), _person_data(unit_code="SYT"))
    assert response.status_code == 200
    assert not Person.objects.filter(code="CB0100").exists()


def test_duplicate_code_is_refused(org, client, officer_a):
    client.force_login(officer_a)
    response = client.post(reverse("person_create"), _person_data(code="CB0001"))
    assert response.status_code == 200
    assert Person.objects.filter(code="CB0001").count() == 1


def test_moving_a_person_keeps_the_employment_history(org, client, admin_user):
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC), tick=False):
        client.force_login(admin_user)
        client.post(reverse("person_create"), _person_data())
    person = Person.objects.get(code="CB0100")
    with time_machine.travel(dt.datetime(2026, 9, 1, 9, tzinfo=dt.UTC), tick=False):
        client.force_login(admin_user)
        response = client.post(
            reverse("person_edit", args=[person.pk]), _person_data(unit_code="SYT", position="Bác sĩ")
        )
    assert response.status_code == 302
    history = list(Employment.objects.filter(person=person).order_by("start").values_list("unit__code", "start", "end"))
    assert history == [("LQD", dt.date(2026, 1, 5), dt.date(2026, 9, 1)), ("SYT", dt.date(2026, 9, 1), None)]
    client.force_login(admin_user)  # the session opened in the past has expired
    page = client.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "Trường THPT Lê Quý Đôn" in page and "Sở Y tế" in page


def test_household_created_in_a_hamlet(org, client, officer_a):
    client.force_login(officer_a)
    response = client.post(
        reverse("household_create") + f"?unit={org.unit_a_child.pk}",
        {
            "code": "HGD01",
            "head_name": "Phạm Văn Dũng",
            "address": "Thôn Đông",
            "unit_code": "LQD",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Phạm Văn Dũng" in page


def test_person_list_exports_what_the_officer_may_see(org, client, officer_a):
    factories.make_person(org.unit_a_child, "Trần Văn Ấn")
    client.force_login(officer_a)
    response = client.get(reverse("person_list"), {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"Nguyễn Thị Hoà", "Trần Văn Ấn"}
