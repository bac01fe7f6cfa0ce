"""The header's search box (issue 9): "nguyen thi hoa" typed without accents, across people, units, households,
nominations and decisions, as a system admin (the whole province) and as the emulation officer of the education
department (its subtree and its own nominations only)."""

from urllib.parse import urlencode

from django.urls import reverse

NAME = "search_page"
QUERY = "nguyen thi hoa"
EXPECTED = "Nguyễn Thị Hoà"  # seed_demo puts one in the education department: both users must find her


def run(context) -> list[dict]:
    url = f"{reverse('search')}?{urlencode({'q': QUERY})}"
    rows = []
    for username in ("admin", "canbo.sgd"):
        rows += context.measure_get(NAME, username, context.client_as(username), url, expect=EXPECTED)
    return rows
