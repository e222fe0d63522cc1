"""« Mise en lien »: what people offer, who asks to meet whom, and the meetings of the day.

No person is ever booked twice at the same time and no table holds two meetings at once:
both rules are unique constraints (meeting_seat: registration and start time; meeting:
table and start time), so that two organisers moving meetings together, or a person
accepting while the schedule is built, cannot break them whatever the timing.
"""
from __future__ import annotations

import enum
from datetime import datetime, time

from sqlalchemy import JSON, ForeignKey, Index, Select, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from ..extensions import db
from ..timeutil import utcnow
from .registration import Registration, Role
from .village import Village

# The kind of support an institution or a local authority gives.
SUPPORT_KINDS = {
    "subvention": "Subvention",
    "pret": "Prêt, avance remboursable",
    "ingenierie": "Ingénierie, accompagnement de projet",
    "conseil": "Conseil, expertise",
    "mise_a_disposition": "Mise à disposition (locaux, matériel, personnel)",
    "mise_en_relation": "Mise en relation, réseau",
    "formation": "Formation",
}

# Why a person wants a given meeting.
INTENTS = {
    "appui": "Je cherche un appui",
    "partage": "Je partage mon expérience",
    "mutualiser": "Je cherche à mutualiser",
    "essaimer": "Je veux essaimer",
}
# The same, said of whoever asked, as the other person reads it (« Inès Marchal cherche un appui »),
# or as they read it themselves (« Vous cherchez un appui »).
INTENTS_SAID = {
    "appui": ("cherche un appui", "cherchez un appui"),
    "partage": ("partage son expérience", "partagez votre expérience"),
    "mutualiser": ("cherche à mutualiser", "cherchez à mutualiser"),
    "essaimer": ("veut essaimer", "voulez essaimer"),
}


def intent_sentence(intent: str, asker: Registration, reader: Registration | None) -> str:
    """Why `asker` asked for a meeting, from the reader's side."""
    if intent not in INTENTS_SAID:
        return ""
    of_them, of_you = INTENTS_SAID[intent]
    return f"Vous {of_you}" if reader is not None and reader.id == asker.id else f"{asker.full_name} {of_them}"

# What came of a meeting: the funders' report counts these.
OUTCOMES = {
    "orientation": "Une orientation vers un dispositif d'appui",
    "introduction": "Une mise en relation avec d'autres personnes",
    "mutualisation": "Une mutualisation de moyens prévue",
    "essaimage": "Un essaimage de l'initiative",
    "rien": "Rien pour l'instant",
}

# Who may ask whom, unless the village's organisers decide otherwise: everybody may ask
# élus and institutionnels; porteurs and habitants may be asked by anybody too.
DEFAULT_ASK_RULES = {role.value: [r.value for r in Role] for role in Role}


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"  # still unanswered when the schedule was built
    WITHDRAWN = "withdrawn"  # one of the two people cancelled their registration

    @property
    def label(self) -> str:
        return REQUEST_STATUS_LABELS[self]


REQUEST_STATUS_LABELS = {
    RequestStatus.PENDING: "En attente de réponse",
    RequestStatus.ACCEPTED: "Acceptée",
    RequestStatus.DECLINED: "Déclinée",
    RequestStatus.EXPIRED: "Expirée",
    RequestStatus.WITHDRAWN: "Retirée (inscription annulée)",
}


class SupportOffer(db.Model):
    """One kind of support an institutionnel or an élu offers, for some thématiques and publics."""

    __tablename__ = "support_offer"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[str] = mapped_column(String(30))  # a key of SUPPORT_NEEDS
    kind: Mapped[str] = mapped_column(String(30))  # a key of SUPPORT_KINDS
    thematiques: Mapped[list[str]] = mapped_column(JSON, default=list)
    publics: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Département codes the support covers (empty: wherever the person comes from).
    departements: Mapped[list[str]] = mapped_column(JSON, default=list)
    details: Mapped[str] = mapped_column(Text, default="")

    registration: Mapped[Registration] = relationship(
        backref=db.backref("support_offers", cascade="all, delete-orphan", order_by="SupportOffer.id")
    )


class MatchingProfile(db.Model):
    """A participant's answers about meetings: why they come, whether they accept requests, when."""

    __tablename__ = "matching_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), unique=True
    )
    comes_for: Mapped[str] = mapped_column(Text, default="")
    accepts_requests: Mapped[bool] = mapped_column(default=True)
    available_from: Mapped[time | None]
    available_until: Mapped[time | None]
    suggestions_sent_at: Mapped[datetime | None]

    registration: Mapped[Registration] = relationship(
        backref=db.backref("matching_profile", uselist=False, cascade="all, delete-orphan")
    )


