from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import ColumnElement, ForeignKey, Index, String, and_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..extensions import db
from ..text import agreed
from ..timeutil import utcnow
from .village import Village


class Role(enum.StrEnum):
    """Who a participant comes as. The value is stored; the label is shown."""

    PORTEUR = "porteur"
    INSTITUTIONNEL = "institutionnel"
    ELU = "elu"
    HABITANT = "habitant"

    @property
    def label(self) -> str:
        """The role's name where nobody in particular is meant (choices, filters, tables by role):
        the form that includes both, « Porteur ou porteuse d'initiative »."""
        return ROLE_WORDS[self][2]

    def of(self, civility: str | None) -> str:
        """The role of one person, agreed as they asked: « Porteuse d'initiative » for Madame."""
        return agreed(civility, *ROLE_WORDS[self])

    @property
    def several(self) -> str:
        """People of this role together, women and men: « Porteurs et porteuses d'initiative »."""
        return ROLE_GROUPS[self]


# Masculine, feminine, and both written out in full (see text.agreed): never « Élu·e local·e ».
ROLE_WORDS = {
    Role.PORTEUR: ("Porteur d'initiative", "Porteuse d'initiative", "Porteur ou porteuse d'initiative"),
    Role.INSTITUTIONNEL: ("Institutionnel", "Institutionnelle", "Institutionnel ou institutionnelle"),
    Role.ELU: ("Élu local", "Élue locale", "Élu local ou élue locale"),
    Role.HABITANT: ("Représentant d'habitants ou d'usagers", "Représentante d'habitants ou d'usagers",
                    "Représentant ou représentante d'habitants ou d'usagers"),
}
ROLE_GROUPS = {
    Role.PORTEUR: "Porteurs et porteuses d'initiative",
    Role.INSTITUTIONNEL: "Institutionnels et institutionnelles",
    Role.ELU: "Élus locaux et élues locales",
    Role.HABITANT: "Représentants et représentantes d'habitants ou d'usagers",
}


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    RegistrationStatus.CONFIRMED: "Confirmée",
    RegistrationStatus.WAITLISTED: "Liste d'attente",
    RegistrationStatus.CANCELLED: "Annulée",
}


def structure_of(person) -> str:
    """The organisation shown on badges and sheets, whatever the role, of a registration or
    of a row read with its organisation, collectivity and represented group."""
    return person.organisation or person.collectivity or person.represented_group or ""


def email_key(email: str | None) -> str | None:
    """An address as compared for duplicates: « Anne@Exemple.fr » and « anne@exemple.fr »
    are the same person."""
    return email.strip().lower() if email else None


def new_secret() -> str:
    """An unguessable URL-safe secret of 192 bits."""
    return secrets.token_urlsafe(24)


# Letters and digits nobody mixes up when reading them aloud or off paper (no 0/O, 1/I/L, 2/Z, 5/S, 8/B).
SHORT_CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
SHORT_CODE_LENGTH = 6


def new_short_code() -> str:
    """The badge's code for people: six characters, shown as "K7M-4QX". Not unique and not a
    secret: it finds a registration for a volunteer, who then checks the name (see
    app/services/checkin.py)."""
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))


