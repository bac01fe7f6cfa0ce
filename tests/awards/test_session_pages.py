"""The council session pages (issue 6): the secretariat creates a session, puts nominations on its agenda in bulk,
records attendance and a recusal, opens the vote and follows how many members voted (nothing per item, for
admins neither), the members vote on their ballot page, the secretariat closes and reads the results. Refusals
change nothing; the pages run a fixed number of queries whatever the length of the agenda."""

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from audit.models import AuditEvent
from awards import sessions as services
from awards.models import AgendaItem, Ballot, BallotPaper, CouncilSession, Nomination, Recusal, ReviewStage
from tests import factories
from tests.awards.test_review_pages import at_council, page_messages
from tests.awards.test_sessions import VOTES, council_members, draft_session, two_thirds_rule
from thiduakt.lib import excel, permissions

pytestmark = [pytest.mark.django_db]

State = CouncilSession.State
ACCEPTED = ReviewStage.State.ACCEPTED
LOCAL = "%Y-%m-%dT%H:%M"


def vi(message: str, **values) -> str:
    with translation.override("vi"):
        text = gettext(message)
    return text % values if values else text


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def act(client, session, action, **data):
    return client.post(reverse("session_act", args=[session.pk]), {"action": action, **data}, follow=True)


def detail(client, session):
    return client.get(reverse("session_detail", args=[session.pk]))


def ballot_url(session):
    return reverse("session_ballot", args=[session.pk])


def vote(client, session, row):
    """Post a ballot: row[i] is the choice on the i-th item of the agenda, None where the member is recused."""
    items = AgendaItem.objects.filter(session=session).order_by("order")
    data = {f"item-{item.pk}": choice for item, choice in zip(items, row, strict=True) if choice is not None}
    return client.post(ballot_url(session), data, follow=True)


def window(**shift):
    now = timezone.localtime()
    opens = now - timezone.timedelta(minutes=shift.get("opens_ago", 5))
    closes = now + timezone.timedelta(hours=shift.get("closes_in", 2))
    return {"opens_at": opens.strftime(LOCAL), "closes_at": closes.strftime(LOCAL)}


class _Table(HTMLParser):
    """The header cells and the data cells of the tables of a page, as text."""

    def __init__(self):
        super().__init__()
        self.headers, self.cells, self._cell, self._text = [], [], None, []

    def handle_starttag(self, tag, attrs):
        if tag in ("th", "td"):
            self._cell, self._text = tag, []

    def handle_endtag(self, tag):
        if tag == self._cell:
            text = " ".join("".join(self._text).split())
            (self.headers if tag == "th" else self.cells).append(text)
            self._cell = None

    def handle_data(self, data):
        if self._cell:
            self._text.append(data)


def table_text(html: str) -> _Table:
    parser = _Table()
    parser.feed(html)
    return parser


@pytest.fixture
def seven(org, secretariat):
    """A council of 7 voting members (and a non-voting secretary); 5 nominations accepted at its stage, the
    fourth of which names member 0 as its nominee; a two-thirds-of-all-members rule."""
    two_thirds_rule(org)
    members = council_members(org, 7)
    for index, member in enumerate(members):
        member.user.first_name, member.user.last_name = "Ủy viên", f"Số {index + 1}"
        member.user.save(update_fields=["first_name", "last_name"])
    stages = [at_council(org, state=ACCEPTED, name=f"Người được đề nghị {n}") for n in "ABCDE"]
    nominee = stages[3].nomination.person
    nominee.user = members[0].user
    nominee.save(update_fields=["user"])
    factories.add_member(org.council, factories.make_user(), voting=False)
    return members, stages


# The flow --------------------------------------------------------------------------------------------------


