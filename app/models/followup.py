"""After the village: each support need followed to the support received, across villages.

- `NeedThread` is one need (a category of `SUPPORT_NEEDS`) of one initiative. It is opened at
  the first village where the initiative presented it and continues at every later village
  where the need is expressed again; its current status is a column, so that reports and the
  observatory count in SQL.
- `NeedThreadVillage` says at which villages the need was expressed (the thread's history).
- `NeedThreadStep` is one dated change of status (or news without change), who recorded it
  (the porteur, an organiser, a partner) and a short note.
- `FollowupRound` is one step of a village's follow-up schedule (by default one, three and
  six months after the day); `FollowupAsk` is one e-mail asked of one person at one round
  (unique: at most one e-mail per person per step), with the threads it asks about
  (`followup_ask_thread`: a partner sees only those); `FollowupOptOut` is a person who asked
  to receive no more follow-up e-mails.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .initiative import Initiative
from .initiative_lists import SUPPORT_NEEDS
from .registration import Registration
from .village import Village


class ThreadStatus(enum.StrEnum):
    """Where a need stands. The value is stored; the label is shown."""

    EXPRESSED = "exprime"
    ORIENTED = "oriente"
    IN_PROGRESS = "en_cours"
    MET = "obtenu"
    PARTLY_MET = "partiel"
    NOT_MET = "non_obtenu"
    OBSOLETE = "caduc"

    @property
    def label(self) -> str:
        return THREAD_STATUS_LABELS[self]

    @property
    def is_closed(self) -> bool:
        return self in CLOSED_STATUSES


THREAD_STATUS_LABELS = {
    ThreadStatus.EXPRESSED: "Exprimé",
    ThreadStatus.ORIENTED: "Orienté",
    ThreadStatus.IN_PROGRESS: "Appui en cours",
    ThreadStatus.MET: "Obtenu",
    ThreadStatus.PARTLY_MET: "Partiellement obtenu",
    ThreadStatus.NOT_MET: "Non obtenu",
    ThreadStatus.OBSOLETE: "Plus d'actualité",
}
OPEN_STATUSES = (ThreadStatus.EXPRESSED, ThreadStatus.ORIENTED, ThreadStatus.IN_PROGRESS)
CLOSED_STATUSES = (ThreadStatus.MET, ThreadStatus.PARTLY_MET, ThreadStatus.NOT_MET, ThreadStatus.OBSOLETE)
# The one meaning of a need « obtenu » and « partiellement obtenu » wherever needs are counted
# (the Suivi page, the report's « Suites », the observatory): a need partly met is counted apart,
# neither met nor unmet. Tuples, for `status in …` in Python and `status.in_(…)` in SQL; the
# words that define them on screen and paper are app/documents/figures.py's DEFINITIONS.
MET_STATUSES = (ThreadStatus.MET,)
PARTLY_MET_STATUSES = (ThreadStatus.PARTLY_MET,)


class Recorder(enum.StrEnum):
    """Who recorded a step."""

    PORTEUR = "porteur"
    ORGANISER = "organiser"
    PARTNER = "partner"

    @property
    def label(self) -> str:
        return RECORDER_LABELS[self]


RECORDER_LABELS = {
    Recorder.PORTEUR: "l'équipe porteuse",
    Recorder.ORGANISER: "l'équipe du village",
    Recorder.PARTNER: "une structure partenaire",
}


class Answer(enum.StrEnum):
    """The four answers of the follow-up page, one tap each, and the status each leads to
    (None: the need stays where it was, the answer is news all the same)."""

    MET = "obtenu"
    IN_PROGRESS = "en_cours"
    NOT_YET = "pas_encore"
    NO_LONGER = "plus_besoin"

    @property
    def label(self) -> str:
        return ANSWER_LABELS[self][0]

    @property
    def status(self) -> ThreadStatus | None:
        return ANSWER_LABELS[self][1]


ANSWER_LABELS = {
    Answer.MET: ("Obtenu", ThreadStatus.MET),
    Answer.IN_PROGRESS: ("En cours", ThreadStatus.IN_PROGRESS),
    Answer.NOT_YET: ("Pas encore", None),
    Answer.NO_LONGER: ("Plus besoin", ThreadStatus.OBSOLETE),
}

# The default schedule: months after the day.
DEFAULT_FOLLOWUP_MONTHS = (1, 3, 6)


class NeedThread(db.Model):
    """One support need of one initiative, followed across villages."""

    __tablename__ = "need_thread"
    __table_args__ = (
        UniqueConstraint("initiative_id", "category", name="uq_need_thread_initiative_category"),
        Index("ix_need_thread_status", "status", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(30))  # a key of SUPPORT_NEEDS
    status: Mapped[str] = mapped_column(String(20), default=ThreadStatus.EXPRESSED)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The latest step recorded by a person (any status, « pas encore » too): « sans nouvelles » otherwise.
    last_news_at: Mapped[datetime | None]
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The village where the need was first expressed.
    first_village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id", ondelete="SET NULL"))
    # The holder's words about the need, from their latest fiche (blanked at erasure).
    detail: Mapped[str] = mapped_column(String(1000), default="")
    # Whom the need was last oriented towards: a participant met at a village, or a structure
    # or dispositif named freely (the name is kept when the registration is gone).
    oriented_to: Mapped[str] = mapped_column(String(200), default="")
    oriented_registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL")
    )
    # The kind of partner (a Role value: institutionnel, élu…) of that orientation, or None when
    # named freely: needs met are counted by type of partner.
    partner_role: Mapped[str | None] = mapped_column(String(20))
    # Set when the need no longer appears on the fiche: it is asked about, not closed.
    absent_from_fiche_since: Mapped[datetime | None]

    initiative: Mapped[Initiative] = relationship()
    first_village: Mapped[Village | None] = relationship()
    oriented_registration: Mapped[Registration | None] = relationship()
    villages: Mapped[list[NeedThreadVillage]] = relationship(
        back_populates="thread", cascade="all, delete-orphan", order_by="NeedThreadVillage.expressed_at"
    )
    steps: Mapped[list[NeedThreadStep]] = relationship(
        back_populates="thread", cascade="all, delete-orphan", order_by="NeedThreadStep.at, NeedThreadStep.id"
    )

    @hybrid_property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @is_open.inplace.expression
    @classmethod
    def _is_open_expression(cls):
        return cls.status.in_([s.value for s in OPEN_STATUSES])

    @property
    def status_label(self) -> str:
        return ThreadStatus(self.status).label

    @property
    def category_label(self) -> str:
        return SUPPORT_NEEDS.get(self.category, "")

    def __repr__(self) -> str:
        return f"<NeedThread {self.initiative_id} {self.category} {self.status}>"


class NeedThreadVillage(db.Model):
    """A village where the need was expressed (through the initiative's presentation there)."""

    __tablename__ = "need_thread_village"
    __table_args__ = (UniqueConstraint("thread_id", "village_id", name="uq_need_thread_village"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("need_thread.id", ondelete="CASCADE"))
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id", ondelete="CASCADE"), index=True)
    expressed_at: Mapped[datetime] = mapped_column(default=utcnow)

    thread: Mapped[NeedThread] = relationship(back_populates="villages")
    village: Mapped[Village] = relationship()


class NeedThreadStep(db.Model):
    """One dated step of a thread: its new status (the same one for news without change),
    who recorded it, towards whom it was oriented, and a short note."""

    __tablename__ = "need_thread_step"
    __table_args__ = (Index("ix_need_thread_step_thread", "thread_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("need_thread.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(20))  # ThreadStatus
    answer: Mapped[str | None] = mapped_column(String(20))  # Answer, when given on the follow-up page
    recorded_by: Mapped[str] = mapped_column(String(20))  # Recorder
    # The person who recorded it: their registration (porteur, partner) or an organiser's e-mail.
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id", ondelete="SET NULL"))
    organiser_email: Mapped[str | None] = mapped_column(String(254))
    # The village whose day or follow-up the step came from, if any.
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id", ondelete="SET NULL"), index=True)
    oriented_to: Mapped[str] = mapped_column(String(200), default="")  # « de qui », freely named
    oriented_registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL")
    )
    # The partner's kind of structure (Role value) when a partner is named: counted by type of partner.
    partner_role: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(1000), default="")

    thread: Mapped[NeedThread] = relationship(back_populates="steps")
    registration: Mapped[Registration | None] = relationship(foreign_keys=[registration_id])
    village: Mapped[Village | None] = relationship()
    oriented_registration: Mapped[Registration | None] = relationship(foreign_keys=[oriented_registration_id])

    @property
    def status_label(self) -> str:
        return ThreadStatus(self.status).label

    @property
    def recorder_label(self) -> str:
        return Recorder(self.recorded_by).label


class FollowupRound(db.Model):
    """One step of a village's follow-up: `months_after` the day, due on `due_on` (that day
    when the schedule was set, after the village; organisers may move it). `sent_at` is when
    it was run (by the nightly run once due, or at once by « Relancer maintenant »)."""

    __tablename__ = "followup_round"
    __table_args__ = (UniqueConstraint("village_id", "number", name="uq_followup_round_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id", ondelete="CASCADE"))
    number: Mapped[int]  # 1, 2, 3…
    months_after: Mapped[int]
    due_on: Mapped[date]
    sent_at: Mapped[datetime | None]

    village: Mapped[Village] = relationship(
        backref=db.backref("followup_rounds", cascade="all, delete-orphan", order_by="FollowupRound.number")
    )


followup_ask_thread = Table(
    "followup_ask_thread",
    db.metadata,
    Column("ask_id", Integer, ForeignKey("followup_ask.id", ondelete="CASCADE"), primary_key=True),
    Column("thread_id", Integer, ForeignKey("need_thread.id", ondelete="CASCADE"), primary_key=True),
)


class FollowupAsk(db.Model):
    """The follow-up e-mail of one round to one person: at most one (the unique constraint)."""

    __tablename__ = "followup_ask"
    __table_args__ = (UniqueConstraint("round_id", "registration_id", name="uq_followup_ask_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("followup_round.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    # porteur: about their own needs; partner: about the porteurs they met.
    asked_as: Mapped[str] = mapped_column(String(20))  # Recorder.PORTEUR or Recorder.PARTNER
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]

    round: Mapped[FollowupRound] = relationship()
    registration: Mapped[Registration] = relationship()
    threads: Mapped[list[NeedThread]] = relationship(secondary=followup_ask_thread, order_by="NeedThread.id")


class FollowupOptOut(db.Model):
    """A person (by e-mail, as compared for duplicates) who asked for no more follow-up e-mails."""

    __tablename__ = "followup_opt_out"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_key: Mapped[str] = mapped_column(String(254), unique=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
