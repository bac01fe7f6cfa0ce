"""The proposal letter (tờ trình) of a submission, rendered from the data in the layout of Decree
30/2020/NĐ-CP: issuing body and national motto, "Số: 05/TTr-…", place and date, the list of nominations
grouped I. collectives, II. individuals, III. households, and the signature block."""

from django.utils import timezone
from django.utils.translation import gettext as _

from thiduakt.lib.pdf import render_pdf

from .selectors_nominations import letter_nominations


def letter_number(submission) -> str:
    """ "05/TTr-SGD": the yearly number, zero-padded under 10, and the issuer's symbol."""
    if not submission.number:
        return ""
    return f"{submission.number:02d}/{submission.symbol}"


def place_name(unit) -> str:
    """The place line of a letter: the name of the province the unit belongs to, without its kind."""
    top = unit.ancestors(include_self=True).first() or unit
    for prefix in ("Tỉnh ", "Thành phố "):
        if top.name.startswith(prefix):
            return top.name[len(prefix) :]
    return top.name


def grouped_nominations(submission) -> list[tuple[str, list]]:
    nominations = list(
        letter_nominations(submission)
        .select_related("award_type", "person", "person__unit", "unit", "household")
        .order_by("award_type__order", "pk")
    )
    groups = [
        (_("Collectives"), [n for n in nominations if n.unit_id]),
        (_("Individuals"), [n for n in nominations if n.person_id]),
        (_("Households"), [n for n in nominations if n.household_id]),
    ]
    return [(title, rows) for title, rows in groups if rows]


def submission_context(submission) -> dict:
    on = timezone.localtime(submission.sent_at).date() if submission.sent_at else timezone.localdate()
    unit = submission.unit
    groups = grouped_nominations(submission)
    return {
        "submission": submission,
        "number": letter_number(submission),
        "unit": unit,
        "parent": unit.parent,
        "place": place_name(unit),
        "on": on,
        "groups": groups,
        "count": sum(len(rows) for _title, rows in groups),
    }


def submission_pdf(submission) -> bytes:
    return render_pdf("pdf/submission.html", submission_context(submission))
