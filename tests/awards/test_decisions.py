"""Award decisions (issue 7): drafting from the nominations an issuer's council passed, bonuses, issuing (numbers,
award records the eligibility engine sees at once), revocation, refusals that change nothing, and two decisions
of one issuer issued at the same moment."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from audit.models import AuditEvent
from awards import decisions as services
from awards import eligibility
from awards import selectors_decisions as selectors
from awards.decisions import DecisionError
from awards.models import AwardRecord, AwardType, Decision, DecisionItem, Nomination, ReviewStage
from organizations.models import Unit
from tests import factories
from tests.awards.factories import rating, reason, verdict
from thiduakt.lib import permissions

State = Nomination.State
TEXTS = {
    "title": "Về việc tặng danh hiệu Lao động tiên tiến năm 2025",
    "place": "Sông Hồng",
    "issuer_title": "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH SÔNG HỒNG",
    "signer_title": "PHÓ CHỦ TỊCH",
    "signer_name": "Trần Văn Minh",
    "signing_mode": "KT.",
    "legal_bases": ["Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;"],
    "achievement": "Đã có thành tích hoàn thành tốt nhiệm vụ năm 2025",
}


@pytest.fixture(autouse=True)
def english_messages():
    """The refusals are matched on their English wording (the pages' tests read them in Vietnamese)."""
    with translation.override("en"):
        yield


def decidable(org, subject, code="LDTT", *, council=None, year=2025, stage_state=ReviewStage.State.PASSED):
    """A nomination of `subject` passed by the province council (or `council`) at its deciding stage."""
    field = {"Person": "person", "Unit": "unit", "Household": "household"}[type(subject).__name__]
    nomination = Nomination.objects.create(
        **{field: subject},
        award_type=AwardType.objects.get(code=code),
        year=year,
        proposing_unit=org.unit_a,
        achievement="Hoàn thành xuất sắc nhiệm vụ.",
        state=State.IN_DECISION if stage_state == ReviewStage.State.PASSED else State.IN_COUNCIL,
    )
    ReviewStage.objects.create(
        nomination=nomination, council=council or org.council, order=1, decides=True, state=stage_state
    )
    return nomination


def draft(by, org, nominations, code="LDTT", **overrides):
    return services.decision_create(
        by=by,
        issuer=org.province,
        award_type=AwardType.objects.get(code=code),
        nominations=nominations,
        **{**TEXTS, **overrides},
    )


@pytest.fixture
def signer(org):
    user = factories.make_user("signer", first_name="Trần Văn", last_name="Minh")
    permissions.grant_unit_role(user, Unit.Role.SIGNER, org.province)
    return user


def snapshot():
    """What a refused action must leave as it was."""
    return (
        list(Decision.objects.order_by("pk").values()),
        list(DecisionItem.objects.order_by("pk").values()),
        list(Nomination.objects.order_by("pk").values_list("pk", "state")),
        AwardRecord.objects.count(),
        AuditEvent.objects.count(),
    )


# Drafting --------------------------------------------------------------------------------------------------


def test_decidable_nominations_are_those_passed_at_the_issuers_deciding_stage(org):
    ready = decidable(org, org.person_a)
    decidable(org, org.person_b, stage_state=ReviewStage.State.ACCEPTED)  # still before the council
    other_council = factories.make_council(org.unit_b, "Hội đồng TĐKT Sở Y tế")
    decidable(org, factories.make_person(org.unit_b), council=other_council)
    assert list(selectors.decidable_nominations(org.province)) == [ready]
    assert list(selectors.decidable_nominations(org.unit_b)) != [ready]


def test_draft_groups_lines_orders_by_name_and_prefills_the_texts(org, secretariat):
    binh = factories.make_person(org.unit_a, "Bùi Thị Bình", position="Giáo viên")
    an = factories.make_person(org.unit_a, "Đặng Văn An", position="Chuyên viên")
    school = org.unit_a_child
    household = factories.make_household(org.unit_a, "Trần Văn Bình", address="Thôn Đông, xã Hòa Bình")
    nominations = [decidable(org, binh, "GK"), decidable(org, school, "GK"), decidable(org, an, "GK"),
                   decidable(org, household, "GK")]  # fmt: skip
    decision = draft(secretariat, org, nominations, code="GK")
    assert decision.state == Decision.State.DRAFT and decision.number is None and decision.number_label == ""
    lines = list(decision.items.order_by("group", "order"))
    assert [(line.group, line.order, line.recipient_name) for line in lines] == [
        (1, 1, "Trường THPT Lê Quý Đôn"),
        (2, 1, "Bùi Thị Bình"),
        (2, 2, "Đặng Văn An"),
        (3, 1, "Trần Văn Bình"),
    ]
    assert (lines[0].recipient_unit, lines[1].recipient_position, lines[1].recipient_unit) == (
        "Sở Giáo dục và Đào tạo", "Giáo viên", "Sở Giáo dục và Đào tạo",
    )  # fmt: skip
    assert lines[3].recipient_unit == "Thôn Đông, xã Hòa Bình"
    assert [line.coefficient for line in lines] == [Decimal("0.6"), Decimal("0.3"), Decimal("0.3"), Decimal("0.45")]
    assert lines[2].search_text == "dang van an so giao duc va dao tao"
    assert AuditEvent.objects.filter(verb="decision.created").count() == 1


def test_a_nomination_goes_on_one_decision_only_and_of_the_decisions_award(org, secretariat):
    nomination = decidable(org, org.person_a)
    draft(secretariat, org, [nomination])
    other = decidable(org, org.person_b, "CSTDCS")
    before = snapshot()
    with pytest.raises(DecisionError, match="not waiting for a decision"):
        draft(secretariat, org, [nomination])
    with pytest.raises(DecisionError, match="is not for"):
        draft(secretariat, org, [other])
    assert snapshot() == before


def test_who_may_draft(org, officer_a, head_a, member, signer, secretariat):
    nomination = decidable(org, org.person_a)
    for outsider in (officer_a, head_a, member):
        with pytest.raises(DecisionError, match="Only the signers"):
            draft(outsider, org, [nomination])
    assert not Decision.objects.exists()
    assert draft(signer, org, [nomination]).created_by == signer


def test_texts_are_checked(org, secretariat):
    nomination = decidable(org, org.person_a)
    with pytest.raises(DecisionError) as refused:
        draft(secretariat, org, [nomination], title="  ", signer_name="", signing_mode="XX.")
    assert len(refused.value.problems) == 3
    assert not Decision.objects.exists()


def test_draft_edits_and_lines(org, secretariat):
    first, second = decidable(org, org.person_a), decidable(org, factories.make_person(org.unit_a, "An Văn Ba"))
    decision = draft(secretariat, org, [first])
    services.decision_update(by=secretariat, decision=decision, signer_name="Lê Thị Hằng", legal_bases="A;\n\nB.")
    decision.refresh_from_db()
    assert (decision.signer_name, decision.legal_bases) == ("Lê Thị Hằng", ["A;", "B."])
    services.decision_add_items(by=secretariat, decision=decision, nominations=[second])
    assert [i.recipient_name for i in decision.items.order_by("order")] == ["An Văn Ba", "Nguyễn Thị Hoà"]
    line = decision.items.get(nomination=first)
    services.item_update(by=secretariat, item=line, recipient_position="Giáo viên", register_number="SV-012")
    line.refresh_from_db()
    assert (line.recipient_position, line.register_number) == ("Giáo viên", "SV-012")
    with pytest.raises(DecisionError, match="recipient"):
        services.item_update(by=secretariat, item=line, recipient_name=" ")
    services.decision_remove_item(by=secretariat, item=line)
    assert list(decision.items.values_list("recipient_name", flat=True)) == ["An Văn Ba"]
    # The nomination removed is decidable again.
    assert first in selectors.decidable_nominations(org.province)


# Bonuses ---------------------------------------------------------------------------------------------------


def test_bonus_amounts_are_coefficient_times_base_salary(org, secretariat):
    ldtt = draft(secretariat, org, [decidable(org, org.person_a)])
    base, rows, total = services.bonus_preview(ldtt, date(2026, 2, 5))
    assert (base, [amount for _item, amount in rows], total) == (2_340_000, [702_000], 702_000)
    unit_award = draft(secretariat, org, [decidable(org, org.unit_a_child, "TTLDXS")], code="TTLDXS")
    assert services.bonus_preview(unit_award, date(2026, 2, 5))[2] == 3_510_000
    # Before any base salary is in force: no amount rather than a wrong one.
    assert services.bonus_preview(ldtt, date(2000, 1, 1)) == (None, [(ldtt.items.get(), None)], None)


# Issuing ---------------------------------------------------------------------------------------------------


def test_issue_numbers_freezes_writes_records_the_engine_sees_and_awards(org, secretariat, signer):
    person = factories.make_person(org.unit_a, "Phạm Thị Thu")
    rating(person, 2025, "excellent")
    nomination = decidable(org, person)
    decision = draft(secretariat, org, [nomination, decidable(org, org.person_b)])
    before = reason(verdict(eligibility.check(person, 2025, ["CSTDCS"]), "CSTDCS"), "award")
    assert before.ok is False

    decision = services.decision_issue(by=signer, decision=decision, decided_on=date(2026, 2, 5))

    decision.refresh_from_db()
    assert (decision.state, decision.number, decision.year, decision.number_label) == ("issued", 1, 2026, "01/QĐ-UBND")
    assert (decision.base_salary, decision.total_bonus) == (2_340_000, 1_404_000)
    assert set(decision.items.values_list("bonus_amount", flat=True)) == {702_000}
    record = AwardRecord.objects.get(person=person)
    assert (record.award_type.code, record.year, record.decision_number, record.decision_date, record.issuer) == (
        "LDTT", 2025, "01/QĐ-UBND", date(2026, 2, 5), "Tỉnh Sông Hồng",
    )  # fmt: skip
    assert record.source == AwardRecord.Source.DECISION and record.decision_item.decision == decision
    assert set(Nomination.objects.filter(decision_item__decision=decision).values_list("state", flat=True)) == {
        State.AWARDED
    }
    after = reason(verdict(eligibility.check(person, 2025, ["CSTDCS"]), "CSTDCS"), "award")
    assert after.ok is True and "01/QĐ-UBND" in after.message
    assert AuditEvent.objects.filter(verb="nomination.awarded").count() == 2
    assert AuditEvent.objects.filter(verb="decision.issued").count() == 1


def test_numbers_run_per_issuer_and_year_zero_padded(org, secretariat, signer):
    for number in range(1, 5):
        Decision.objects.create(
            issuer=org.province, award_type=AwardType.objects.get(code="LDTT"), state="issued", number=number,
            year=2026, decided_on=date(2026, 1, number), **{k: v for k, v in TEXTS.items() if k != "legal_bases"},
        )  # fmt: skip
    other_year = draft(secretariat, org, [decidable(org, org.person_b)])
    decision = draft(secretariat, org, [decidable(org, org.person_a)])
    assert services.decision_issue(by=signer, decision=decision, decided_on=date(2026, 2, 5)).number_label == (
        "05/QĐ-UBND"
    )
    assert services.decision_issue(by=signer, decision=other_year, decided_on=date(2025, 12, 30)).number == 1


def test_issue_refusals_change_nothing(org, secretariat, signer, admin_user):
    decision = draft(secretariat, org, [decidable(org, org.person_a)])
    before = snapshot()
    with pytest.raises(DecisionError, match="Only a signer"):
        services.decision_issue(by=secretariat, decision=decision)
    with pytest.raises(DecisionError, match="future"):
        services.decision_issue(by=signer, decision=decision, decided_on=timezone.localdate() + timezone.timedelta(1))
    with pytest.raises(DecisionError, match="base salary"):
        services.decision_issue(by=signer, decision=decision, decided_on=date(2000, 1, 1))
    empty = draft(secretariat, org, [decidable(org, org.person_b)])
    services.decision_remove_item(by=secretariat, item=empty.items.get())
    before_empty = snapshot()
    with pytest.raises(DecisionError, match="no line"):
        services.decision_issue(by=signer, decision=empty)
    assert snapshot() == before_empty
    decision.refresh_from_db()
    assert decision.state == "draft" and before[3] == AwardRecord.objects.count()
    services.decision_issue(by=admin_user, decision=decision)
    after_issue = snapshot()
    with pytest.raises(DecisionError, match="already been issued"):
        services.decision_issue(by=signer, decision=decision)
    with pytest.raises(DecisionError, match="Only a draft"):
        services.decision_update(by=signer, decision=decision, title="Khác")
    with pytest.raises(DecisionError, match="Only a draft"):
        services.decision_remove_item(by=signer, item=decision.items.get())
    assert snapshot() == after_issue


def _issue_queries(org, secretariat, signer, count):
    nominations = [decidable(org, factories.make_person(org.unit_a)) for _i in range(count)]
    decision = draft(secretariat, org, nominations)
    with CaptureQueriesContext(connection) as queries:
        services.decision_issue(by=signer, decision=decision)
    return len(queries)


def test_issue_takes_a_fixed_number_of_queries(org, secretariat, signer):
    permissions.is_system_admin(signer)  # cached on the user after the first question
    assert _issue_queries(org, secretariat, signer, 2) == _issue_queries(org, secretariat, signer, 25)


# Revocation ------------------------------------------------------------------------------------------------


def test_revoking_one_line_updates_history_and_the_engine(org, secretariat, signer):
    person = factories.make_person(org.unit_a, "Phạm Thị Thu")
    rating(person, 2025, "excellent")
    decision = draft(secretariat, org, [decidable(org, person), decidable(org, org.person_b)])
    services.decision_issue(by=signer, decision=decision, decided_on=date(2026, 2, 5))
    line = decision.items.get(nomination__person=person)
    before = snapshot()
    for bad in ({"reason": "", "ground": "Điều 93 Luật TĐKT"}, {"reason": "Khai man", "ground": " "}):
        with pytest.raises(DecisionError, match="Nothing was revoked"):
            services.item_revoke(by=signer, item=line, **bad)
    with pytest.raises(DecisionError, match="Only a signer"):
        services.item_revoke(by=secretariat, item=line, reason="Khai man thành tích", ground="Điều 93")
    assert snapshot() == before

    services.item_revoke(by=signer, item=line, reason="Khai man thành tích", ground="Khoản 1 Điều 93 Luật TĐKT 2022")

    line.refresh_from_db()
    assert line.revoked and line.revoked_ground == "Khoản 1 Điều 93 Luật TĐKT 2022" and line.revoked_at
    assert line.award_record.revoked and line.award_record.revoked_reason == "Khai man thành tích"
    assert line.nomination.state == State.REVOKED
    decision.refresh_from_db()
    assert decision.state == "issued"
    assert decision.items.get(nomination__person=org.person_b).nomination.state == State.AWARDED
    assert reason(verdict(eligibility.check(person, 2025, ["CSTDCS"]), "CSTDCS"), "award").ok is False
    with pytest.raises(DecisionError, match="already been revoked"):
        services.item_revoke(by=signer, item=line, reason="x", ground="y")


def test_revoking_the_whole_decision(org, secretariat, signer):
    decision = draft(secretariat, org, [decidable(org, org.person_a), decidable(org, org.person_b)])
    with pytest.raises(DecisionError, match="Only an issued"):
        services.decision_revoke(by=signer, decision=decision, reason="Sai quy trình", ground="Điều 93")
    services.decision_issue(by=signer, decision=decision)
    services.decision_revoke(by=signer, decision=decision, reason="Sai quy trình", ground="Điểm c Khoản 1 Điều 93")
    decision.refresh_from_db()
    assert (decision.state, decision.revoked_reason, decision.revoked_ground) == (
        "revoked", "Sai quy trình", "Điểm c Khoản 1 Điều 93",
    )  # fmt: skip
    assert not decision.items.filter(revoked=False).exists()
    assert not AwardRecord.objects.filter(revoked=False, decision_item__decision=decision).exists()
    assert set(Nomination.objects.values_list("state", flat=True)) == {State.REVOKED}
    assert AuditEvent.objects.filter(verb="nomination.revoked").count() == 2


# Signed scan -----------------------------------------------------------------------------------------------


def test_signed_scan_is_a_pdf_of_an_issued_decision(org, secretariat, signer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    decision = draft(secretariat, org, [decidable(org, org.person_a)])
    pdf = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%signed\n", content_type="application/pdf")
    with pytest.raises(DecisionError, match="issued decision"):
        services.decision_attach_scan(by=secretariat, decision=decision, file=pdf)
    services.decision_issue(by=signer, decision=decision)
    fake = SimpleUploadedFile("scan.pdf", b"GIF89a not a pdf", content_type="application/pdf")
    with pytest.raises(DecisionError, match="PDF"):
        services.decision_attach_scan(by=secretariat, decision=decision, file=fake)
    decision.refresh_from_db()
    assert not decision.signed_scan
    services.decision_attach_scan(by=secretariat, decision=decision, file=pdf)
    decision.refresh_from_db()
    with decision.signed_scan.open("rb") as scan:
        assert scan.read().startswith(b"%PDF-")


# Two signers at the same moment ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_decisions_of_one_issuer_issued_at_the_same_moment_get_different_numbers(org):
    secretariat = factories.make_user("secretariat_tx")
    permissions.grant_secretariat(secretariat, org.council)
    signers = [factories.make_user(f"signer_tx{i}") for i in range(2)]
    for user in signers:
        permissions.grant_unit_role(user, Unit.Role.SIGNER, org.province)
    decisions = [draft(secretariat, org, [decidable(org, factories.make_person(org.unit_a))]) for _i in range(2)]
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def issue(index):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = services.decision_issue(by=signers[index], decision=decisions[index]).number_label
        except Exception as error:  # reported below
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["01/QĐ-UBND", "02/QĐ-UBND"], outcomes
    assert sorted(Decision.objects.values_list("number", flat=True)) == [1, 2]
