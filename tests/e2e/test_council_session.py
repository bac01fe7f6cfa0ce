"""Acceptance 1 of issue 6 in the browser: the province council's secretariat builds a session of five accepted
nominations, declares one member recused from one item and opens the vote; the seven voting members vote from
seven browser contexts at the same moment (five first, then two); while the vote is open the secretariat sees
"5/7" and no count; after the close the results follow the two-thirds-of-all-members rule exactly (5 of 7 passes,
4 of 7 fails, the recused item's base is 6) and the minutes PDF prints the counts and the recusal.

The members' browsers run on Playwright's async API in a thread of their own (the secretariat's sync page owns
the test thread's event loop), so that their ballots reach the live server together."""

import asyncio
import subprocess
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.async_api import async_playwright

from awards.models import AgendaItem, Ballot, BallotPaper, CouncilSession, Nomination, ReviewStage
from tests import factories
from tests.awards.test_review_pages import at_council
from tests.awards.test_sessions import two_thirds_rule
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, log_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
LOCAL = "%Y-%m-%dT%H:%M"
A, D, N = "agree", "disagree", "abstain"
# Member i's choice on item j; None: member 1 ("Ủy viên Số 1") is recused from item 4.
VOTES = [
    [A, A, A, None, D],
    [A, A, A, A, D],
    [A, A, A, A, D],
    [A, A, A, A, A],
    [A, A, D, D, N],
    [A, D, D, D, N],
    [A, D, D, N, D],
]
RECUSAL_REASON = "Cùng đơn vị công tác với người được đề nghị"


def vi(message: str, **values) -> str:
    with translation.override("vi"):
        text = gettext(message)
    return text % values if values else text


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def council(org):
    """Seven voting members of the province council and five nominations accepted at its stage; the award's
    rule set asks two thirds of all voting members, by secret ballot."""
    two_thirds_rule(org)
    members = []
    for number in range(1, 8):
        user = factories.make_user(f"uyvien{number}", first_name="Ủy viên", last_name=f"Số {number}")
        members.append(factories.add_member(org.council, user))
    stages = [at_council(org, state=ReviewStage.State.ACCEPTED, name=f"Trần Thị {name}") for name in "ABCDE"]
    return members, stages