def test_the_whole_flow_through_the_pages(org, seven, secretariat, admin_user):
    members, stages = seven
    client = client_for(secretariat)

    # A new session of the province council.
    response = client.post(
        reverse("session_create"),
        {"council": org.council.pk, "title": "Phiên họp xét khen thưởng năm 2025",
         "meeting_on": timezone.localdate().isoformat(), **window()},
        follow=True,
    )  # fmt: skip
    session = CouncilSession.objects.get()
    assert response.redirect_chain[-1][0] == reverse("session_detail", args=[session.pk])
    assert vi("The session was created. Put the nominations to vote on its agenda.") in page_messages(response)
    assert session.state == State.DRAFT and session.council == org.council

    # The agenda picker lists the five waiting nominations; "select all on this page" ticks them; they go on.
    picker = client.get(reverse("session_agenda", args=[session.pk]), {"select": "page"})
    assert {stage.pk for stage in picker.context["page"]} == {stage.pk for stage in stages}
    assert picker.context["checked"] == {stage.pk for stage in stages}
    assert picker.text.count(" checked>") == 5
    response = client.post(reverse("session_agenda", args=[session.pk]), {"stage": [s.pk for s in stages]}, follow=True)
    assert vi("%(count)s nomination(s) put on the agenda.", count=5) in page_messages(response)
    assert [item.stage_id for item in session.items.order_by("order")] == [s.pk for s in stages]
    page = response.text
    assert all(f"Người được đề nghị {n}" in page for n in "ABCDE")
    assert reverse("review_stage", args=[stages[0].pk]) in page
    # The nominee's own recusal is announced before the opening.
    assert "Ủy viên Số 1" in response.context["items"][3].nominee_member.user.get_full_name()
    # Nothing waits any more.
    assert len(client.get(reverse("session_agenda", args=[session.pk])).context["page"]) == 0

    # Attendance (5 of 7 present) and a declared recusal of member 6 from the last item.
    response = act(client, session, "attendance", present=[m.pk for m in members[:5]])
    assert vi("The attendance was recorded.") in page_messages(response)
    items = list(session.items.order_by("order"))
    response = act(client, session, "recuse", member=members[6].pk, item=items[4].pk, reason="Cùng đơn vị công tác")
    assert vi("The recusal was recorded: the member will not vote on that item.") in page_messages(response)
    assert "Cùng đơn vị công tác" in response.text

    # Opening.
    response = act(client, session, "open")
    assert vi("Voting is open. The agenda, the vote rules and the voting members are now frozen.") in page_messages(
        response
    )
    session.refresh_from_db()
    assert session.state == State.OPEN and len(session.voter_ids) == 7
    assert 'data-progress="0/7"' in response.text

    # Five members vote; the secretariat sees 5/7 and nothing per item; so does an admin.
    for member, row in zip(members[:5], VOTES[:5], strict=True):
        response = vote(client_for(member.user), session, _recused(row, member, members))
        assert vi(
            "Your ballot was recorded. It is secret and final: nobody, administrators included, can see how you voted."
        ) in page_messages(response)
    for viewer in (secretariat, admin_user):
        page = detail(client_for(viewer), session)
        assert (page.context["voted"], page.context["voters"]) == (5, 7) and 'data-progress="5/7"' in page.text
        assert vi("%(voted)s/%(voters)s members have voted") % {"voted": 5, "voters": 7} in page.text
        assert_no_counts(page)

    # The rest vote; a second ballot is refused with its message.
    for member, row in zip(members[5:], VOTES[5:], strict=True):
        vote(client_for(member.user), session, _recused(row, member, members))
    again = vote(client_for(members[1].user), session, VOTES[1])
    assert vi("You have already voted in this session: a ballot is final.") in page_messages(again)
    assert Ballot.objects.filter(session=session).count() == 7

    # Closing, then the results.
    response = act(client, session, "close")
    assert vi("Voting is closed and the ballots were counted.") in page_messages(response)
    session.refresh_from_db()
    assert session.state == State.CLOSED
    rows = [row for row in re.findall(r'<tr data-item="\d+">(.*?)</tr>', response.text, re.S)]
    counts = [re.findall(r'data-count="\w+">(\d+)<', row) for row in rows]
    assert counts == [
        ["7", "0", "0", "7"],
        ["5", "2", "0", "7"],  # 5 of 7 reaches two thirds
        ["4", "3", "0", "7"],  # 4 of 7 does not
        ["3", "2", "1", "6"],  # the nominee is recused: base 6
        ["1", "3", "2", "6"],  # member 6 recused from the last item
    ]
    results = re.findall(r'data-result="(\w+)"', response.text)
    assert results == ["passed", "passed", "failed", "failed", "failed"]
    assert session.result_note in response.text
    assert reverse("session_minutes", kwargs={"pk": session.pk, "kind": "minutes"}) in response.text
    assert reverse("session_minutes", kwargs={"pk": session.pk, "kind": "tally"}) in response.text
    assert Nomination.objects.get(pk=stages[1].nomination_id).state == Nomination.State.IN_DECISION

    # The results in Excel.
    export = client.get(reverse("session_detail", args=[session.pk]), {"format": "xlsx"})
    assert export["Content-Type"] == excel.XLSX_CONTENT_TYPE
    sheet = excel.read_sheet(export.content)
    assert [(row[5], row[6], row[7], row[8]) for _number, row in sheet.rows] == [
        (7, 0, 0, 7),
        (5, 2, 0, 7),
        (4, 3, 0, 7),
        (3, 2, 1, 6),
        (1, 3, 2, 6),
    ]
    assert sheet.rows[1][1][10] == vi("Passed") and sheet.rows[2][1][10] == vi("Not passed")


