"""The secretariat's side of the review: the work list of the stages at its councils, one stage with its dossier
and the actions on it (receive, accept, return, reject, hold, release), and bulk receive/accept from the list.

Every action goes through the services in awards.nominations, which check again who acts and the state; the views
only decide which buttons to show. The work list is open to every logged-in user and shows a non-secretariat an
empty list (the menu entry is shown to everyone: deciding it would cost a query on every page)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from awards import nominations as services
from awards import selectors_nominations as selectors
from awards.letters import submission_pdf
from awards.models import AwardType, DossierDocument, Nomination, ReviewStage, Submission
from awards.models.catalogue import AwardKind
from awards.views.eligibility import STATUS_LABELS
from thiduakt.lib import excel, permissions
from thiduakt.lib.pagination import page_by_keys
from thiduakt.lib.pdf import pdf_response

PAGE_SIZE = 50
StageState = ReviewStage.State
State = Nomination.State
OPEN = (StageState.SUBMITTED, StageState.IN_APPRAISAL)
STAGE_RELATED = (
    "council",
    "nomination__award_type",
    "nomination__person",
    "nomination__unit",
    "nomination__household",
    "nomination__proposing_unit",
)
TABS = (
    ("", gettext_lazy("All")),
    ("submitted", gettext_lazy("To receive")),
    ("in_appraisal", gettext_lazy("In appraisal")),
    ("accepted", gettext_lazy("Waiting for a session")),
    ("returned", gettext_lazy("Returned")),
    ("to_forward", gettext_lazy("To forward")),
    ("overdue", gettext_lazy("Overdue")),
)
BULK_ACTIONS = {"receive": services.stages_receive, "accept": services.stages_accept}
SUBJECT = ("award_type", "person", "unit", "household")


# Access ----------------------------------------------------------------------------------------------------


def visible_stages(user):
    """Stages reached on the route, at the councils where the user is secretariat (admins: all)."""
    stages = ReviewStage.objects.exclude(state=StageState.WAITING)
    if permissions.is_system_admin(user):
        return stages
    return stages.filter(council__in=permissions.secretariat_councils(user).values("pk"))


def get_stage_for_user(request, pk) -> ReviewStage:
    """The stage, for the secretariat of its council or an admin; 404 to everyone else (outsiders must not
    learn that the nomination exists)."""
    stage = get_object_or_404(ReviewStage.objects.select_related(*STAGE_RELATED), pk=pk)
    user = request.user
    if not (permissions.is_system_admin(user) or permissions.is_secretariat(user, stage.council)):
        raise Http404
    return stage


# Forms -----------------------------------------------------------------------------------------------------


class ReviewFilterForm(forms.Form):
    state = forms.ChoiceField(label=gettext_lazy("State"), choices=TABS, required=False)
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1945, max_value=2100, required=False)
    award_type = forms.ModelChoiceField(
        label=gettext_lazy("Award"), queryset=AwardType.objects.order_by("code"), to_field_name="code", required=False
    )
    unit = forms.CharField(label=gettext_lazy("Proposing unit code"), max_length=50, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=[("", "—"), *AwardKind.choices], required=False)


class ReturnReasonForm(forms.Form):
    document = forms.ChoiceField(
        label=gettext_lazy("Document"), choices=[("", "—"), *DossierDocument.Kind.choices], required=False
    )
    text = forms.CharField(label=gettext_lazy("What to supplement"), max_length=2000, required=False)


ReturnReasonFormSet = forms.formset_factory(ReturnReasonForm, extra=3, max_num=20)


def filter_stages(stages, data: dict):
    state = data.get("state")
    if state == "overdue":
        stages = stages.filter(state__in=OPEN, due_at__lt=timezone.now())
    elif state == "to_forward":
        stages = stages.filter(state=StageState.PASSED, nomination__state=State.FORWARDED)
    elif state:
        stages = stages.filter(state=state)
    if data.get("year"):
        stages = stages.filter(nomination__year=data["year"])
    if data.get("award_type"):
        stages = stages.filter(nomination__award_type=data["award_type"])
    if data.get("unit"):
        stages = stages.filter(nomination__proposing_unit__code__iexact=data["unit"].strip())
    if data.get("kind"):
        stages = stages.filter(nomination__kind=data["kind"])
    return stages.select_related(*STAGE_RELATED).order_by(F("due_at").asc(nulls_last=True), "pk")


# Views -----------------------------------------------------------------------------------------------------


@login_required
def review_list(request):
    form = ReviewFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    stages = filter_stages(visible_stages(request.user), data)
    if request.GET.get("format") == "xlsx":
        return _workbook(stages)
    page = page_by_keys(stages, request.GET.get("page"), PAGE_SIZE)
    now = timezone.now()
    for stage in page:
        stage.overdue = stage.state in OPEN and stage.due_at is not None and stage.due_at < now
    return render(
        request,
        "awards/review/list.html",
        {"form": form, "page": page, "tabs": TABS, "current_tab": data.get("state", "")},
    )


def _workbook(stages):
    rows = (
        (
            s.pk,
            s.nomination.award_type.code,
            s.nomination.year,
            s.nomination.get_kind_display(),
            str(s.nomination.subject),
            s.nomination.proposing_unit.code,
            s.nomination.proposing_unit.name,
            s.council.name,
            s.get_state_display(),
            timezone.localtime(s.due_at).date() if s.due_at else None,
        )
        for s in stages.iterator(chunk_size=2000)
    )
    header = [_("Stage"), _("Award"), _("Year"), _("Kind"), _("Nominee"), _("Unit code"), _("Proposing unit"),
              _("Council"), _("State"), _("Due")]  # fmt: skip
    return excel.xlsx_response("ho-so-xet-duyet.xlsx", [excel.SheetSpec(_("Review"), header, rows)])


@login_required
@require_POST
def review_bulk(request):
    ids = [int(value) for value in request.POST.getlist("stage") if value.isascii() and value.isdigit()]
    if request.POST.get("action") == "forward" and ids:
        return _forward(request, ids)
    action = BULK_ACTIONS.get(request.POST.get("action", ""))
    if action is None or not ids:
        messages.error(request, _("Choose the nominations and the action."))
        return _back_to_list(request)
    visible = set(visible_stages(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    failures = [
        _("Stage %(pk)s: not found among your councils' nominations.") % {"pk": pk} for pk in ids if pk not in visible
    ]
    result = action(by=request.user, stage_ids=visible)
    if result.refused:
        names = dict(ReviewStage.objects.filter(pk__in=result.refused).values_list("pk", "nomination_id"))
        subjects = {n.pk: n for n in Nomination.objects.filter(pk__in=names.values()).select_related(*SUBJECT)}
        failures += [
            f"{subjects[names[pk]]}: {error}" if pk in names else str(error) for pk, error in result.refused.items()
        ]
    if result.done:
        messages.success(request, _("%(count)s nomination(s) done.") % {"count": len(result.done)})
    if failures:
        messages.error(
            request, _("%(count)s refused: %(list)s") % {"count": len(failures), "list": "; ".join(failures)}
        )
    return _back_to_list(request)


def _forward(request, ids):
    """One forwarding letter for the chosen passed nominations; all or nothing."""
    visible = list(visible_stages(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    try:
        if len(visible) != len(set(ids)):
            raise services.NominationError(_("Some of the chosen nominations are not among your councils' ones."))
        letter = services.stages_forward(by=request.user, stage_ids=visible, title=request.POST.get("title", ""))
    except services.NominationError as error:
        messages.error(request, str(error))
        return _back_to_list(request)
    messages.success(
        request,
        _("Forwarding letter %(number)s sent with %(count)s nomination(s).")
        % {"number": letter, "count": len(visible)},
    )
    return redirect("review_letter", pk=letter.pk)


def _back_to_list(request):
    target = request.POST.get("next", "")
    list_url = reverse("review_list")
    if target.startswith(list_url) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(list_url)


@login_required
def review_stage(request, pk):
    stage = get_stage_for_user(request, pk)
    return render(request, "awards/review/stage.html", _stage_context(stage))


def _stage_context(stage: ReviewStage, return_formset=None) -> dict:
    nomination = stage.nomination
    documents = selectors.current_documents_many([nomination])[nomination.pk]
    revisions = list(nomination.revisions.order_by("-number")[:2])
    diff = None
    if len(revisions) == 2:
        diff = selectors.diff_rows(services.revision_diff(revisions[1].snapshot, revisions[0].snapshot))
    in_appraisal = stage.state == StageState.IN_APPRAISAL and nomination.state == State.IN_APPRAISAL
    route = list(nomination.stages.select_related("council", "letter__unit").order_by("order"))
    for step in route:
        step.reasons = selectors.labelled_reasons(step.reason)
    return {
        "stage": stage,
        "nomination": nomination,
        "route": route,
        "documents": documents,
        "eligibility": nomination.eligibility or {},
        "eligibility_label": STATUS_LABELS.get((nomination.eligibility or {}).get("status"), ""),
        "revision": revisions[0] if revisions else None,
        "diff": diff,
        "may_receive": stage.state == StageState.SUBMITTED and nomination.state == State.SUBMITTED,
        "may_decide": in_appraisal,
        "may_hold": nomination.state in services.HOLDABLE,
        "may_release": nomination.state == State.ON_HOLD,
        "return_formset": return_formset or ReturnReasonFormSet(prefix="reason"),
    }


@login_required
@require_POST
def review_act(request, pk):
    stage = get_stage_for_user(request, pk)
    action = request.POST.get("action", "")
    by, nomination = request.user, stage.nomination
    reason = request.POST.get("reason", "")
    try:
        if action == "receive":
            services.stage_receive(by=by, stage=stage)
        elif action == "accept":
            services.stage_accept(by=by, stage=stage)
        elif action == "return":
            services.stage_return(by=by, stage=stage, reasons=_return_reasons(request))
        elif action == "reject":
            services.stage_reject(by=by, stage=stage, reason=reason)
        elif action == "hold":
            services.nomination_hold(by=by, nomination=nomination, reason=reason)
        elif action == "release":
            services.nomination_release(by=by, nomination=nomination)
        else:
            raise services.NominationError(_("Choose an action."))
    except services.NominationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, DONE_MESSAGES[action])
    return redirect("review_stage", pk=stage.pk)


DONE_MESSAGES = {
    "receive": gettext_lazy("The nomination was received: the appraisal starts."),
    "accept": gettext_lazy("The nomination was accepted for the council."),
    "return": gettext_lazy("The nomination was returned to the proposing unit for a supplement."),
    "reject": gettext_lazy("The nomination was rejected."),
    "hold": gettext_lazy("The nomination was put on hold."),
    "release": gettext_lazy("The nomination was released from hold."),
}


def _return_reasons(request) -> list[dict]:
    """The reasons typed in the formset; the service refuses an empty list with its own message."""
    formset = ReturnReasonFormSet(request.POST, prefix="reason")
    if not formset.is_valid():
        raise services.NominationError(_("Choose the document from the list."))
    return [
        {"document": form.cleaned_data.get("document", ""), "text": form.cleaned_data.get("text", "")}
        for form in formset.forms
        if form.cleaned_data
    ]


# Letters ---------------------------------------------------------------------------------------------------


def get_letter_for_secretariat(request, pk) -> Submission:
    """A proposal or forwarding letter, for the secretariat of a council it brought nominations to or of the
    council that forwarded it (admins: all); 404 to everyone else. Units read their letters on their own pages."""
    letter = get_object_or_404(Submission.objects.select_related("unit", "council"), pk=pk)
    user = request.user
    if permissions.is_system_admin(user):
        return letter
    councils = permissions.secretariat_councils(user).values("pk")
    if letter.council_id and letter.council_id in {c["pk"] for c in councils}:
        return letter
    if ReviewStage.objects.filter(letter=letter, council__in=councils).exists():
        return letter
    raise Http404


@login_required
def review_letter(request, pk):
    letter = get_letter_for_secretariat(request, pk)
    if request.GET.get("format") == "pdf":
        return pdf_response(f"to-trinh-{letter.pk}.pdf", submission_pdf(letter))
    stages = (
        ReviewStage.objects.filter(letter=letter)
        .select_related(*STAGE_RELATED)
        .order_by("nomination__award_type__order", "pk")
    )
    return render(request, "awards/review/letter.html", {"letter": letter, "stages": stages})
