from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .registration import Registration
from .village import Village


class QuestionKind(enum.StrEnum):
    RATING = "note"    # answered from 1 (pas du tout) to 5 (tout à fait)
    TEXT = "texte"     # answered in the participant's own words


class SurveyQuestion(db.Model):
    """One question of a village's satisfaction questionnaire, set by the organisers."""

    __tablename__ = "survey_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(10), default=QuestionKind.RATING)
    text: Mapped[str] = mapped_column(String(300))

    village: Mapped[Village] = relationship()


class SurveyResponse(db.Model):
    """A participant's answers to the questionnaire: {question id (as text): 1-5 or a text}."""

    __tablename__ = "survey_response"
    __table_args__ = (UniqueConstraint("registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    registration: Mapped[Registration] = relationship()


class ParticipantMessage(db.Model):
    """An e-mail an organiser wrote to part of a village's participants, kept as sent."""

    __tablename__ = "participant_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # "service" (about the village: everyone chosen) or "news" (only those who accepted news).
    purpose: Mapped[str] = mapped_column(String(20))
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    recipient_count: Mapped[int] = mapped_column(default=0)
    sent_by: Mapped[str] = mapped_column(String(254))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)

    village: Mapped[Village] = relationship()
