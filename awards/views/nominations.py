"""The proposing unit's pages of nominations and proposal letters (issue 5): list, create, edit, the nomination
page (eligibility, dossier, route, revisions, timeline), letters (create, add drafts, send, recall, PDF) and
resubmission after a return. Every write is a service of awards.nominations; its NominationError becomes a
message and the user is sent back."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit import registry
from audit.models import AuditEvent
from awards import access, eligibility
from awards import nominations as services
from awards import search as award_search
from awards import selectors_nominations as selectors
from awards.letters import submission_pdf
from awards.models import AwardType, DossierDocument, Nomination, Submission
from awards.models.catalogue import AwardKind
from awards.nominations import NominationError
from awards.views.documents import dossier_context
from awards.views.history import STATUS_BADGES
from campaigns.models import Campaign
from organizations.models import Household, Person, Unit
from thiduakt.lib import excel, permissions
from thiduakt.lib.forms import BootstrapMixin
from thiduakt.lib.pdf import pdf_response
from thiduakt.lib.search import clean_query, searchable

PAGE_SIZE = 50
State = Nomination.State
STATE_BADGES = {
    State.DRAFT: "text-bg-light",
    State.SUBMITTED: "text-bg-primary",
    State.IN_APPRAISAL: "text-bg-info",
    State.RETURNED: "text-bg-warning",
    State.REJECTED: "text-bg-danger",
    State.NOT_APPROVED: "text-bg-danger",
    State.AWARDED: "text-bg-success",
    State.ON_HOLD: "text-bg-dark",
}
LIST_RELATED = ("award_type", "proposing_unit", "person", "unit", "household", "submission")
MAX_IDS = 1000


# Forms -----------------------------------------------------------------------------------------------------


class NominationFieldsForm(BootstrapMixin, forms.Form):
    award_type = forms.ModelChoiceField(
        label=gettext_lazy("Award"), queryset=AwardType.objects.order_by("order", "code"), to_field_name="code"
    )
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1945, max_value=2100)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=AwardKind.choices)
    procedure = forms.ChoiceField(label=gettext_lazy("Procedure"), choices=Nomination.Procedure.choices)
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("Campaign"), queryset=Campaign.objects.order_by("-period_start", "code"), required=False
    )
    achievement = forms.CharField(
        label=gettext_lazy("Achievement summary"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20000
    )


class NominationCreateForm(NominationFieldsForm):
    SUBJECT_MODELS = {"person": Person, "unit": Unit, "household": Household}

    subject_type = forms.ChoiceField(
        label=gettext_lazy("Subject type"),
        choices=[
            ("person", gettext_lazy("Person")),
            ("unit", gettext_lazy("Collective")),
            ("household", gettext_lazy("Household")),
        ],
    )
    subject_code = forms.CharField(
        label=gettext_lazy("Subject code"),
        max_length=32,
        help_text=gettext_lazy("The code of the person, the collective or the household."),
    )
    proposing_unit = forms.CharField(label=gettext_lazy("Proposing unit code"), max_length=32)
    field_order = ["subject_type", "subject_code", "proposing_unit", "award_type", "year", "kind", "procedure"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_subject_code(self):
        code = self.cleaned_data["subject_code"].strip()
        model = self.SUBJECT_MODELS.get(self.data.get("subject_type"), Person)
        # Only subjects the user may see: an outsider's code reads as unknown, not as someone elsewhere.
        covered = permissions.covered_units_q(self.user, field="" if model is Unit else "unit__")
        subject = model.objects.filter(covered, code=code).first()
        if subject is None:
            raise forms.ValidationError(_("No subject with this code in the units you cover."))
        return subject

    def clean_proposing_unit(self):
        return _editable_unit(self.user, self.cleaned_data["proposing_unit"])


class NominationEditForm(NominationFieldsForm):
    justification = forms.CharField(
        label=gettext_lazy("Justification"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=20000,
        help_text=Nomination._meta.get_field("justification").help_text,
    )


class SubmissionForm(BootstrapMixin, forms.Form):
    unit = forms.CharField(label=gettext_lazy("Proposing unit code"), max_length=32)
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1945, max_value=2100)
    title = forms.CharField(label=gettext_lazy("Subject line"), max_length=255)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_unit(self):
        return _editable_unit(self.user, self.cleaned_data["unit"])


def _editable_unit(user, code: str) -> Unit:
    unit = Unit.objects.filter(code=code.strip()).first()
    if unit is None or not (permissions.is_system_admin(user) or permissions.unit_roles(user, unit) & access.EDITORS):
        raise forms.ValidationError(_("Give the code of a unit where you are an officer or head."))
    return unit


def _home_unit(user) -> Unit | None:
    """The first unit the user prepares nominations for: the default proposing unit of the forms."""
    assignment = (
        next((a for a in permissions.role_assignments(user) if a.permission.codename in access.EDITORS), None)
        if user.is_authenticated
        else None
    )
    return assignment.content_object if assignment else None


def _report(request, error: NominationError) -> None:
    for line in str(error).split("\n"):
        messages.error(request, line)


# Nominations -----------------------------------------------------------------------------------------------


def _filtered_nominations(request):
    nominations = selectors.visible_nominations(request.user).select_related(*LIST_RELATED)
    filters = {"year": request.GET.get("year", ""), "state": request.GET.get("state", ""), "award": "", "q": ""}
    if filters["year"].isascii() and filters["year"].isdigit():
        nominations = nominations.filter(year=int(filters["year"]))
    if filters["state"] in State.values:
        nominations = nominations.filter(state=filters["state"])
    award = request.GET.get("award", "").strip()
    if award:
        filters["award"] = award
        nominations = nominations.filter(award_type__code=award)
    query = clean_query(request.GET.get("q"))
    if searchable(query):
        filters["q"] = query
        nominations = nominations.filter(award_search.nomination_q(query))
    # The nominations just created in bulk (awards.views.bulk_nominations): a list of pks, capped.
    ids = [int(v) for v in request.GET.get("ids", "").split(",") if v.isascii() and v.isdigit()][:MAX_IDS]
    if ids:
        filters["ids"] = ",".join(str(pk) for pk in ids)
        nominations = nominations.filter(pk__in=ids)
    return nominations.order_by("-year", "-pk"), filters


@login_required
def nomination_list(request):
    nominations, filters = _filtered_nominations(request)
    if request.GET.get("format") == "xlsx":
        return _nominations_workbook(nominations)
    page = Paginator(nominations, PAGE_SIZE).get_page(request.GET.get("page"))
    for nomination in page:
        nomination.badge = STATE_BADGES.get(nomination.state, "text-bg-secondary")
    return render(
        request,
        "awards/nominations/list.html",
        {
            "page": page,
            "filters": filters,
            "states": State.choices,
            "award_types": AwardType.objects.order_by("order", "code"),
            "can_add": permissions.may_edit_somewhere(request.user),
        },
    )


def _nominations_workbook(nominations):
    rows = (
        (
            n.pk,
            n.year,
            n.award_type.code,
            n.award_type.name,
            str(n.subject),
            getattr(n.subject, "code", ""),
            n.proposing_unit.code,
            n.get_kind_display(),
            n.get_state_display(),
            str(n.submission) if n.submission else "",
            timezone.localtime(n.updated_at).date(),
        )
        for n in nominations.iterator(chunk_size=2000)
    )
    header = [_("No."), _("Year"), _("Award code"), _("Award"), _("Subject"), _("Subject code"),
              _("Proposing unit"), _("Kind"), _("State"), _("Proposal letter"), _("Updated")]  # fmt: skip
    return excel.xlsx_response("ho-so-de-nghi.xlsx", [excel.SheetSpec(_("Nominations"), header, rows)])


@login_required
def nomination_create(request):
    if not permissions.may_edit_somewhere(request.user):
        raise PermissionDenied
    home = _home_unit(request.user)
    initial = {"year": timezone.localdate().year, "proposing_unit": home.code if home else ""}
    form = NominationCreateForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            nomination = services.nomination_create(
                by=request.user,
                subject=data["subject_code"],
                proposing_unit=data["proposing_unit"],
                award_type=data["award_type"],
                year=data["year"],
                kind=data["kind"],
                procedure=data["procedure"],
                campaign=data["campaign"],
                achievement=data["achievement"],
            )
        except NominationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The nomination was created as a draft."))
            return redirect("nomination_detail", pk=nomination.pk)
    return render(request, "awards/nominations/form.html", {"form": form})


@login_required
def nomination_edit(request, pk):
    nomination = access.get_nomination_for_user(request, pk, allowed=access.EDITORS)
    if nomination.state not in services.EDITABLE:
        messages.error(request, _("A nomination can be changed only while it is a draft or returned for supplement."))
        return redirect("nomination_detail", pk=nomination.pk)
    initial = {
        "award_type": nomination.award_type.code,
        "year": nomination.year,
        "kind": nomination.kind,
        "procedure": nomination.procedure,
        "campaign": nomination.campaign_id,
        "achievement": nomination.achievement,
        "justification": nomination.justification,
    }
    form = NominationEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.nomination_update(by=request.user, nomination=nomination, **form.cleaned_data)
        except NominationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The nomination was saved."))
            return redirect("nomination_detail", pk=nomination.pk)
    return render(request, "awards/nominations/form.html", {"form": form, "nomination": nomination})


def _eligibility_panel(nomination) -> dict:
    """A draft is checked live; once submitted the page shows what was stored when the letter left."""
    if nomination.state == State.DRAFT:
        verdict = next(iter(eligibility.check(nomination.subject, nomination.year, [nomination.award_type.code])), None)
        if verdict is None:
            return {"live": True, "status": None, "reasons": []}
        return {"live": True, "status": verdict.status, "reasons": [r.as_dict() for r in verdict.reasons]}
    stored = nomination.eligibility or {}
    return {
        "live": False,
        "status": stored.get("status"),
        "reasons": stored.get("reasons", []),
        "pending": stored.get("pending", []),
        "quota": stored.get("quota"),
        # Stored as an ISO string in UTC: parsed, the page shows it in local time like every other date.
        "checked_at": parse_datetime(stored["checked_at"]) if stored.get("checked_at") else None,
    }


def _last_diff(revisions: list) -> list | None:
    """The rows of what changed in the last resubmission, labelled as on the secretariat's stage page."""
    if len(revisions) < 2:
        return None
    return selectors.diff_rows(services.revision_diff(revisions[-2].snapshot, revisions[-1].snapshot))