class MatchingSettings(db.Model):
    """A village's rules for meetings and the shape of its meeting area."""

    __tablename__ = "matching_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id", ondelete="CASCADE"), unique=True)
    area_starts_at: Mapped[time] = mapped_column(default=time(10, 0))
    area_ends_at: Mapped[time] = mapped_column(default=time(12, 30))
    slot_minutes: Mapped[int] = mapped_column(default=20)
    # Breaks as [["11:00", "11:20"], …], wall-clock times of the village's day.
    breaks: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    max_requests_received: Mapped[int] = mapped_column(default=8)
    # Requester role -> roles they may ask for a meeting.
    ask_rules: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=lambda: dict(DEFAULT_ASK_RULES))
    suggestions_days_before: Mapped[int] = mapped_column(default=7)
    # Requests close (pending ones expire) when the schedule is built.
    requests_closed_at: Mapped[datetime | None]
    schedule_published_at: Mapped[datetime | None]
    # Raised by every change to the meetings, so that a schedule built on stale data is refused.
    schedule_version: Mapped[int] = mapped_column(default=0)

    village: Mapped[Village] = relationship(
        backref=db.backref("matching_settings", uselist=False, cascade="all, delete-orphan")
    )


class MeetingTable(db.Model):
    __tablename__ = "meeting_table"
    __table_args__ = (UniqueConstraint("village_id", "name", name="uq_meeting_table_village_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))


class MeetingRequest(db.Model):
    """One person asking another for a meeting; at most one per pair and direction."""

    __tablename__ = "meeting_request"
    __table_args__ = (
        UniqueConstraint("requester_id", "recipient_id", name="uq_meeting_request_pair"),
        Index("ix_meeting_request_recipient_status", "recipient_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id", ondelete="CASCADE"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    intent: Mapped[str] = mapped_column(String(20))  # a key of INTENTS
    message: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(20), default=RequestStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]

    requester: Mapped[Registration] = relationship(foreign_keys=[requester_id])
    recipient: Mapped[Registration] = relationship(foreign_keys=[recipient_id])

    @property
    def intent_label(self) -> str:
        return INTENTS.get(self.intent, "")

    @property
    def intent_for_recipient(self) -> str:
        """« Inès Marchal cherche un appui », as the person asked reads it."""
        return intent_sentence(self.intent, self.requester, self.recipient)

    @property
    def status_label(self) -> str:
        return RequestStatus(self.status).label


class Meeting(db.Model):
    """Two people meeting at a table; placed when it has a table and a start time."""

    __tablename__ = "meeting"
    __table_args__ = (UniqueConstraint("table_id", "starts_at", name="uq_meeting_table_time"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_request.id", ondelete="SET NULL"), unique=True
    )
    table_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_table.id", ondelete="SET NULL"))
    starts_at: Mapped[time | None]
    ends_at: Mapped[time | None]
    intent: Mapped[str] = mapped_column(String(20), default="")
    # Removed meetings are kept until their cancellation reached the people's calendars.
    cancelled_at: Mapped[datetime | None]
    # iCalendar SEQUENCE of what people were last sent, and what it said.
    calendar_sequence: Mapped[int] = mapped_column(default=0)
    announced_at: Mapped[datetime | None]
    announced_starts_at: Mapped[time | None]
    announced_table: Mapped[str | None] = mapped_column(String(60))

    table: Mapped[MeetingTable | None] = relationship()
    request: Mapped[MeetingRequest | None] = relationship()
    seats: Mapped[list[MeetingSeat]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingSeat.id"
    )

    @property
    def is_placed(self) -> bool:
        return self.table_id is not None and self.starts_at is not None

    @property
    def people(self) -> list[Registration]:
        return [seat.registration for seat in self.seats]

    def other(self, registration: Registration) -> Registration:
        return next(p for p in self.people if p.id != registration.id)

    @classmethod
    def agenda_of(cls, registration: Registration) -> Select:
        """A person's active meetings, placed ones first by time (their agenda, page and PDF)."""
        return (
            select(cls).join(MeetingSeat)
            .where(MeetingSeat.registration_id == registration.id, cls.cancelled_at.is_(None))
            .options(selectinload(cls.seats).selectinload(MeetingSeat.registration), selectinload(cls.table))
            .order_by(cls.starts_at.is_(None), cls.starts_at, cls.id)
        )


class MeetingSeat(db.Model):
    """One of the two people of a meeting, with their start time (copied from the meeting so
    that the database refuses to seat anybody twice at once) and what they recorded after."""

    __tablename__ = "meeting_seat"
    __table_args__ = (
        UniqueConstraint("meeting_id", "registration_id", name="uq_meeting_seat_person"),
        UniqueConstraint("registration_id", "starts_at", name="uq_meeting_seat_person_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    starts_at: Mapped[time | None]
    took_place: Mapped[bool | None]
    outcomes: Mapped[list[str]] = mapped_column(JSON, default=list)
    outcome_note: Mapped[str] = mapped_column(String(1000), default="")
    recorded_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship(back_populates="seats")
    registration: Mapped[Registration] = relationship()
