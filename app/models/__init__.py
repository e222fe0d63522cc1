"""The data model. Each module holds the tables of one part of the domain."""
from .account import LoginThrottle, Organiser, OrganiserRole
from .audit import AuditEntry
from .capacity import ConfirmedCount
from .checkin import CheckIn, ScannerToken
from .job import Job, JobStatus
from .followup import (
    FollowupAsk,
    FollowupOptOut,
    FollowupRound,
    NeedThread,
    NeedThreadStep,
    NeedThreadVillage,
    ThreadStatus,
)
from .feedback import ParticipantMessage, QuestionKind, SurveyQuestion, SurveyResponse
from .matching import (
    INTENTS,
    OUTCOMES,
    SUPPORT_KINDS,
    MatchingProfile,
    MatchingSettings,
    Meeting,
    MeetingRequest,
    MeetingSeat,
    MeetingTable,
    RequestStatus,
    SupportOffer,
)
from .initiative import (
    Initiative,
    InitiativePresentation,
    InitiativeVersion,
    ModerationState,
    Visibility,
)
from .initiative_lists import SUPPORT_NEEDS
from .outbox import OutboxMessage, OutboxStatus
from .publication import PublicationVersion, PublicSnapshot
from .registration import (
    Registration,
    RegistrationStatus,
    Role,
)
from .village import Village, VillagePhase, VillageRoleQuota

__all__ = [
    "AuditEntry",
    "CheckIn",
    "ConfirmedCount",
    "FollowupAsk",
    "FollowupOptOut",
    "FollowupRound",
    "Job",
    "JobStatus",
    "Initiative",
    "LoginThrottle",
    "INTENTS",
    "MatchingProfile",
    "MatchingSettings",
    "Meeting",
    "MeetingRequest",
    "MeetingSeat",
    "MeetingTable",
    "NeedThread",
    "NeedThreadStep",
    "NeedThreadVillage",
    "OUTCOMES",
    "RequestStatus",
    "SUPPORT_KINDS",
    "SupportOffer",
    "InitiativePresentation",
    "InitiativeVersion",
    "ModerationState",
    "Organiser",
    "PublicationVersion",
    "PublicSnapshot",
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
    "ThreadStatus",
    "Village",
    "VillagePhase",
    "VillageRoleQuota",
    "Visibility",
]
