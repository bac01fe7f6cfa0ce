"""The documents of a nomination's dossier: adding and removing them while the dossier is with the proposing
unit, and the checklist of what its award type requires.

A file is accepted for what it is, not for what it is called: its type is read off its content (PDF, DOCX,
JPEG, PNG) and its size is capped by settings.DOSSIER_MAX_BYTES. It is stored under a random name
(`dossier_path`) outside the static tree and served only by a permission-checked view."""

import os
from datetime import date
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record
from organizations.models import Unit
from thiduakt.lib import uploads

from .models import AwardRuleSet, DossierDocument, Nomination
from .services import rule_set_in_force

Kind = DossierDocument.Kind

# The dossier is the proposing unit's to change only before it leaves and when it comes back for a supplement.
EDITABLE_STATES = frozenset({Nomination.State.DRAFT, Nomination.State.RETURNED})
# One current document of these kinds: a new upload replaces the previous one (which is kept, marked replaced,
# for the revisions reviewers compare). The other kinds may have several.
SINGLE_KINDS = frozenset({Kind.PROPOSAL_LETTER, Kind.ACHIEVEMENT_REPORT, Kind.MINUTES, Kind.TALLY_MINUTES})
# Simplified procedure (Law 06/2022 Art. 85): the proposal letter and a brief report of the achievement.
SIMPLIFIED_REQUIRED = (Kind.PROPOSAL_LETTER, Kind.ACHIEVEMENT_REPORT)
NAME_MAX_LENGTH = DossierDocument._meta.get_field("original_name").max_length
# The minutes of a council session (awards/minutes.py): one stored file under this prefix shared by the documents
# of every nomination on the agenda. A unit's upload does not replace them, and removing one nomination's row
# leaves the file to the others.
COUNCIL_DOCUMENTS_PREFIX = "dossiers/sessions/"

VERB_LABELS = {
    "nomination.document_added": gettext_lazy("Dossier document added"),
    "nomination.document_removed": gettext_lazy("Dossier document removed"),
}


class DocumentError(Exception):
    """The dossier refused a change; the message is shown to the user."""


class ChecklistItem(NamedTuple):
    kind: str
    label: str
    required: bool
    documents: list[DossierDocument]


# Selectors -------------------------------------------------------------------------------------------


def dossier_open(nomination: Nomination) -> bool:
    return nomination.state in EDITABLE_STATES


def rule_set_for(nomination: Nomination) -> AwardRuleSet | None:
    """The rules of the nomination's award type in force in its year for the proposing unit: those of the
    deepest organisation above it that has its own version, else the national ones (as the eligibility check
    reads them)."""
    on = date(nomination.year, 12, 31)
    ancestors = nomination.proposing_unit.ancestor_ids
    own = set(
        AwardRuleSet.objects.filter(
            award_type_id=nomination.award_type_id, organisation_id__in=ancestors, valid_from__lte=on
        ).values_list("organisation_id", flat=True)
    )
    deepest = next((unit_id for unit_id in reversed(ancestors) if unit_id in own), None)
    organisation = Unit.objects.get(pk=deepest) if deepest is not None else None
    return rule_set_in_force(nomination.award_type, organisation, on)


def required_kinds(nomination: Nomination) -> list[str]:
    if nomination.procedure == Nomination.Procedure.SIMPLIFIED:
        return list(SIMPLIFIED_REQUIRED)
    rule_set = rule_set_for(nomination)
    listed = set(rule_set.required_documents) if rule_set is not None else set()
    return [kind for kind in Kind.values if kind in listed]


def current_documents(nomination: Nomination):
    return nomination.documents.filter(replaced_at__isnull=True).order_by("kind", "uploaded_at", "pk")


def checklist(nomination: Nomination) -> list[ChecklistItem]:
    """Every kind of document, the required ones first, each with its current documents."""
    required = required_kinds(nomination)
    documents: dict[str, list[DossierDocument]] = {}
    for document in current_documents(nomination):
        documents.setdefault(document.kind, []).append(document)
    order = required + [kind for kind in Kind.values if kind not in required]
    labels = dict(Kind.choices)
    return [ChecklistItem(kind, str(labels[kind]), kind in required, documents.get(kind, [])) for kind in order]


def missing_documents(nomination: Nomination) -> list[str]:
    return [item.kind for item in checklist(nomination) if item.required and not item.documents]


