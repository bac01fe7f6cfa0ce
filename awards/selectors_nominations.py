"""Reads shared by the nomination services (awards/nominations.py) and, later, their views and jobs.

Sending a letter of thirty nominations must not read the rules and the documents thirty times:
`RuleSetIndex` reads every rule set once and answers for any unit and year as awards.documents.rule_set_for
and the eligibility engine do (the deepest organisation above the unit with its own version, else the national
one), and `current_documents_many` reads the documents of many nominations in one query."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from organizations.models import Unit
from thiduakt.lib import permissions

from .documents import SIMPLIFIED_REQUIRED
from .models import AwardRuleSet, DossierDocument, Nomination, ReviewStage, Submission
from .models.catalogue import AwardKind

Kind = DossierDocument.Kind


@dataclass
class RuleSetIndex:
    # award type id → organisation id (None: national) → versions, latest first
    versions: dict[int, dict[int | None, list[AwardRuleSet]]]

    @classmethod
    def load(cls, *, award_type_ids, last_year: int) -> "RuleSetIndex":
        versions: dict[int, dict[int | None, list[AwardRuleSet]]] = defaultdict(lambda: defaultdict(list))
        rows = AwardRuleSet.objects.filter(
            award_type_id__in=set(award_type_ids), valid_from__lte=date(last_year, 12, 31)
        ).order_by("-valid_from", "-pk")
        for rule_set in rows:
            versions[rule_set.award_type_id][rule_set.organisation_id].append(rule_set)
        return cls(versions=versions)

    def in_force(self, *, award_type_id: int, unit: Unit | None, year: int) -> AwardRuleSet | None:
        on = date(year, 12, 31)
        by_organisation = self.versions.get(award_type_id, {})
        for organisation_id in [*reversed(unit.ancestor_ids if unit is not None else []), None]:
            found = next((v for v in by_organisation.get(organisation_id, ()) if v.valid_from <= on), None)
            if found is not None:
                return found
        return None


def visible_nominations(user):
    """The nominations a user's lists show (the nomination list, the search box, a person's page): those proposed
    by a unit where the user holds a role, or by a unit below it; admins: all. A council's secretariat reaches
    the nominations on its route through the review pages, not through these lists."""
    return Nomination.objects.filter(permissions.covered_units_q(user, field="proposing_unit__"))


def subject_unit(nomination: Nomination) -> Unit:
    """The unit whose rules the eligibility engine applies to the subject (person.unit, household.unit, the unit)."""
    if nomination.person_id:
        return nomination.person.unit
    if nomination.household_id:
        return nomination.household.unit
    return nomination.unit


def current_documents_many(nominations) -> dict[int, list[DossierDocument]]:
    """Current (not replaced) documents by nomination id, in checklist order, one query."""
    found: dict[int, list[DossierDocument]] = {n.pk: [] for n in nominations}
    rows = DossierDocument.objects.filter(nomination_id__in=list(found), replaced_at__isnull=True).order_by(
        "nomination_id", "kind", "uploaded_at", "pk"
    )
    for document in rows:
        found[document.nomination_id].append(document)
    return found


def required_kinds(nomination: Nomination, rule_set: AwardRuleSet | None) -> list[str]:
    """As awards.documents.required_kinds, with the rule set already found."""
    if nomination.procedure == Nomination.Procedure.SIMPLIFIED:
        return list(SIMPLIFIED_REQUIRED)
    listed = set(rule_set.required_documents) if rule_set is not None else set()
    return [kind for kind in Kind.values if kind in listed]


def missing_kinds(nomination: Nomination, rule_set: AwardRuleSet | None, documents: list[DossierDocument]) -> list:
    present = {document.kind for document in documents}
    return [kind for kind in required_kinds(nomination, rule_set) if kind not in present]


def documents_snapshot(documents: list[DossierDocument]) -> list[dict]:
    return [
        {"id": d.pk, "kind": d.kind, "original_name": d.original_name, "size": d.size}
        for d in sorted(documents, key=lambda d: (d.kind, d.pk))
    ]


def current_stage(nomination: Nomination) -> ReviewStage | None:
    """The stage the nomination is at: the lowest one that has been reached and not passed."""
    return (
        nomination.stages.exclude(state__in=[ReviewStage.State.WAITING, ReviewStage.State.PASSED])
        .select_related("council")
        .order_by("order")
        .first()
    )


def letter_nominations(letter: Submission):
    """The nominations a letter carries: a unit's own letter through Nomination.submission, a forwarding letter
    through the stages it brought up (ReviewStage.letter)."""
    if letter.council_id:
        return Nomination.objects.filter(stages__letter=letter)
    return letter.nominations.all()


DOCUMENT_KINDS = dict(DossierDocument.Kind.choices)
FIELD_CHOICES = {"kind": dict(AwardKind.choices), "procedure": dict(Nomination.Procedure.choices)}


def field_label(name: str) -> str:
    """A revision snapshot's field as the pages name it ("subject" is not a model field)."""
    if name == "subject":
        return _("nominee")
    return str(Nomination._meta.get_field(name).verbose_name)


def diff_rows(diff: dict) -> list[tuple[str, str, str]]:
    """A revision_diff as the rows a reader sees: (what, before, after), choice values and document kinds by
    their labels."""
    rows = []
    for name, (before, after) in diff["fields"].items():
        labels = FIELD_CHOICES.get(name, {})
        rows.append((capfirst(field_label(name)), labels.get(before, before), labels.get(after, after)))
    for document in diff["documents"]["added"]:
        rows.append(
            (_("Document added"), None, f"{DOCUMENT_KINDS.get(document['kind'], '')}: {document['original_name']}")
        )
    for document in diff["documents"]["removed"]:
        rows.append(
            (_("Document removed"), f"{DOCUMENT_KINDS.get(document['kind'], '')}: {document['original_name']}", None)
        )
    return rows


def labelled_reasons(reasons: list[dict]) -> list[tuple[str, str]]:
    """A stage's return or rejection reasons as (document kind label or "", text)."""
    return [(DOCUMENT_KINDS.get(reason.get("document", ""), ""), reason.get("text", "")) for reason in reasons or []]