def _recused(row, member, members):
    """VOTES with member 6 recused from the last item (declared on the page)."""
    if member == members[6]:
        return [*row[:4], None]
    return row


def assert_no_counts(page):
    """While voting is open: no count column, no count cell, no result, and the items carry no count."""
    assert "data-count" not in page.text and "data-result" not in page.text
    headers = table_text(page.text).headers
    for word in ("Agree", "Disagree", "Abstain", "Eligible voters", "Result"):
        assert vi(word) not in headers
    assert all(item.agree is None for item in page.context["items"])


# Members ---------------------------------------------------------------------------------------------------


def test_a_member_sees_the_session_and_votes_once(org, seven, secretariat):
    members, stages = seven
    session = draft_session(org, secretariat, stages)
    member_client = client_for(members[2].user)
    page = detail(member_client, session)
    assert page.status_code == 200 and vi("Voting has not opened yet.") in page.text
    assert ballot_url(session) not in page.text and 'name="action"' not in page.text
    ballot = member_client.get(ballot_url(session))
    assert ballot.status_code == 200 and 'type="radio"' not in ballot.text
    assert ballot.context["obstacle"].startswith(
        vi("Voting has not opened yet. It is planned from %(opens)s to %(closes)s.")[:20]
    )

    services.session_open(by=secretariat, session=session)
    page = detail(member_client, session)
    assert ballot_url(session) in page.text
    assert "data-progress" not in page.text  # progress is the secretariat's
    ballot = member_client.get(ballot_url(session))
    assert ballot.context["obstacle"] is None
    # Nothing is chosen in advance; "agree to all" fills in Agree everywhere when asked.
    assert " checked>" not in ballot.text and ballot.text.count('type="radio"') == 15
    assert member_client.get(ballot_url(session), {"all": "agree"}).text.count(" checked>") == 5

    # A ballot with an item left out is not sent: the items without a choice are marked, nothing recorded.
    items = list(session.items.order_by("order"))
    partial = member_client.post(ballot_url(session), {f"item-{items[0].pk}": "agree"})
    assert partial.status_code == 400
    assert vi("Choose Agree, Disagree or No opinion for every item marked in red.") in partial.text
    assert partial.text.count('aria-invalid="true"') == 4
    assert f'value="agree" id="choice-{items[0].pk}-agree" autocomplete="off" checked' in partial.text
    assert not Ballot.objects.exists() and not BallotPaper.objects.exists()

    response = vote(member_client, session, ["agree", "disagree", "abstain", "agree", "disagree"])
    # The page says the ballot was recorded and shows none of the choices.
    assert vi("You have voted in this session. Your ballot is secret and final.") in response.text
    assert 'type="radio"' not in response.text and " checked" not in response.text
    assert detail(member_client, session).context["has_voted"] is True
    assert vi("You have voted.") in detail(member_client, session).text


def test_the_nominee_sees_the_recused_item_without_radios(org, seven, secretariat):
    members, stages = seven
    session = services.session_open(by=secretariat, session=draft_session(org, secretariat, stages))
    ballot = client_for(members[0].user).get(ballot_url(session))
    reason = Recusal.objects.get(member=members[0]).reason
    assert vi("You do not vote on this item (%(reason)s).", reason=reason) in ballot.text
    assert ballot.text.count('type="radio"') == 12  # 4 items × 3 answers
    items = list(session.items.order_by("order"))
    assert f'name="item-{items[3].pk}"' not in ballot.text


