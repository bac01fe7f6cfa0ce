"""Published award lists (issue 7).

For system admins: the issued decisions with their publication state, and the publish / withdraw actions. For
anyone, no login: the years and issuers with published decisions, and one issuer's list of a year (search
without accents, filters, Excel and PDF downloads). The public pages read only through the selectors of
awards.publication, which see published decisions and nothing else.

Every write is a service of awards.publication; its PublicationError becomes a message."""

import hashlib

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from awards import publication as services
from awards.models import AwardType
from awards.publication import PublicationError
from organizations import access
from organizations.models import Unit
from thiduakt.lib import excel, pdf

PAGE_SIZE = 50
ADMIN_PAGE_SIZE = 50
INDEX_PAGE_SIZE = 100
PDF_CACHE_SECONDS = 24 * 3600
YEARS = (1945, 2100)  # a year in the address outside these has no list (and no date can hold 99999)
PUBLICATION_STATES = (("published", gettext_lazy("Published")), ("unpublished", gettext_lazy("Not published")))


# The admins' page ------------------------------------------------------------------------------------------


class AdminFilterForm(forms.Form):
    issuer = forms.ModelChoiceField(
        label=gettext_lazy("Issuer"), queryset=Unit.objects.none(), to_field_name="code", required=False
    )
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1945, max_value=2100, required=False)
    award_type = forms.ModelChoiceField(
        label=gettext_lazy("Award"), queryset=AwardType.objects.order_by("order", "code"), to_field_name="code",
        required=False,
    )  # fmt: skip
    publication = forms.ChoiceField(
        label=gettext_lazy("Publication"), choices=[("", "—"), *PUBLICATION_STATES], required=False
    )
    number = forms.IntegerField(label=gettext_lazy("Decision number"), min_value=1, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        issuers = services.publishable_decisions().values("issuer_id")
        self.fields["issuer"].queryset = Unit.objects.filter(pk__in=issuers).order_by("name")


class UnpublishForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for withdrawing"), max_length=services.REASON_MAX)


def _admin_decisions(data: dict):
    decisions = services.publishable_decisions()
    if data.get("issuer"):
        decisions = decisions.filter(issuer=data["issuer"])
    if data.get("year"):
        decisions = decisions.filter(decided_on__year=data["year"])
    if data.get("award_type"):
        decisions = decisions.filter(award_type=data["award_type"])
    if data.get("publication") == "published":
        decisions = decisions.filter(published_at__isnull=False)
    elif data.get("publication") == "unpublished":
        decisions = decisions.filter(published_at__isnull=True)
    if data.get("number"):
        decisions = decisions.filter(number=data["number"])
    return (
        decisions.select_related("issuer", "award_type")
        .annotate(line_count=Count("items"))
        .order_by("-decided_on", "-number", "-pk")
    )


@login_required
def published_admin(request):
    access.require_admin(request)
    form = AdminFilterForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    page = Paginator(_admin_decisions(data), ADMIN_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "awards/published/admin.html", {"form": form, "page": page})


def _back_to_admin(request):
    target = request.POST.get("next", "")
    admin_url = reverse("published_admin")
    if target.startswith(admin_url) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(admin_url)


def _show_refusal(request, error: PublicationError) -> None:
    for line in str(error).split("\n"):
        messages.error(request, line)


@login_required
@require_POST
def decision_publish(request, pk):
    access.require_admin(request)
    decision = get_object_or_404(services.publishable_decisions().select_related("issuer"), pk=pk)
    try:
        services.decision_publish(by=request.user, decision=decision)
    except PublicationError as error:
        _show_refusal(request, error)
    else:
        messages.success(
            request,
            _("Decision %(number)s is published: its lines appear in the public list of %(issuer)s for %(year)s.")
            % {"number": decision.number_label, "issuer": decision.issuer.name, "year": decision.decided_on.year},
        )
    return _back_to_admin(request)


@login_required
@require_POST
def decision_unpublish(request, pk):
    access.require_admin(request)
    decision = get_object_or_404(services.publishable_decisions(), pk=pk)
    form = UnpublishForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("Give the reason for withdrawing the decision (at most %(max)s characters).")
            % {"max": services.REASON_MAX},
        )
        return _back_to_admin(request)
    try:
        services.decision_unpublish(by=request.user, decision=decision, reason=form.cleaned_data["reason"])
    except PublicationError as error:
        _show_refusal(request, error)
    else:
        messages.success(
            request,
            _("Decision %(number)s was withdrawn from the published lists.") % {"number": decision.number_label},
        )
    return _back_to_admin(request)


