"""Published award lists (issue 7): system admins publish issued decisions, and the public reads, per year and
issuer, every line of them (law-notes §8.4: the lists are published after the decision).

Services: decision_publish / decision_unpublish, same shape as awards/nominations.py: keyword-only, one
transaction, the decision row locked with select_for_update(no_key=True), PublicationError with a message for
the user when the action is refused and nothing changed, one audit event per action.

Selectors: what the public pages read. Every public read starts from `public_decisions()` or `public_lines()`,
so a decision that is not published (or is a draft, whatever its published_at says) never shows anywhere."""

from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record
from organizations.models import Unit
from thiduakt.lib import permissions
from thiduakt.lib.vn import fold

from .models import Decision, DecisionItem
from .nominations import NominationError

PUBLISHABLE = (Decision.State.ISSUED, Decision.State.REVOKED)
REASON_MAX = 1000

VERB_LABELS = {
    "decision.published": gettext_lazy("Award decision published"),
    "decision.unpublished": gettext_lazy("Award decision withdrawn from the published lists"),
}


class PublicationError(NominationError):
    """Publishing or withdrawing a decision was refused; nothing changed."""


# Services --------------------------------------------------------------------------------------------------


def _require_admin(user) -> None:
    if not permissions.is_system_admin(user):
        raise PublicationError(_("Only a system administrator may publish or withdraw award lists."))


def _locked(decision: Decision) -> Decision:
    return Decision.objects.select_for_update(no_key=True).get(pk=decision.pk)


def decision_publish(*, by, decision: Decision) -> Decision:
    """Put an issued (or revoked: the public sees it revoked) decision on the public lists."""
    _require_admin(by)
    with transaction.atomic():
        locked = _locked(decision)
        if locked.state not in PUBLISHABLE:
            raise PublicationError(_("Only an issued decision can be published."))
        if locked.published_at is not None:
            raise PublicationError(
                _("Decision %(number)s is already published.") % {"number": locked.number_label or locked.pk}
            )
        locked.published_at = timezone.now()
        locked.save(update_fields=["published_at"])
        audit_record(actor=by, verb="decision.published", obj=locked, data={"published_at": locked.published_at})
    decision.published_at = locked.published_at
    return locked


def decision_unpublish(*, by, decision: Decision, reason: str) -> Decision:
    """Take a decision off the public lists; the reason is kept in the audit trail."""
    _require_admin(by)
    reason = (reason or "").strip()
    if not reason:
        raise PublicationError(_("Give the reason for withdrawing the decision from the published lists."))
    if len(reason) > REASON_MAX:
        raise PublicationError(_("The reason is too long (at most %(max)s characters).") % {"max": REASON_MAX})
    with transaction.atomic():
        locked = _locked(decision)
        if locked.published_at is None:
            raise PublicationError(
                _("Decision %(number)s is not published.") % {"number": locked.number_label or locked.pk}
            )
        published_at = locked.published_at
        locked.published_at = None
        locked.save(update_fields=["published_at"])
        audit_record(
            actor=by,
            verb="decision.unpublished",
            obj=locked,
            data={"reason": reason, "published_at": published_at},
        )
    decision.published_at = None
    return locked


# Selectors -------------------------------------------------------------------------------------------------


def publishable_decisions():
    """The decisions an admin may publish or withdraw: issued or revoked (drafts have no number yet)."""
    return Decision.objects.filter(state__in=PUBLISHABLE)


def public_decisions():
    """The decisions the public may read."""
    return publishable_decisions().filter(published_at__isnull=False, decided_on__isnull=False)


def public_lines():
    return DecisionItem.objects.filter(decision__in=public_decisions())


def published_index():
    """(year, issuer code, issuer name, decisions, lines) for every year and issuer with a published decision,
    the latest year first; one query."""
    rows = (
        public_decisions()
        .annotate(decided_year=ExtractYear("decided_on"))
        .values("decided_year", "issuer__code", "issuer__name")
        .annotate(decisions=Count("pk", distinct=True), lines=Count("items"))
        .order_by("-decided_year", "issuer__name", "issuer__code")
    )
    return list(rows)


def published_issuer(*, year: int, code: str) -> Unit | None:
    """The issuer, if it has a published decision dated in that year (else None: the page answers 404)."""
    decisions = public_decisions().filter(decided_on__year=year, issuer__code=code)
    return Unit.objects.filter(code=code, pk__in=decisions.values("issuer_id")).first()


def list_lines(*, issuer: Unit, year: int, query: str = "", award_code: str = "", number: int | None = None):
    """The published lines of an issuer's decisions dated in `year`, searched without accents ("nguyen thi hoa"
    finds "Nguyễn Thị Hoà"), in the order of the decisions and of their attached lists."""
    lines = public_lines().filter(decision__issuer=issuer, decision__decided_on__year=year)
    folded = fold(query)
    if folded:
        lines = lines.filter(search_text__contains=folded)
    if award_code:
        lines = lines.filter(decision__award_type__code=award_code)
    if number is not None:
        lines = lines.filter(decision__number=number)
    return (
        lines.select_related("decision__award_type")
        .only(
            "recipient_name",
            "recipient_unit",
            "revoked",
            "group",
            "order",
            "decision__number",
            "decision__symbol",
            "decision__decided_on",
            "decision__state",
            "decision__award_type__name",
            "decision__award_type__code",
        )
        .order_by("decision__decided_on", "decision__number", "decision_id", "group", "order", "pk")
    )


def list_choices(*, issuer: Unit, year: int) -> tuple[list[tuple[str, str]], list[tuple[int, str]]]:
    """The awards and the decision numbers that the list's filters offer: (code, name) and (number, "05/QĐ-UBND
    – 12/03/2025"). Two queries."""
    decisions = public_decisions().filter(issuer=issuer, decided_on__year=year)
    awards = list(
        decisions.values_list("award_type__code", "award_type__name")
        .distinct()
        .order_by("award_type__code", "award_type__name")
    )
    numbers = [
        (d.number, f"{d.number_label} – {d.decided_on:%d/%m/%Y}")
        for d in decisions.only("number", "symbol", "decided_on").order_by("decided_on", "number")
    ]
    return awards, numbers


def is_revoked(line: DecisionItem) -> bool:
    return line.revoked or line.decision.state == Decision.State.REVOKED


def lines_fingerprint(lines) -> tuple:
    """What changes whenever the lines of a list or their revocation change (a decision published, withdrawn,
    revoked, a line revoked): the key of a rendered download in the cache. One query."""
    facts = lines.order_by().aggregate(
        n=Count("pk"),
        keys=Sum("pk"),
        published=Max("decision__published_at"),
        revoked=Count("pk", filter=Q(revoked=True) | Q(decision__state=Decision.State.REVOKED)),
        revoked_at=Max("revoked_at"),
        decision_revoked_at=Max("decision__revoked_at"),
    )
    return tuple(str(value) for _key, value in sorted(facts.items()))
