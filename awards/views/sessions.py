"""Council session pages (issue 6): the list of sessions, a new session, one session (prepared, open, closed), the
agenda picker, the secretariat's actions, and a member's secret ballot.

Every action goes through awards.sessions, which checks again who acts and the state; the views only decide what
to show. Secrecy on the pages: while a session is open nobody, admins included, sees anything per item but its
rule and its recusals; the secretariat sees how many members have voted. The counts appear once it is closed. A
ballot is never shown back to its voter after it was cast."""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from awards import consultation as consultation_services
from awards import selectors_sessions as selectors
from awards import sessions as services
from awards.models import AgendaItem, BallotPaper, CouncilSession, Recusal
from awards.sessions import SessionError
from organizations.models import CouncilMember
from thiduakt.lib import excel, permissions
from thiduakt.lib.forms import BootstrapMixin, DateInput
from thiduakt.lib.pagination import page_by_keys

PAGE_SIZE = 50
SessionState = CouncilSession.State
Choice = BallotPaper.Choice
# The three answers of the ballot, in the words of a Vietnamese ballot paper.
BALLOT_CHOICES = (
    (Choice.AGREE, gettext_lazy("Agree")),
    (Choice.DISAGREE, gettext_lazy("Disagree")),
    (Choice.ABSTAIN, gettext_lazy("Abstain")),
)
DONE_MESSAGES = {
    "remove_item": gettext_lazy("The nomination was taken off the agenda."),
    "attendance": gettext_lazy("The attendance was recorded."),
    "recuse": gettext_lazy("The recusal was recorded: the member will not vote on that item."),
    "open": gettext_lazy("Voting is open. The agenda, the vote rules and the voting members are now frozen."),
    "close": gettext_lazy("Voting is closed and the ballots were counted."),
}


# Access ----------------------------------------------------------------------------------------------------


@dataclass
class SessionAccess:
    session: CouncilSession
    manages: bool  # the council's secretariat, or an admin
    member: CouncilMember | None  # the user's seat in the council, if any


def get_session_for_user(request, pk, *, manage: bool = False) -> SessionAccess:
    """The session, for its council's secretariat, an admin or a member of its council; 404 to everyone else.
    With `manage`, a member who is not of the secretariat gets 403."""
    session = get_object_or_404(CouncilSession.objects.select_related("council"), pk=pk)
    user = request.user
    manages = permissions.is_system_admin(user) or permissions.is_secretariat(user, session.council)
    member = selectors.membership(user, session)
    if not manages and member is None:
        raise Http404
    if manage and not manages:
        raise PermissionDenied
    return SessionAccess(session=session, manages=manages, member=member)


# Forms -----------------------------------------------------------------------------------------------------


