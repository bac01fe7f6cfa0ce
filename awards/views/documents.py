"""The documents of a nomination's dossier: upload and remove (the proposing unit's officers and heads, while
the dossier is open), download (everyone who may read the nomination)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from awards import access
from awards import documents as dossier
from awards.models import DossierDocument


def dossier_context(nomination) -> dict:
    """What templates/awards/nominations/_documents.html needs, for a nomination the access helper returned."""
    return {
        "nomination": nomination,
        "checklist": dossier.checklist(nomination),
        "dossier_editable": access.may_edit_dossier(nomination) and dossier.dossier_open(nomination),
        "dossier_max_bytes": settings.DOSSIER_MAX_BYTES,
    }


def _back(request, nomination):
    """Where the form came from (the nomination page), else that page by name once it exists, else home."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    try:
        return redirect(reverse("nomination_detail", args=[nomination.pk]))
    except NoReverseMatch:
        return redirect("home")


@login_required
@require_POST
def nomination_document_upload(request, pk):
    nomination = access.get_nomination_for_user(request, pk, allowed=access.EDITORS)
    try:
        document = dossier.document_add(
            by=request.user, nomination=nomination, kind=request.POST.get("kind", ""), upload=request.FILES.get("file")
        )
    except dossier.DocumentError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("“%(name)s” was added as %(kind)s.")
            % {"name": document.original_name, "kind": document.get_kind_display().lower()},
        )
    return _back(request, nomination)


@login_required
@require_GET
def nomination_document_download(request, pk, doc_pk):
    nomination = access.get_nomination_for_user(request, pk)
    document = get_object_or_404(DossierDocument, pk=doc_pk, nomination=nomination)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def nomination_document_remove(request, pk, doc_pk):
    nomination = access.get_nomination_for_user(request, pk, allowed=access.EDITORS)
    document = get_object_or_404(DossierDocument, pk=doc_pk, nomination=nomination)
    try:
        dossier.document_remove(by=request.user, document=document)
    except dossier.DocumentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("“%(name)s” was removed.") % {"name": document.original_name})
    return _back(request, nomination)