def test_who_may_open_the_ballot(org, seven, secretariat, admin_user, officer_a):
    members, stages = seven
    session = services.session_open(by=secretariat, session=draft_session(org, secretariat, stages))
    # Outsiders, the secretariat and admins do not vote: 404.
    for user in (officer_a, secretariat, admin_user):
        assert client_for(user).get(ballot_url(session)).status_code == 404
        assert client_for(user).post(ballot_url(session), {}).status_code == 404
    # A non-voting member and a member who joined after the opening see why they cannot vote.
    secretary = org.council.members.get(voting=False).user
    late = factories.add_member(org.council, factories.make_user()).user
    for user in (secretary, late):
        page = client_for(user).get(ballot_url(session))
        assert page.status_code == 200
        assert vi("You are not a voting member in this session.") in page.text and 'type="radio"' not in page.text
        response = client_for(user).post(ballot_url(session), {}, follow=True)
        assert any(org.council.name in text for text in page_messages(response))
    assert not Ballot.objects.exists()


def test_a_ballot_after_the_close_is_refused(org, seven, secretariat):
    members, stages = seven
    session = services.session_open(by=secretariat, session=draft_session(org, secretariat, stages))
    services.session_close(by=secretariat, session=session)
    client = client_for(members[1].user)
    assert vi("Voting in this session is closed.") in client.get(ballot_url(session)).text
    response = vote(client, session, VOTES[1])
    assert vi("Voting is not open in this session.") in page_messages(response)
    assert not Ballot.objects.exists()


# Refusals --------------------------------------------------------------------------------------------------


def snapshot(session):
    session.refresh_from_db()
    return (
        session.state,
        list(session.items.order_by("pk").values_list("stage_id", "order")),
        sorted(session.attendance.values_list("member_id", flat=True)),
        list(Recusal.objects.order_by("pk").values_list("item_id", "member_id")),
        AuditEvent.objects.count(),
    )


def test_refusals_change_nothing(org, seven, secretariat, member):
    members, stages = seven
    client = client_for(secretariat)
    created = services.session_create(
        by=secretariat, council=org.council, title="Phiên trống", meeting_on=timezone.localdate(),
        opens_at=timezone.now(), closes_at=timezone.now() + timezone.timedelta(hours=1),
    )  # fmt: skip

    def refused(response, message):
        assert message in " ".join(page_messages(response)) or message in response.text

    # Opening an empty agenda.
    before = snapshot(created)
    refused(act(client, created, "open"), vi("Put at least one nomination on the agenda before opening the vote."))
    assert snapshot(created) == before

    # A bulk add with one nomination that does not wait for the council: nothing added, every cause listed.
    submitted = at_council(org, name="Người chưa được tiếp nhận")
    response = client.post(
        reverse("session_agenda", args=[created.pk]), {"stage": [stages[0].pk, submitted.pk, stages[1].pk]}
    )
    assert response.status_code == 400
    assert vi("Nothing was added to the agenda:") in response.text and "Người chưa được tiếp nhận" in response.text
    assert f'id="stage-{stages[0].pk}" checked' in response.text  # the choice is kept
    assert snapshot(created) == before
    response = client.post(reverse("session_agenda", args=[created.pk]), {})
    assert response.status_code == 400 and vi("Choose at least one nomination.") in response.text

    # A recusal without a reason, of someone outside the council, an unknown action, a vanished item.
    services.session_add_items(by=secretariat, session=created, stages=stages[:2])
    item = created.items.first()
    before = snapshot(created)
    refused(act(client, created, "recuse", member=members[1].pk, item=item.pk, reason=" "),
            vi("Give the reason for the recusal."))  # fmt: skip
    outsider = factories.add_member(factories.make_council(org.unit_b), factories.make_user())
    refused(act(client, created, "recuse", member=outsider.pk, item=item.pk, reason="x"),
            vi("Choose members of %(council)s.", council=org.council.name))  # fmt: skip
    refused(act(client, created, "attendance", present=[outsider.pk]),
            vi("Choose members of %(council)s.", council=org.council.name))  # fmt: skip
    refused(act(client, created, "remove_item", item=999999), vi("The item is no longer on the agenda."))
    refused(act(client, created, "dance"), vi("Choose an action."))
    assert snapshot(created) == before

    # A council member is not the secretariat: 403; the secretariat of another council: 404.
    assert client_for(member).post(reverse("session_act", args=[created.pk]), {"action": "open"}).status_code == 403
    assert client_for(member).get(reverse("session_agenda", args=[created.pk])).status_code == 403
    other = factories.make_user("secretariat_b")
    permissions.grant_secretariat(other, factories.make_council(org.unit_b))
    assert client_for(other).post(reverse("session_act", args=[created.pk]), {"action": "open"}).status_code == 404
    assert client_for(other).get(reverse("session_detail", args=[created.pk])).status_code == 404
    assert snapshot(created) == before

    # Once open: agenda, attendance and recusals are frozen, the picker sends back to the session.
    act(client, created, "open")
    before = snapshot(created)
    frozen = vi("The agenda, attendance and recusals cannot change once voting has opened.")
    refused(act(client, created, "remove_item", item=item.pk), frozen)
    refused(act(client, created, "attendance", present=[members[0].pk]), frozen)
    refused(act(client, created, "recuse", member=members[1].pk, item=item.pk, reason="x"), frozen)
    refused(client.get(reverse("session_agenda", args=[created.pk]), follow=True), frozen)
    assert snapshot(created) == before


