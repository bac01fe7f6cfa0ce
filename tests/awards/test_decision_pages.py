"""Award decision pages (issue 7): list, new draft, the decision page by state and its actions, the PDF read with
pdftotext, the Excel list; query counts that do not grow with the number of lines."""

import io
import subprocess
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from awards import decisions as services
from awards.models import AwardRecord, AwardType, Decision, Nomination
from organizations.models import Unit
from tests import factories
from tests.awards.test_decisions import TEXTS, decidable, draft
from thiduakt.lib import permissions


@pytest.fixture
def signer(org):
    user = factories.make_user("signer")
    permissions.grant_unit_role(user, Unit.Role.SIGNER, org.province)
    return user


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def act(client, decision, action, **data):
    return client.post(reverse("decision_act", args=[decision.pk]), {"action": action, **data}, follow=True)


def lines(org, count, code="LDTT"):
    return [decidable(org, factories.make_person(org.unit_a, f"Nguyễn Văn Thành {i:03d}"), code) for i in range(count)]


def test_new_draft_from_the_waiting_nominations(client, org, secretariat):
    school = decidable(org, org.unit_a_child, "TTLDXS")
    waiting = decidable(org, org.person_b, "LDTT")
    client.force_login(secretariat)
    page = client.get(reverse("decision_create"), {"issuer": org.province.pk, "award_type": school.award_type_id})
    assert page.status_code == 200
    assert list(page.context["candidates"]) == [school] and waiting not in page.context["candidates"]
    texts = page.context["texts"].initial
    assert texts["issuer_title"] == "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH SÔNG HỒNG"
    assert (texts["place"], texts["symbol"]) == ("Sông Hồng", "QĐ-UBND")
    data = {**texts, "signer_name": "Trần Văn Minh", "issuer": org.province.pk, "award_type": school.award_type_id,
            "nomination": [school.pk]}  # fmt: skip
    response = client.post(reverse("decision_create"), data, follow=True)
    decision = Decision.objects.get()
    assert response.redirect_chain[-1][0] == reverse("decision_detail", args=[decision.pk])
    assert decision.items.get().recipient_name == "Trường THPT Lê Quý Đôn"
    assert "3.510.000" in response.content.decode()  # TTLĐXS 1.5 × 2,340,000, previewed on the draft


def test_new_draft_refusal_keeps_the_choices(client, org, secretariat):
    nomination = decidable(org, org.person_a)
    client.force_login(secretariat)
    data = {**{k: v for k, v in TEXTS.items() if k != "legal_bases"}, "symbol": "QĐ-UBND", "issuer": org.province.pk,
            "award_type": nomination.award_type_id}  # fmt: skip
    response = client.post(reverse("decision_create"), data)
    assert response.status_code == 200 and not Decision.objects.exists()
    assert _("Choose at least one nomination.") in messages_of(response)


def test_officers_may_not_draft(client, org, officer_a):
    client.force_login(officer_a)
    assert client.get(reverse("decision_create")).status_code == 403


def test_draft_page_edits_issues_and_revokes(client, org, secretariat, signer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    decision = draft(secretariat, org, [decidable(org, org.person_a), decidable(org, org.person_b)])
    client.force_login(secretariat)
    page = client.get(reverse("decision_detail", args=[decision.pk]))
    body = page.content.decode()
    assert "1.404.000" in body and "702.000" in body and 'value="issue"' not in body  # staff drafts, signer issues
    line = decision.items.get(nomination__person=org.person_a)
    texts = {"recipient_name": "Nguyễn Thị Hoà", "recipient_position": "Giáo viên",
             "recipient_unit": "Trường THPT Lê Quý Đôn", "register_number": "SV-7"}  # fmt: skip
    response = act(client, decision, "item_update", item=line.pk, **texts)
    assert str(services_done("item_update")) in messages_of(response)
    line.refresh_from_db()
    assert (line.recipient_position, line.register_number) == ("Giáo viên", "SV-7")

    client.force_login(signer)
    response = act(client, decision, "issue", decided_on=date.today().isoformat())
    decision.refresh_from_db()
    assert decision.state == "issued" and decision.number_label == "01/QĐ-UBND"
    assert "01/QĐ-UBND" in response.content.decode()
    assert AwardRecord.objects.filter(decision_number="01/QĐ-UBND").count() == 2

    response = act(client, decision, "item_revoke", item=line.pk, reason="", ground="")
    assert any(_("Give the reason for the revocation.") in m for m in messages_of(response))
    act(client, decision, "item_revoke", item=line.pk, reason="Khai man thành tích", ground="Khoản 1 Điều 93")
    line.refresh_from_db()
    assert line.revoked and line.nomination.state == Nomination.State.REVOKED

    scan = SimpleUploadedFile("ban-ky.pdf", b"%PDF-1.4\n%ky\n", content_type="application/pdf")
    act(client, decision, "attach_scan", file=scan)
    response = client.get(reverse("decision_scan", args=[decision.pk]))
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def services_done(action):
    from awards.views.decisions import DONE_MESSAGES

    return DONE_MESSAGES[action]


def test_secretariat_cannot_issue_through_the_page(client, org, secretariat):
    decision = draft(secretariat, org, [decidable(org, org.person_a)])
    client.force_login(secretariat)
    response = act(client, decision, "issue", decided_on=date.today().isoformat())
    decision.refresh_from_db()
    assert decision.state == "draft"
    assert any(m.startswith(_("Only a signer of %(unit)s may do this.") % {"unit": org.province.name}) for m in
               messages_of(response))  # fmt: skip


def test_outsiders_get_404(client, org, officer_b, member):
    decision = draft(factories.make_user("root", is_superuser=True), org, [decidable(org, org.person_a)])
    for user in (officer_b, member):
        client.force_login(user)
        assert client.get(reverse("decision_detail", args=[decision.pk])).status_code == 404
        assert client.post(reverse("decision_act", args=[decision.pk]), {"action": "issue"}).status_code == 404


@pytest.mark.parametrize("url_name", ["decision_detail", "decision_pdf", "decision_xlsx"])
def test_query_counts_do_not_grow_with_the_lines(client, org, secretariat, signer, url_name,
                                                 django_assert_max_num_queries):  # fmt: skip
    small = draft(secretariat, org, lines(org, 3))
    large = draft(secretariat, org, lines(org, 30))
    for decision in (small, large):
        services.decision_issue(by=signer, decision=decision)
    client.force_login(secretariat)
    counts = []
    for decision in (small, large):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(url_name, args=[decision.pk]))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(25):
        client.get(reverse(url_name, args=[large.pk]))


