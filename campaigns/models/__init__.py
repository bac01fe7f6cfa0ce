from .blocs import (
    Bloc,
    BlocMembership,
    BlocResult,
    Pledge,
    ScoreCriterion,
    ScoreEntry,
    ScoreGroup,
    ScoreSheet,
    ScoreTemplate,
)
from .campaigns import Campaign, CampaignAmendment, CampaignCriterion, Registration, RegistrationTarget

__all__ = [
    "Bloc",
    "BlocMembership",
    "BlocResult",
    "Campaign",
    "CampaignAmendment",
    "CampaignCriterion",
    "Pledge",
    "Registration",
    "RegistrationTarget",
    "ScoreCriterion",
    "ScoreEntry",
    "ScoreGroup",
    "ScoreSheet",
    "ScoreTemplate",
]
