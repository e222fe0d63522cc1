"""The data model. Each module holds the tables of one part of the domain."""
from .account import LoginThrottle, Organiser, OrganiserRole
from .audit import AuditEntry
from .capacity import ConfirmedCount
from .checkin import CheckIn, ScannerToken
from .export_job import ExportJob, ExportJobStatus
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
    "ConfirmedCount",
    "ExportJob",
    "ExportJobStatus",
    "Initiative",
    "LoginThrottle",
    "InitiativePresentation",
    "InitiativeVersion",
    "ModerationState",
    "Organiser",
    "OrganiserRole",
    "OutboxMessage",
    "OutboxStatus",
    "Registration",
    "RegistrationStatus",
    "Role",
    "ScannerToken",
    "SUPPORT_NEEDS",
    "Village",
    "VillageRoleQuota",
    "Visibility",
]