class Members:
    """The members' browsers: one Chromium, one context each, on an event loop running in its own thread."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.pages = {}
        self.run(self._start())

    def run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)

    async def _start(self):
        self.playwright = await async_playwright().start()
        self.browser = await self.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

    def close(self):
        async def stop():
            await self.browser.close()
            await self.playwright.stop()

        self.run(stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

    async def _fill(self, username: str, session_key: str, ballot_path: str, choices: dict[int, str | None]):
        context = await self.browser.new_context(locale="vi-VN")
        await context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_key, "url": self.base_url}])
        page = await context.new_page()

        async def accept(dialog):
            await dialog.accept()

        page.on("dialog", accept)
        await page.goto(f"{self.base_url}{ballot_path}")
        for item, choice in choices.items():
            if choice is not None:
                await page.click(f"label[for=choice-{item}-{choice}]")
        self.pages[username] = page

    def fill(self, ballots: dict):
        """Each member, already logged in, opens the ballot and ticks the choices, all at once. The members'
        logins are sessions made on the server (the login page is not what this test is about; seven logins at
        once would double its time)."""
        keys = {user.username: _session_key(user) for user in ballots}

        async def everyone():
            await asyncio.gather(
                *(self._fill(user.username, keys[user.username], *ballot) for user, ballot in ballots.items())
            )

        self.run(everyone())

    def send(self, usernames: list[str]) -> list[str]:
        """The members click "Send my ballot" together (and confirm); what each page then says."""

        async def one(page):
            async with page.expect_navigation():
                await page.click("#send-ballot")
            return await page.locator(".alert").first.inner_text()

        async def together():
            return await asyncio.gather(*(one(self.pages[name]) for name in usernames))

        return self.run(together())

    def screenshot(self, username: str, path: Path):
        self.run(self.pages[username].screenshot(path=str(path), full_page=True))

    def page_text(self, username: str, selector: str) -> str:
        return self.run(self.pages[username].locator(selector).inner_text())


def _session_key(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _done(page, message):
    assert page.locator(".alert-danger").count() == 0, page.locator(".alert-danger").all_inner_texts()
    assert message in page.locator(".alert-success").inner_text()


def _click(page, selector):
    with page.expect_navigation():
        page.click(selector)


def test_seven_members_vote_at_once_and_the_minutes_tell_the_result(page, live_server, org, council, secretariat):
    members, stages = council
    page.on("dialog", lambda dialog: dialog.accept())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # The secretariat creates the session from the session list.
    log_in(page, live_server, "secretariat", PASSWORD)
    page.goto(f"{live_server.url}{reverse('session_list')}")
    _click(page, f"main a[href='{reverse('session_create')}']")
    now = timezone.localtime()
    page.select_option("select[name=council]", str(org.council.pk))
    page.fill("input[name=title]", "Phiên họp xét danh hiệu Chiến sĩ thi đua cấp tỉnh năm 2025")
    page.fill("input[name=meeting_on]", now.date().isoformat())
    page.fill("input[name=opens_at]", (now - timezone.timedelta(minutes=5)).strftime(LOCAL))
    page.fill("input[name=closes_at]", (now + timezone.timedelta(hours=2)).strftime(LOCAL))
    _click(page, "main form button[type=submit].btn-primary")
    _done(page, vi("The session was created. Put the nominations to vote on its agenda."))
    session = CouncilSession.objects.get()
    detail_url = page.url
    assert detail_url == f"{live_server.url}{reverse('session_detail', args=[session.pk])}"

    # The five nominations waiting for the council go on the agenda at once.
    _click(page, f"a[href='{reverse('session_agenda', args=[session.pk])}']")
    assert page.locator("#waiting tbody input[type=checkbox]").count() == 5
    _click(page, "#select-page")
    assert page.locator("#waiting tbody input[type=checkbox]:checked").count() == 5
    _click(page, "#pick button[type=submit]")
    _done(page, vi("%(count)s nomination(s) put on the agenda.", count=5))
    assert page.locator("#agenda tbody tr[data-item]").count() == 5

    # Member 1 is recused from the fourth item; then the vote opens.
    items = list(AgendaItem.objects.filter(session=session).order_by("order"))
    page.select_option("#recusal-member", str(members[0].pk))
    page.select_option("#recusal-item", str(items[3].pk))
    page.fill("#recusal-reason", RECUSAL_REASON)
    _click(page, "#recusal button[value=recuse]")
    _done(page, vi("The recusal was recorded: the member will not vote on that item."))
    _click(page, "#open button[value=open]")
    _done(page, vi("Voting is open. The agenda, the vote rules and the voting members are now frozen."))
    assert page.locator("[data-progress]").inner_text() == vi("%(voted)s/%(voters)s members have voted") % {
        "voted": 0,
        "voters": 7,
    }

    # Seven members open their ballots together; five send theirs at the same moment.
    voters = Members(live_server.url)
    try:
        ballot = reverse("session_ballot", args=[session.pk])
        ballots = {
            member.user: (ballot, {item.pk: choice for item, choice in zip(items, row, strict=True)})
            for member, row in zip(members, VOTES, strict=True)
        }
        voters.fill(ballots)
        assert vi("You do not vote on this item (%(reason)s).", reason=RECUSAL_REASON) in voters.page_text(
            "uyvien1", f"#item-{items[3].pk}"
        )
        voters.screenshot("uyvien1", SCREENSHOTS / "council-session-ballot.png")
        recorded = vi(
            "Your ballot was recorded. It is secret and final: nobody, administrators included, can see how you voted."
        )
        said = voters.send([m.user.username for m in members[:5]])
        assert said == [recorded] * 5, said

        # The secretariat sees how many voted, and nothing per item.
        page.goto(detail_url)
        assert "5/7" in page.locator("[data-progress]").inner_text()
        assert page.locator("[data-count], [data-result]").count() == 0
        headers = page.locator("main th").all_inner_texts()
        assert not {vi("Agree"), vi("Disagree"), vi("Abstain"), vi("Eligible voters")} & set(headers)

        said = voters.send([m.user.username for m in members[5:]])
        assert said == [recorded] * 2, said
    finally:
        voters.close()
    assert Ballot.objects.filter(session=session).count() == 7
    assert BallotPaper.objects.filter(session=session).count() == 7 * 5 - 1

    # The close, and the results.
    page.goto(detail_url)
    assert "7/7" in page.locator("[data-progress]").inner_text()
    _click(page, "#progress button[value=close]")
    _done(page, vi("Voting is closed and the ballots were counted."))
    rows = page.locator("#results tbody tr[data-item]")
    counts = [
        [
            rows.nth(i).locator(f"[data-count={name}]").inner_text()
            for name in ("agree", "disagree", "abstain", "eligible")
        ]
        for i in range(5)
    ]
    assert counts == [
        ["7", "0", "0", "7"],
        ["5", "2", "0", "7"],
        ["4", "3", "0", "7"],
        ["3", "2", "1", "6"],
        ["1", "4", "2", "7"],
    ]
    results = [rows.nth(i).locator("[data-result]").get_attribute("data-result") for i in range(5)]
    assert results == ["passed", "passed", "failed", "failed", "failed"]
    assert "Ủy viên Số 1 " in rows.nth(3).inner_text() and RECUSAL_REASON in rows.nth(3).inner_text()
    page.screenshot(path=SCREENSHOTS / "council-session-closed.png", full_page=True)
    states = [Nomination.objects.get(pk=stage.nomination_id).state for stage in stages]
    assert states == [Nomination.State.IN_DECISION] * 2 + [Nomination.State.NOT_APPROVED] * 3

    # The minutes PDF, through the page's link: the counts and the recusal.
    href = page.locator("#documents").get_by_role("link", name=vi("Minutes (PDF)"), exact=True).get_attribute("href")
    assert href == reverse("session_minutes", kwargs={"pk": session.pk, "kind": "minutes"})
    response = page.request.get(f"{live_server.url}{href}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = " ".join(
        subprocess.run(["pdftotext", "-", "-"], input=response.body(), capture_output=True, check=True)
        .stdout.decode()
        .split()
    )
    agreed = "%(agree)s/%(base)s members agreed, reaching %(threshold)s."
    short = "%(agree)s/%(base)s members agreed, short of %(threshold)s."
    assert vi(agreed, agree=5, base=7, threshold="2/3") in text
    assert vi(short, agree=4, base=7, threshold="2/3") in text
    assert vi(short, agree=3, base=6, threshold="2/3") in text
    assert f"Ủy viên Số 1 ({RECUSAL_REASON})" in text