def test_a_new_session_is_validated_in_vietnamese(org, secretariat, officer_a, member):
    client = client_for(secretariat)
    data = {"council": org.council.pk, "title": "Phiên họp", "meeting_on": timezone.localdate().isoformat()}
    now = timezone.localtime()
    backwards = {"opens_at": now.strftime(LOCAL), "closes_at": (now - timezone.timedelta(hours=1)).strftime(LOCAL)}
    response = client.post(reverse("session_create"), {**data, **backwards})
    assert response.status_code == 200
    assert response.context["form"].errors["closes_at"] == [vi("Voting must close after it opens.")]
    past = {"opens_at": (now - timezone.timedelta(days=2)).strftime(LOCAL),
            "closes_at": (now - timezone.timedelta(days=1)).strftime(LOCAL)}  # fmt: skip
    response = client.post(reverse("session_create"), {**data, **past})
    assert response.context["form"].errors["closes_at"] == [vi("The voting window must end in the future.")]
    response = client.post(reverse("session_create"), {**data, "title": "", **window()})
    assert "title" in response.context["form"].errors
    assert "bắt buộc" in response.context["form"].errors["title"][0]  # Django's own Vietnamese
    # Another council than the secretariat's is not a choice.
    other = factories.make_council(org.unit_b)
    response = client.post(reverse("session_create"), {**data, **window(), "council": other.pk})
    assert "council" in response.context["form"].errors
    assert not CouncilSession.objects.exists()
    for user in (officer_a, member):
        assert client_for(user).get(reverse("session_create")).status_code == 403
    # The window is read in Vietnam time.
    response = client.post(reverse("session_create"), {**data, "opens_at": "2030-01-02T08:00",
                                                       "closes_at": "2030-01-02T17:30"})  # fmt: skip
    session = CouncilSession.objects.get()
    assert timezone.localtime(session.opens_at).strftime(LOCAL) == "2030-01-02T08:00"
    assert session.opens_at.utcoffset() is not None and session.opens_at.hour == 1  # 08:00 +07 = 01:00 UTC


# The list --------------------------------------------------------------------------------------------------


def test_the_list_shows_each_user_the_sessions_of_their_councils(org, secretariat, member, officer_a, admin_user):
    ours = services.session_create(
        by=secretariat, council=org.council, title="Phiên họp tháng 5 năm 2025", meeting_on=timezone.localdate(),
        opens_at=timezone.now(), closes_at=timezone.now() + timezone.timedelta(hours=1),
    )  # fmt: skip
    other_council = factories.make_council(org.unit_b)
    theirs = services.session_create(
        by=admin_user, council=other_council, title="Phiên họp Sở Y tế", meeting_on=timezone.localdate(),
        opens_at=timezone.now(), closes_at=timezone.now() + timezone.timedelta(hours=1),
    )  # fmt: skip

    def listed(user, **query):
        response = client_for(user).get(reverse("session_list"), query)
        assert response.status_code == 200
        return {session.pk for session in response.context["page"]}

    assert listed(secretariat) == {ours.pk}
    assert listed(member) == {ours.pk}
    assert listed(officer_a) == set()
    assert listed(admin_user) == {ours.pk, theirs.pk}
    assert listed(admin_user, council=other_council.pk) == {theirs.pk}
    assert listed(admin_user, q="tháng 5") == {ours.pk}
    assert listed(admin_user, state="open") == set()
    assert listed(admin_user, year=timezone.localdate().year) == {ours.pk, theirs.pk}
    assert listed(admin_user, year=2001) == set()
    # The menu entry: admins, secretariats and members.
    entry = f'href="{reverse("session_list")}"'
    assert entry in client_for(member).get(reverse("home")).text
    assert entry in client_for(secretariat).get(reverse("home")).text
    assert entry not in client_for(officer_a).get(reverse("home")).text

    export = client_for(secretariat).get(reverse("session_list"), {"format": "xlsx"})
    sheet = excel.read_sheet(export.content)
    assert [row[0] for _number, row in sheet.rows] == ["Phiên họp tháng 5 năm 2025"]