@login_required
def nomination_detail(request, pk):
    nomination = access.get_nomination_for_user(request, pk)
    relations = nomination.relations
    is_admin = access.ADMIN in relations
    kinds = dict(DossierDocument.Kind.choices)
    stages = list(nomination.stages.select_related("council").order_by("order"))
    for stage in stages:
        stage.reasons = [
            {"document": kinds.get(r.get("document"), ""), "text": r.get("text", "")} for r in stage.reason
        ]
    revisions = list(nomination.revisions.order_by("number"))
    events = AuditEvent.objects.filter(object_type="awards.nomination", object_id=str(nomination.pk)).order_by("-seq")
    timeline = [{"event": event, "label": registry.verb_label(event.verb)} for event in events]
    panel = _eligibility_panel(nomination)
    panel["badge"] = STATUS_BADGES.get(panel["status"], "text-bg-light")
    context = {
        **dossier_context(nomination),
        "badge": STATE_BADGES.get(nomination.state, "text-bg-secondary"),
        "panel": panel,
        "stages": stages,
        "revisions": revisions,
        "diff": _last_diff(revisions),
        "timeline": timeline,
        "can_edit": nomination.state in services.EDITABLE and bool(relations & (access.EDITORS | {access.ADMIN})),
        "can_resubmit": nomination.state == State.RETURNED and (is_admin or Unit.Role.HEAD in relations),
    }
    return render(request, "awards/nominations/detail.html", context)


