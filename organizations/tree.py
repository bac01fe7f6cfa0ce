"""Writes on the unit tree that touch many rows at once."""

from django.db.models import Value
from django.db.models.functions import Concat, Substr

from .models import Unit


def rewrite_subtree_paths(*, old_prefix: str, new_prefix: str) -> int:
    """After a unit moved from `old_prefix` to `new_prefix`, give every unit whose path still starts with the
    old prefix the new one, in one UPDATE (portable: SUBSTR and concatenation exist in SQLite and PostgreSQL).
    Returns the number of rows changed."""
    if not old_prefix or old_prefix == new_prefix:
        return 0
    return Unit.objects.filter(path__startswith=old_prefix).update(
        path=Concat(Value(new_prefix), Substr("path", len(old_prefix) + 1))
    )
