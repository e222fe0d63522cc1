"""The data model. Each module holds the tables of one part of the domain."""
from .account import LoginThrottle, Organiser, OrganiserRole
from .audit import AuditEntry
from .checkin import CheckIn, ScannerToken
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
    "LoginThrottle",
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
]
