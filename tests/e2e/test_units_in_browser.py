import pytest
from django.urls import reverse

from tests.e2e.conftest import log_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_officer_sees_their_unit_in_vietnamese(page, live_server, org, officer_a):
    log_in(page, live_server, "officer_a", PASSWORD)
    assert page.url == f"{live_server.url}/"
    page.click("text=Đơn vị")
    page.click(f"a[href='{reverse('unit_detail', args=[org.unit_a.pk])}']")
    assert page.locator("h1").inner_text() == "Sở Giáo dục và Đào tạo"
    body = page.locator("body").inner_text()
    assert "Đơn vị cấp dưới" in body
    assert "Trường THPT Lê Quý Đôn" in body
    assert "Nguyễn Thị Hoà" in body
    # The htmx tree expands a unit in place.
    page.goto(f"{live_server.url}{reverse('unit_tree')}")
    toggle = page.locator("button[aria-label='Hiện đơn vị cấp dưới']").first
    toggle.click()
    page.wait_for_selector("text=Trường THPT Lê Quý Đôn")
    toggle.click()  # a second click folds the node
    page.wait_for_selector("text=Trường THPT Lê Quý Đôn", state="detached")
    assert toggle.get_attribute("aria-expanded") == "false"


def test_officer_of_another_unit_gets_404(page, live_server, org, officer_a, officer_b):
    log_in(page, live_server, "officer_b", PASSWORD)
    for url in (reverse("unit_detail", args=[org.unit_a.pk]), reverse("person_detail", args=[org.person_a.pk])):
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 404
        assert "Không tìm thấy" in page.locator("body").inner_text()
    response = page.goto(f"{live_server.url}{reverse('unit_detail', args=[org.unit_b.pk])}")
    assert response.status == 200
