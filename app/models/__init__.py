"""The data model. Each module holds the tables of one part of the domain."""
from .account import Organiser, OrganiserRole
from .audit import AuditEntry
from .checkin import CheckIn, ScannerToken
from .feedback import ParticipantMessage, QuestionKind, SurveyQuestion, SurveyResponse
from .initiative import (
    Initiative,
    InitiativePresentation,
    InitiativeVersion,
    ModerationState,
    Visibility,
)
from .initiative_lists import SUPPORT_NEEDS
from .outbox import OutboxMessage, OutboxStatus
from .registration import (
    Registration,
    RegistrationStatus,
    Role,
)
from .village import Village, VillageRoleQuota

__all__ = [
    "AuditEntry",
    "CheckIn",
    "Initiative",
    "InitiativePresentation",
    "InitiativeVersion",
    "ModerationState",
    "Organiser",
    "OrganiserRole",
    "OutboxMessage",
    "OutboxStatus",
    "ParticipantMessage",
    "QuestionKind",
    "Registration",
    "RegistrationStatus",
    "Role",
    "ScannerToken",
    "SUPPORT_NEEDS",
    "SurveyQuestion",
    "SurveyResponse",
    "Village",
    "VillageRoleQuota",
    "Visibility",
]
