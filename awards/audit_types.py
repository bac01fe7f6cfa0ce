"""The awards objects whose audit trail can be browsed, and labels for the verbs this app records."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from organizations import access

from .certificates import VERB_LABELS as CERTIFICATE_VERB_LABELS
from .consultation import VERB_LABELS as CONSULTATION_VERB_LABELS
from .decisions import VERB_LABELS as DECISION_VERB_LABELS
from .documents import VERB_LABELS as DOCUMENT_VERB_LABELS
from .imports import VERB_LABELS as IMPORT_VERB_LABELS
from .models import AwardType
from .nominations import VERB_LABELS as NOMINATION_VERB_LABELS
from .publication import VERB_LABELS as PUBLICATION_VERB_LABELS
from .sessions import VERB_LABELS as SESSION_VERB_LABELS

VERB_LABELS = {
    "award_rules.changed": _("Award rules changed"),
    "base_salary.created": _("Base salary added"),
    "session.minutes_attached": _("Session minutes attached to the dossiers"),  # awards/minutes.py
    **IMPORT_VERB_LABELS,
    **DOCUMENT_VERB_LABELS,
    **NOMINATION_VERB_LABELS,
    **SESSION_VERB_LABELS,
    **CONSULTATION_VERB_LABELS,
    **PUBLICATION_VERB_LABELS,
    **CERTIFICATE_VERB_LABELS,
    **DECISION_VERB_LABELS,
}


def fetch_award_type(request, pk):
    """The audit trail of an award type's rules is for system admins only."""
    access.require_admin(request)
    award_type = get_object_or_404(AwardType, pk=pk)
    return award_type, award_type.name, reverse("award_type_detail", args=[award_type.code])


OBJECT_TYPES = {"awards.awardtype": fetch_award_type}
