"""The minutes of a closed council session (biên bản họp Hội đồng Thi đua – Khen thưởng) and its ballot-count
minutes (biên bản kiểm phiếu), in the administrative layout of Decree 30/2020/NĐ-CP, and their attachment to the
dossier of every nomination on the agenda (law-notes §7.2: the dossiers of the higher titles carry both).

Both documents print who took part (the attendance and the ballot receipts), never how anyone voted: the counts
are those the close recorded on each agenda item.

Each PDF is rendered once and stored once, under dossiers/sessions/<session pk>/ (COUNCIL_DOCUMENTS_PREFIX in
awards/documents.py); the DossierDocument row of every nomination points at that one file. The prefix is
how a session's documents are recognised: a second attachment creates nothing, the dossier keeps a shared file
when one nomination's row is removed, and a unit's own minutes do not replace the council's."""

import uuid
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from audit.services import audit_record
from organizations.models import CouncilMember
from thiduakt.lib.pdf import render_pdf
from thiduakt.lib.vn import fold

from .documents import COUNCIL_DOCUMENTS_PREFIX
from .letters import place_name
from .models import AgendaItem, Ballot, CouncilSession, DossierDocument, Recusal
from .sessions import SessionError, share_label

Kind = DossierDocument.Kind
Role = CouncilMember.Role


@dataclass(frozen=True)
class MinutesKind:
    template: str
    document_kind: str
    filename: str  # ASCII, for the download's Content-Disposition


KINDS = {
    "minutes": MinutesKind("awards/sessions/minutes_pdf.html", Kind.MINUTES, "bien-ban-hop-hoi-dong-phien-{pk}.pdf"),
    "tally": MinutesKind("awards/sessions/tally_pdf.html", Kind.TALLY_MINUTES, "bien-ban-kiem-phieu-phien-{pk}.pdf"),
}
ROLE_ORDER = {role: index for index, role in enumerate(Role.values)}


class MinutesError(SessionError):
    """The minutes cannot be printed or attached; nothing changed."""


# Reading a closed session -----------------------------------------------------------------------------------


@dataclass
class Row:
    """One agenda item as the minutes print it."""

    order: int
    nominee: str
    detail: str
    award: str
    base: int
    agree: int
    disagree: int
    abstain: int
    share: str
    threshold: str
    passed: bool | None
    result: str
    note: str
    recusals: list[tuple[str, str]] = field(default_factory=list)


def member_name(member: CouncilMember) -> str:
    return member.user.get_full_name() or member.user.get_username()


def vn_decimal(text: str) -> str:
    """Vietnamese decimal comma: "66.67%" → "66,67%"."""
    return text.replace(".", ",")


