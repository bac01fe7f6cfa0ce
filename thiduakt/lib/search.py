"""Matching what a user types against names and codes, the same way on every search.

Names are stored folded (thiduakt.lib.vn.fold) in `search_name`-like columns. A query matches a row when every
word of it, folded, occurs in the name ("hoa nguyen" finds "Nguyễn Thị Hoà"), or when the query, as typed or in
capitals, begins a code."""

from collections.abc import Sequence

from django.db.models import Case, IntegerField, Q, Value, When

from thiduakt.lib.vn import fold

MIN_LENGTH = 2
MAX_LENGTH = 100
# More words than this add nothing to a name search but a longer query plan.
MAX_WORDS = 8
NOTHING = Q(pk__in=[])


def clean_query(text: str | None) -> str:
    return " ".join((text or "").split())[:MAX_LENGTH]


def searchable(query: str) -> bool:
    """Long enough to search: one letter would match most of the province."""
    return len(fold(query).replace(" ", "")) >= MIN_LENGTH


def words(query: str) -> list[str]:
    return fold(query).split()[:MAX_WORDS]


def name_or_code_q(query: str, *, names: Sequence[str], codes: Sequence[str] = ()) -> Q:
    """Rows whose folded name (any of `names`, for rows that hold the name in one of several joined tables)
    contains every word of the query, or whose code (any of `codes`) starts with the query."""
    folded = words(query)
    if not folded:
        return NOTHING
    by_name = Q()
    for word in folded:
        in_any = Q()
        for field in names:
            in_any |= Q(**{f"{field}__contains": word})
        by_name &= in_any
    code = query.strip()
    by_code = Q()
    if code and " " not in code:
        # Codes are written in capitals: a prefix as typed or in capitals, each a LIKE 'X%' that the code's
        # pattern index answers (UPPER(code) LIKE would read every row of 100,000 people).
        for field in codes:
            for prefix in dict.fromkeys([code, code.upper()]):
                by_code |= Q(**{f"{field}__startswith": prefix})
    return by_name | by_code if by_code else by_name


def code_rank(query: str, field: str = "code") -> Case:
    """0 for the row whose code is the query, 1 for codes it begins, 2 for matches by name: sort by it first."""
    code = query.strip()
    return Case(
        When(**{f"{field}__iexact": code}, then=Value(0)),
        When(**{f"{field}__istartswith": code}, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
