"""Excel import pages, for system admins: choose what to import, download its template, upload, preview
every row with its errors, then confirm.

Between preview and confirm the file waits as thiduakt.lib.uploads keeps it: the token is known only to the
session of the admin who uploaded it, expires, and is used once."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from organizations import access, imports
from organizations.forms import BootstrapMixin
from thiduakt.lib import excel, uploads

SESSION_KEY = "organizations_imports"
PREVIEW_ROW_LIMIT = 1000  # rows shown in full; rows with errors are always shown


class ImportUploadForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What to import"), choices=())
    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind.name, kind.label) for kind in imports.IMPORT_KINDS.values()]
        self.fields["file"].widget.attrs["accept"] = ".xlsx," + excel.XLSX_CONTENT_TYPE

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            excel.check_size(upload)
        except excel.ExcelError as error:
            raise ValidationError(str(error)) from None
        return upload


def _kind_or_404(name: str) -> imports.ImportKind:
    try:
        return imports.IMPORT_KINDS[name]
    except KeyError:
        raise Http404 from None


def _claim_upload(request, token: str) -> tuple[imports.ImportKind, str]:
    kind, name = uploads.claim_upload(request, token, session_key=SESSION_KEY)
    return imports.IMPORT_KINDS[kind], name


def _preview_page(request, kind, preview, *, token=None, filename=""):
    rows, hidden = preview.rows_for_display(PREVIEW_ROW_LIMIT)
    context = {
        "kind": kind,
        "preview": preview,
        "rows": rows,
        "hidden": hidden,
        "token": token,
        "filename": filename,
    }
    return render(request, "organizations/imports/preview.html", context)


def _start_page(request, form, status=200):
    context = {"form": form, "kinds": imports.IMPORT_KINDS.values()}
    return render(request, "organizations/imports/start.html", context, status=status)


@login_required
def import_start(request):
    access.require_admin(request)
    return _start_page(request, ImportUploadForm(initial={"kind": request.GET.get("kind", "units")}))


@login_required
def import_template(request, kind):
    access.require_admin(request)
    kind = _kind_or_404(kind)
    return excel.xlsx_response(kind.template_filename, imports.template_sheets(kind))


@login_required
@require_POST
def import_preview(request):
    access.require_admin(request)
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _start_page(request, form, status=400)
    kind = imports.IMPORT_KINDS[form.cleaned_data["kind"]]
    upload = form.cleaned_data["file"]
    preview = kind.preview(upload)
    token = None
    if not preview.has_errors:
        token = uploads.store_upload(request, upload, session_key=SESSION_KEY, kind=kind.name)
    return _preview_page(request, kind, preview, token=token, filename=upload.name)


@login_required
@require_POST
def import_confirm(request):
    access.require_admin(request)
    try:
        kind, name = _claim_upload(request, request.POST.get("token", ""))
        preview = uploads.apply_stored(name, lambda stored: kind.apply(by=request.user, source=stored))
    except uploads.UploadGone as gone:
        messages.error(request, str(gone))
        return redirect("import_start")
    except imports.ImportRejected as rejected:  # the database changed since the preview
        return _preview_page(request, kind, rejected.preview)
    messages.success(request, uploads.finished_message(preview))
    return redirect("import_start")


urlpatterns = [
    path("", import_start, name="import_start"),
    path("templates/<str:kind>/", import_template, name="import_template"),
    path("preview/", import_preview, name="import_preview"),
    path("confirm/", import_confirm, name="import_confirm"),
]
