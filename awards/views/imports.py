"""History import pages, for system admins: download the workbook template, upload a workbook, preview every
sheet and row with its errors, then confirm. The file waits between preview and confirm as
thiduakt.lib.uploads keeps it (a token bound to the admin's session, expiring, used once)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from awards import imports
from organizations import access
from organizations.views.imports import PREVIEW_ROW_LIMIT, ImportUploadForm
from thiduakt.lib import excel, uploads

SESSION_KEY = "awards_history_imports"
KIND = "history"


class HistoryUploadForm(ImportUploadForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["kind"]


def _start_page(request, form, status=200):
    context = {"form": form, "sheets": imports.SHEETS.values(), "guide_sheet": imports.GUIDE_SHEET}
    return render(request, "awards/imports/start.html", context, status=status)


def _preview_page(request, preview, *, token=None, filename=""):
    sheets = []
    for sheet in preview.sheets:
        rows, hidden = sheet.rows_for_display(PREVIEW_ROW_LIMIT)
        sheets.append({"preview": sheet, "label": imports.SHEETS[sheet.kind].label, "rows": rows, "hidden": hidden})
    context = {"preview": preview, "sheets": sheets, "token": token, "filename": filename}
    return render(request, "awards/imports/preview.html", context)


@login_required
def history_import_start(request):
    access.require_admin(request)
    return _start_page(request, HistoryUploadForm())


@login_required
def history_import_template(request):
    access.require_admin(request)
    return excel.xlsx_response(imports.TEMPLATE_FILENAME, imports.history_template_sheets())


@login_required
@require_POST
def history_import_preview(request):
    access.require_admin(request)
    form = HistoryUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _start_page(request, form, status=400)
    upload = form.cleaned_data["file"]
    preview = imports.history_preview(upload)
    token = None
    if not preview.has_errors:
        token = uploads.store_upload(request, upload, session_key=SESSION_KEY, kind=KIND)
    return _preview_page(request, preview, token=token, filename=upload.name)


@login_required
@require_POST
def history_import_confirm(request):
    access.require_admin(request)
    try:
        _kind, name = uploads.claim_upload(request, request.POST.get("token", ""), session_key=SESSION_KEY)
        preview = uploads.apply_stored(name, lambda stored: imports.history_apply(by=request.user, source=stored))
    except uploads.UploadGone as gone:
        messages.error(request, str(gone))
        return redirect("history_import_start")
    except imports.ImportRejected as rejected:  # the database changed since the preview
        return _preview_page(request, rejected.preview)
    messages.success(request, uploads.finished_message(preview))
    return redirect("history_import_start")


urlpatterns = [
    path("", history_import_start, name="history_import_start"),
    path("template/", history_import_template, name="history_import_template"),
    path("preview/", history_import_preview, name="history_import_preview"),
    path("confirm/", history_import_confirm, name="history_import_confirm"),
]
