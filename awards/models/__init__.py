from .catalogue import AwardRuleSet, AwardType, BaseSalary
from .history import AwardRecord, Discipline, Initiative, Membership, Rating
from .nominations import Authority, DossierDocument, Nomination, NominationRevision, ReviewStage, Submission

__all__ = [
    "Authority",
    "DossierDocument",
    "Nomination",
    "NominationRevision",
    "ReviewStage",
    "Submission",
    "AwardRecord",
    "AwardRuleSet",
    "AwardType",
    "BaseSalary",
    "Discipline",
    "Initiative",
    "Membership",
    "Rating",
]
