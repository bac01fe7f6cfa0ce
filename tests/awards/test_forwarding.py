# ruff: noqa: F811 (the fixtures imported from test_nominations are requested by name)
"""After a council passes a nomination: the deciding level waits for the decision; a lower level forwards it to
the next stage of its route with a forwarding letter of its own, numbered in its unit's series."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from awards import nominations as services
from awards.models import Nomination, ReviewStage, Submission
from awards.nominations import NominationError
from tests import factories
from tests.awards.test_nominations import (  # noqa: F401 (fixtures)
    CSTD_TINH_DOCS,
    add_document,
    authorities,
    councils,
    create,
    letter_with,
    media,
    school_secretariat,
    sent,
    teacher,
)
from thiduakt.lib import permissions

pytestmark = [pytest.mark.django_db]

State = Nomination.State
StageState = ReviewStage.State


@pytest.fixture
def department_secretariat(councils):
    user = factories.make_user("department_secretariat")
    permissions.grant_secretariat(user, councils["department"])
    return user


@pytest.fixture
def passed(sent, school_secretariat):
    """The teacher's CSTĐ tỉnh, passed by the school's council (which does not decide it)."""
    _submission, nomination, stage = sent
    services.stage_receive(by=school_secretariat, stage=stage)
    services.stage_accept(by=school_secretariat, stage=stage)
    services.stage_record_result(by=school_secretariat, stage=stage, passed=True, data={"agree": 5, "of": 7})
    nomination.refresh_from_db()
    stage.refresh_from_db()
    return nomination, stage


def forward(client, stages, title="Đề nghị Sở xét tặng danh hiệu CSTĐ tỉnh"):
    return client.post(
        reverse("review_bulk"), {"action": "forward", "title": title, "stage": [s.pk for s in stages]}, follow=True
    )


def test_a_pass_below_the_deciding_level_waits_for_the_forwarding_letter(passed):
    nomination, stage = passed
    assert (nomination.state, stage.state) == (State.FORWARDED, StageState.PASSED)
    assert nomination.stages.get(order=2).state == StageState.WAITING
    event = AuditEvent.objects.filter(verb="nomination.passed", object_id=str(nomination.pk)).get()
    assert event.data["agree"] == 5 and event.data["stage"] == stage.pk


def test_forwarding_from_the_work_list_sends_a_numbered_letter_to_the_next_council(
    passed, client, school_secretariat, department_secretariat
):
    nomination, stage = passed
    client.force_login(school_secretariat)
    listed = client.get(reverse("review_list"), {"state": "to_forward"})
    assert [s.pk for s in listed.context["page"]] == [stage.pk]
    assert "Chuyển các hồ sơ đã chọn bằng một tờ trình" in listed.content.decode()

    response = forward(client, [stage])

    letter = Submission.objects.get(council=stage.council)
    assert response.redirect_chain[-1][0] == reverse("review_letter", args=[letter.pk])
    assert str(letter) == "02/TTr-LQD"  # the school's second letter of the year, after its own proposal
    assert letter.state == Submission.State.SENT and letter.unit == stage.council.unit
    page = response.content.decode()
    assert "02/TTr-LQD" in page and "Trần Thị Mai" in page
    nomination.refresh_from_db()
    next_stage = nomination.stages.get(order=2)
    assert nomination.state == State.SUBMITTED
    assert (next_stage.state, next_stage.letter, next_stage.due_at is not None) == (StageState.SUBMITTED, letter, True)
    assert list(AuditEvent.objects.filter(object_id=str(nomination.pk)).values_list("verb", flat=True))[-2:] == [
        "nomination.passed",
        "nomination.forwarded",
    ]

    # The department's secretariat finds it in its list, with the letter that brought it, and receives it.
    client.force_login(department_secretariat)
    stage_page = client.get(reverse("review_stage", args=[next_stage.pk])).content.decode()
    assert reverse("review_letter", args=[letter.pk]) in stage_page
    pdf = client.get(reverse("review_letter", args=[letter.pk]), {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    services.stage_receive(by=department_secretariat, stage=next_stage)
    nomination.refresh_from_db()
    assert nomination.state == State.IN_APPRAISAL


def test_forwarding_twice_or_by_another_secretariat_is_refused_and_changes_nothing(
    passed, client, school_secretariat, department_secretariat
):
    _nomination, stage = passed
    with pytest.raises(NominationError, match="thường trực"):
        services.stages_forward(by=department_secretariat, stage_ids=[stage.pk], title="Tờ trình")
    with pytest.raises(NominationError):
        services.stages_forward(by=school_secretariat, stage_ids=[stage.pk], title="  ")
    assert not Submission.objects.filter(council__isnull=False).exists()

    services.stages_forward(by=school_secretariat, stage_ids=[stage.pk], title="Tờ trình")
    client.force_login(school_secretariat)
    response = forward(client, [stage])
    assert any("không còn chờ chuyển" in str(m) for m in response.context["messages"])
    assert Submission.objects.filter(council__isnull=False).count() == 1


def test_a_nomination_not_yet_passed_cannot_be_forwarded(sent, school_secretariat):
    _submission, nomination, stage = sent
    services.stage_receive(by=school_secretariat, stage=stage)
    with pytest.raises(NominationError) as refused:
        services.stages_forward(by=school_secretariat, stage_ids=[stage.pk], title="Tờ trình")
    assert str(nomination.subject) in str(refused.value)
    nomination.refresh_from_db()
    assert nomination.state == State.IN_APPRAISAL


def test_not_passed_ends_the_nomination_with_the_result_as_reason(sent, school_secretariat, client, officer_a):
    _submission, nomination, stage = sent
    services.stage_receive(by=school_secretariat, stage=stage)
    services.stage_accept(by=school_secretariat, stage=stage)
    services.stage_record_result(by=None, stage=stage, passed=False, reason="3/7 thành viên đồng ý, dưới 2/3.")
    nomination.refresh_from_db()
    stage.refresh_from_db()
    assert (nomination.state, stage.state) == (State.NOT_APPROVED, StageState.FAILED)
    client.force_login(officer_a)
    assert (
        "3/7 thành viên đồng ý, dưới 2/3."
        in client.get(reverse("nomination_detail", args=[nomination.pk])).content.decode()
    )
    with pytest.raises(NominationError):  # recorded once
        services.stage_record_result(by=None, stage=stage, passed=True)


def test_a_pass_at_the_deciding_level_waits_for_the_decision(
    passed, school_secretariat, department_secretariat, secretariat
):
    nomination, _stage = passed
    services.stages_forward(by=school_secretariat, stage_ids=[_stage.pk], title="Tờ trình")
    department = nomination.stages.get(order=2)
    services.stage_receive(by=department_secretariat, stage=department)
    services.stage_accept(by=department_secretariat, stage=department)
    services.stage_record_result(by=department_secretariat, stage=department, passed=True)
    nomination.refresh_from_db()
    assert nomination.state == State.FORWARDED
    services.stages_forward(by=department_secretariat, stage_ids=[department.pk], title="Tờ trình của Sở")
    province = nomination.stages.get(order=3)
    assert province.decides
    services.stage_receive(by=secretariat, stage=province)
    services.stage_accept(by=secretariat, stage=province)
    services.stage_record_result(by=secretariat, stage=province, passed=True)
    nomination.refresh_from_db()
    assert nomination.state == State.IN_DECISION