def agree_share(agree: int, base: int) -> str:
    """Agree as a share of the base, two decimals, Vietnamese style: 5 of 7 → "71,43%"; no base → "—"."""
    if not base:
        return "—"
    percent = (Decimal(agree) * 100 / Decimal(base)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return vn_decimal(f"{percent:f}%")


def result_label(passed: bool | None) -> str:
    if passed is None:
        return pgettext("vote result", "Not decided")
    return pgettext("vote result", "Passed") if passed else pgettext("vote result", "Not passed")


def _subject_lines(nomination) -> tuple[str, str]:
    """The nominee and the line under it: a person's position and unit, a household's unit; a collective is its own
    unit, so the line names the unit that proposed it."""
    if nomination.person_id:
        person = nomination.person
        return person.full_name, ", ".join(part for part in (person.position, person.unit.name) if part)
    if nomination.household_id:
        return str(nomination.household), nomination.household.unit.name
    return nomination.unit.name, nomination.proposing_unit.name


def _items(session: CouncilSession) -> list[AgendaItem]:
    return list(
        session.items.select_related(
            "stage__nomination__award_type",
            "stage__nomination__person__unit",
            "stage__nomination__unit",
            "stage__nomination__household__unit",
            "stage__nomination__proposing_unit",
        )
        .prefetch_related(
            Prefetch("recusals", queryset=Recusal.objects.select_related("member__user").order_by("member_id"))
        )
        .order_by("order")
    )


def _rows(items: list[AgendaItem]) -> list[Row]:
    rows = []
    for item in items:
        nomination = item.stage.nomination
        nominee, detail = _subject_lines(nomination)
        base = item.eligible_voters or 0
        threshold = item.vote_rule.get("threshold")
        rows.append(
            Row(
                order=item.order,
                nominee=nominee,
                detail=detail,
                award=nomination.award_type.name,
                base=base,
                agree=item.agree or 0,
                disagree=item.disagree or 0,
                abstain=item.abstain or 0,
                share=agree_share(item.agree or 0, base),
                threshold=vn_decimal(share_label(threshold)) if threshold else "—",
                passed=item.passed,
                result=result_label(item.passed),
                note=item.result_note,
                recusals=[(member_name(r.member), r.reason) for r in item.recusals.all()],
            )
        )
    return rows


@dataclass
class Attendance:
    """The voting members frozen at the opening, sorted by role then name, split by how they took part."""

    voters: int
    ballots: int
    present: list[str]  # at the meeting (attendance), voting members
    by_ballot: list[str]  # sent a ballot without being recorded at the meeting
    absent: list[str]  # neither
    observers: list[str]  # at the meeting without a vote (the secretary, non-voting members)

    @property
    def took_part(self) -> int:
        return len(self.present) + len(self.by_ballot)

    @property
    def not_voting(self) -> int:
        return self.voters - self.ballots


def _sorted_names(members) -> list[str]:
    ordered = sorted(members, key=lambda m: (ROLE_ORDER.get(m.role, len(ROLE_ORDER)), fold(member_name(m)), m.pk))
    return [f"{member_name(m)} ({m.get_role_display().lower()})" for m in ordered]


def _attendance(session: CouncilSession) -> Attendance:
    voters = set(session.voter_ids)
    present = set(session.attendance.values_list("member_id", flat=True))
    voted = set(Ballot.objects.filter(session=session).values_list("member_id", flat=True))
    members = {m.pk: m for m in CouncilMember.objects.filter(pk__in=voters | present).select_related("user")}

    def pick(ids):
        return _sorted_names(members[pk] for pk in ids if pk in members)

    return Attendance(
        voters=len(voters),
        ballots=len(voted & voters),
        present=pick(voters & present),
        by_ballot=pick((voters & voted) - present),
        absent=pick(voters - present - voted),
        observers=pick(present - voters),
    )


def _quorums(items: list[AgendaItem], took_part: int, voters: int) -> list[tuple[str, bool]]:
    """Each distinct quorum of the agenda's rules (none: "0/1") with whether it was reached."""
    shares = sorted({item.vote_rule.get("quorum") or "0/1" for item in items}, key=Fraction)
    return [
        (vn_decimal(share_label(share)), took_part * Fraction(share).denominator >= Fraction(share).numerator * voters)
        for share in shares
        if Fraction(share) > 0
    ]


def _ballot_forms(items: list[AgendaItem]) -> str:
    secret = {bool(item.vote_rule.get("secret", True)) for item in items}
    if secret == {True}:
        return _("secret ballot")
    if secret == {False}:
        return _("open vote")
    return _("secret ballot or open vote, as each award's rule requires")


def _officer(session: CouncilSession, role: str) -> str:
    """The council's chair or secretary on the meeting date ("" when the council has none: a blank to sign)."""
    on = session.meeting_on
    member = (
        CouncilMember.objects.filter(council=session.council, role=role)
        .exclude(start__gt=on)
        .exclude(end__lt=on)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return member_name(member) if member else ""


def issuer_lines() -> list[str]:
    """ "Hội đồng Thi đua – Khen thưởng" on two lines broken after its dash: on one line it does not fit the
    issuer's column at the size Decree 30/2020 asks for, and a break anywhere else reads badly."""
    title = _("Emulation and Commendation Council")
    head, dash, tail = title.partition(" – ")
    return [f"{head}{dash}".strip(), tail] if dash else [title]


def minutes_context(session: CouncilSession, kind: str) -> dict:
    attendance = _attendance(session)
    items = _items(session)
    rows = _rows(items)
    closed_on = timezone.localtime(session.closed_at).date() if session.closed_at else session.meeting_on
    return {
        "kind": kind,
        "session": session,
        "council": session.council,
        "unit": session.council.unit,
        "issuer_lines": issuer_lines(),
        "place": place_name(session.council.unit),
        "on": closed_on,
        "attendance": attendance,
        "quorums": _quorums(items, attendance.took_part, attendance.voters),
        "ballot_forms": _ballot_forms(items),
        "rows": rows,
        "passed_count": sum(1 for row in rows if row.passed is True),
        "failed_count": sum(1 for row in rows if row.passed is False),
        "undecided_count": sum(1 for row in rows if row.passed is None),
        "chair": _officer(session, Role.CHAIR),
        "secretary": _officer(session, Role.SECRETARY),
    }


def _closed(session: CouncilSession) -> CouncilSession:
    session = CouncilSession.objects.select_related("council__unit").filter(pk=session.pk).first()
    if session is None:
        raise MinutesError(_("The council session no longer exists."))
    if session.state != CouncilSession.State.CLOSED:
        raise MinutesError(_("The minutes exist only once the vote of the session has been closed and counted."))
    return session


def _kind(kind: str) -> MinutesKind:
    if kind not in KINDS:
        raise MinutesError(_("Unknown kind of minutes: %(kind)s.") % {"kind": kind})
    return KINDS[kind]


def render_minutes(session: CouncilSession, kind: str) -> bytes:
    """The PDF of a closed session's minutes ("minutes") or ballot-count minutes ("tally"), in Vietnamese
    whatever the language of the request or the worker."""
    spec = _kind(kind)
    session = _closed(session)
    with translation.override(settings.LANGUAGE_CODE):
        return render_pdf(spec.template, minutes_context(session, kind))


def filename(session: CouncilSession, kind: str) -> str:
    return _kind(kind).filename.format(pk=session.pk)


# Stored copies ----------------------------------------------------------------------------------------------


def session_prefix(session: CouncilSession) -> str:
    return f"{COUNCIL_DOCUMENTS_PREFIX}{session.pk}/"


def _session_documents(session: CouncilSession):
    return DossierDocument.objects.filter(file__startswith=session_prefix(session))


def minutes_pdf(session: CouncilSession, kind: str) -> bytes:
    """The stored file that the dossiers hold when it has been attached (what was filed is what is read), else a
    fresh rendering (the attachment task has not run yet)."""
    spec = _kind(kind)
    session = _closed(session)
    document = _session_documents(session).filter(kind=spec.document_kind).order_by("pk").first()
    if document is not None:
        try:
            with document.file.open("rb") as handle:
                return handle.read()
        except FileNotFoundError:
            pass
    return render_minutes(session, kind)


def _attached(session: CouncilSession) -> tuple[set[tuple[int, str]], dict[str, str]]:
    """(nomination id, document kind) pairs that already hold the session's documents, and the stored file of each
    kind."""
    pairs, files = set(), {}
    for nomination_id, kind, name in _session_documents(session).values_list("nomination_id", "kind", "file"):
        pairs.add((nomination_id, kind))
        files.setdefault(kind, name)
    return pairs, files


def _missing(nomination_ids: list[int], pairs: set[tuple[int, str]]) -> dict[str, list[int]]:
    return {
        spec.document_kind: [pk for pk in nomination_ids if (pk, spec.document_kind) not in pairs]
        for spec in KINDS.values()
    }


def _store(session: CouncilSession, kind: str, storage) -> str:
    pdf = render_minutes(session, kind)
    name = f"{session_prefix(session)}{kind}-{uuid.uuid4().hex}.pdf"
    return storage.save(name, ContentFile(pdf))


def attach_minutes(*, session: CouncilSession) -> int:
    """Put the minutes and the ballot-count minutes of a closed session in the dossier of every nomination on its
    agenda; returns how many documents were created (0 when they are all there already).

    The PDFs are rendered before the transaction (the agenda does not change after the close, and the audit
    chain's lock is held only for the inserts); the transaction locks the session row so that two runs at once
    (a redelivered task) insert once, and the loser deletes the files it stored for nothing."""
    session = _closed(session)
    nomination_ids = list(session.items.order_by("order").values_list("stage__nomination_id", flat=True))
    pairs, files = _attached(session)
    missing = _missing(nomination_ids, pairs)
    if not any(missing.values()):
        return 0
    storage = DossierDocument._meta.get_field("file").storage
    stored: dict[str, str] = {}
    try:
        for kind, spec in KINDS.items():
            if missing[spec.document_kind] and spec.document_kind not in files:
                stored[spec.document_kind] = _store(session, kind, storage)
        created = _insert(session, nomination_ids, stored, storage)
    except BaseException:
        for name in stored.values():
            storage.delete(name)
        raise
    unused = set(stored.values()) - {document.file.name for document in created}
    for name in unused:
        storage.delete(name)
    return len(created)


def _insert(session: CouncilSession, nomination_ids: list[int], stored: dict[str, str], storage) -> list:
    with transaction.atomic():
        CouncilSession.objects.select_for_update(no_key=True).filter(pk=session.pk).values("pk").first()
        pairs, files = _attached(session)  # again, under the lock: a concurrent run may have won
        missing = _missing(nomination_ids, pairs)
        documents = []
        for kind, spec in KINDS.items():
            if not missing[spec.document_kind]:
                continue
            name = files.get(spec.document_kind) or stored.get(spec.document_kind)
            if name is None:  # the only rows of this kind were removed since the first read
                name = stored[spec.document_kind] = _store(session, kind, storage)
            size = storage.size(name)
            documents += [
                DossierDocument(
                    nomination_id=nomination_id,
                    kind=spec.document_kind,
                    file=name,
                    original_name=spec.filename.format(pk=session.pk),
                    content_type="application/pdf",
                    size=size,
                    uploaded_by=None,
                )
                for nomination_id in missing[spec.document_kind]
            ]
        created = DossierDocument.objects.bulk_create(documents)
        if created:
            audit_record(
                actor=None,
                verb="session.minutes_attached",
                obj=session,
                data={
                    "documents": len(created),
                    "nominations": len({d.nomination_id for d in created}),
                    "files": sorted({d.file.name for d in created}),
                },
            )
    return created
