import datetime as dt

from django.urls import reverse
from django.utils import timezone

from awards.models import AwardType, Nomination, ReviewStage
from tests import factories


def _nomination(org, state, **extra):
    """A nomination of a new person of unit A: one person has one live nomination per award and year."""
    return Nomination.objects.create(
        person=factories.make_person(org.unit_a), award_type=AwardType.objects.get(code="LDTT"), year=2026,
        proposing_unit=org.unit_a, achievement="Hoàn thành xuất sắc nhiệm vụ", state=state, **extra,
    )  # fmt: skip


def test_the_officer_sees_drafts_and_returned_nominations(org, client, officer_a, officer_b):
    _nomination(org, Nomination.State.DRAFT)
    _nomination(org, Nomination.State.RETURNED)
    _nomination(org, Nomination.State.RETURNED)
    client.force_login(officer_a)
    page = " ".join(client.get(reverse("home")).content.decode().split())
    assert "Công việc của tôi" in page
    assert 'Hồ sơ nháp <span class="badge text-bg-primary">1</span>' in page
    assert 'Trả lại để bổ sung <span class="badge text-bg-warning">2</span>' in page
    client.force_login(officer_b)
    page = " ".join(client.get(reverse("home")).content.decode().split())
    assert 'Trả lại để bổ sung <span class="badge text-bg-warning">0</span>' in page


def test_the_secretariat_sees_what_to_receive_and_what_is_overdue(org, client, secretariat, member):
    late = timezone.now() - dt.timedelta(days=2)
    for state, due in ((ReviewStage.State.SUBMITTED, late), (ReviewStage.State.SUBMITTED, None),
                       (ReviewStage.State.IN_APPRAISAL, None)):  # fmt: skip
        nomination = _nomination(org, Nomination.State.SUBMITTED)
        ReviewStage.objects.create(nomination=nomination, council=org.council, order=1, state=state, due_at=due)
    client.force_login(secretariat)
    page = " ".join(client.get(reverse("home")).content.decode().split())
    assert 'Chờ tiếp nhận <span class="badge text-bg-primary">2</span>' in page
    assert 'Quá hạn <span class="badge text-bg-danger">1</span>' in page
    client.force_login(member)
    assert "Công việc của tôi" not in client.get(reverse("home")).content.decode()


def test_the_home_page_queries_do_not_grow(org, client, secretariat, django_assert_max_num_queries):
    for _ in range(20):
        nomination = _nomination(org, Nomination.State.SUBMITTED)
        ReviewStage.objects.create(nomination=nomination, council=org.council, order=1, state="submitted")
    client.force_login(secretariat)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("home")).status_code == 200
