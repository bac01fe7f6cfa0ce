"""Reads shared by the decision services (awards/decisions.py), their pages and the certificate and publication
code: which nominations an issuer may decide, which issuers and decisions a user reaches, and the lines of a
decision with what their pages print."""

from django.db.models import Count, Exists, F, OuterRef, Q

from organizations.models import Council, Unit
from thiduakt.lib import permissions
from thiduakt.lib.vn import fold

from .models import Decision, DecisionItem, Nomination, ReviewStage

SIGNER = frozenset({Unit.Role.SIGNER})
NOMINATION_RELATED = ("award_type", "person__unit__parent", "unit__parent", "household__unit", "proposing_unit")
ITEM_RELATED = ("nomination__award_type", "nomination__proposing_unit", "certificate")


def decidable_nominations(issuer: Unit):
    """Nominations waiting for a decision of `issuer`: in state in_decision, passed by the council of `issuer` at
    their deciding stage, and on no decision yet (a draft one included)."""
    passed_here = ReviewStage.objects.filter(
        nomination=OuterRef("pk"), decides=True, state=ReviewStage.State.PASSED, council__unit=issuer
    )
    return (
        Nomination.objects.filter(Exists(passed_here), state=Nomination.State.IN_DECISION)
        .filter(decision_item__isnull=True)
        .select_related(*NOMINATION_RELATED)
    )


def issuers_for(user):
    """Units the user may draft decisions for: units with a council where the user is a signer (on the unit or
    an ancestor) or serves the secretariat of one of the unit's councils; admins: every unit with a council."""
    with_council = Unit.objects.filter(Exists(Council.objects.filter(unit=OuterRef("pk"))))
    if permissions.is_system_admin(user):
        return with_council.order_by("path")
    if not user.is_authenticated:
        return Unit.objects.none()
    signed = permissions.covered_units_q(user, roles=SIGNER)
    served = Q(pk__in=permissions.secretariat_councils(user).values("unit_id"))
    return with_council.filter(signed | served).order_by("path")


def signer_units_q(user, field: str = "") -> Q:
    """A filter on units (or on rows with a unit through `field`, e.g. "issuer__") the user may sign for."""
    return permissions.covered_units_q(user, roles=SIGNER, field=field)


def visible_decisions(user):
    """Decisions of the issuers the user signs for or whose council's secretariat the user serves; admins: all."""
    decisions = Decision.objects.all()
    if permissions.is_system_admin(user):
        return decisions
    if not user.is_authenticated:
        return decisions.none()
    served = Q(issuer__in=permissions.secretariat_councils(user).values("unit_id"))
    return decisions.filter(signer_units_q(user, field="issuer__") | served)


def filter_decisions(decisions, data: dict):
    if data.get("issuer"):
        decisions = decisions.filter(issuer=data["issuer"])
    if data.get("state"):
        decisions = decisions.filter(state=data["state"])
    if data.get("year"):
        year = data["year"]
        decisions = decisions.filter(Q(year=year) | Q(year__isnull=True, created_at__year=year))
    if data.get("award_type"):
        decisions = decisions.filter(award_type=data["award_type"])
    if data.get("q"):
        text = data["q"].strip()
        folded = fold(text)
        decisions = decisions.filter(
            Q(title__icontains=text) | Q(items__search_text__contains=folded) | Q(number=_int_or_none(text))
        ).distinct()
    return (
        decisions.select_related("issuer", "award_type")
        .annotate(line_count=Count("items", distinct=True))
        .order_by(F("year").desc(nulls_first=True), F("number").desc(nulls_first=True), "-pk")
    )


def _int_or_none(text: str):
    head = text.split("/", 1)[0].strip()
    return int(head) if head.isascii() and head.isdigit() else None


def decision_items(decision: Decision):
    """The lines of a decision in the printed order (I. collectives, II. individuals, III. households)."""
    return decision.items.select_related(*ITEM_RELATED).order_by("group", "order", "pk")


def grouped(items) -> list[tuple[int, str, list[DecisionItem]]]:
    """[(group value, label, lines)] for the groups that have lines, in order; lines numbered 1… in each."""
    groups = []
    for value, label in DecisionItem.Group.choices:
        rows = [item for item in items if item.group == value]
        if rows:
            groups.append((value, label, rows))
    return groups
