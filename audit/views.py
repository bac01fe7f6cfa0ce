import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from thiduakt.lib.permissions import is_system_admin

from . import registry
from .models import AuditEvent
from .services import audit_verify

PAGE_SIZE = 50


@login_required
def audit_object(request, object_type, object_id):
    fetch = registry.object_fetcher(object_type)
    if fetch is None or not (object_id.isascii() and object_id.isdigit() and len(object_id) <= 18):
        raise Http404
    obj, name, object_url = fetch(request, int(object_id))
    events = (
        AuditEvent.objects.filter(object_type=object_type, object_id=str(obj.pk))
        .select_related("actor")
        .order_by("-seq")
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "event": event,
            "label": registry.verb_label(event.verb),
            "changes": _data_items(event.verb, event.data),
        }
        for event in page
    ]
    context = {"name": name, "object_url": object_url, "page": page, "rows": rows}
    return render(request, "audit/object_events.html", context)


@login_required
def audit_verify_page(request):
    if not is_system_admin(request.user):
        raise PermissionDenied
    ok, checked, broken, reason = audit_verify()
    context = {"ok": ok, "checked": checked, "broken": broken, "reason": reason}
    return render(request, "audit/verify.html", context)


def _data_items(verb: str, data) -> list[tuple[str, str]]:
    if not isinstance(data, dict):
        return [("", _plain(data))]
    is_change = verb.endswith(".updated")
    items = []
    for key, value in data.items():
        if is_change and isinstance(value, list) and len(value) == 2:
            items.append((key, f"{_plain(value[0])} → {_plain(value[1])}"))
        else:
            items.append((key, _plain(value)))
    return items


def _plain(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)
