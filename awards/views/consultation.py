"""Public consultation pages (issue 6). For anyone, no login: the open consultations, one consultation's list of
nominees (by its random key, never an id of ours) and the form to send a comment or a complaint about one of
them. For the secretariat: its councils' consultations, publishing a new one from the nominations waiting at
its council, and one consultation with its feedback, the answer forms and the Excel sheet for the council.

Every write is a service of awards.consultation; its ConsultationError becomes a message."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from awards import consultation as services
from awards.consultation import ConsultationError
from awards.models import AgendaItem, AwardType, Consultation, ConsultationEntry, Feedback, Nomination, ReviewStage
from awards.models.consultation import MAX_DAYS
from organizations.models import Council
from thiduakt.accounts.lockout import client_ip
from thiduakt.lib import excel, permissions
from thiduakt.lib.forms import BootstrapMixin
from thiduakt.lib.pagination import page_by_keys

PAGE_SIZE = 50
PUBLIC_PAGE_SIZE = 100
CANDIDATE_PAGE_SIZE = 200
Kind = Feedback.Kind
Outcome = Feedback.Outcome
STATUSES = (("open", gettext_lazy("Open for feedback")), ("ended", gettext_lazy("Ended")))
FEEDBACK_STATUSES = (("unanswered", gettext_lazy("Not answered")), ("answered", gettext_lazy("Answered")))
CANDIDATE_RELATED = (
    "nomination__award_type",
    "nomination__proposing_unit",
    "nomination__person__unit",
    "nomination__unit",
    "nomination__household__unit",
)


# Access ----------------------------------------------------------------------------------------------------


def visible_consultations(user):
    """The consultations of the councils where the user is secretariat (admins: all)."""
    if permissions.is_system_admin(user):
        return Consultation.objects.all()
    return Consultation.objects.filter(council__in=permissions.secretariat_councils(user).values("pk"))


def publishing_councils(user):
    if permissions.is_system_admin(user):
        return Council.objects.select_related("unit").order_by("name")
    return permissions.secretariat_councils(user).order_by("name")


def get_consultation_for_user(request, pk) -> Consultation:
    """The consultation, for the secretariat of its council or an admin; 404 to everyone else."""
    consultation = get_object_or_404(Consultation.objects.select_related("council", "published_by"), pk=pk)
    user = request.user
    if not (permissions.is_system_admin(user) or permissions.is_secretariat(user, consultation.council)):
        raise Http404
    return consultation


def _published(**lookup) -> Consultation:
    return get_object_or_404(
        Consultation.objects.select_related("council").filter(opens_at__lte=timezone.now()), **lookup
    )


# Forms -----------------------------------------------------------------------------------------------------


class FeedbackForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("You send"), choices=Kind.choices, widget=forms.RadioSelect, initial=Kind.COMMENT
    )
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=services.NAME_MAX)
    contact = forms.CharField(
        label=gettext_lazy("Email or telephone"),
        max_length=services.CONTACT_MAX,
        required=False,
        help_text=gettext_lazy("Required for a complaint, so that the secretariat can answer you. Never published."),
    )
    text = forms.CharField(
        label=gettext_lazy("Content"), max_length=services.TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6})
    )
    # A field that people do not see and robots fill in.
    website = forms.CharField(label=gettext_lazy("Leave this field empty"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["class"] = "form-check-input"
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean(self):
        data = super().clean()
        if "kind" in data and "contact" in data:
            try:
                data["contact"] = services.clean_contact(data["contact"], data["kind"])
            except ConsultationError as error:
                self.add_error("contact", str(error))
        return data


class ConsultationFilterForm(BootstrapMixin, forms.Form):
    council = forms.ModelChoiceField(label=gettext_lazy("Council"), queryset=Council.objects.none(), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=[("", "—"), *STATUSES], required=False)
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100, required=False)
    q = forms.CharField(label=gettext_lazy("Title contains"), max_length=100, required=False)

    def __init__(self, *args, councils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils


class CandidateFilterForm(BootstrapMixin, forms.Form):
    award_type = forms.ModelChoiceField(
        label=gettext_lazy("Award"), queryset=AwardType.objects.order_by("order", "code"), to_field_name="code",
        required=False,
    )  # fmt: skip
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1945, max_value=2100, required=False)
    unit = forms.CharField(label=gettext_lazy("Proposing unit code"), max_length=50, required=False)


class PublishForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=gettext_lazy("Title of the consultation"), max_length=255)
    days = forms.IntegerField(
        label=gettext_lazy("Days of consultation"),
        min_value=1,
        max_value=MAX_DAYS,
        required=False,
        help_text=gettext_lazy(
            "Leave empty to use the days the rules of the chosen awards require. Required when none of them "
            "requires a consultation (an on-demand consultation)."
        ),
    )


class FeedbackFilterForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of feedback"), choices=[("", "—"), *Kind.choices], required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=[("", "—"), *FEEDBACK_STATUSES], required=False)
    number = forms.IntegerField(label=gettext_lazy("Number on the list"), min_value=1, required=False)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=gettext_lazy("Answer"), max_length=services.ANSWER_MAX)
    outcome = forms.ChoiceField(choices=[("", "—"), *Outcome.choices], required=False)


# Public pages ----------------------------------------------------------------------------------------------


def consultation_public_list(request):
    """The consultations open now, for anyone."""
    now = timezone.now()
    consultations = (
        Consultation.objects.filter(opens_at__lte=now, closes_at__gt=now)
        .select_related("council")
        .annotate(entry_count=Count("entries"))
        .order_by("closes_at", "pk")
    )
    page = Paginator(consultations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "awards/consultation/public_list.html", {"page": page})


def consultation_public(request, token):
    """One consultation's list of nominees: what the entries stored when it was published, nothing else."""
    consultation = _published(token=token)
    entries = consultation.entries.only(
        "consultation_id", "number", "nominee", "unit_name", "award_name", "year", "achievement"
    ).order_by("number")
    page = Paginator(entries, PUBLIC_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "awards/consultation/public.html",
        {"consultation": consultation, "page": page, "is_open": consultation.is_open()},
    )


