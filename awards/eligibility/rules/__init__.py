"""Rule kinds: each is one function (params, ctx) → (ok, message, records) registered in RULES.

ok is True (met), False (not met) or None (a person must judge: the verdict becomes "review"). The message
is one short Vietnamese line citing years and decision numbers; records are short references to the rows
that prove it. Adding a kind: write the function, register it with @rule and its parameters, test it.

Common parameters: "subjects" (the rule applies only to these subject types; checked by the engine) and,
for rules that count awards, "kinds" (default ["regular"]): sudden and campaign awards reward one
achievement and do not count toward the regular (merit) chains (law-notes §14.2). Revoked awards never
count.
"""

# Importing the modules registers their rule kinds in RULES.
from . import members, own  # noqa: F401
from .base import RULES, Context, _, counted_after_discipline, evaluate_rule, use_language
from .validation import validate_rule_set

__all__ = ["RULES", "Context", "_", "counted_after_discipline", "evaluate_rule", "use_language", "validate_rule_set"]
