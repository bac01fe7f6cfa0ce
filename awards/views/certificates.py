"""Certificate pages (issue 7): the panel of a decision's certificates (generate, progress, downloads), the stored
files, the public verification page and the admins' template preview.

The panel and the files are for those who read the decision page: system admins, the issuer's signers and the
secretariat of one of its councils (awards.certificates.may_print); 404 to everyone else, and while the decision is
a draft. The verification page is public and shows the facts printed on the certificate, nothing more personal
than the name and unit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from awards import certificates as services
from awards.certificates import CertificateError
from awards.models import Certificate, Decision
from organizations import access
from thiduakt.lib.pdf import PDF_CONTENT_TYPE, pdf_response


def get_printable_decision(request, pk) -> Decision:
    decision = get_object_or_404(
        Decision.objects.select_related("issuer", "award_type"), pk=pk, state__in=services.PRINTABLE_STATES
    )
    if not services.may_print(request.user, decision):
        raise Http404
    return decision


@login_required
@require_GET
@never_cache
def certificate_panel(request, pk):
    """The panel's body: the batch's progress (polled by htmx while it runs) and the downloads."""
    decision = get_printable_decision(request, pk)
    template = "awards/certificates/panel.html"
    if request.headers.get("HX-Request"):
        template += "#body"
    return render(request, template, services.panel_context(decision))


@login_required
@require_POST
def certificate_generate(request, pk):
    decision = get_printable_decision(request, pk)
    try:
        services.certificates_generate(by=request.user, decision=decision)
    except CertificateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Certificate generation has started; the progress shows below."))
    if request.headers.get("HX-Request"):
        context = services.panel_context(decision)
        context["notice"] = True
        return render(request, "awards/certificates/panel.html#body", context)
    return redirect("certificate_panel", pk=decision.pk)


def _stored(field, filename: str, content_type: str):
    if not field:
        raise Http404
    response = FileResponse(field.open("rb"), content_type=content_type, as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def certificate_batch_pdf(request, pk):
    decision = get_printable_decision(request, pk)
    batch = services.latest_done_batch(decision)
    if batch is None:
        raise Http404
    return _stored(batch.merged_pdf, f"bang-khen-quyet-dinh-{decision.pk}.pdf", PDF_CONTENT_TYPE)


@login_required
@require_GET
def certificate_batch_zip(request, pk):
    decision = get_printable_decision(request, pk)
    batch = services.latest_done_batch(decision)
    if batch is None:
        raise Http404
    return _stored(batch.zip_file, f"bang-khen-quyet-dinh-{decision.pk}.zip", "application/zip")


@login_required
@require_GET
def certificate_pdf(request, pk):
    certificate = get_object_or_404(
        Certificate.objects.select_related("item__decision__issuer"),
        pk=pk,
        item__decision__state__in=services.PRINTABLE_STATES,
    )
    if not services.may_print(request.user, certificate.item.decision):
        raise Http404
    return _stored(certificate.pdf, services.filename(certificate), PDF_CONTENT_TYPE)


@require_GET
def certificate_verify(request, token):
    """Public: is this certificate genuine and still valid?"""
    certificate = services.certificate_by_token(token)
    if certificate is None:
        raise Http404
    response = render(
        request, "awards/certificates/verify.html", {"certificate": certificate, "text": certificate.text}
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_GET
def certificate_templates(request):
    access.require_admin(request)
    return render(request, "awards/certificates/templates.html", {"families": Certificate.Family.choices})


@login_required
@require_GET
def certificate_preview(request, family):
    access.require_admin(request)
    if family not in services.TEMPLATES:
        raise Http404
    pdf_bytes = services.preview_pdf(family, base=request.build_absolute_uri("/"))
    return pdf_response(f"mau-{family}.pdf", pdf_bytes, inline=True)
