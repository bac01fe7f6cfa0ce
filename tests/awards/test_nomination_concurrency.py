"""Two secretaries accept one nomination at the same moment: one wins, the other is told it changed state."""

import threading

import pytest
from django.db import connection

from audit.models import AuditEvent
from awards import nominations as services
from awards.models import AwardType, Nomination, ReviewStage
from awards.nominations import NominationError
from organizations.models import Unit
from tests import factories
from thiduakt.lib import permissions


@pytest.mark.django_db(transaction=True)
def test_two_secretaries_accepting_at_once_one_wins(org):
    council = factories.make_council(org.unit_a_child)
    secretaries = [factories.make_user(f"secretary{i}") for i in range(2)]
    for user in secretaries:
        permissions.grant_secretariat(user, council)
    nomination = Nomination.objects.create(
        person=factories.make_person(org.unit_a_child),
        award_type=AwardType.objects.get(code="LDTT"),
        year=2026,
        proposing_unit=org.unit_a_child,
        achievement="Hoàn thành tốt nhiệm vụ.",
        state=Nomination.State.IN_APPRAISAL,
    )
    stage = ReviewStage.objects.create(
        nomination=nomination, council=council, order=1, decides=True, state=ReviewStage.State.IN_APPRAISAL
    )
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def accept(index):
        try:
            barrier.wait(timeout=10)
            services.stage_accept(by=secretaries[index], stage=ReviewStage(pk=stage.pk))
            outcomes[index] = "accepted"
        except NominationError as error:
            outcomes[index] = str(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes, key=str) == sorted(
        ["accepted", "Hồ sơ đề nghị đã chuyển sang trạng thái khác: hãy tải lại trang và thử lại."], key=str
    )
    nomination.refresh_from_db()
    stage.refresh_from_db()
    assert nomination.state == Nomination.State.IN_COUNCIL and stage.state == ReviewStage.State.ACCEPTED
    assert list(AuditEvent.objects.filter(verb="nomination.accepted").values_list("object_id", flat=True)) == [
        str(nomination.pk)
    ]


def _create(by, person, org):
    return services.nomination_create(
        by=by,
        subject=person,
        award_type=AwardType.objects.get(code="LDTT"),
        year=2026,
        kind="regular",
        proposing_unit=org.unit_a,
        achievement="Hoàn thành tốt nhiệm vụ.",
    )


@pytest.mark.django_db(transaction=True)
def test_two_officers_proposing_the_same_person_at_once_create_one_nomination(org):
    officers = [factories.make_user(f"officer{i}") for i in range(2)]
    for user in officers:
        permissions.grant_unit_role(user, Unit.Role.OFFICER, org.unit_a)
    person = factories.make_person(org.unit_a)
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def propose(index):
        try:
            barrier.wait(timeout=10)
            _create(officers[index], person, org)
            outcomes[index] = "created"
        except NominationError as error:
            outcomes[index] = str(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=propose, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    refused = f"{person} đã được đề nghị Lao động tiên tiến năm 2026."
    assert sorted(outcomes) == sorted(["created", refused])
    assert Nomination.objects.filter(person=person).count() == 1
    assert AuditEvent.objects.filter(verb="nomination.created").count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_live_nomination_that_slipped_past_the_check(org, officer_a, monkeypatch):
    """Between the check and the insert of one officer, another inserts: the constraint decides, and the
    officer reads the same message as from the check."""
    person = factories.make_person(org.unit_a)
    first = _create(officer_a, person, org)
    monkeypatch.setattr(services, "_check_not_proposed_twice", lambda **kwargs: None)
    with pytest.raises(NominationError, match="đã được đề nghị Lao động tiên tiến năm 2026"):
        _create(officer_a, person, org)
    assert list(Nomination.objects.filter(person=person)) == [first]
    # Once the first has ended (withdrawn, rejected…), the person may be proposed again.
    Nomination.objects.filter(pk=first.pk).update(state=Nomination.State.WITHDRAWN)
    assert _create(officer_a, person, org).pk != first.pk
