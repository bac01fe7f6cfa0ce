from .catalogue import AwardRuleSet, AwardType, BaseSalary
from .history import AwardRecord, Discipline, Initiative, Membership, Rating

__all__ = [
    "AwardRecord",
    "AwardRuleSet",
    "AwardType",
    "BaseSalary",
    "Discipline",
    "Initiative",
    "Membership",
    "Rating",
]
