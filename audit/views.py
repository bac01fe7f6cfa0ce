import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations import access
from organizations.models import Unit

from .models import AuditEvent
from .services import audit_verify

PAGE_SIZE = 50
HEAD_ONLY = frozenset({Unit.Role.HEAD})
ADMIN_OR_SECRETARIAT = frozenset({"admin", "secretariat"})

VERB_LABELS = {
    "unit.created": gettext_lazy("Unit created"),
    "unit.updated": gettext_lazy("Unit changed"),
    "person.created": gettext_lazy("Person created"),
    "person.updated": gettext_lazy("Person changed"),
    "household.created": gettext_lazy("Household created"),
    "household.updated": gettext_lazy("Household changed"),
    "council.created": gettext_lazy("Council created"),
    "council.updated": gettext_lazy("Council changed"),
    "council.member_added": gettext_lazy("Council member added"),
    "council.member_ended": gettext_lazy("Council membership ended"),
    "role.granted": gettext_lazy("Role granted"),
    "role.revoked": gettext_lazy("Role revoked"),
    "secretariat.granted": gettext_lazy("Added to the secretariat"),
    "secretariat.revoked": gettext_lazy("Removed from the secretariat"),
}


def _unit(request, pk):
    unit = access.get_unit_for_user(request, pk, allowed=HEAD_ONLY)
    return unit, unit.name, reverse("unit_detail", args=[unit.pk])


def _person(request, pk):
    person = access.get_person_for_user(request, pk, allowed=HEAD_ONLY)
    return person, person.full_name, reverse("person_detail", args=[person.pk])


def _council(request, pk):
    council, _relation = access.get_council_for_user(request, pk, allowed=ADMIN_OR_SECRETARIAT)
    return council, council.name, reverse("council_detail", args=[council.pk])


# object_type → access helper: the object, its name and its page, or 404 to outsiders and 403 to insiders
# without the right (heads for units and people, the secretariat for a council; admins everywhere).
OBJECT_TYPES = {
    "organizations.unit": _unit,
    "organizations.person": _person,
    "organizations.council": _council,
}


@login_required
def audit_object(request, object_type, object_id):
    fetch = OBJECT_TYPES.get(object_type)
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
            "label": VERB_LABELS.get(event.verb, event.verb),
            "changes": _data_items(event.verb, event.data),
        }
        for event in page
    ]
    context = {"name": name, "object_url": object_url, "page": page, "rows": rows}
    return render(request, "audit/object_events.html", context)


@login_required
def audit_verify_page(request):
    access.require_admin(request)
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
