"""People, units and households a user may see that match a typed name or code (the search box and the lists
it links to). Visibility is the access helpers' own: the units where the user holds a role, with their subtrees;
admins see everything."""

from thiduakt.lib import permissions
from thiduakt.lib.search import code_rank, name_or_code_q

from .models import Household, Person, Unit


def matching_people(user, query: str):
    return (
        Person.objects.filter(permissions.covered_units_q(user, field="unit__"))
        .filter(name_or_code_q(query, names=["search_name"], codes=["code"]))
        .select_related("unit")
        .annotate(code_rank=code_rank(query))
        .order_by("code_rank", "search_name", "code")
    )


def matching_units(user, query: str):
    # A unit's search_name folds its code, name and short name together.
    return (
        Unit.objects.filter(permissions.covered_units_q(user))
        .filter(name_or_code_q(query, names=["search_name"], codes=["code"]))
        .select_related("parent")
        .annotate(code_rank=code_rank(query))
        .order_by("code_rank", "path")
    )


def matching_households(user, query: str):
    return (
        Household.objects.filter(permissions.covered_units_q(user, field="unit__"))
        .filter(name_or_code_q(query, names=["search_name"], codes=["code"]))
        .select_related("unit")
        .annotate(code_rank=code_rank(query))
        .order_by("code_rank", "search_name", "code")
    )
