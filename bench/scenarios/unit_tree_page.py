"""The unit tree as a system admin: the top of the tree, and a search for a commune by name typed without
accents ("tan phu" for "Xã Tân Phú")."""

from urllib.parse import urlencode

from django.urls import reverse

from organizations.models import Unit
from thiduakt.lib.vn import fold

NAME = "unit_tree_page"


def run(context) -> list[dict]:
    admin = context.client_as("admin")
    url = reverse("unit_tree")
    root = Unit.objects.filter(parent__isnull=True).order_by("code").first()
    rows = context.measure_get(NAME, "admin", admin, url, expect=root.name)
    commune = Unit.objects.filter(kind=Unit.Kind.COMMUNE, valid_to__isnull=True).order_by("code").first()
    place = commune.name.split(" ", 1)[1]  # "Xã Tân Phú" → "Tân Phú"
    search = f"{url}?{urlencode({'q': fold(place)})}"
    rows += context.measure_get(NAME, "admin_search_commune", admin, search, expect=commune.name)
    return rows
