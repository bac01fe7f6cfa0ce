"""Acceptance of issue 5 in the browser: a commune's CSTĐ tỉnh nomination climbs to the province council.

The commune's officer drafts it with its dossier and a proposal letter, the head sends the letter after reading the
eligibility verdict, the province secretariat returns it for a supplement of one document, the officer replaces
that document and rewrites the achievement, the head resubmits, and the secretariat, shown what changed, accepts
it: the nomination waits for a council session.

The commune has no council of its own, so the route computed from the authority table (CSTĐ tỉnh is decided at
province level) has one stage: the province council, which decides."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext

from awards.models import Authority, DossierDocument, Nomination, ReviewStage
from organizations.models import Unit
from tests import factories
from tests.awards import factories as history
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD
from thiduakt.lib import permissions

pytestmark = pytest.mark.django_db(transaction=True)

Kind = DossierDocument.Kind
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
CSTD_TINH_DOCS = {Kind.PROPOSAL_LETTER, Kind.ACHIEVEMENT_REPORT, Kind.MINUTES, Kind.INITIATIVE_CERTIFICATE}
CSTD_TINH_DOCS |= {Kind.TALLY_MINUTES}
FIRST_ACHIEVEMENT = "Giáo viên dạy giỏi cấp tỉnh, có sáng kiến cấp tỉnh được công nhận."
NEW_ACHIEVEMENT = "Giáo viên dạy giỏi cấp tỉnh năm học 2024–2025; sáng kiến cấp tỉnh áp dụng tại 12 trường."
RETURN_REASON = "Báo cáo thành tích thiếu số liệu năm học và xác nhận của Chủ tịch UBND xã."
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def authorities(catalogue):
    """The authority table of the seed migration; a transactional test flushes it."""
    if not Authority.objects.exists():
        importlib.import_module("awards.migrations.0005_seed_authorities").seed(apps, None)


@pytest.fixture
def commune(org, authorities):
    commune = factories.make_unit("Xã An Bình", code="XAB", parent=org.province, kind=Unit.Kind.COMMUNE,
                                  level=Unit.Level.COMMUNE)  # fmt: skip
    for username, role in (("officer_xab", Unit.Role.OFFICER), ("head_xab", Unit.Role.HEAD)):
        permissions.grant_unit_role(factories.make_user(username), role, commune)
    return commune


@pytest.fixture
def teacher(commune):
    """Eligible for CSTĐ tỉnh 2025: CSTĐCS 2023–2025 and an initiative recognised at province level."""
    person = factories.make_person(commune, "Phạm Thị Lan", code="XAB0001")
    history.awards(person, "CSTDCS", [2023, 2024, 2025])
    history.initiative(person, "province", 2024)
    return person


def vi(message: str) -> str:
    with translation.override("vi"):
        return gettext(message)


def _switch_user(page, live_server, username):
    page.context.clear_cookies()
    log_in(page, live_server, username, PASSWORD)


def _go(page, live_server, name, *args):
    page.goto(f"{live_server.url}{reverse(name, args=args)}")


def _done(page, message):
    """The page says the action succeeded, and nothing was refused."""
    assert page.locator(".alert-danger").count() == 0, page.locator(".alert-danger").all_inner_texts()
    assert message in page.locator(".alert-success").inner_text()


def _pdf(name):
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def _upload(page, kind, name):
    page.select_option("#dossier-kind", kind)
    page.set_input_files("#dossier-file", _pdf(name))
    page.click("#dossier form[enctype] button[type=submit]")
    page.wait_for_load_state()


def _timeline(page) -> list[tuple[str, str]]:
    """(what happened, who did it) for each row of the audit timeline, oldest first."""
    rows = [text.split(" · ") for text in page.locator("#timeline li").all_inner_texts()]
    return [(row[1].strip(), row[2].strip()) for row in reversed(rows)]


def test_cstd_tinh_climbs_from_a_commune_draft_to_the_province_council(
    page, live_server, org, commune, teacher, secretariat
):
    page.on("dialog", lambda dialog: dialog.accept())

    # The commune's officer drafts the nomination.
    log_in(page, live_server, "officer_xab", PASSWORD)
    _go(page, live_server, "nomination_create")
    assert page.input_value("input[name=proposing_unit]") == "XAB"
    page.select_option("select[name=subject_type]", "person")
    page.fill("input[name=subject_code]", "XAB0001")
    page.select_option("select[name=award_type]", "CSTD_TINH")
    page.fill("input[name=year]", "2025")
    page.select_option("select[name=kind]", "regular")
    page.select_option("select[name=procedure]", "normal")
    page.fill("textarea[name=achievement]", FIRST_ACHIEVEMENT)
    page.click("main form button[type=submit].btn-primary")
    page.wait_for_load_state()
    nomination = Nomination.objects.get(person=teacher)
    assert page.url == f"{live_server.url}{reverse('nomination_detail', args=[nomination.pk])}"
    _done(page, vi("The nomination was created as a draft."))
    assert page.locator("h1 [data-state]").inner_text() == vi("Draft")

    # Every document the checklist requires (the options marked *), each a small valid PDF.
    options = page.locator("#dossier-kind option").all()
    required = {o.get_attribute("value") for o in options if o.inner_text().strip().endswith("*")}
    assert required == CSTD_TINH_DOCS
    assert page.locator("#dossier").inner_text().count(vi("Missing (required)")) == len(required)
    labels = dict(Kind.choices)
    for kind in sorted(required):
        _upload(page, kind, f"{kind.replace('_', '-')}.pdf")
        with translation.override("vi"):
            _done(page, gettext("“%(name)s” was added as %(kind)s.")
                  % {"name": f"{kind.replace('_', '-')}.pdf", "kind": str(labels[kind]).lower()})  # fmt: skip
    assert vi("Missing (required)") not in page.locator("#dossier").inner_text()

    # The proposal letter of the commune, with the draft in it.
    _go(page, live_server, "submission_create")
    assert page.input_value("input[name=unit]") == "XAB"
    page.fill("input[name=title]", "Đề nghị tặng danh hiệu Chiến sĩ thi đua cấp tỉnh năm 2025")
    page.click("main form button[type=submit].btn-primary")
    page.wait_for_load_state()
    _done(page, vi("The proposal letter was created. Add the nominations it proposes."))
    letter_url = page.url
    page.check(f"#add-{nomination.pk}")
    page.click("form[action$='/add/'] button[type=submit]")
    page.wait_for_load_state()
    with translation.override("vi"):
        _done(page, gettext("%(count)d nomination(s) added to the letter.") % {"count": 1})

    # The head opens the letter, reads the eligibility of its nomination, and sends the letter.
    _switch_user(page, live_server, "head_xab")
    page.goto(letter_url)
    page.click(f"main a[href='{reverse('nomination_detail', args=[nomination.pk])}']")
    page.wait_for_load_state()
    eligibility = page.locator("#eligibility")
    assert vi("Eligibility (checked now)") in eligibility.inner_text()
    assert eligibility.locator("[data-eligibility]").inner_text() == vi("Eligible")
    reasons = eligibility.locator("li")
    assert reasons.count() >= 2 and reasons.locator(".bi-check-circle").count() == reasons.count()
    page.go_back()
    page.click("form[action$='/send/'] button[type=submit]")
    page.wait_for_load_state()
    with translation.override("vi"):
        _done(page, gettext("The proposal letter %(number)s was sent.") % {"number": "01/TTr-XAB"})
    assert page.locator("dd[data-state]").inner_text().startswith(vi("Sent"))

    # The route has one stage, the province council, which decides.
    _go(page, live_server, "nomination_detail", nomination.pk)
    assert page.locator("h1 [data-state]").inner_text() == vi("Submitted")
    assert vi("Eligibility when submitted") in page.locator("#eligibility").inner_text()
    assert page.locator("#eligibility [data-eligibility]").inner_text() == vi("Eligible")
    route = page.locator("#route li")
    assert route.count() == 1
    assert org.council.name in route.inner_text() and vi("decides") in route.inner_text()

    # The province secretariat receives it from its work list and returns it for the achievement report.
    _switch_user(page, live_server, "secretariat")
    _go(page, live_server, "review_list")
    page.click(f"main a:has-text('{teacher.full_name}')")
    page.wait_for_load_state()
    stage_url = page.url
    page.click("button[name=action][value=receive]")
    page.wait_for_load_state()
    _done(page, vi("The nomination was received: the appraisal starts."))
    page.select_option("select[name=reason-0-document]", Kind.ACHIEVEMENT_REPORT)
    page.fill("input[name=reason-0-text]", RETURN_REASON)
    page.click("button[name=action][value=return]")
    page.wait_for_load_state()
    _done(page, vi("The nomination was returned to the proposing unit for a supplement."))

    # The officer reads why, replaces the achievement report and rewrites the achievement.
    _switch_user(page, live_server, "officer_xab")
    _go(page, live_server, "nomination_detail", nomination.pk)
    assert page.locator("h1 [data-state]").inner_text() == vi("Returned for supplement")
    assert f"{vi('Achievement report')}: {RETURN_REASON}" in page.locator("#route").inner_text()
    _upload(page, Kind.ACHIEVEMENT_REPORT, "bao-cao-thanh-tich-bo-sung.pdf")
    report_row = page.locator("#dossier tr", has_text=vi("Achievement report"))
    assert "bao-cao-thanh-tich-bo-sung.pdf" in report_row.inner_text()
    assert "achievement-report.pdf" not in report_row.inner_text()
    page.click(f"a[href='{reverse('nomination_edit', args=[nomination.pk])}']")
    page.fill("textarea[name=achievement]", NEW_ACHIEVEMENT)
    page.click("main form button[type=submit].btn-primary")
    page.wait_for_load_state()
    _done(page, vi("The nomination was saved."))

    # The head resubmits; the page says what changed.
    _switch_user(page, live_server, "head_xab")
    _go(page, live_server, "nomination_detail", nomination.pk)
    page.click("form[action$='/resubmit/'] button[type=submit]")
    page.wait_for_load_state()
    with translation.override("vi"):
        added = gettext("Documents added: %(names)s.") % {"names": "bao-cao-thanh-tich-bo-sung.pdf"}
        removed = gettext("Documents removed: %(names)s.") % {"names": "achievement-report.pdf"}
    _done(page, added)
    _done(page, removed)
    assert page.locator("h1 [data-state]").inner_text() == vi("Submitted")
    field = capfirst(str(Nomination._meta.get_field("achievement").verbose_name))
    assert NEW_ACHIEVEMENT in page.locator("#revisions tr", has_text=field).inner_text()

    # The secretariat sees the changes of revision 2 on the stage page, receives and accepts.
    _switch_user(page, live_server, "secretariat")
    page.goto(stage_url)
    with translation.override("vi"):
        diff_title = gettext("Changes in revision %(number)s") % {"number": 2}
    diff = page.locator("section", has=page.locator("#diff-title"))
    assert page.locator("#diff-title").inner_text() == diff_title
    achievement_row = diff.locator("tr", has_text=FIRST_ACHIEVEMENT).inner_text()
    assert field in achievement_row and NEW_ACHIEVEMENT in achievement_row
    report = vi("Achievement report")
    added_row = diff.locator("tr", has_text="bao-cao-thanh-tich-bo-sung.pdf").inner_text()
    assert vi("Document added") in added_row and f"{report}: bao-cao-thanh-tich-bo-sung.pdf" in added_row
    removed_row = diff.locator("tr", has_text="achievement-report.pdf").inner_text()
    assert vi("Document removed") in removed_row and f"{report}: achievement-report.pdf" in removed_row
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "nomination-climb-stage-diff.png", full_page=True)
    page.click("button[name=action][value=receive]")
    page.wait_for_load_state()
    _done(page, vi("The nomination was received: the appraisal starts."))
    page.click("button[name=action][value=accept]")
    page.wait_for_load_state()
    _done(page, vi("The nomination was accepted for the council."))

    # The proposing unit sees it waiting for the council, and the timeline tells every step and who took it.
    _switch_user(page, live_server, "officer_xab")
    _go(page, live_server, "nomination_detail", nomination.pk)
    assert page.locator("h1 [data-state]").inner_text() == vi("Waiting for the council")
    assert page.locator("#route [data-stage-state]").inner_text() == vi("Accepted")
    assert _timeline(page) == [
        (vi("Nomination created"), "officer_xab"),
        *[(vi("Dossier document added"), "officer_xab")] * len(CSTD_TINH_DOCS),
        (vi("Nomination added to a proposal letter"), "officer_xab"),
        (vi("Nomination submitted"), "head_xab"),
        (vi("Nomination received by the secretariat"), "secretariat"),
        (vi("Nomination returned for supplement"), "secretariat"),
        (vi("Dossier document added"), "officer_xab"),
        (vi("Nomination changed"), "officer_xab"),
        (vi("Nomination resubmitted after a supplement"), "head_xab"),
        (vi("Nomination received by the secretariat"), "secretariat"),
        (vi("Nomination accepted for the council"), "secretariat"),
    ]

    nomination.refresh_from_db()
    stage = nomination.stages.get()
    assert (nomination.state, stage.council, stage.state) == (
        Nomination.State.IN_COUNCIL,
        org.council,
        ReviewStage.State.ACCEPTED,
    )