@login_required
@require_POST
def nomination_resubmit(request, pk):
    nomination = access.get_nomination_for_user(request, pk, allowed=services.HEADS)
    try:
        diff = services.nomination_resubmit(
            by=request.user, nomination=nomination, justification=request.POST.get("justification", "")
        )
    except NominationError as error:
        _report(request, error)
    else:
        messages.success(request, _("The nomination was resubmitted. %(changes)s") % {"changes": describe_diff(diff)})
    return redirect("nomination_detail", pk=nomination.pk)


def describe_diff(diff: dict) -> str:
    parts = []
    if diff["fields"]:
        parts.append(
            _("Changed: %(fields)s.") % {"fields": ", ".join(selectors.field_label(name) for name in diff["fields"])}
        )
    documents = diff["documents"]
    if documents["added"]:
        parts.append(
            _("Documents added: %(names)s.") % {"names": ", ".join(d["original_name"] for d in documents["added"])}
        )
    if documents["removed"]:
        names = ", ".join(d["original_name"] for d in documents["removed"])
        parts.append(_("Documents removed: %(names)s.") % {"names": names})
    return " ".join(parts) or _("Nothing changed since the previous submission.")


# Proposal letters ------------------------------------------------------------------------------------------


@login_required
def submission_list(request):
    submissions = (
        Submission.objects.filter(permissions.covered_units_q(request.user, field="unit__"))
        .select_related("unit")
        .annotate(count=Count("nominations"))
        .order_by("-year", "-number", "-pk")
    )
    page = Paginator(submissions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "awards/nominations/submission_list.html",
        {"page": page, "can_add": permissions.may_edit_somewhere(request.user)},
    )


