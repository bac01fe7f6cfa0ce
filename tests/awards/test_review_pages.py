"""The secretariat's review pages: the work list of the province council, one stage with its actions, bulk
receive/accept, and what outsiders see (nothing: 404)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from awards.models import AwardType, DossierDocument, Nomination, NominationRevision, ReviewStage
from tests import factories
from thiduakt.lib import excel, permissions

pytestmark = [pytest.mark.django_db]

State = Nomination.State
StageState = ReviewStage.State


def at_council(org, council=None, *, state=StageState.SUBMITTED, code="CSTD_TINH", name=None, due_days=5):
    """A nomination of unit A whose first stage is at `council` (the province council by default)."""
    nomination_state = {
        StageState.SUBMITTED: State.SUBMITTED,
        StageState.IN_APPRAISAL: State.IN_APPRAISAL,
        StageState.ACCEPTED: State.IN_COUNCIL,
    }[state]
    nomination = Nomination.objects.create(
        person=factories.make_person(org.unit_a, name),
        award_type=AwardType.objects.get(code=code),
        year=2025,
        proposing_unit=org.unit_a,
        achievement="Hoàn thành xuất sắc nhiệm vụ.",
        state=nomination_state,
        eligibility={"status": "eligible", "reasons": [{"rule": "award", "ok": True, "message": "Có CSTĐCS 2025"}]},
    )
    return ReviewStage.objects.create(
        nomination=nomination,
        council=council or org.council,
        order=1,
        decides=True,
        state=state,
        due_at=timezone.now() + timezone.timedelta(days=due_days),
    )


def act(client, stage, action, **data):
    return client.post(reverse("review_act", args=[stage.pk]), {"action": action, **data}, follow=True)


def page_messages(response):
    return [str(message) for message in response.context["messages"]]


def reasons(*rows):
    data = {"reason-TOTAL_FORMS": str(len(rows)), "reason-INITIAL_FORMS": "0"}
    for index, (document, text) in enumerate(rows):
        data[f"reason-{index}-document"] = document
        data[f"reason-{index}-text"] = text
    return data


# The list --------------------------------------------------------------------------------------------------


def test_a_submitted_nomination_appears_in_the_secretariats_list(org, as_persona):
    stage = at_council(org, name="Phạm Thị Lan")
    elsewhere = at_council(org, factories.make_council(org.unit_b), name="Đỗ Văn Khoa")
    response = as_persona("secretariat").get(reverse("review_list"))
    assert response.status_code == 200
    assert "Phạm Thị Lan" in response.text and "Đỗ Văn Khoa" not in response.text
    assert reverse("review_stage", args=[stage.pk]) in response.text
    assert elsewhere.pk not in [s.pk for s in response.context["page"]]


def test_tabs_and_filters(org, as_persona):
    submitted = at_council(org)
    accepted = at_council(org, state=StageState.ACCEPTED)
    late = at_council(org, state=StageState.IN_APPRAISAL, due_days=-2)
    client = as_persona("secretariat")

    def listed(**query):
        return {s.pk for s in client.get(reverse("review_list"), query).context["page"]}

    assert listed() == {submitted.pk, accepted.pk, late.pk}
    assert listed(state="submitted") == {submitted.pk}
    assert listed(state="accepted") == {accepted.pk}
    assert listed(state="overdue") == {late.pk}
    assert listed(unit="sgd", year="2025", award_type="CSTD_TINH") == {submitted.pk, accepted.pk, late.pk}
    assert listed(unit="SYT") == set()
    assert listed(year="2024") == set()
    assert [s.pk for s in client.get(reverse("review_list")).context["page"]][0] == late.pk  # soonest due first


def test_a_non_secretariat_sees_an_empty_list(org, as_persona):
    at_council(org)
    response = as_persona("officer_a").get(reverse("review_list"))
    assert response.status_code == 200 and len(response.context["page"]) == 0


def test_the_list_takes_the_same_number_of_queries_at_3_and_30_stages(org, as_persona):
    client = as_persona("secretariat")
    counts = []
    for total in (3, 30):
        while ReviewStage.objects.count() < total:
            at_council(org)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("review_list"))
        assert len(response.context["page"]) == total
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_excel_export_opens(org, as_persona):
    at_council(org, name="Phạm Thị Lan")
    response = as_persona("secretariat").get(reverse("review_list"), {"format": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    sheet = excel.read_sheet(response.content)
    assert len(sheet.rows) == 1
    values = " ".join(excel.cell_text(value) for value in sheet.rows[0][1])
    assert "Phạm Thị Lan" in values and "SGD" in values


# One stage -------------------------------------------------------------------------------------------------


def test_receive_accept_through_the_page(org, as_persona):
    stage = at_council(org)
    client = as_persona("secretariat")
    page = client.get(reverse("review_stage", args=[stage.pk]))
    assert page.status_code == 200 and 'value="receive"' in page.text and "Có CSTĐCS 2025" in page.text

    response = act(client, stage, "receive")
    stage.refresh_from_db()
    assert stage.state == StageState.IN_APPRAISAL and stage.nomination.state == State.IN_APPRAISAL
    assert 'value="accept"' in response.text and 'value="return"' in response.text

    act(client, stage, "accept")
    stage.refresh_from_db()
    assert stage.state == StageState.ACCEPTED and stage.nomination.state == State.IN_COUNCIL

    response = act(client, stage, "accept")
    assert any("trạng thái khác" in text for text in page_messages(response))


def test_return_with_reasons(org, as_persona):
    stage = at_council(org, state=StageState.IN_APPRAISAL)
    rows = [(DossierDocument.Kind.MINUTES, "Thiếu biên bản họp hội đồng cơ sở."), ("", "Bổ sung số liệu."), ("", "")]
    act(as_persona("secretariat"), stage, "return", **reasons(*rows))
    stage.refresh_from_db()
    assert stage.state == StageState.RETURNED and stage.nomination.state == State.RETURNED
    assert stage.reason == [
        {"document": "minutes", "text": "Thiếu biên bản họp hội đồng cơ sở."},
        {"document": "", "text": "Bổ sung số liệu."},
    ]


def test_return_without_a_reason_is_refused_and_changes_nothing(org, as_persona):
    stage = at_council(org, state=StageState.IN_APPRAISAL)
    response = act(as_persona("secretariat"), stage, "return", **reasons(("minutes", " "), ("", "")))
    assert any("ít nhất một lý do" in text for text in page_messages(response))
    stage.refresh_from_db()
    assert stage.state == StageState.IN_APPRAISAL and stage.reason == []
    assert stage.nomination.state == State.IN_APPRAISAL


def test_reject_and_hold_release(org, as_persona):
    stage = at_council(org, state=StageState.IN_APPRAISAL)
    client = as_persona("secretariat")
    response = act(client, stage, "reject", reason="")
    assert any("lý do" in text for text in page_messages(response))
    act(client, stage, "hold", reason="Đang có đơn khiếu nại.")
    stage.nomination.refresh_from_db()
    assert stage.nomination.state == State.ON_HOLD
    act(client, stage, "release")
    stage.nomination.refresh_from_db()
    assert stage.nomination.state == State.IN_APPRAISAL
    act(client, stage, "reject", reason="Sáng kiến chưa được công nhận cấp tỉnh.")
    stage.refresh_from_db()
    assert stage.state == StageState.REJECTED and stage.nomination.state == State.REJECTED
    assert AuditEvent.objects.filter(verb="nomination.rejected", object_id=str(stage.nomination_id)).exists()


def test_the_diff_of_the_last_resubmission_is_shown(org, as_persona):
    stage = at_council(org)
    snapshot = {
        "fields": {"justification": "Cũ"},
        "documents": [{"id": 1, "kind": "minutes", "original_name": "a.pdf"}],
    }
    NominationRevision.objects.create(nomination=stage.nomination, number=1, snapshot=snapshot)
    changed = {
        "fields": {"justification": "Mới hơn"},
        "documents": [{"id": 2, "kind": "minutes", "original_name": "b.pdf"}],
    }
    NominationRevision.objects.create(nomination=stage.nomination, number=2, snapshot=changed)
    response = as_persona("secretariat").get(reverse("review_stage", args=[stage.pk]))
    assert response.context["diff"] == [
        ("Giải trình", "Cũ", "Mới hơn"),
        ("Tài liệu bổ sung", None, "Biên bản họp: b.pdf"),
        ("Tài liệu đã gỡ", "Biên bản họp: a.pdf", None),
    ]
    assert "Mới hơn" in response.text and "Biên bản họp: b.pdf" in response.text and "a.pdf" in response.text


@pytest.mark.parametrize("persona", ["officer_a", "officer_b", "member", "head_a"])
def test_outsiders_get_404(org, as_persona, persona):
    stage = at_council(org)
    client = as_persona(persona)
    assert client.get(reverse("review_stage", args=[stage.pk])).status_code == 404
    assert client.post(reverse("review_act", args=[stage.pk]), {"action": "receive"}).status_code == 404
    stage.refresh_from_db()
    assert stage.state == StageState.SUBMITTED


def test_the_secretariat_of_another_council_gets_404(org, client):
    stage = at_council(org)
    other = factories.make_user("other_secretariat")
    permissions.grant_secretariat(other, factories.make_council(org.unit_b))
    client.force_login(other)
    assert client.get(reverse("review_stage", args=[stage.pk])).status_code == 404


def test_an_admin_sees_every_stage(org, as_persona):
    stage = at_council(org, factories.make_council(org.unit_b))
    assert as_persona("admin_user").get(reverse("review_stage", args=[stage.pk])).status_code == 200


# Bulk ------------------------------------------------------------------------------------------------------


def test_bulk_accept_of_three_reports_the_failures(org, as_persona):
    ready = [at_council(org, state=StageState.IN_APPRAISAL) for _ in range(3)]
    not_received = at_council(org, name="Vũ Thị Hạnh")
    foreign = at_council(org, factories.make_council(org.unit_b), state=StageState.IN_APPRAISAL)
    ids = [s.pk for s in [*ready, not_received, foreign]]
    response = as_persona("secretariat").post(
        reverse("review_bulk"), {"action": "accept", "stage": ids, "next": "/awards/review/?state=in_appraisal"}
    )
    assert response.status_code == 302
    texts = page_messages(as_persona("secretariat").get(response.url))
    assert "Đã xử lý 3 hồ sơ." in texts
    refused = next(text for text in texts if text.startswith("2 "))
    assert "Vũ Thị Hạnh" in refused and str(foreign.pk) in refused
    assert ReviewStage.objects.filter(state=StageState.ACCEPTED).count() == 3
    for stage in ready:
        stage.refresh_from_db()
        assert stage.state == StageState.ACCEPTED and stage.nomination.state == State.IN_COUNCIL
    foreign.refresh_from_db()
    assert foreign.state == StageState.IN_APPRAISAL


def _bulk_accept_queries(client, org, count) -> int:
    ids = [at_council(org, state=StageState.IN_APPRAISAL).pk for _ in range(count)]
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("review_bulk"), {"action": "accept", "stage": ids})
    assert response.status_code == 302
    assert ReviewStage.objects.filter(pk__in=ids, state=StageState.ACCEPTED).count() == count
    return len(queries)


def test_bulk_accept_costs_the_same_queries_for_3_or_30_stages_and_audits_each(org, as_persona):
    client = as_persona("secretariat")
    _bulk_accept_queries(client, org, 1)  # warms the caches (content types, the session's user)
    few = _bulk_accept_queries(client, org, 3)
    many = _bulk_accept_queries(client, org, 30)
    assert few == many <= 20
    assert AuditEvent.objects.filter(verb="nomination.accepted").count() == 34


def test_bulk_receive(org, as_persona):
    stages = [at_council(org) for _ in range(2)]
    as_persona("secretariat").post(reverse("review_bulk"), {"action": "receive", "stage": [s.pk for s in stages]})
    assert ReviewStage.objects.filter(state=StageState.IN_APPRAISAL).count() == 2


# Who sees what ---------------------------------------------------------------------------------------------

EXPECTED = {
    # persona: (review_list, review_stage)
    "officer_a": (200, 404),
    "head_a": (200, 404),
    "officer_b": (200, 404),
    "secretariat": (200, 200),
    "member": (200, 404),
    "admin_user": (200, 200),
    "anonymous": (302, 302),
}


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_permission_matrix(org, as_persona, persona):
    stage = at_council(org)
    client = as_persona(persona)
    statuses = (
        client.get(reverse("review_list")).status_code,
        client.get(reverse("review_stage", args=[stage.pk])).status_code,
    )
    assert statuses == EXPECTED[persona]
    # The POST-only views refuse GET (after the login check).
    assert client.get(reverse("review_bulk")).status_code == (302 if persona == "anonymous" else 405)
    assert client.get(reverse("review_act", args=[stage.pk])).status_code == (302 if persona == "anonymous" else 405)
