"""Published award lists (issue 7): system admins publish and withdraw issued decisions; anyone reads, per year
and issuer, every line of the published ones, searches without accents, filters, downloads Excel and PDF. Nothing
of a decision that is not published shows anywhere public; refusals change nothing; the pages run a fixed number
of queries whatever the number of lines."""

import io
import subprocess
import tempfile
from datetime import date

import openpyxl
import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from audit.models import AuditEvent
from awards import publication as services
from awards.models import AwardType, Decision, DecisionItem, Nomination
from awards.publication import PublicationError
from tests import factories

pytestmark = pytest.mark.django_db

ISSUED = Decision.State.ISSUED


def vi(message: str, **values) -> str:
    with translation.override("vi"):
        text = gettext(message)
    return text % values if values else text


def pdf_text(pdf: bytes) -> str:
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return " ".join(text.split())


def _pdffonts(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        return subprocess.run(["pdffonts", file.name], capture_output=True, check=True).stdout.decode()


def make_decision(
    issuer, lines, *, number=5, decided_on=date(2025, 3, 12), award="LDTT", state=ISSUED, published=False
):
    """An issued decision of `issuer` with one line per (name, unit) in `lines`, each with its own nomination."""
    award_type = AwardType.objects.get(code=award)
    decision = Decision.objects.create(
        issuer=issuer, award_type=award_type, state=state, number=number if state != "draft" else None,
        year=decided_on.year if state != "draft" else None, decided_on=decided_on if state != "draft" else None,
        place="Sông Hồng", title=f"Về việc tặng {award_type.name}", issuer_title="CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH",
        signer_title="CHỦ TỊCH", signer_name="Trần Văn Chính", achievement="Đã có thành tích xuất sắc",
        published_at=timezone.now() if published else None,
    )  # fmt: skip
    for order, (name, unit_name) in enumerate(lines, 1):
        nomination = Nomination.objects.create(
            person=factories.make_person(issuer, name), award_type=award_type, year=decided_on.year - 1,
            proposing_unit=issuer, achievement="Hoàn thành xuất sắc nhiệm vụ", state=Nomination.State.AWARDED,
        )  # fmt: skip
        DecisionItem.objects.create(
            decision=decision, nomination=nomination, group=DecisionItem.Group.INDIVIDUAL, order=order,
            recipient_name=name, recipient_position="Giáo viên", recipient_unit=unit_name,
        )  # fmt: skip
    return decision


LINES = [("Nguyễn Thị Hoà", "Trường THPT Lê Quý Đôn"), ("Lê Văn Ấn", "Sở Y tế"), ("Đặng Thu Thảo", "Sở Tài chính")]


def list_url(year=2025, code="T01"):
    return reverse("published_list", args=[year, code])


def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


# Services --------------------------------------------------------------------------------------------------


def test_publish_and_unpublish_are_audited(org, admin_user):
    decision = make_decision(org.province, LINES)
    services.decision_publish(by=admin_user, decision=decision)
    decision.refresh_from_db()
    assert decision.published_at is not None
    services.decision_unpublish(by=admin_user, decision=decision, reason="Sai tên đơn vị")
    decision.refresh_from_db()
    assert decision.published_at is None
    events = list(AuditEvent.objects.filter(object_type="awards.decision", object_id=str(decision.pk)).order_by("seq"))
    assert [e.verb for e in events] == ["decision.published", "decision.unpublished"]
    assert events[1].data["reason"] == "Sai tên đơn vị"


@pytest.mark.parametrize("persona", ["officer_a", "head_a", "secretariat", "member", "anonymous"])
def test_only_system_admins_publish(org, persona, request):
    user = request.getfixturevalue(persona)
    decision = make_decision(org.province, LINES)
    with pytest.raises(PublicationError):
        services.decision_publish(by=user, decision=decision)
    published = make_decision(org.province, [("Phạm Minh Khôi", "Sở Xây dựng")], number=6, published=True)
    with pytest.raises(PublicationError):
        services.decision_unpublish(by=user, decision=published, reason="Không còn phù hợp")
    assert Decision.objects.get(pk=decision.pk).published_at is None
    assert Decision.objects.get(pk=published.pk).published_at is not None
    assert not AuditEvent.objects.filter(verb__startswith="decision.").exists()


def test_refusals_change_nothing(org, admin_user):
    draft = make_decision(org.province, LINES, state=Decision.State.DRAFT)
    with translation.override("vi"), pytest.raises(PublicationError) as refused:
        services.decision_publish(by=admin_user, decision=draft)
    assert str(refused.value) == vi("Only an issued decision can be published.")
    published = make_decision(org.province, [("Phạm Minh Khôi", "Sở Xây dựng")], number=6, published=True)
    before = Decision.objects.get(pk=published.pk).published_at
    with pytest.raises(PublicationError):
        services.decision_publish(by=admin_user, decision=published)
    for reason in ("", "   ", "x" * (services.REASON_MAX + 1)):
        with pytest.raises(PublicationError):
            services.decision_unpublish(by=admin_user, decision=published, reason=reason)
    unpublished = make_decision(org.province, [("Vũ Thị Lan", "Sở Nội vụ")], number=7)
    with pytest.raises(PublicationError):
        services.decision_unpublish(by=admin_user, decision=unpublished, reason="Không còn phù hợp")
    assert Decision.objects.get(pk=draft.pk).published_at is None
    assert Decision.objects.get(pk=published.pk).published_at == before
    assert not AuditEvent.objects.filter(verb__startswith="decision.").exists()


def test_a_revoked_decision_can_be_published(org, admin_user):
    decision = make_decision(org.province, LINES, state=Decision.State.REVOKED)
    services.decision_publish(by=admin_user, decision=decision)
    response = Client().get(list_url())
    assert response.status_code == 200
    assert response.content.decode().count("data-revoked") == 3


# The admins' page ------------------------------------------------------------------------------------------


def test_admin_publishes_from_the_page_then_the_public_reads_the_list(org, admin_user):
    decision = make_decision(org.province, LINES)
    public = Client()
    assert public.get(list_url()).status_code == 404
    assert "Nguyễn Thị Hoà" not in public.get(reverse("published_index")).content.decode()

    client = admin_client(admin_user)
    page = client.get(reverse("published_admin")).content.decode()
    assert "05/QĐ-UBND" in page and vi("Not published") in page
    response = client.post(reverse("decision_publish", args=[decision.pk]), follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "data-published" in text
    assert (
        vi(
            "Decision %(number)s is published: its lines appear in the public list of %(issuer)s for %(year)s.",
            number="05/QĐ-UBND",
            issuer=org.province.name,
            year=2025,
        )
        in text
    )

    index = public.get(reverse("published_index")).content.decode()
    assert list_url() in index and org.province.name in index
    page = public.get(list_url()).content.decode()
    for name, unit in LINES:
        assert name in page and unit in page
    assert "05/QĐ-UBND" in page and "12/03/2025" in page
    assert AwardType.objects.get(code="LDTT").name in page


def test_admin_withdraws_with_a_reason(org, admin_user):
    decision = make_decision(org.province, LINES, published=True)
    client = admin_client(admin_user)
    response = client.post(reverse("decision_unpublish", args=[decision.pk]), {"reason": ""}, follow=True)
    assert vi("Give the reason for withdrawing the decision (at most %(max)s characters).", max=1000) in (
        response.content.decode()
    )
    assert Decision.objects.get(pk=decision.pk).published_at is not None
    assert Client().get(list_url()).status_code == 200

    next_url = reverse("published_admin") + "?publication=published"
    response = client.post(
        reverse("decision_unpublish", args=[decision.pk]), {"reason": "Sai tên đơn vị", "next": next_url}
    )
    assert response.status_code == 302 and response["Location"] == next_url
    assert Decision.objects.get(pk=decision.pk).published_at is None
    gone = Client().get(list_url())
    assert gone.status_code == 404
    assert "Nguyễn Thị Hoà" not in gone.content.decode()
    assert vi("No published award list") in gone.content.decode()


def test_admin_redirect_stays_on_the_site(org, admin_user):
    decision = make_decision(org.province, LINES)
    response = admin_client(admin_user).post(
        reverse("decision_publish", args=[decision.pk]), {"next": "https://evil.example/published/manage/"}
    )
    assert response["Location"] == reverse("published_admin")


@pytest.mark.parametrize("persona", ["officer_a", "head_a", "officer_b", "secretariat", "member"])
def test_non_admins_cannot_publish_or_withdraw(org, persona, as_persona):
    decision = make_decision(org.province, LINES)
    published = make_decision(org.province, [("Phạm Minh Khôi", "Sở Xây dựng")], number=6, published=True)
    client = as_persona(persona)
    assert client.post(reverse("decision_publish", args=[decision.pk])).status_code == 403
    response = client.post(reverse("decision_unpublish", args=[published.pk]), {"reason": "Không còn phù hợp"})
    assert response.status_code == 403
    assert client.get(reverse("published_admin")).status_code == 403
    assert Decision.objects.get(pk=decision.pk).published_at is None
    assert Decision.objects.get(pk=published.pk).published_at is not None


def test_anonymous_is_sent_to_login(org):
    decision = make_decision(org.province, LINES)
    response = Client().post(reverse("decision_publish", args=[decision.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert Decision.objects.get(pk=decision.pk).published_at is None


def test_admin_actions_on_drafts_and_unknown_decisions_answer_404(org, admin_user):
    draft = make_decision(org.province, LINES, state=Decision.State.DRAFT)
    client = admin_client(admin_user)
    assert client.post(reverse("decision_publish", args=[draft.pk])).status_code == 404
    assert client.post(reverse("decision_publish", args=[draft.pk + 1000])).status_code == 404
    assert client.get(reverse("decision_publish", args=[draft.pk])).status_code == 405
    assert Decision.objects.get(pk=draft.pk).published_at is None


def test_admin_page_filters_and_leaves_drafts_out(org, admin_user):
    make_decision(org.province, LINES, published=True)
    make_decision(org.unit_a, [("Vũ Thị Lan", "Sở Nội vụ")], number=9, award="CSTD_TINH")
    make_decision(org.province, [("Phạm Minh Khôi", "Sở Xây dựng")], state=Decision.State.DRAFT)
    client = admin_client(admin_user)
    page = client.get(reverse("published_admin")).content.decode()
    assert page.count('id="decision-') == 2
    unpublished = client.get(reverse("published_admin"), {"publication": "unpublished"}).content.decode()
    assert "09/QĐ-UBND" in unpublished and "05/QĐ-UBND" not in unpublished
    by_issuer = client.get(reverse("published_admin"), {"issuer": "T01"}).content.decode()
    assert "05/QĐ-UBND" in by_issuer and "09/QĐ-UBND" not in by_issuer
    by_award = client.get(reverse("published_admin"), {"award_type": "CSTD_TINH"}).content.decode()
    assert "09/QĐ-UBND" in by_award and "05/QĐ-UBND" not in by_award
    bad = client.get(reverse("published_admin"), {"year": "abc"})
    assert bad.status_code == 200 and "is-invalid" in bad.content.decode()


def test_admin_page_queries_do_not_grow(org, admin_user, django_assert_max_num_queries):
    client = admin_client(admin_user)
    make_decision(org.province, LINES)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("published_admin"))
    for number in range(10, 40):
        make_decision(org.unit_a, [(f"Người số {number}", "Sở Nội vụ")], number=number, published=number % 2 == 0)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("published_admin")).status_code == 200


# Public pages ----------------------------------------------------------------------------------------------


def test_search_without_accents(org):
    make_decision(org.province, LINES, published=True)
    page = Client().get(list_url(), {"q": "nguyen thi hoa"}).content.decode()
    assert "Nguyễn Thị Hoà" in page and "Lê Văn Ấn" not in page
    page = Client().get(list_url(), {"q": "LE VAN AN"}).content.decode()
    assert "Lê Văn Ấn" in page and "Nguyễn Thị Hoà" not in page
    page = Client().get(list_url(), {"q": "so tai chinh"}).content.decode()  # the unit
    assert "Đặng Thu Thảo" in page and "Lê Văn Ấn" not in page
    page = Client().get(list_url(), {"q": "Trần"}).content.decode()
    assert vi("No line matches the search.") in page


def test_filters_by_award_and_decision(org):
    make_decision(org.province, LINES, published=True)
    make_decision(org.province, [("Vũ Thị Lan", "Sở Nội vụ")], number=12, award="CSTD_TINH", published=True)
    client = Client()
    page = client.get(list_url(), {"award": "CSTD_TINH"}).content.decode()
    assert "Vũ Thị Lan" in page and "Nguyễn Thị Hoà" not in page
    page = client.get(list_url(), {"decision": "5"}).content.decode()
    assert "Nguyễn Thị Hoà" in page and "Vũ Thị Lan" not in page
    # A value the list does not offer: the error is shown beside the field and that filter is left out.
    response = client.get(list_url(), {"decision": "99", "award": "<script>", "q": "vu thi"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "is-invalid" in page and "<script>" not in page
    assert "Vũ Thị Lan" in page and "Nguyễn Thị Hoà" not in page


def test_revoked_lines_are_struck_through(org):
    decision = make_decision(org.province, LINES, published=True)
    DecisionItem.objects.filter(decision=decision, recipient_name="Lê Văn Ấn").update(
        revoked=True, revoked_at=timezone.now(), revoked_reason="Khai man thành tích"
    )
    page = Client().get(list_url()).content.decode()
    assert "<del>Lê Văn Ấn</del>" in page
    assert page.count("data-revoked") == 1
    assert "Đã hủy bỏ" in page  # "Revoked", already in the catalog
    assert "Khai man" not in page  # the reason is not published


def test_only_the_issuer_and_year_asked(org):
    make_decision(org.province, LINES, published=True)
    make_decision(org.unit_a, [("Vũ Thị Lan", "Sở Nội vụ")], number=3, published=True)
    make_decision(
        org.province, [("Phạm Minh Khôi", "Sở Xây dựng")], number=2, decided_on=date(2024, 12, 30), published=True
    )
    page = Client().get(list_url()).content.decode()
    assert "Nguyễn Thị Hoà" in page and "Vũ Thị Lan" not in page and "Phạm Minh Khôi" not in page
    assert "Phạm Minh Khôi" in Client().get(list_url(2024)).content.decode()
    index = Client().get(reverse("published_index")).content.decode()
    for year, code in ((2025, "T01"), (2025, "SGD"), (2024, "T01")):
        assert list_url(year, code) in index


def test_nothing_unpublished_shows_anywhere_public(org):
    make_decision(org.province, LINES, published=True)
    make_decision(org.province, [("Hồ Thị Bí Mật", "Sở Nội vụ")], number=8)  # issued, not published
    draft = make_decision(org.province, [("Trịnh Văn Nháp", "Sở Nội vụ")], state=Decision.State.DRAFT)
    Decision.objects.filter(pk=draft.pk).update(published_at=timezone.now())  # a draft can never be public
    make_decision(org.unit_b, [("Đỗ Văn Kín", "Sở Y tế")], number=4)  # an issuer with nothing published
    client = Client()
    responses = [
        client.get(reverse("published_index")),
        client.get(list_url()),
        client.get(list_url(), {"q": "bi mat"}),
        client.get(list_url(), {"format": "xlsx"}),
        client.get(list_url(), {"format": "pdf"}),
        client.get(list_url(code="SYT")),
    ]
    xlsx = openpyxl.load_workbook(io.BytesIO(responses[3].content))
    texts = [
        responses[0].content.decode(),
        responses[1].content.decode(),
        responses[2].content.decode(),
        " ".join(str(c) for row in xlsx.active.iter_rows(values_only=True) for c in row),
        pdf_text(responses[4].content),
        responses[5].content.decode(),
    ]
    for text in texts:
        for secret in ("Hồ Thị Bí Mật", "Trịnh Văn Nháp", "Đỗ Văn Kín", "08/QĐ-UBND", "Sở Y tế – 2025"):
            assert secret not in text
    assert responses[5].status_code == 404
    # The index counts the published decision and its three lines, nothing else.
    assert '<td class="text-end">1</td>' in texts[0] and '<td class="text-end">3</td>' in texts[0]


@pytest.mark.parametrize(("year", "code"), [(2025, "XYZ"), (1990, "T01"), (2025, "SGD"), (99999, "T01")])
def test_unknown_year_or_issuer_answers_404_in_vietnamese(org, year, code):
    make_decision(org.province, LINES, published=True)
    response = Client().get(list_url(year, code))
    assert response.status_code == 404
    text = response.content.decode()
    assert vi("No published award list") in text
    assert "Nguyễn Thị Hoà" not in text


def test_pagination_by_fifty(org):
    names = [(f"Nguyễn Văn Số {n:03d}", "Sở Nội vụ") for n in range(1, 61)]
    make_decision(org.province, names, published=True)
    first = Client().get(list_url()).content.decode()
    second = Client().get(list_url(), {"page": 2}).content.decode()
    assert "Nguyễn Văn Số 050" in first and "Nguyễn Văn Số 051" not in first
    assert "Nguyễn Văn Số 051" in second and "Nguyễn Văn Số 060" in second and "Số 001" not in second
    assert Client().get(list_url(), {"page": "abc"}).status_code == 200


def test_excel_download(org):
    decision = make_decision(org.province, LINES, published=True)
    DecisionItem.objects.filter(decision=decision, recipient_name="Lê Văn Ấn").update(revoked=True)
    response = Client().get(list_url(), {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="danh-sach-khen-thuong-T01-2025.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == (vi("No."), vi("Name"), vi("Unit"), vi("Award"), vi("Decision number"))
    body = {row[1]: row for row in rows[1:]}
    assert set(body) == {name for name, _unit in LINES}
    hoa = body["Nguyễn Thị Hoà"]
    assert hoa[2] == "Trường THPT Lê Quý Đôn" and hoa[4] == "05/QĐ-UBND" and hoa[5].date() == date(2025, 3, 12)
    assert body["Lê Văn Ấn"][6] == vi("Revoked") and not hoa[6]
    filtered = Client().get(list_url(), {"format": "xlsx", "q": "dang thu"})
    rows = list(openpyxl.load_workbook(io.BytesIO(filtered.content)).active.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["Đặng Thu Thảo"]


def test_pdf_download(org, admin_user):
    decision = make_decision(org.province, LINES, published=True)
    response = Client().get(list_url(), {"format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for name, _unit in LINES:
        assert name in text
    assert "05/QĐ-UBND" in text and "12/03/2025" in text and org.province.name.upper() in text
    fonts = [row.split() for row in _pdffonts(response.content).splitlines()[2:]]
    assert fonts and all(row[0].endswith("Liberation-Serif") or "Liberation-Serif-" in row[0] for row in fonts)
    assert all(row[-5] == "yes" for row in fonts)  # every font embedded
    # The rendered document is kept, and rendered again when the list changes.
    DecisionItem.objects.filter(decision=decision, recipient_name="Lê Văn Ấn").update(
        revoked=True, revoked_at=timezone.now()
    )
    text = pdf_text(Client().get(list_url(), {"format": "pdf"}).content)
    assert vi("Revoked") in text
    services.decision_unpublish(by=admin_user, decision=decision, reason="Sai tên đơn vị")
    assert Client().get(list_url(), {"format": "pdf"}).status_code == 404


def test_public_pages_queries_do_not_grow(org, django_assert_max_num_queries):
    client = Client()
    make_decision(org.province, LINES, published=True)
    with django_assert_max_num_queries(8) as small_list:
        client.get(list_url())
    with django_assert_max_num_queries(8) as small_index:
        client.get(reverse("published_index"))
    with django_assert_max_num_queries(8) as small_xlsx:
        client.get(list_url(), {"format": "xlsx"})
    make_decision(org.province, [(f"Người số {n}", "Sở Nội vụ") for n in range(60)], number=6, published=True)
    make_decision(org.unit_a, [(f"Người khác {n}", "Sở Nội vụ") for n in range(5)], number=7, published=True)
    with django_assert_max_num_queries(len(small_list.captured_queries)):
        assert client.get(list_url()).status_code == 200
    with django_assert_max_num_queries(len(small_list.captured_queries)):
        assert client.get(list_url(), {"page": 2, "q": "nguoi so"}).status_code == 200
    with django_assert_max_num_queries(len(small_index.captured_queries)):
        assert client.get(reverse("published_index")).status_code == 200
    with django_assert_max_num_queries(len(small_xlsx.captured_queries)):
        assert client.get(list_url(), {"format": "xlsx"}).status_code == 200


def test_footer_links_to_the_public_lists(org):
    page = Client().get(reverse("published_index")).content.decode()
    assert f'href="{reverse("published_index")}"' in page
    assert vi("Award lists") in page
