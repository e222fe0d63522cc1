"""The data model. Each module holds the tables of one part of the domain."""
from .account import Organiser, OrganiserRole
from .audit import AuditEntry
from .capacity import ConfirmedCount
from .checkin import CheckIn, ScannerToken
from .export_job import ExportJob, ExportJobStatus
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
    "ConfirmedCount",
    "ExportJob",
    "ExportJobStatus",
    "Initiative",
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
