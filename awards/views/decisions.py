"""Award decision pages (issue 7): the list, a new draft from the nominations waiting at an issuer, one decision
(lines grouped I/II/III with their bonuses, draft edits, issue, revocation, signed scan), its PDF in the Decree
30/2020 layout and its attached list as Excel.

Every action goes through awards.decisions, which checks again who acts and the state; the views only decide what
to show. Decisions are seen by the signers of their issuer, the secretariat of the issuer's councils and admins;
everyone else gets 404."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from awards import decisions as services
from awards import selectors_decisions as selectors
from awards.decisions import DecisionError
from awards.models import AwardType, Decision, DecisionItem
from organizations.models import Unit
from thiduakt.lib import excel
from thiduakt.lib.forms import BootstrapMixin, DateInput
from thiduakt.lib.pagination import page_by_keys
from thiduakt.lib.pdf import pdf_response, render_pdf
from thiduakt.lib.vn import fold, thousands

PAGE_SIZE = 50
PICK_LIMIT = 500
State = Decision.State
DONE_MESSAGES = {
    "update": gettext_lazy("The draft was saved."),
    "add": gettext_lazy("The nominations were added to the decision."),
    "remove_item": gettext_lazy("The line was removed from the decision."),
    "item_update": gettext_lazy("The line was saved."),
    "issue": gettext_lazy("The decision was issued: the awards are in the history."),
    "revoke": gettext_lazy("The decision was revoked."),
    "item_revoke": gettext_lazy("The line was revoked."),
    "attach_scan": gettext_lazy("The signed scan was attached."),
}


# Access ----------------------------------------------------------------------------------------------------


def get_decision_for_user(request, pk) -> Decision:
    """The decision, with `may_draft` and `may_sign` set for the user; 404 to whoever is neither a signer of its
    issuer, of the secretariat of one of the issuer's councils, nor an admin."""
    decision = get_object_or_404(Decision.objects.select_related("issuer__parent", "award_type"), pk=pk)
    if not services.may_draft(request.user, decision.issuer):
        raise Http404
    decision.may_sign = services.may_sign(request.user, decision.issuer)
    decision.may_draft = True
    return decision


# Forms -----------------------------------------------------------------------------------------------------


class DecisionFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Number, subject line or recipient"), max_length=100, required=False)
    issuer = forms.ModelChoiceField(label=gettext_lazy("Issuer"), queryset=None, required=False)
    award_type = forms.ModelChoiceField(
        label=gettext_lazy("Award"), queryset=AwardType.objects.order_by("order", "code"), required=False
    )
    state = forms.ChoiceField(label=gettext_lazy("State"), choices=[("", "—"), *State.choices], required=False)
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1945, max_value=2100, required=False)

    def __init__(self, *args, issuers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuers


class DecisionTextsForm(BootstrapMixin, forms.Form):
    symbol = forms.CharField(label=gettext_lazy("Symbol"), max_length=30, help_text=gettext_lazy("E.g. QĐ-UBND."))
    title = forms.CharField(label=gettext_lazy("Subject line"), max_length=255)
    place = forms.CharField(label=gettext_lazy("Place"), max_length=100)
    issuer_title = forms.CharField(label=gettext_lazy("Issuer's title"), max_length=255)
    legal_bases = forms.CharField(
        label=gettext_lazy("Legal bases"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=gettext_lazy("One per line, as printed: “Căn cứ …;”."),
    )
    achievement = forms.CharField(label=gettext_lazy("Achievement wording"), widget=forms.Textarea(attrs={"rows": 2}))
    signing_mode = forms.ChoiceField(
        label=gettext_lazy("Signing mode"), choices=Decision.SigningMode.choices, required=False
    )
    signer_title = forms.CharField(label=gettext_lazy("Signer's title"), max_length=255)
    signer_name = forms.CharField(label=gettext_lazy("Signer's name"), max_length=255)

    FIELDS = ("symbol", "title", "place", "issuer_title", "legal_bases", "achievement", "signing_mode",
              "signer_title", "signer_name")  # fmt: skip


class ItemForm(forms.Form):
    recipient_name = forms.CharField(label=gettext_lazy("Recipient"), max_length=255)
    recipient_position = forms.CharField(label=gettext_lazy("Position"), max_length=255, required=False)
    recipient_unit = forms.CharField(label=gettext_lazy("Unit"), max_length=255, required=False)
    register_number = forms.CharField(label=gettext_lazy("Golden-book number"), max_length=50, required=False)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for the revocation"), max_length=2000)
    ground = forms.CharField(label=gettext_lazy("Legal ground"), max_length=255)


class ScanForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Signed scan (PDF)"))


class IssueForm(forms.Form):
    decided_on = forms.DateField(label=gettext_lazy("Decision date"), widget=DateInput())


def vnd(amount) -> str:
    """2340000 → "2.340.000"; "" for no amount."""
    return "" if amount is None else thousands(amount)


def _ids(values) -> list[int]:
    return [int(value) for value in values if value.isascii() and value.isdigit()]


# The list --------------------------------------------------------------------------------------------------


@login_required
def decision_list(request):
    user = request.user
    form = DecisionFilterForm(request.GET or None, issuers=selectors.issuers_for(user))
    data = form.cleaned_data if form.is_valid() else {}
    decisions = selectors.filter_decisions(selectors.visible_decisions(user), data)
    if request.GET.get("format") == "xlsx":
        return _list_workbook(decisions)
    page = page_by_keys(decisions, request.GET.get("page"), PAGE_SIZE)
    for decision in page:
        decision.total_text = vnd(decision.total_bonus)
    may_create = selectors.issuers_for(user).exists()
    return render(request, "awards/decisions/list.html", {"form": form, "page": page, "may_create": may_create})


def _list_workbook(decisions):
    rows = (
        (
            d.number_label,
            d.decided_on,
            d.issuer.name,
            d.award_type.name,
            d.title,
            d.line_count,
            d.total_bonus,
            d.get_state_display(),
        )
        for d in decisions.iterator(chunk_size=500)
    )
    header = [_("Number"), _("Decision date"), _("Issuer"), _("Award"), _("Subject line"), _("Lines"),
              _("Total bonus (VND)"), _("State")]  # fmt: skip
    return excel.xlsx_response(
        "quyet-dinh-khen-thuong.xlsx",
        [excel.SheetSpec(_("Award decisions"), header, rows, widths=[16, 14, 36, 36, 60, 8, 18, 14])],
    )


# A new draft -----------------------------------------------------------------------------------------------


class PickForm(forms.Form):
    issuer = forms.ModelChoiceField(label=gettext_lazy("Issuer"), queryset=None)
    award_type = forms.ModelChoiceField(
        label=gettext_lazy("Award"), queryset=AwardType.objects.order_by("order", "code")
    )
    unit = forms.CharField(label=gettext_lazy("Proposing unit code"), max_length=50, required=False)
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1945, max_value=2100, required=False)
    q = forms.CharField(label=gettext_lazy("Nominee"), max_length=100, required=False)

    def __init__(self, *args, issuers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuers


def _candidates(data: dict):
    nominations = selectors.decidable_nominations(data["issuer"]).filter(award_type=data["award_type"])
    if data.get("unit"):
        nominations = nominations.filter(proposing_unit__code__iexact=data["unit"].strip())
    if data.get("year"):
        nominations = nominations.filter(year=data["year"])
    if data.get("q"):
        folded = fold(data["q"])
        nominations = nominations.filter(
            Q(person__search_name__contains=folded)
            | Q(unit__search_name__contains=folded)
            | Q(household__search_name__contains=folded)
        )
    return nominations.order_by("proposing_unit__path", "pk")


@login_required
def decision_create(request):
    issuers = selectors.issuers_for(request.user)
    if not issuers.exists():
        raise PermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    initial = {"issuer": issuers[0]} if len(issuers) == 1 else {}
    pick = PickForm(source or None, issuers=issuers, initial=initial)
    context = {"pick": pick, "candidates": None, "texts": None}
    if not pick.is_valid():
        return render(request, "awards/decisions/create.html", context)
    data = pick.cleaned_data
    issuer, award_type = data["issuer"], data["award_type"]
    candidates = list(_candidates(data)[: PICK_LIMIT + 1])
    year = max((n.year for n in candidates), default=timezone.localdate().year)
    if request.method == "POST":
        texts = DecisionTextsForm(request.POST)
        chosen = _ids(request.POST.getlist("nomination"))
        if texts.is_valid():
            try:
                decision = services.decision_create(
                    by=request.user, issuer=issuer, award_type=award_type, nominations=chosen, **texts.cleaned_data
                )
            except DecisionError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("The draft decision was created: check its lines, then have it issued."))
                return redirect("decision_detail", pk=decision.pk)
    else:
        texts, chosen = DecisionTextsForm(initial=services.suggested_texts(issuer, award_type, year)), []
    context.update(
        {
            "candidates": candidates[:PICK_LIMIT],
            "truncated": len(candidates) > PICK_LIMIT,
            "chosen": set(chosen),
            "texts": texts,
            "issuer": issuer,
            "award_type": award_type,
        }
    )
    return render(request, "awards/decisions/create.html", context)


# One decision ----------------------------------------------------------------------------------------------


def _detail_context(decision: Decision, *, texts=None) -> dict:
    items = list(selectors.decision_items(decision))
    if decision.state == State.DRAFT:
        base, rows, total = services.bonus_preview(decision, items=items)
    else:
        base, total = decision.base_salary, decision.total_bonus
        rows = [(item, item.bonus_amount) for item in items]
    _amounts(rows)
    draft = decision.state == State.DRAFT
    addable = (
        list(
            selectors.decidable_nominations(decision.issuer)
            .filter(award_type=decision.award_type)
            .order_by("proposing_unit__path", "pk")[:PICK_LIMIT]
        )
        if draft
        else []
    )
    return {
        "decision": decision,
        "groups": selectors.grouped(items),
        "line_count": len(items),
        "live_count": sum(1 for item in items if not item.revoked),
        "base_salary": vnd(base),
        "total": vnd(total),
        "draft": draft,
        "texts": texts or (DecisionTextsForm(initial=_texts_initial(decision)) if draft else None),
        "addable": addable,
        "issue_form": IssueForm(initial={"decided_on": timezone.localdate()}),
        "today": timezone.localdate(),
    }


def _amounts(rows) -> None:
    for item, amount in rows:
        item.amount, item.amount_text = amount, vnd(amount)


def _texts_initial(decision: Decision) -> dict:
    initial = {name: getattr(decision, name) for name in DecisionTextsForm.FIELDS}
    initial["legal_bases"] = "\n".join(decision.legal_bases or [])
    return initial


@login_required
def decision_detail(request, pk):
    decision = get_decision_for_user(request, pk)
    return render(request, "awards/decisions/detail.html", _detail_context(decision))


@login_required
@require_POST
def decision_act(request, pk):
    decision = get_decision_for_user(request, pk)
    action = request.POST.get("action", "")
    handler = ACTIONS.get(action)
    if handler is None:
        messages.error(request, _("Choose an action."))
        return redirect("decision_detail", pk=decision.pk)
    try:
        response = handler(request, decision)
    except DecisionError as error:
        messages.error(request, str(error))
    else:
        if response is not None:
            return response
        messages.success(request, DONE_MESSAGES[action])
    return redirect("decision_detail", pk=decision.pk)


def _update(request, decision):
    texts = DecisionTextsForm(request.POST)
    if not texts.is_valid():
        context = _detail_context(decision, texts=texts)
        return render(request, "awards/decisions/detail.html", context, status=400)
    services.decision_update(by=request.user, decision=decision, **texts.cleaned_data)
    return None


def _add(request, decision):
    services.decision_add_items(
        by=request.user, decision=decision, nominations=_ids(request.POST.getlist("nomination"))
    )


def _line(request, decision) -> DecisionItem:
    pk = _ids([request.POST.get("item", "")])
    item = DecisionItem.objects.filter(decision=decision, pk=pk[0]).first() if pk else None
    if item is None:
        raise DecisionError(_("The line is no longer on the decision."))
    return item


def _remove_item(request, decision):
    services.decision_remove_item(by=request.user, item=_line(request, decision))


def _item_update(request, decision):
    form = ItemForm(request.POST)
    if not form.is_valid():
        raise DecisionError(_("The line was not saved:"), [f"{f.label}: {' '.join(e)}" for f, e in _errors(form)])
    services.item_update(by=request.user, item=_line(request, decision), **form.cleaned_data)


def _errors(form):
    return [(form.fields[name], errors) for name, errors in form.errors.items() if name in form.fields]


def _issue(request, decision):
    form = IssueForm(request.POST)
    if not form.is_valid():
        raise DecisionError(_("Give the decision date as dd/mm/yyyy."))
    services.decision_issue(by=request.user, decision=decision, decided_on=form.cleaned_data["decided_on"])


def _revocation(request) -> dict:
    form = RevokeForm(request.POST)
    form.is_valid()
    return {"reason": form.cleaned_data.get("reason", ""), "ground": form.cleaned_data.get("ground", "")}


def _revoke(request, decision):
    services.decision_revoke(by=request.user, decision=decision, **_revocation(request))


def _item_revoke(request, decision):
    services.item_revoke(by=request.user, item=_line(request, decision), **_revocation(request))


def _attach_scan(request, decision):
    services.decision_attach_scan(by=request.user, decision=decision, file=request.FILES.get("file"))


ACTIONS = {
    "update": _update,
    "add": _add,
    "remove_item": _remove_item,
    "item_update": _item_update,
    "issue": _issue,
    "revoke": _revoke,
    "item_revoke": _item_revoke,
    "attach_scan": _attach_scan,
}


# Documents -------------------------------------------------------------------------------------------------


def decision_document_context(decision: Decision) -> dict:
    """What decision_pdf.html prints: the header (issuer, number or a blank, place and date), the articles with
    the counts and the total, the signature block and the attached list."""
    # The document as it was issued: a revocation is a later act of its own, so revoked lines stay on it.
    items = list(selectors.decision_items(decision))
    if decision.state == State.DRAFT:
        base, rows, total = services.bonus_preview(decision, items=items)
    else:
        base, total = decision.base_salary, decision.total_bonus
        rows = [(item, item.bonus_amount) for item in items]
    _amounts(rows)
    on = decision.decided_on
    day, month = (f"{on.day:02d}", f"{on.month:02d}" if on.month < 3 else str(on.month)) if on else ("", "")
    counts = {value: sum(1 for item in items if item.group == value) for value in DecisionItem.Group.values}
    return {
        "decision": decision,
        "issuer": decision.issuer,
        "issuer_lines": issuer_lines(decision.issuer),
        "groups": selectors.grouped(items),
        "collectives": counts[DecisionItem.Group.COLLECTIVE],
        "individuals": counts[DecisionItem.Group.INDIVIDUAL],
        "households": counts[DecisionItem.Group.HOUSEHOLD],
        "base_salary": vnd(base),
        "total": vnd(total),
        "on": on,
        "day": day,
        "month": month,
        "authority": signature_authority(decision),
        "draft": decision.state == State.DRAFT,
    }


HEAD_TITLES = ("CHỦ TỊCH", "GIÁM ĐỐC", "TỔNG GIÁM ĐỐC", "HIỆU TRƯỞNG", "THỦ TRƯỞNG", "BỘ TRƯỞNG", "TRƯỞNG BAN")


def signature_authority(decision: Decision) -> str:
    """The authority line over the signer's title (Decree 30/2020): "KT. CHỦ TỊCH" or "Q. CHỦ TỊCH" (the head's
    title), "TM. ỦY BAN NHÂN DÂN" (the collective body); empty when the signer signs in their own name."""
    mode = decision.signing_mode
    if not mode:
        return ""
    title = " ".join(decision.issuer_title.upper().split())
    head = next((h for h in sorted(HEAD_TITLES, key=len, reverse=True) if title.startswith(h + " ")), "")
    if mode == Decision.SigningMode.TM:
        body = title[len(head) :].strip() if head else title
        for locality in (" TỈNH ", " THÀNH PHỐ ", " XÃ ", " PHƯỜNG ", " ĐẶC KHU "):
            body = body.split(locality, 1)[0] if body.startswith("ỦY BAN NHÂN DÂN") else body
        return f"{mode} {body}"
    return f"{mode} {head or title}"


def issuer_lines(issuer: Unit) -> tuple[str, str]:
    """The issuing body as printed top left (Decree 30/2020): the parent body, then the issuer in bold. A people's
    committee prints "ỦY BAN NHÂN DÂN" over the locality."""
    if issuer.kind in (Unit.Kind.PROVINCE, Unit.Kind.COMMUNE):
        return "", f"ỦY BAN NHÂN DÂN\n{issuer.name}"
    return (issuer.parent.name if issuer.parent_id else ""), issuer.name


def document_name(decision: Decision, extension: str) -> str:
    stem = (
        f"quyet-dinh-{decision.number:02d}-{decision.year}" if decision.number else f"du-thao-quyet-dinh-{decision.pk}"
    )
    return f"{stem}.{extension}"


@login_required
def decision_pdf(request, pk):
    decision = get_decision_for_user(request, pk)
    pdf = render_pdf("awards/decisions/decision_pdf.html", decision_document_context(decision))
    return pdf_response(document_name(decision, "pdf"), pdf, inline=request.GET.get("inline") == "1")


@login_required
def decision_xlsx(request, pk):
    decision = get_decision_for_user(request, pk)
    items = list(selectors.decision_items(decision))
    if decision.state == State.DRAFT:
        _base, rows, _total = services.bonus_preview(decision, items=items)
    else:
        rows = [(item, item.bonus_amount) for item in items]
    amounts = {item.pk: amount for item, amount in rows}
    roman = {1: "I", 2: "II", 3: "III"}
    group_labels = dict(DecisionItem.Group.choices)
    lines, counters = [], {}
    for item in items:
        counters[item.group] = counters.get(item.group, 0) + 1
        lines.append(
            (
                f"{roman[item.group]}. {group_labels[item.group]}",
                counters[item.group],
                item.recipient_name,
                item.recipient_position,
                item.recipient_unit,
                float(item.coefficient) if item.coefficient is not None else None,
                amounts.get(item.pk),
                item.register_number,
                _("Revoked") if item.revoked else "",
            )
        )
    header = [_("Group"), _("Ord."), _("Recipient"), _("Position"), _("Unit"), _("Coefficient"), _("Bonus (VND)"),
              _("Golden-book number"), _("Note")]  # fmt: skip
    title = decision.number_label or _("Draft decision")
    return excel.xlsx_response(
        document_name(decision, "xlsx"),
        [excel.SheetSpec(title.replace("/", "-"), header, lines, widths=[18, 6, 32, 24, 40, 10, 16, 16, 12])],
    )


@login_required
def decision_scan(request, pk):
    decision = get_decision_for_user(request, pk)
    if not decision.signed_scan:
        raise Http404
    return FileResponse(
        decision.signed_scan.open("rb"), as_attachment=True, filename=document_name(decision, "pdf").replace(
            "quyet-dinh", "ban-ky-quyet-dinh"
        ), content_type="application/pdf",
    )  # fmt: skip