# Public pages ----------------------------------------------------------------------------------------------


def published_index(request):
    """The years and issuers that have published decisions, with their counts."""
    page = Paginator(services.published_index(), INDEX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "awards/published/index.html", {"page": page})


class ListFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name or unit"), max_length=100, required=False)
    award = forms.ChoiceField(label=gettext_lazy("Award"), required=False)
    decision = forms.TypedChoiceField(label=gettext_lazy("Decision"), coerce=int, empty_value=None, required=False)

    def __init__(self, *args, awards, numbers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award"].choices = [("", "—"), *awards]
        self.fields["decision"].choices = [("", "—"), *numbers]


def _not_published(request, year, code):
    return render(request, "awards/published/not_found.html", {"year": year, "code": code}, status=404)


def published_list(request, year, code):
    """Every line of the published decisions of an issuer dated in `year`."""
    issuer = services.published_issuer(year=year, code=code) if YEARS[0] <= year <= YEARS[1] else None
    if issuer is None:
        return _not_published(request, year, code)
    awards, numbers = services.list_choices(issuer=issuer, year=year)
    form = ListFilterForm(request.GET or None, awards=awards, numbers=numbers)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    lines = services.list_lines(
        issuer=issuer,
        year=year,
        query=data.get("q") or "",
        award_code=data.get("award") or "",
        number=data.get("decision"),
    )
    download = request.GET.get("format")
    if download == "xlsx":
        return _workbook(issuer, year, lines)
    if download == "pdf":
        return _pdf(issuer, year, lines, data)
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    for line in page:
        line.is_revoked = services.is_revoked(line)
    context = {"issuer": issuer, "year": year, "form": form, "page": page, "filtered": any(data.values())}
    return render(request, "awards/published/list.html", context)


def _filename(issuer: Unit, year: int, extension: str) -> str:
    code = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-" for ch in issuer.code)
    return f"danh-sach-khen-thuong-{code}-{year}.{extension}"


def _workbook(issuer: Unit, year: int, lines):
    revoked = _("Revoked")

    def rows():
        for number, line in enumerate(lines.iterator(chunk_size=2000), 1):
            yield (
                number,
                line.recipient_name,
                line.recipient_unit,
                line.decision.award_type.name,
                line.decision.number_label,
                line.decision.decided_on,
                revoked if services.is_revoked(line) else "",
            )

    header = [_("No."), _("Name"), _("Unit"), _("Award"), _("Decision number"), _("Decision date"), _("Status")]
    title = _("%(issuer)s – %(year)s") % {"issuer": issuer.name, "year": year}
    return excel.xlsx_response(
        _filename(issuer, year, "xlsx"),
        [excel.SheetSpec(title, header, rows(), widths=[6, 32, 40, 36, 18, 14, 12])],
    )


def _pdf(issuer: Unit, year: int, lines, data: dict):
    """The list as an A4 PDF. Rendering thousands of lines takes seconds: the document is kept in the cache
    under what it prints, so a public link cannot make the server render it again and again."""
    fingerprint = (issuer.pk, year, get_language(), sorted((k, str(v)) for k, v in data.items()))
    key_source = repr((fingerprint, services.lines_fingerprint(lines)))
    key = "published-pdf:" + hashlib.sha256(key_source.encode()).hexdigest()
    document = cache.get(key)
    if document is None:
        rows = list(lines)
        for line in rows:
            line.is_revoked = services.is_revoked(line)
        context = {
            "issuer": issuer,
            "year": year,
            "lines": rows,
            "filters": data,
            "printed_on": timezone.localdate(),
        }
        document = pdf.render_pdf("awards/published/list_pdf.html", context)
        cache.set(key, document, PDF_CACHE_SECONDS)
    return pdf.pdf_response(_filename(issuer, year, "pdf"), document)