class Registration(db.Model):
    """One person's place (or waiting-list entry) at one village."""

    __tablename__ = "registration"
    __table_args__ = (
        # One active registration per e-mail and village is enforced by the service
        # (cancelled ones may be followed by a new registration).
        Index("ix_registration_village_email_key", "village_id", "email_key"),
        Index("ix_registration_village_status", "village_id", "status", "created_at"),
        Index("ix_registration_village_last_name", "village_id", "last_name"),
        Index("ix_registration_village_roster_version", "village_id", "roster_version"),
        Index("ix_registration_village_short_code", "village_id", "short_code"),
        # « Qui vient ? »: those who agreed to be listed, already by name.
        Index("ix_registration_village_listed", "village_id", "consent_listing", "last_name", "first_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"))
    role: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=RegistrationStatus.CONFIRMED)

    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))  # optional for walk-ins only
    # The address as compared for duplicates (see email_key), kept by the validator below.
    email_key: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    commune: Mapped[str] = mapped_column(String(120), default="")
    postcode: Mapped[str | None] = mapped_column(String(10))
    organisation: Mapped[str | None] = mapped_column(String(200))
    # Role-specific: position/service (institutionnel), collectivity and mandate (élu),
    # represented group (habitant).
    position: Mapped[str | None] = mapped_column(String(200))
    collectivity: Mapped[str | None] = mapped_column(String(200))
    mandate: Mapped[str | None] = mapped_column(String(200))
    represented_group: Mapped[str | None] = mapped_column(String(200))

    # How the person asked to be addressed (a Civility), None if they did not say: role and
    # words about them in the feminine, the masculine, or both (text.agreed).
    civility: Mapped[str | None] = mapped_column(String(10))

    lunch: Mapped[bool] = mapped_column(default=False)
    dietary_needs: Mapped[str | None] = mapped_column(String(300))
    accessibility_needs: Mapped[str | None] = mapped_column(String(500))

    # Consents (RGPD): each stored with the wording version and the moment it was given.
    consent_photos: Mapped[bool] = mapped_column(default=False)
    consent_listing: Mapped[bool] = mapped_column(default=False)
    consent_news: Mapped[bool] = mapped_column(default=False)
    consent_version: Mapped[str | None] = mapped_column(String(20))
    consented_at: Mapped[datetime | None]

    # The badge's QR code carries this secret and nothing else.
    badge_code: Mapped[str] = mapped_column(String(64), unique=True, default=new_secret)
    # Printed under the QR code, typed in by a volunteer when a camera fails.
    short_code: Mapped[str] = mapped_column(String(8), default=new_short_code)
    # The private link to see, change or cancel the registration.
    manage_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_secret)

    is_walk_in: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    reminder_sent_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    anonymised_at: Mapped[datetime | None]
    # The village's roster_version when this registration last changed in a way the
    # check-in phones must know (set by app/services/checkin_roster.py, see there).
    roster_version: Mapped[int] = mapped_column(default=0)

    village: Mapped[Village] = relationship()
    # A porteur's initiative as presented at this village (see app/models/initiative.py). Its
    # classes are named here, not imported: initiative.py imports this module, not the reverse.
    presentation: Mapped[InitiativePresentation | None] = relationship(
        back_populates="registration", uselist=False
    )

    @validates("email")
    def _keep_email_key(self, _name: str, email: str | None) -> str | None:
        self.email_key = email_key(email)
        return email

    @property
    def initiative(self) -> Initiative | None:
        """The initiative this registration presents at its village, if any."""
        return self.presentation.initiative if self.presentation is not None else None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def role_label(self) -> str:
        return Role(self.role).of(self.civility)

    def agreed(self, masculine: str, feminine: str) -> str:
        """A word about this person, agreed as they asked: « venue », « venu » or « venu ou venue »."""
        return agreed(self.civility, masculine, feminine)

    @property
    def status_label(self) -> str:
        return RegistrationStatus(self.status).label

    @property
    def short_code_shown(self) -> str:
        """As printed: "K7M-4QX"."""
        half = len(self.short_code) // 2
        return f"{self.short_code[:half]}-{self.short_code[half:]}"

    @property
    def structure(self) -> str:
        return structure_of(self)

    @property
    def is_confirmed(self) -> bool:
        return self.status == RegistrationStatus.CONFIRMED

    @hybrid_property
    def is_present(self) -> bool:
        """Welcomed at the door with a confirmed place: the « présents » of the report and the dashboard."""
        return self.status == RegistrationStatus.CONFIRMED and self.checked_in_at is not None

    @is_present.expression
    def is_present(cls) -> ColumnElement[bool]:
        return and_(cls.status == RegistrationStatus.CONFIRMED, cls.checked_in_at.is_not(None))

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.status} village={self.village_id}>"
