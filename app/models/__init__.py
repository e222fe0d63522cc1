"""The data model. Each module holds the tables of one part of the domain."""
from .account import Organiser, OrganiserRole
from .audit import AuditEntry
from .checkin import CheckIn, ScannerToken
from .feedback import ParticipantMessage, QuestionKind, SurveyQuestion, SurveyResponse
from .outbox import OutboxMessage, OutboxStatus
from .registration import (
    Initiative,
    Registration,
    RegistrationStatus,
    Role,
    SUPPORT_NEEDS,
)
from .village import Village, VillageRoleQuota

__all__ = [
    "AuditEntry",
    "CheckIn",
    "Initiative",
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
]