# Services --------------------------------------------------------------------------------------------


def _clean_name(name: str) -> str:
    """The uploaded name as the user will see it again on download: no folders, no control characters,
    short enough for the row (the extension kept)."""
    name = "".join(char for char in os.path.basename(name or "") if char.isprintable()).strip() or "tai-lieu"
    if len(name) > NAME_MAX_LENGTH:
        stem, extension = os.path.splitext(name)
        extension = extension[:20]
        name = stem[: NAME_MAX_LENGTH - len(extension)] + extension
    return name


def _check_upload(kind: str, upload) -> str:
    """The sniffed content type of an acceptable upload; raises DocumentError otherwise."""
    if kind not in Kind.values:
        raise DocumentError(_("Choose the kind of document from the list."))
    if upload is None:
        raise DocumentError(_("Choose a file to upload."))
    if upload.size > settings.DOSSIER_MAX_BYTES:
        raise DocumentError(
            _("“%(name)s” is %(size)s; a document may be at most %(limit)s.")
            % {
                "name": _clean_name(upload.name),
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.DOSSIER_MAX_BYTES),
            }
        )
    content_type = uploads.sniff_content_type(upload)
    if content_type not in uploads.ALLOWED_DOCUMENT_TYPES:
        raise DocumentError(
            _("“%(name)s” is not a PDF, Word (DOCX), JPEG or PNG file, whatever its name says: it was not added.")
            % {"name": _clean_name(upload.name)}
        )
    return content_type


def _lock(nomination: Nomination) -> Nomination:
    return Nomination.objects.select_for_update(no_key=True).get(pk=nomination.pk)


def document_add(*, by, nomination: Nomination, kind: str, upload) -> DossierDocument:
    """Add a document of `kind` to the dossier while it is a draft or returned for supplement."""
    content_type = _check_upload(kind, upload)
    name = _clean_name(upload.name)
    stored = None
    try:
        with transaction.atomic():
            nomination = _lock(nomination)
            if not dossier_open(nomination):
                raise DocumentError(
                    _("Documents can be added only while the nomination is a draft or returned for supplement.")
                )
            replaced = []
            if kind in SINGLE_KINDS:
                previous = nomination.documents.filter(kind=kind, replaced_at__isnull=True).exclude(
                    file__startswith=COUNCIL_DOCUMENTS_PREFIX
                )
                replaced = list(previous.values_list("pk", flat=True))
                previous.update(replaced_at=timezone.now())
            document = DossierDocument(
                nomination=nomination,
                kind=kind,
                original_name=name,
                content_type=content_type,
                size=upload.size,
                uploaded_by=by if by is not None and by.is_authenticated else None,
            )
            upload.seek(0)
            document.file.save(name, upload, save=False)  # dossier_path ignores the name: random on disk
            stored = document.file.name
            document.save()
            audit_record(
                actor=by,
                verb="nomination.document_added",
                obj=nomination,
                data={
                    "document": document.pk,
                    "kind": kind,
                    "name": name,
                    "size": document.size,
                    "content_type": content_type,
                    "replaced": replaced,
                },
            )
    except BaseException:
        # The row is rolled back; the file written before it must not stay behind, unreachable.
        if stored:
            document.file.storage.delete(stored)
        raise
    return document


def document_remove(*, by, document: DossierDocument) -> None:
    """Remove a document (row and file) while the dossier is a draft or returned for supplement."""
    with transaction.atomic():
        nomination = _lock(document.nomination)
        document = DossierDocument.objects.select_for_update(no_key=True).filter(pk=document.pk).first()
        if document is None or document.nomination_id != nomination.pk:
            raise DocumentError(_("This document has already been removed."))
        if not dossier_open(nomination):
            raise DocumentError(
                _("Documents can be removed only while the nomination is a draft or returned for supplement.")
            )
        storage, stored = document.file.storage, document.file.name
        audit_record(
            actor=by,
            verb="nomination.document_removed",
            obj=nomination,
            data={"document": document.pk, "kind": document.kind, "name": document.original_name},
        )
        document.delete()
        if DossierDocument.objects.filter(file=stored).exists():
            return  # a council's minutes, still in the other nominations' dossiers
        # The file goes only once the row is gone for good: a rollback must not leave a row without its file.
        transaction.on_commit(lambda: storage.delete(stored))
