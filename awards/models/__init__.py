from .catalogue import AwardRuleSet, AwardType, BaseSalary
from .certificates import Certificate, CertificateBatch
from .consultation import Consultation, ConsultationEntry, Feedback
from .councils import AgendaItem, Ballot, BallotPaper, CouncilSession, Recusal, SessionAttendance
from .decisions import Decision, DecisionItem
from .history import AwardRecord, Discipline, Initiative, Membership, Rating
from .nominations import Authority, DossierDocument, Nomination, NominationRevision, ReviewStage, Submission

__all__ = [
    "Certificate",
    "CertificateBatch",
    "Decision",
    "DecisionItem",
    "Consultation",
    "ConsultationEntry",
    "Feedback",
    "AgendaItem",
    "Ballot",
    "BallotPaper",
    "CouncilSession",
    "Recusal",
    "SessionAttendance",
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
