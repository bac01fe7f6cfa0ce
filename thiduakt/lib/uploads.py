"""Files uploaded for an import, kept between the preview and the confirmation.

The file waits in MEDIA_ROOT/imports/<token>.xlsx; the token is known only to the session of the user who
uploaded it (under the caller's session key), expires, and is used once. Files of previews that were never
confirmed are deleted by the next upload."""

import secrets
import time

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


# Content sniffing ------------------------------------------------------------------------------------

# The first bytes of each accepted document type; a file's name and declared type are not trusted.
MAGIC_NUMBERS = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


def sniff_content_type(upload) -> str | None:
    """The type of an uploaded file read off its first bytes (PDF, JPEG, PNG), or None when it is none of
    them. The file's position is left at the start."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for content_type, prefixes in MAGIC_NUMBERS.items():
        if any(head.startswith(prefix) for prefix in prefixes):
            return content_type
    return None
