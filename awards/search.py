"""Nominations and decisions a user may see that match a typed name or code, for the search box and the lists it
links to. Visibility is never decided here: nominations go through the nomination list's rule
(selectors_nominations.visible_nominations), decisions through the decision list's (selectors_decisions)."""

from django.db.models import Exists, F, OuterRef, Q, Subquery

from organizations.models import Household, Person, Unit
from thiduakt.lib.search import NOTHING, name_or_code_q

from .models import DecisionItem
from .selectors_decisions import visible_decisions
from .selectors_nominations import visible_nominations

NOMINATION_RELATED = ("award_type", "proposing_unit", "person", "unit", "household")


def nomination_q(query: str) -> Q:
    """Nominations whose subject's name holds every word of the query, or whose subject's code it begins.

    The subjects are found first, each table on its own (its trigram and code indexes), then the nominations that
    point to them; in the bench data (99,000 people, 30,000 nominations) this ran in about half the time of
    joining the three tables to every nomination and testing the names row by row."""
    subjects = {"person": Person, "unit": Unit, "household": Household}
    matched = Q()
    for field, model in subjects.items():
        found = model.objects.filter(name_or_code_q(query, names=["search_name"], codes=["code"])).values("pk")
        matched |= Q(**{f"{field}__in": found})
    return matched


def matching_nominations(user, query: str):
    return (
        visible_nominations(user)
        .filter(nomination_q(query))
        .select_related(*NOMINATION_RELATED)
        .order_by("-year", "-pk")
    )


def decision_number(query: str) -> int | None:
    """ "05/QĐ-UBND" or "5" → 5: the number of a decision as people write it."""
    head = query.split("/", 1)[0].strip()
    return int(head) if head.isascii() and head.isdigit() and len(head) < 9 else None


def matching_decisions(user, query: str):
    """Decisions with a line whose recipient (name and unit, folded) holds every word of the query, or whose number
    or subject line it gives; each with `matched_recipient`, the first such line's recipient."""
    lines = DecisionItem.objects.filter(name_or_code_q(query, names=["search_text"]), decision=OuterRef("pk"))
    number = decision_number(query)
    return (
        visible_decisions(user)
        .filter(Exists(lines) | Q(title__icontains=query.strip()) | (Q(number=number) if number else NOTHING))
        .annotate(matched_recipient=Subquery(lines.order_by("group", "order").values("recipient_name")[:1]))
        .select_related("issuer", "award_type")
        .order_by(F("year").desc(nulls_first=True), F("number").desc(nulls_first=True), "-pk")
    )
