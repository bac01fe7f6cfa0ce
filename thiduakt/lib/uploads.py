"""Files uploaded for an import, kept between the preview and the confirmation.

The file waits in MEDIA_ROOT/imports/<token>.xlsx; the token is known only to the session of the user who
uploaded it (under the caller's session key), expires, and is used once. Files of previews that were never
confirmed are deleted by the next upload."""

import secrets
import time
import zipfile
import zlib

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

UPLOAD_DIR = "imports"
TOKEN_MAX_AGE = 60 * 60  # seconds between preview and confirm


class UploadGone(Exception):
    """The token is unknown, someone else's, used or expired; the message says which."""


def upload_name(token: str) -> str:
    return f"{UPLOAD_DIR}/{token}.xlsx"


def delete_stale_uploads() -> None:
    try:
        _folders, names = default_storage.listdir(UPLOAD_DIR)
    except FileNotFoundError:
        return
    cutoff = time.time() - TOKEN_MAX_AGE
    for name in names:
        stored = f"{UPLOAD_DIR}/{name}"
        try:
            if default_storage.get_modified_time(stored).timestamp() < cutoff:
                default_storage.delete(stored)
        except FileNotFoundError:  # deleted meanwhile by another request
            continue


def store_upload(request, upload, *, session_key: str, kind: str) -> str:
    """Keep the file for this user's session; returns the token that claims it."""
    delete_stale_uploads()
    token = secrets.token_hex(16)
    upload.seek(0)
    default_storage.save(upload_name(token), upload)
    pending = request.session.get(session_key, {})
    pending[token] = {"kind": kind, "user": request.user.pk, "at": time.time(), "filename": upload.name}
    request.session[session_key] = pending
    return token


def claim_upload(request, token: str, *, session_key: str) -> tuple[str, str]:
    """The kind and stored file name of a pending upload of this user, taken out of the session so that it
    is applied at most once."""
    pending = request.session.get(session_key, {})
    entry = pending.pop(token, None)
    request.session[session_key] = pending
    if entry is None or entry.get("user") != request.user.pk:
        raise UploadGone(_("This import is unknown: upload the file again."))
    if time.time() - entry["at"] > TOKEN_MAX_AGE:
        default_storage.delete(upload_name(token))
        raise UploadGone(_("This import has expired: upload the file again."))
    return entry["kind"], upload_name(token)


def apply_stored(name: str, apply):
    """Open a claimed upload, hand it to `apply` and delete it whatever happens; returns what `apply` returns.
    A file that vanished meanwhile (a second confirm in another tab) is UploadGone."""
    try:
        with default_storage.open(name, "rb") as stored:
            return apply(stored)
    except FileNotFoundError:
        raise UploadGone(_("This import is unknown: upload the file again.")) from None
    finally:
        default_storage.delete(name)


def finished_message(preview) -> str:
    return _("Import finished: %(create)s created, %(update)s updated, %(unchanged)s unchanged.") % {
        "create": preview.to_create,
        "update": preview.to_update,
        "unchanged": preview.unchanged,
    }


# Content sniffing ------------------------------------------------------------------------------------

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# The first bytes of each accepted document type; a file's name and declared type are not trusted.
MAGIC_NUMBERS = {
    PDF: (b"%PDF-",),
    JPEG: (b"\xff\xd8\xff",),
    PNG: (b"\x89PNG\r\n\x1a\n",),
}
ZIP_MAGIC = b"PK\x03\x04"
# A DOCX is a zip package; these two parts make it a Word document rather than any other zip.
DOCX_PARTS = ("[Content_Types].xml", "word/document.xml")
DOCX_MAIN_TYPE = b"wordprocessingml.document.main"
# Bounds on what is read of a zip: a real DOCX has tens of parts and a content-types part of a few KB. Only
# the central directory and that one small part are read, never the rest, so a zip bomb costs nothing.
DOCX_MAX_PARTS = 2000
DOCX_MAX_CONTENT_TYPES_BYTES = 256 * 1024

# Types a dossier document may have, with the extension used when one is needed.
ALLOWED_DOCUMENT_TYPES = {PDF: "pdf", DOCX: "docx", JPEG: "jpg", PNG: "png"}


def sniff_content_type(upload) -> str | None:
    """The type of an uploaded file read off its content (PDF, JPEG, PNG by their first bytes; DOCX by its
    package parts), or None when it is none of them. The file's position is left at the start."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for content_type, prefixes in MAGIC_NUMBERS.items():
        if any(head.startswith(prefix) for prefix in prefixes):
            return content_type
    if head.startswith(ZIP_MAGIC) and _is_docx(upload):
        return DOCX
    return None


def _is_docx(upload) -> bool:
    try:
        with zipfile.ZipFile(upload) as package:
            parts = package.infolist()
            if len(parts) > DOCX_MAX_PARTS:
                return False
            names = {part.filename for part in parts}
            if not all(name in names for name in DOCX_PARTS):
                return False
            with package.open(DOCX_PARTS[0]) as content_types:
                declared = content_types.read(DOCX_MAX_CONTENT_TYPES_BYTES + 1)
            return len(declared) <= DOCX_MAX_CONTENT_TYPES_BYTES and DOCX_MAIN_TYPE in declared
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, NotImplementedError,
            ValueError, zlib.error):  # fmt: skip
        # Broken, encrypted or oddly compressed: not a document anyone can open.
        return False
    finally:
        upload.seek(0)