def consultation_feedback(request, token, number):
    """The form to comment on or complain about one nominee; no login. A filled-in hidden field (a robot) is
    thanked like anyone and nothing is stored."""
    consultation = _published(token=token)
    entry = get_object_or_404(
        ConsultationEntry.objects.only(
            "consultation_id", "nomination_id", "number", "nominee", "unit_name", "award_name", "year", "achievement"
        ),
        consultation=consultation,
        number=number,
    )
    is_open = consultation.is_open()
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if not data["website"]:
                services.feedback_submit(
                    consultation=consultation,
                    entry=entry,
                    kind=data["kind"],
                    name=data["name"],
                    contact=data["contact"],
                    text=data["text"],
                    address=client_ip(request),
                )
        except ConsultationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Thank you: your feedback on %(nominee)s was received and will be reported to the council.")
                % {"nominee": entry.nominee},
            )
            return redirect(reverse("consultation_public", args=[consultation.token]) + f"#entry-{entry.number}")
    context = {"consultation": consultation, "entry": entry, "form": form, "is_open": is_open}
    return render(request, "awards/consultation/feedback.html", context)


# The secretariat's pages -----------------------------------------------------------------------------------


def _count(model_filter: Q, outer: str = "pk"):
    """A count per consultation as a subquery (two joins multiplied in one query would count each twice)."""
    rows = (
        Feedback.objects.filter(model_filter, entry__consultation=OuterRef(outer))
        .order_by()
        .values("entry__consultation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


@login_required
def consultation_list(request):
    councils = publishing_councils(request.user)
    form = ConsultationFilterForm(request.GET or None, councils=councils)
    data = form.cleaned_data if form.is_valid() else {}
    consultations = visible_consultations(request.user)
    now = timezone.now()
    if data.get("council"):
        consultations = consultations.filter(council=data["council"])
    if data.get("status") == "open":
        consultations = consultations.filter(opens_at__lte=now, closes_at__gt=now)
    elif data.get("status") == "ended":
        consultations = consultations.filter(closes_at__lte=now)
    if data.get("year"):
        consultations = consultations.filter(opens_at__year=data["year"])
    if data.get("q"):
        consultations = consultations.filter(title__icontains=data["q"].strip())
    entries = (
        ConsultationEntry.objects.filter(consultation=OuterRef("pk"))
        .order_by()
        .values("consultation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    consultations = (
        consultations.select_related("council")
        .annotate(
            entry_count=Coalesce(Subquery(entries, output_field=IntegerField()), 0),
            feedback_count=_count(Q()),
            open_complaints=_count(Q(kind=Kind.COMPLAINT, answered_at__isnull=True)),
        )
        .order_by("-opens_at", "-pk")
    )
    page = Paginator(consultations, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "may_publish": councils.exists()}
    return render(request, "awards/consultation/list.html", context)


def _candidates(council, data: dict):
    """Stages waiting at the council that may be published: accepted, the nomination waiting for the council,
    on no agenda being prepared or voted, in no open consultation."""
    now = timezone.now()
    stages = ReviewStage.objects.filter(
        council=council, state=ReviewStage.State.ACCEPTED, nomination__state=Nomination.State.IN_COUNCIL
    )
    stages = stages.exclude(pk__in=AgendaItem.objects.filter(active=True).values("stage_id")).exclude(
        nomination_id__in=ConsultationEntry.objects.filter(
            consultation__opens_at__lte=now, consultation__closes_at__gt=now
        ).values("nomination_id")
    )
    if data.get("award_type"):
        stages = stages.filter(nomination__award_type=data["award_type"])
    if data.get("year"):
        stages = stages.filter(nomination__year=data["year"])
    if data.get("unit"):
        stages = stages.filter(nomination__proposing_unit__code__iexact=data["unit"].strip())
    return stages.select_related(*CANDIDATE_RELATED).order_by("nomination__award_type__order", "pk")


@login_required
def consultation_create(request):
    councils = list(publishing_councils(request.user))
    if not councils:
        raise PermissionDenied
    chosen = request.POST.get("council") or request.GET.get("council")
    council = next((c for c in councils if str(c.pk) == chosen), councils[0])
    filters = CandidateFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    form = PublishForm(request.POST or None)
    selected = {int(v) for v in request.POST.getlist("stage") if v.isascii() and v.isdigit()}
    if request.method == "POST" and form.is_valid():
        try:
            consultation = services.consultation_publish(
                by=request.user,
                council=council,
                stages=sorted(selected),
                days=form.cleaned_data["days"],
                title=form.cleaned_data["title"],
            )
        except ConsultationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The consultation was published with %(count)s nominee(s) until the end of %(date)s.")
                % {"count": consultation.entries.count(), "date": consultation.last_day.strftime("%d/%m/%Y")},
            )
            return redirect("consultation_detail", pk=consultation.pk)
    page = page_by_keys(_candidates(council, data), request.GET.get("page"), CANDIDATE_PAGE_SIZE)
    days = services.required_days_for([stage.nomination_id for stage in page])
    for stage in page:
        stage.required_days = days.get(stage.nomination_id, 0)
        stage.selected = stage.pk in selected
    context = {
        "councils": councils,
        "council": council,
        "filters": filters,
        "form": form,
        "page": page,
    }
    return render(request, "awards/consultation/create.html", context)


def _feedback(consultation: Consultation, data: dict):
    rows = Feedback.objects.filter(entry__consultation=consultation)
    if data.get("kind"):
        rows = rows.filter(kind=data["kind"])
    if data.get("status") == "unanswered":
        rows = rows.filter(answered_at__isnull=True)
    elif data.get("status") == "answered":
        rows = rows.filter(answered_at__isnull=False)
    if data.get("number"):
        rows = rows.filter(entry__number=data["number"])
    return rows.select_related("entry", "answered_by").order_by("entry__number", "created_at", "pk")


@login_required
def consultation_detail(request, pk):
    consultation = get_consultation_for_user(request, pk)
    filters = FeedbackFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    feedback = _feedback(consultation, data)
    if request.GET.get("format") == "xlsx":
        return _feedback_workbook(consultation, feedback)
    entries = list(
        consultation.entries.select_related("nomination", "stage")
        .annotate(
            comments=Count("feedback", filter=Q(feedback__kind=Kind.COMMENT)),
            complaints=Count("feedback", filter=Q(feedback__kind=Kind.COMPLAINT)),
            open_complaints=Count("feedback", filter=Q(feedback__kind=Kind.COMPLAINT, feedback__answered_at=None)),
        )
        .order_by("number")
    )
    blockers = services.vote_blockers([entry.nomination_id for entry in entries])
    for entry in entries:
        entry.blocker = blockers.get(entry.nomination_id, "")
    page = page_by_keys(feedback, request.GET.get("page"), PAGE_SIZE)
    context = {
        "consultation": consultation,
        "public_url": request.build_absolute_uri(reverse("consultation_public", args=[consultation.token])),
        "entries": entries,
        "filters": filters,
        "page": page,
        "is_open": consultation.is_open(),
        "in_council": Nomination.State.IN_COUNCIL,
    }
    return render(request, "awards/consultation/detail.html", context)


def _feedback_workbook(consultation: Consultation, feedback):
    outcomes = dict(Outcome.choices)
    rows = (
        (
            f.entry.number,
            f.entry.nominee,
            f.entry.unit_name,
            f.entry.award_name,
            f.get_kind_display(),
            f.name,
            f.contact,
            f.text,
            timezone.localtime(f.created_at).replace(tzinfo=None),
            f.answer,
            str(outcomes.get(f.outcome, "")),
            (f.answered_by.get_full_name() or f.answered_by.get_username()) if f.answered_by else "",
            timezone.localtime(f.answered_at).replace(tzinfo=None) if f.answered_at else None,
        )
        for f in feedback.iterator(chunk_size=2000)
    )
    header = [
        _("No."), _("Nominee"), _("Unit"), _("Award"), _("Kind of feedback"), _("Sender"), _("Contact"), _("Content"),
        _("Received at"), _("Answer"), _("Outcome"), _("Answered by"), _("Answered at"),
    ]  # fmt: skip
    widths = [6, 28, 28, 28, 12, 24, 24, 60, 14, 60, 12, 20, 14]
    return excel.xlsx_response(
        f"y-kien-nhan-dan-{consultation.pk}.xlsx",
        [excel.SheetSpec(_("Feedback"), header, rows, widths)],
    )


@login_required
@require_POST
def consultation_answer(request, pk):
    feedback = get_object_or_404(Feedback.objects.select_related("entry__consultation__council"), pk=pk)
    consultation = feedback.entry.consultation
    user = request.user
    if not (permissions.is_system_admin(user) or permissions.is_secretariat(user, consultation.council)):
        raise Http404
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the answer (at most %(max)s characters).") % {"max": services.ANSWER_MAX})
    else:
        try:
            services.feedback_answer(
                by=user, feedback=feedback, answer=form.cleaned_data["answer"], outcome=form.cleaned_data["outcome"]
            )
        except ConsultationError as error:
            for line in str(error).split("\n"):
                messages.error(request, line)
        else:
            messages.success(request, ANSWERED[form.cleaned_data["outcome"]])
    return _back_to_detail(request, consultation)


ANSWERED = {
    "": gettext_lazy("The answer was recorded."),
    Outcome.UPHELD: gettext_lazy("The complaint was upheld: the nomination is on hold."),
    Outcome.DISMISSED: gettext_lazy("The complaint was dismissed."),
}


def _back_to_detail(request, consultation: Consultation):
    detail = reverse("consultation_detail", args=[consultation.pk])
    target = request.POST.get("next", "")
    if target.startswith(detail) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(detail)
