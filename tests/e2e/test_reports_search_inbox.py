"""Issues 8 and 9 in the browser, as a user sees them: the statistics page reached from the header menu draws its
charts from the figures of the tables under them and exports them to Excel; the header's search box finds a person
typed without accents and shows each officer only what their unit may see; a deadline reminder lights the bell,
reads in Vietnamese in the inbox and, opened, goes to the ballot and stops counting as unread."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from openpyxl import load_workbook

from awards.models import CouncilSession
from notifications.models import Notification
from notifications.reminders import VN, run_pass
from tests import factories
from tests.awards import factories as history
from tests.awards.test_search import nominate
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def vi(message: str) -> str:
    with translation.override("vi"):
        return gettext(message)


def number(cell: str) -> float:
    """A figure as the page prints it (12.849, 15,3) back to a number."""
    return float(cell.replace(".", "").replace(",", "."))


@pytest.fixture
def errors(page):
    """The JavaScript errors of the page: uncaught exceptions and console.error calls."""
    found = []
    page.on("pageerror", lambda error: found.append(str(error)))
    page.on("console", lambda message: found.append(message.text) if message.type == "error" else None)
    return found


# Statistics --------------------------------------------------------------------------------------------------

LABEL_COLUMNS = {"quotas": (0, 1), "reasons_by_document": (0, 1)}  # a bar's label joins these cells of its row


def charts_and_tables(page) -> dict[str, tuple[dict, list[str], list[list[str]]]]:
    """Per canvas: the chart Chart.js registered on it (labels and datasets) and the header and rows of its table."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll("canvas[data-chart]")].map((canvas) => {
            const chart = Chart.getChart(canvas);
            const table = document.querySelector(`table[data-table="${canvas.dataset.chart}"]`);
            const cells = (row) => [...row.children].map((cell) => cell.innerText.trim());
            return [canvas.dataset.chart, [
                chart ? {type: chart.config.type, labels: chart.data.labels,
                         datasets: chart.data.datasets.map((d) => ({label: d.label, data: d.data})),
                         width: chart.width, height: chart.height} : null,
                cells(table.tHead.rows[0]),
                [...table.tBodies[0].rows].map(cells),
            ]];
        }))"""
    )


def test_admin_draws_the_statistics_of_a_unit_and_exports_them(page, live_server, org, admin_user, errors, tmp_path):
    history.awards(org.person_a, "LDTT", [2022, 2023, 2024])
    history.award(org.person_a, "CSTDCS", 2024)
    history.award(org.person_a, "BK_TINH", 2023, kind="sudden")
    history.awards(factories.make_person(org.unit_a_child, "Phạm Minh Khôi"), "LDTT", [2023, 2024])
    history.award(org.unit_a_child, "TTLDTT", 2024)
    history.award(org.unit_a, "TTLDTT", 2022)
    history.award(org.person_a, "LDTT", 2021)  # before the years chosen
    history.award(org.person_a, "LDTT", 2025, revoked=True)  # outside the years and revoked
    history.award(org.person_b, "LDTT", 2023)  # unit B: outside the unit chosen
    log_in(page, live_server, "sysadmin", PASSWORD)

    nav = page.locator("#mainnav")
    nav.get_by_role("button", name=vi("Awards"), exact=True).click()
    with page.expect_navigation():
        nav.get_by_role("link", name=vi("Statistics"), exact=True).click()
    assert page.url == f"{live_server.url}{reverse('statistics')}"
    page.select_option("#id_unit", str(org.unit_a.pk))
    page.fill("#id_first_year", "2022")
    page.fill("#id_last_year", "2024")
    with page.expect_navigation():
        page.click("#statistics-form button[type=submit]")
    page.wait_for_load_state("load")  # the deferred scripts have run
    assert page.locator("#statistics-errors").count() == 0
    assert page.locator("#id_unit").input_value() == str(org.unit_a.pk)
    summary = page.locator("main p.text-muted").first.inner_text()
    assert org.unit_a.name in summary and "2022–2024" in summary and " 9 " in summary

    drawn = charts_and_tables(page)
    # Awards of people, units and years, of both kinds: every table with a chart has rows to draw.
    assert {"by_type", "by_level", "by_subject", "by_kind", "by_unit", "by_year"} <= drawn.keys()
    for key, (chart, header, rows) in drawn.items():
        assert chart is not None, f"no chart drawn on the canvas of {key}"
        assert chart["width"] > 0 and chart["height"] > 0, key
        labels = [" ".join(row[column] for column in LABEL_COLUMNS.get(key, (0,))) for row in rows]
        assert chart["labels"] == labels[: len(chart["labels"])], key
        for dataset in chart["datasets"]:
            column = header.index(dataset["label"])
            shown = [number(row[column]) for row in rows][: len(dataset["data"])]
            assert dataset["data"] == shown, (key, dataset["label"])
    chart, header, rows = drawn["by_year"]
    assert chart["type"] == "bar" and [row[0] for row in rows] == ["2022", "2023", "2024"]
    assert [row[-1] for row in rows] == ["2", "3", "4"]
    assert [dataset["data"] for dataset in chart["datasets"]] == [[1, 3, 3], [1, 0, 1], [0, 0, 0]]
    assert drawn["by_subject"][0]["type"] == "pie"
    assert errors == []

    with page.expect_download() as download:
        page.get_by_role("link", name=vi("Export every table to Excel")).click()
    assert download.value.suggested_filename == "thong-ke-khen-thuong-SGD-2022-2024.xlsx"
    path = tmp_path / "thong-ke.xlsx"
    download.value.save_as(path)
    workbook = load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
    scope = {row[0]: row[1] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert scope[vi("Unit")] == f"{org.unit_a.name} ({org.unit_a.code})"
    assert (scope[vi("From year")], scope[vi("To year")]) == (2022, 2024)
    sheets = {sheet.title.split(". ", 1)[1]: sheet for sheet in workbook.worksheets[1:]}
    years = [list(row) for row in sheets[vi("By year")].iter_rows(min_row=2, values_only=True)]
    assert years == [[2022, 1, 1, 0, 2], [2023, 3, 0, 0, 3], [2024, 3, 1, 0, 4], [vi("Total"), 7, 2, 0, 9]]


# Search ------------------------------------------------------------------------------------------------------


def search_from_header(page, query: str) -> None:
    page.fill("#header-search", query)
    with page.expect_navigation():
        page.press("#header-search", "Enter")


def hrefs(page, selector: str) -> list[str]:
    return page.locator(f"{selector} a").evaluate_all("(links) => links.map((link) => link.getAttribute('href'))")


def test_officers_find_a_person_typed_without_accents_each_in_their_own_unit(page, live_server, org, officer_a,
                                                                              officer_b, errors):  # fmt: skip
    mine = nominate(org.person_a, org.unit_a)
    namesake = factories.make_person(org.unit_b, "Nguyễn Thị Hòa")  # the old tone placement, in unit B
    theirs = nominate(namesake, org.unit_b)
    person_a = reverse("person_detail", args=[org.person_a.pk])
    nomination_a = reverse("nomination_detail", args=[mine.pk])

    log_in(page, live_server, "officer_a", PASSWORD)
    search_from_header(page, "nguyen thi hoa")
    assert page.url == f"{live_server.url}{reverse('search')}?q=nguyen+thi+hoa"
    assert page.locator("#search-people a", has_text="Nguyễn Thị Hoà").get_attribute("href") == person_a
    assert hrefs(page, "#search-people") == [person_a]
    assert hrefs(page, "#search-nominations") == [nomination_a]
    assert "Nguyễn Thị Hoà" in page.locator("#search-nominations").inner_text()
    with page.expect_navigation():
        page.locator("#search-nominations a").click()
    assert page.url == f"{live_server.url}{nomination_a}"

    page.context.clear_cookies()
    log_in(page, live_server, "officer_b", PASSWORD)
    search_from_header(page, "nguyen thi hoa")
    # Unit B's own namesake is found, so the search ran; unit A's person and nomination are not there.
    assert hrefs(page, "#search-people") == [reverse("person_detail", args=[namesake.pk])]
    assert hrefs(page, "#search-nominations") == [reverse("nomination_detail", args=[theirs.pk])]
    links = hrefs(page, "#search-results")
    assert person_a not in links and nomination_a not in links
    assert "Nguyễn Thị Hoà" not in page.locator("#search-results").inner_text()
    assert errors == []
    assert page.goto(f"{live_server.url}{nomination_a}").status == 404


# Inbox -------------------------------------------------------------------------------------------------------


def test_a_vote_reminder_lights_the_bell_and_opens_the_ballot(page, live_server, org, member, errors):
    now = timezone.now()
    voter = org.council.members.get(user=member)
    # Closing a little less than three days from now: the "3 days left" reminder is the one due.
    session = CouncilSession.objects.create(
        council=org.council,
        title="Phiên họp xét khen thưởng cuối năm",
        meeting_on=timezone.localdate(),
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=3, hours=-1),
        state=CouncilSession.State.OPEN,
        voter_ids=[voter.pk],
    )
    run_pass()
    [reminder] = Notification.objects.filter(recipient=member)
    with translation.override("vi"):
        left = ngettext(
            "%(count)d day left, deadline %(deadline)s", "%(count)d days left, deadline %(deadline)s", 3
        ) % {"count": 3, "deadline": f"{session.closes_at.astimezone(VN):%H:%M %d/%m/%Y}"}
    assert left.startswith("còn 3 ngày")

    log_in(page, live_server, "member", PASSWORD)
    badge = page.locator("#notification-bell .badge")
    assert badge.inner_text() == "1"
    with translation.override("vi"):
        title = ngettext("%(counter)s unread notification", "%(counter)s unread notifications", 1) % {"counter": 1}
    assert badge.get_attribute("title") == title
    with page.expect_navigation():
        page.click("#notification-bell")
    assert page.url == f"{live_server.url}{reverse('notification_list')}"
    unread = page.locator("#notifications .unread")
    assert unread.count() == 1
    link = unread.get_by_role("link")
    assert left in link.inner_text() and session.title in link.inner_text()
    # The body keeps its line breaks (a returned nomination's reasons come one a line).
    assert unread.get_by_text(reminder.body).evaluate("(body) => getComputedStyle(body).whiteSpace") == "pre-line"
    with page.expect_navigation():
        link.click()
    assert page.url == f"{live_server.url}{reverse('session_ballot', args=[session.pk])}"
    assert page.locator("h1").inner_text() == vi("Secret ballot")
    assert badge.count() == 0
    reminder.refresh_from_db()
    assert reminder.read_at is not None
    page.click("#notification-bell")
    page.wait_for_url(f"{live_server.url}{reverse('notification_list')}")
    assert page.locator("#notifications .unread").count() == 0
    assert errors == []