@login_required
def submission_create(request):
    if not permissions.may_edit_somewhere(request.user):
        raise PermissionDenied
    home = _home_unit(request.user)
    initial = {"year": timezone.localdate().year, "unit": home.code if home else ""}
    form = SubmissionForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            submission = services.submission_create(
                by=request.user, unit=data["unit"], year=data["year"], title=data["title"]
            )
        except NominationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The proposal letter was created. Add the nominations it proposes."))
            return redirect("submission_detail", pk=submission.pk)
    return render(request, "awards/nominations/submission_form.html", {"form": form})


@login_required
def submission_detail(request, pk):
    submission = access.get_submission_for_user(request, pk)
    if request.GET.get("format") == "pdf":
        name = f"to-trinh-{submission.pk}.pdf"
        return pdf_response(name, submission_pdf(submission))
    relations = submission.relations
    is_admin = access.ADMIN in relations
    nominations = list(submission.nominations.select_related(*LIST_RELATED).order_by("pk"))
    for nomination in nominations:
        nomination.badge = STATE_BADGES.get(nomination.state, "text-bg-secondary")
    draft = submission.state == Submission.State.DRAFT
    may_prepare = is_admin or bool(relations & access.EDITORS)
    addable = []
    if draft and may_prepare:
        addable = list(
            Nomination.objects.filter(proposing_unit=submission.unit, state=State.DRAFT, submission__isnull=True)
            .select_related(*LIST_RELATED)
            .order_by("-year", "pk")
        )
    is_head = is_admin or Unit.Role.HEAD in relations
    return render(
        request,
        "awards/nominations/submission_detail.html",
        {
            "submission": submission,
            "nominations": nominations,
            "addable": addable,
            "can_add": draft and may_prepare,
            "can_send": draft and is_head and bool(nominations),
            "can_recall": submission.state == Submission.State.SENT and is_head,
        },
    )


@login_required
@require_POST
def submission_add(request, pk):
    submission = access.get_submission_for_user(request, pk, allowed=access.EDITORS)
    ids = [int(value) for value in request.POST.getlist("nominations") if value.isascii() and value.isdigit()]
    chosen = list(Nomination.objects.filter(pk__in=ids, proposing_unit=submission.unit))
    if not chosen:
        messages.error(request, _("Tick the nominations to add."))
        return redirect("submission_detail", pk=submission.pk)
    try:
        services.submission_add(by=request.user, submission=submission, nominations=chosen)
    except NominationError as error:
        _report(request, error)
    else:
        messages.success(request, _("%(count)d nomination(s) added to the letter.") % {"count": len(chosen)})
    return redirect("submission_detail", pk=submission.pk)


@login_required
@require_POST
def submission_send(request, pk):
    submission = access.get_submission_for_user(request, pk, allowed=services.HEADS)
    justifications = {}
    for key, text in request.POST.items():
        if key.startswith("justification-") and key[14:].isascii() and key[14:].isdigit():
            justifications[int(key[14:])] = text
    try:
        submission = services.submission_send(by=request.user, submission=submission, justifications=justifications)
    except NominationError as error:
        _report(request, error)
    else:
        messages.success(request, _("The proposal letter %(number)s was sent.") % {"number": submission})
    return redirect("submission_detail", pk=submission.pk)


@login_required
@require_POST
def submission_recall(request, pk):
    submission = access.get_submission_for_user(request, pk, allowed=services.HEADS)
    try:
        services.submission_recall(by=request.user, submission=submission)
    except NominationError as error:
        _report(request, error)
    else:
        messages.success(request, _("The proposal letter was recalled: its nominations are drafts again."))
    return redirect("submission_detail", pk=submission.pk)