class DateTimeLocalInput(forms.DateTimeInput):
    """A native date-and-time picker, in the site's time zone (Asia/Ho_Chi_Minh)."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class SessionFilterForm(forms.Form):
    council = forms.ModelChoiceField(label=gettext_lazy("Council"), queryset=None, required=False)
    state = forms.ChoiceField(label=gettext_lazy("State"), choices=[("", "—"), *SessionState.choices], required=False)
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1945, max_value=2100, required=False)
    q = forms.CharField(label=gettext_lazy("Session title"), max_length=100, required=False)

    def __init__(self, *args, councils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils


class SessionForm(BootstrapMixin, forms.Form):
    council = forms.ModelChoiceField(label=gettext_lazy("Council"), queryset=None)
    title = forms.CharField(label=gettext_lazy("Session title"), max_length=255)
    meeting_on = forms.DateField(label=gettext_lazy("Meeting date"), widget=DateInput())
    opens_at = forms.DateTimeField(label=gettext_lazy("Voting opens at"), widget=DateTimeLocalInput())
    closes_at = forms.DateTimeField(
        label=gettext_lazy("Voting closes at"),
        widget=DateTimeLocalInput(),
        help_text=gettext_lazy("Vietnam time. When the window ends, voting is closed and counted automatically."),
    )
    remote = forms.BooleanField(label=gettext_lazy("Members may vote remotely"), required=False)

    def __init__(self, *args, councils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("Voting must close after it opens."))
        elif closes and closes <= timezone.now():
            self.add_error("closes_at", _("The voting window must end in the future."))
        return data


class AgendaFilterForm(forms.Form):
    award_type = forms.ChoiceField(label=gettext_lazy("Award"), required=False)
    unit = forms.ChoiceField(label=gettext_lazy("Proposing unit"), required=False)
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1945, max_value=2100, required=False)
    q = forms.CharField(label=gettext_lazy("Nominee"), max_length=100, required=False)

    def __init__(self, *args, awards, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award_type"].choices = [("", "—"), *awards]
        self.fields["unit"].choices = [("", "—"), *units]


def _ids(values) -> list[int]:
    return [int(value) for value in values if value.isascii() and value.isdigit()]


# The list and a new session --------------------------------------------------------------------------------


@login_required
def session_list(request):
    user = request.user
    form = SessionFilterForm(request.GET or None, councils=selectors.visible_councils(user))
    data = form.cleaned_data if form.is_valid() else {}
    sessions = selectors.filter_sessions(selectors.visible_sessions(user), data)
    if request.GET.get("format") == "xlsx":
        return _list_workbook(sessions)
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    may_create = selectors.councils_to_prepare(user).exists()
    return render(request, "awards/sessions/list.html", {"form": form, "page": page, "may_create": may_create})


def _local(moment) -> str:
    return date_format(timezone.localtime(moment), "d/m/Y H:i") if moment else ""


def _list_workbook(sessions):
    rows = (
        (
            s.title,
            s.council.name,
            s.meeting_on,
            _local(s.opens_at),
            _local(s.closes_at),
            _("Yes") if s.remote else _("No"),
            s.get_state_display(),
            s.item_count,
        )
        for s in sessions.iterator(chunk_size=500)
    )
    header = [_("Session title"), _("Council"), _("Meeting date"), _("Voting opens at"), _("Voting closes at"),
              _("Remote voting"), _("State"), _("Items")]  # fmt: skip
    return excel.xlsx_response(
        "phien-hop-hoi-dong.xlsx",
        [excel.SheetSpec(_("Council sessions"), header, rows, widths=[50, 40, 14, 18, 18, 12, 16, 10])],
    )


@login_required
def session_create(request):
    councils = selectors.councils_to_prepare(request.user)
    if not councils.exists():
        raise PermissionDenied
    now = timezone.localtime().replace(second=0, microsecond=0)
    initial = {"meeting_on": now.date(), "opens_at": now, "closes_at": now + timezone.timedelta(days=1)}
    if len(councils) == 1:
        initial["council"] = councils[0]
    form = SessionForm(request.POST or None, councils=councils, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.session_create(by=request.user, **data)
        except SessionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The session was created. Put the nominations to vote on its agenda."))
            return redirect("session_detail", pk=session.pk)
    return render(request, "awards/sessions/form.html", {"form": form})


# One session -----------------------------------------------------------------------------------------------


@login_required
def session_detail(request, pk):
    access = get_session_for_user(request, pk)
    session = access.session
    closed = session.state == SessionState.CLOSED
    context = {"session": session, "access": access, "now": timezone.now()}
    if access.manages:
        items = _agenda(session)
        if closed and request.GET.get("format") == "xlsx":
            return _results_workbook(session, items)
        context.update(_management_context(session, items))
    if access.member is not None:
        voter = selectors.is_voter(access.member, session)
        context.update(is_voter=voter, has_voted=voter and selectors.has_voted(access.member, session))
        if closed and not access.manages:
            context["items"] = _agenda(session)
    return render(request, "awards/sessions/detail.html", context)


def _agenda(session: CouncilSession) -> list[AgendaItem]:
    items = selectors.agenda(session)
    for item in items:
        item.nomination = item.stage.nomination
        item.nominee_unit = selectors.nominee_unit(item.nomination)
        item.rule = selectors.rule_label(item.vote_rule)
    return items


def _management_context(session: CouncilSession, items: list[AgendaItem]) -> dict:
    members = selectors.voting_members(session)
    present = set(session.attendance.values_list("member_id", flat=True))
    for member in members:
        member.present = member.pk in present
    if session.state == SessionState.DRAFT:
        # The nominee's own recusal is recorded when voting opens; say so beforehand.
        by_user = {member.user_id: member for member in members}
        for item in items:
            person = item.nomination.person
            item.nominee_member = by_user.get(person.user_id) if person is not None and person.user_id else None
    context = {
        "items": items,
        "members": members,
        "present_count": len(present),
        "recusals": [recusal for item in items for recusal in item.recusals.all()],
    }
    if session.state == SessionState.OPEN:
        context["voted"], context["voters"] = services.session_progress(session)
    return context


def _results_workbook(session: CouncilSession, items: list[AgendaItem]):
    results = {True: _("Passed"), False: _("Not passed"), None: _("Not decided")}
    rows = (
        (
            item.order,
            str(item.nomination.subject),
            item.nominee_unit.name if item.nominee_unit else "",
            item.nomination.award_type.name,
            item.nomination.proposing_unit.name,
            item.agree,
            item.disagree,
            item.abstain,
            item.eligible_voters,
            item.rule.text if item.rule else "",
            results[item.passed],
            item.result_note,
        )
        for item in items
    )
    header = [_("No."), _("Nominee"), _("Unit"), _("Award"), _("Proposing unit"), _("Agree"), _("Disagree"),
              _("Abstain"), _("Eligible voters"), _("Vote rule"), _("Result"), _("Result note")]  # fmt: skip
    return excel.xlsx_response(
        f"ket-qua-phien-hop-{session.pk}.xlsx",
        [excel.SheetSpec(_("Results"), header, rows, widths=[6, 30, 30, 30, 30, 10, 12, 12, 14, 30, 16, 50])],
    )


@login_required
@require_POST
def session_act(request, pk):
    session = get_session_for_user(request, pk, manage=True).session
    action = request.POST.get("action", "")
    try:
        _act(request, session, action)
    except SessionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, DONE_MESSAGES[action])
    return redirect("session_detail", pk=session.pk)


def _act(request, session: CouncilSession, action: str) -> None:
    by, data = request.user, request.POST
    if action == "remove_item":
        services.session_remove_item(by=by, item=_item(session, data.get("item", "")))
    elif action == "attendance":
        services.session_set_attendance(by=by, session=session, members=_ids(data.getlist("present")))
    elif action == "recuse":
        member = CouncilMember.objects.filter(council=session.council, pk__in=_ids([data.get("member", "")])).first()
        if member is None:
            raise SessionError(_("Choose members of %(council)s.") % {"council": session.council.name})
        item = _item(session, data.get("item", ""))
        services.session_declare_recusal(by=by, item=item, member=member, reason=data.get("reason", ""))
    elif action == "open":
        services.session_open(by=by, session=session)
    elif action == "close":
        services.session_close(by=by, session=session)
    else:
        raise SessionError(_("Choose an action."))


def _item(session: CouncilSession, value: str) -> AgendaItem:
    item = AgendaItem.objects.filter(session=session, pk__in=_ids([value])).first()
    if item is None:
        raise SessionError(_("The item is no longer on the agenda."))
    return item


# The agenda picker -----------------------------------------------------------------------------------------


@login_required
def session_agenda(request, pk):
    session = get_session_for_user(request, pk, manage=True).session
    if session.state != SessionState.DRAFT:
        messages.error(request, _("The agenda, attendance and recusals cannot change once voting has opened."))
        return redirect("session_detail", pk=session.pk)
    awards, units = selectors.waiting_choices(session)
    form = AgendaFilterForm(request.GET or None, awards=awards, units=units)
    data = form.cleaned_data if form.is_valid() else {}
    error, checked = None, set()
    if request.method == "POST":
        ids = _ids(request.POST.getlist("stage"))
        try:
            added = services.session_add_items(by=request.user, session=session, stages=ids)
        except SessionError as refusal:
            error, checked = refusal, set(ids)
        else:
            messages.success(request, _("%(count)s nomination(s) put on the agenda.") % {"count": len(added)})
            return redirect("session_detail", pk=session.pk)
    stages = selectors.filter_waiting(selectors.waiting_stages(session), data)
    page = page_by_keys(stages, request.GET.get("page"), PAGE_SIZE)
    # What stands before the vote (a consultation open, a complaint unanswered, one required and not held) is
    # shown on the row, whose box cannot be ticked: session_add_items would refuse it anyway.
    blocked = consultation_services.vote_blockers({stage.nomination_id for stage in page})
    for stage in page:
        stage.nominee_unit = selectors.nominee_unit(stage.nomination)
        stage.blocked = blocked.get(stage.nomination_id, "")
    if request.GET.get("select") == "page" and error is None:
        checked = {stage.pk for stage in page if not stage.blocked}
    context = {
        "session": session,
        "form": form,
        "page": page,
        "checked": checked,
        "error": error,
        "agenda_count": session.items.count(),
    }
    return render(request, "awards/sessions/agenda.html", context, status=400 if error else 200)


# The ballot ------------------------------------------------------------------------------------------------


@login_required
def session_ballot(request, pk):
    session = get_object_or_404(CouncilSession.objects.select_related("council"), pk=pk)
    member = selectors.membership(request.user, session)
    if member is None:
        raise Http404
    voter = selectors.is_voter(member, session)
    voted = voter and selectors.has_voted(member, session)
    obstacle = _ballot_obstacle(session, voter, voted)
    items, error, missing, chosen = [], None, set(), {}
    if request.method == "POST":
        chosen = _posted_choices(request.POST)
        if obstacle is None:
            items = _ballot_rows(session, member)
            missing = {item.pk for item in items if not item.recusal and chosen.get(item.pk) not in Choice.values}
        if missing:
            error = _("Choose Agree, Disagree or No opinion for every item marked in red.")
        else:
            try:
                services.ballot_cast(by=request.user, session=session, choices=chosen)
            except SessionError as refusal:
                messages.error(request, str(refusal))
                return redirect("session_ballot", pk=session.pk)
            messages.success(
                request,
                _("Your ballot was recorded. It is secret and final: nobody, administrators included, can see how "
                  "you voted."),
            )  # fmt: skip
            return redirect("session_ballot", pk=session.pk)
    elif obstacle is None:
        items = _ballot_rows(session, member)
        if request.GET.get("all") == Choice.AGREE:
            chosen = {item.pk: Choice.AGREE for item in items if not item.recusal}
    for item in items:
        item.chosen, item.missing = chosen.get(item.pk, ""), item.pk in missing
    context = {
        "session": session,
        "member": member,
        "obstacle": obstacle,
        "voted": voted,
        "items": items,
        "votable": [item for item in items if not item.recusal],
        "error": error,
        "choices": BALLOT_CHOICES,
    }
    return render(request, "awards/sessions/ballot.html", context, status=400 if error else 200)


def _posted_choices(data) -> dict[int, str]:
    """{item id: choice} from the fields item-<id>; the service checks that they are exactly the member's items."""
    return {
        int(key[5:]): value
        for key, value in data.items()
        if key.startswith("item-") and key[5:].isascii() and key[5:].isdigit()
    }


