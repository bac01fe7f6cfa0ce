"""The search box of the header (issue 9): people, units, households, nominations and award decisions by name
or code, without accents, grouped by type, each group its first rows and a link to the list that shows them all.

Each group reads through its own list's visibility (organizations.search, awards.search), so the search shows
nothing the lists would not. The number of queries does not depend on how many rows match."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from awards import search as award_search
from awards.views.nominations import STATE_BADGES
from organizations import search as organization_search
from thiduakt.lib.search import MIN_LENGTH, clean_query, searchable

LIMIT = 10


@dataclass
class Group:
    key: str
    title: str
    rows: list
    more: bool  # more rows match than are shown
    see_all: str  # the list with every match, "" when there is none


def _group(key: str, title: str, queryset, *, query: str, list_name: str | None = None) -> Group:
    rows = list(queryset[: LIMIT + 1])
    see_all = f"{reverse(list_name)}?{urlencode({'q': query})}" if list_name else ""
    return Group(key=key, title=title, rows=rows[:LIMIT], more=len(rows) > LIMIT, see_all=see_all)


def search_groups(user, query: str) -> list[Group]:
    groups = [
        _group("people", _("People"), organization_search.matching_people(user, query),
               query=query, list_name="person_list"),
        _group("units", _("Units"), organization_search.matching_units(user, query),
               query=query, list_name="unit_tree"),
        _group("households", _("Households"), organization_search.matching_households(user, query), query=query),
        _group("nominations", _("Nominations"), award_search.matching_nominations(user, query),
               query=query, list_name="nomination_list"),
        _group("decisions", _("Award decisions"), award_search.matching_decisions(user, query),
               query=query, list_name="decision_list"),
    ]  # fmt: skip
    for group in groups:
        if group.key == "nominations":
            for nomination in group.rows:
                nomination.badge = STATE_BADGES.get(nomination.state, "text-bg-secondary")
    return groups


@login_required
def search(request):
    query = clean_query(request.GET.get("q"))
    context = {"query": query, "min_length": MIN_LENGTH, "searched": searchable(query), "groups": []}
    if context["searched"]:
        context["groups"] = [group for group in search_groups(request.user, query) if group.rows]
    template = "awards/search.html"
    if request.headers.get("HX-Request") == "true":
        template += "#results"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