def test_the_list_pages(org, secretariat):
    for index in range(55):
        CouncilSession.objects.create(
            council=org.council, title=f"Phiên {index}", meeting_on=timezone.localdate(),
            opens_at=timezone.now(), closes_at=timezone.now() + timezone.timedelta(hours=1),
        )  # fmt: skip
    client = client_for(secretariat)
    assert len(client.get(reverse("session_list")).context["page"]) == 50
    assert len(client.get(reverse("session_list"), {"page": 2}).context["page"]) == 5


# Query counts ----------------------------------------------------------------------------------------------


def _session_of(org, secretariat, members, size):
    stages = [at_council(org, state=ACCEPTED) for _i in range(size)]
    session = draft_session(org, secretariat, stages)
    items = list(session.items.order_by("order"))
    services.session_set_attendance(by=secretariat, session=session, members=members[:3])
    services.session_declare_recusal(by=secretariat, item=items[0], member=members[1], reason="Cùng đơn vị")
    return session, stages


def _queries(client, url, **query) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query)
    assert response.status_code == 200
    return len(queries)


def test_the_pages_run_the_same_number_of_queries_for_3_and_30_items(org, secretariat, django_assert_max_num_queries):
    two_thirds_rule(org)
    members = council_members(org, 7)
    secretariat_client, member_client = client_for(secretariat), client_for(members[1].user)
    counts = {}
    for size in (3, 30):
        session, _stages = _session_of(org, secretariat, members, size)
        for _i in range(size):
            at_council(org, state=ACCEPTED)  # waiting for the agenda picker
        detail_url = reverse("session_detail", args=[session.pk])
        agenda_url = reverse("session_agenda", args=[session.pk])
        with django_assert_max_num_queries(16):
            counts[size, "draft"] = _queries(secretariat_client, detail_url)
        with django_assert_max_num_queries(20):  # the picker also reads what stands before the vote (consultations)
            counts[size, "agenda"] = _queries(secretariat_client, agenda_url, select="page")
        services.session_open(by=secretariat, session=session)
        with django_assert_max_num_queries(16):
            counts[size, "open"] = _queries(secretariat_client, detail_url)
        with django_assert_max_num_queries(12):
            counts[size, "ballot"] = _queries(member_client, ballot_url(session))
        services.session_close(by=secretariat, session=session)
        with django_assert_max_num_queries(16):
            counts[size, "closed"] = _queries(secretariat_client, detail_url)
        with django_assert_max_num_queries(16):
            counts[size, "member"] = _queries(member_client, detail_url)
        # Leave the waiting stages of this round out of the next one's picker.
        ReviewStage.objects.filter(state=ACCEPTED, agenda_items__isnull=True).update(state=ReviewStage.State.FAILED)
    for page in ("draft", "agenda", "open", "ballot", "closed", "member"):
        assert counts[3, page] == counts[30, page], page


def test_the_agenda_page_shows_why_a_nomination_cannot_be_put_to_the_vote(org, secretariat):
    """CSTĐ toàn quốc requires a public consultation (10 days in the seeded rules): without one, its row says so
    and its box cannot be ticked, while an LĐTT beside it can."""
    blocked = at_council(org, state=ReviewStage.State.ACCEPTED, code="CSTDTQ", name="Phạm Thị Lan")
    free = at_council(org, state=ReviewStage.State.ACCEPTED, code="LDTT", name="Võ Văn Kiệt")
    now = timezone.now()
    session = services.session_create(
        by=secretariat, council=org.council, title="Phiên họp", meeting_on=timezone.localdate(), opens_at=now,
        closes_at=now + timezone.timedelta(hours=2),
    )  # fmt: skip
    page = client_for(secretariat).get(reverse("session_agenda", args=[session.pk]) + "?select=page")
    html = page.content.decode()
    blocked_box = re.search(rf'name="stage" value="{blocked.pk}"[^>]*>', html).group(0)
    free_box = re.search(rf'name="stage" value="{free.pk}"[^>]*>', html).group(0)
    assert "disabled" in blocked_box and "checked" not in blocked_box
    assert "checked" in free_box and "disabled" not in free_box
    assert "Phạm Thị Lan" in html and "lấy ý kiến" in html.lower()