def test_list_filters_search_and_excel(client, org, secretariat, signer):
    issued = draft(secretariat, org, [decidable(org, org.person_a)])
    services.decision_issue(by=signer, decision=issued, decided_on=date(2026, 2, 5))
    other = draft(secretariat, org, [decidable(org, org.person_b)], title="Về việc tặng danh hiệu khác")
    client.force_login(secretariat)
    page = client.get(reverse("decision_list"))
    assert [d.pk for d in page.context["page"]] == [other.pk, issued.pk]
    assert [d.pk for d in client.get(reverse("decision_list"), {"state": "issued"}).context["page"]] == [issued.pk]
    assert [d.pk for d in client.get(reverse("decision_list"), {"q": "le van an"}).context["page"]] == [other.pk]
    assert [d.pk for d in client.get(reverse("decision_list"), {"q": "01/QĐ"}).context["page"]] == [issued.pk]
    response = client.get(reverse("decision_list"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [None, "01/QĐ-UBND"]


def test_the_list_as_excel(client, org, secretariat, signer):
    decision = draft(secretariat, org, [decidable(org, org.person_a), decidable(org, org.unit_a_child, "LDTT")])
    client.force_login(secretariat)
    response = client.get(reverse("decision_xlsx", args=[decision.pk]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True))
    # A line whose award has no coefficient for its kind of subject carries no amount rather than a wrong one.
    assert [(r[1], r[2], r[6]) for r in rows] == [(1, "Trường THPT Lê Quý Đôn", None), (1, "Nguyễn Thị Hoà", 702_000)]


def _pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def test_decision_pdf_prints_the_number_names_and_total(client, org, secretariat, signer):
    people = [factories.make_person(org.unit_a, name) for name in ("Đỗ Thị Hường", "Nguyễn Văn Ấn")]
    decision = draft(secretariat, org, [decidable(org, p) for p in people])
    client.force_login(secretariat)
    text = _pdf_text(client.get(reverse("decision_pdf", args=[decision.pk])).content)
    assert "…/QĐ-UBND" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    for _i in range(4):
        Decision.objects.create(
            issuer=org.province, award_type=AwardType.objects.get(code="LDTT"), state="issued", number=_i + 1,
            year=2026, decided_on=date(2026, 1, 2), **{k: v for k, v in TEXTS.items() if k != "legal_bases"},
        )  # fmt: skip
    services.decision_issue(by=signer, decision=decision, decided_on=date(2026, 2, 5))
    response = client.get(reverse("decision_pdf", args=[decision.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "05/QĐ-UBND" in text
    assert "Sông Hồng" in text and "05" in text and "2026" in text
    assert "Đỗ Thị Hường" in text and "Nguyễn Văn Ấn" in text
    assert "1.404.000" in text and "702.000" in text
    assert "KT. CHỦ TỊCH" in text and "PHÓ CHỦ TỊCH" in text and "Trần Văn Minh" in text
    first, second = [page for page in text.split("\f") if page.strip()]
    assert "1.404.000" in first and "Đỗ Thị Hường" not in first  # Article 2 states the total; the list follows
    assert "Đỗ Thị Hường" in second and second.lstrip().startswith("2")  # page numbers from page 2