def _ballot_obstacle(session: CouncilSession, voter: bool, voted: bool) -> str | None:
    """Why the member cannot vote now, in words; None when the ballot may be filled in."""
    window = {"opens": _local(session.opens_at), "closes": _local(session.closes_at)}
    if not voter:
        return _("You are not a voting member in this session.")
    if voted:
        return _("You have voted in this session. Your ballot is secret and final.")
    if session.state == SessionState.DRAFT:
        return _("Voting has not opened yet. It is planned from %(opens)s to %(closes)s.") % window
    if session.state == SessionState.CLOSED:
        return _("Voting in this session is closed.")
    now = timezone.now()
    if now < session.opens_at:
        return _("Voting opens at %(opens)s.") % window
    if now >= session.closes_at:
        return _("The voting window is closed.")
    return None


def _ballot_rows(session: CouncilSession, member: CouncilMember) -> list[AgendaItem]:
    """Every item of the agenda in order, each with the member's recusal (None when the member votes on it)."""
    recusals = {recusal.item_id: recusal for recusal in Recusal.objects.filter(item__session=session, member=member)}
    items = list(session.items.select_related(*selectors.AGENDA_RELATED).order_by("order"))
    for item in items:
        item.nomination = item.stage.nomination
        item.nominee_unit = selectors.nominee_unit(item.nomination)
        item.recusal = recusals.get(item.pk)
    return items
