"""E-mails organisers write to part of a village's participants, sent through the outbox.

The audience is chosen with filters (role, status, present or absent, support need, lunch);
a message about the village (« service ») goes to everyone chosen, news (« actualités ») only
to those who agreed to receive them. Each message is kept, with its filters and its number of
recipients, and recorded in the audit trail.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..documents.calendar import manage_url
from ..extensions import db
from ..models import SUPPORT_NEEDS, InitiativePresentation, ParticipantMessage, Registration, RegistrationStatus, Role, Village
from ..templating import french_date
from . import audit, notifications
from .checkin import came_to_the_village

PURPOSES = {
    "service": "Information sur le village (à toutes les personnes choisies)",
    "news": "Actualités de l'association (seulement à celles qui ont accepté d'en recevoir)",
}
STATUSES = {
    "confirmed": "Places confirmées",
    "waitlisted": "Liste d'attente",
    "active": "Confirmées et liste d'attente",
}
PRESENCE = {"": "Présents et absents", "present": "Présents le jour J", "absent": "Absents le jour J"}
YES_NO = {"": "Peu importe", "oui": "Oui", "non": "Non"}
# What a message may quote of each recipient, as the organiser types it.
PLACEHOLDERS = {
    "{prénom}": lambda r: r.first_name,
    "{nom}": lambda r: r.last_name,
    "{village}": lambda r: r.village.name,
    "{date}": lambda r: french_date(r.village.day),
    "{lien}": manage_url,
}


NOBODY = "Aucun participant ne correspond à ces critères : rien n'a été envoyé."


@dataclass
class Audience:
    roles: list[str] = field(default_factory=list)  # none: every role
    status: str = "confirmed"
    presence: str = ""
    need: str = ""
    lunch: str = ""
    purpose: str = "service"

    def __post_init__(self):
        self.roles = [r for r in self.roles if r in set(Role)]
        self.status = self.status if self.status in STATUSES else "confirmed"
        self.presence = self.presence if self.presence in PRESENCE else ""
        self.need = self.need if self.need in SUPPORT_NEEDS else ""
        self.lunch = self.lunch if self.lunch in YES_NO else ""
        self.purpose = self.purpose if self.purpose in PURPOSES else "service"


def recipients(village: Village, audience: Audience) -> list[Registration]:
    """Who would receive the message, by name."""
    statuses = {"active": [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]}.get(
        audience.status, [audience.status])
    conditions = [
        Registration.village_id == village.id,
        Registration.status.in_(statuses),
        Registration.email.is_not(None),
        Registration.anonymised_at.is_(None),
    ]
    if audience.roles:
        conditions.append(Registration.role.in_(audience.roles))
    if audience.presence:
        present = Registration.checked_in_at.is_not(None)
        conditions.append(present if audience.presence == "present" else ~present)
    if audience.lunch:
        conditions.append(Registration.lunch.is_(audience.lunch == "oui"))
    if audience.purpose == "news":
        conditions.append(Registration.consent_news.is_(True))
    found = db.session.scalars(
        select(Registration).where(*conditions)
        .options(selectinload(Registration.presentation).selectinload(InitiativePresentation.version))
        .order_by(Registration.last_name, Registration.first_name, Registration.id)
    )
    if audience.need:  # a JSON list: read in Python alike on SQLite and PostgreSQL
        return [r for r in found if audience.need in _needs_presented(r)]
    return list(found)


def _needs_presented(registration: Registration) -> list[str]:
    version = registration.presentation.version if registration.presentation else None
    return (version.support_needs or []) if version else []


def for_the_village(text: str, village: Village) -> str:
    """The text with what is the same for everyone filled in (the village, its date): how the
    organisers' pages name a message."""
    return text.replace("{village}", village.name).replace("{date}", french_date(village.day))


# « {venu/venue} »: a word about the person, in the form they asked for (Registration.agreed).
AGREED_WORD = re.compile(r"\{([^{}/]+)/([^{}/]+)\}")


def personalised(text: str, registration: Registration) -> str:
    for placeholder, value in PLACEHOLDERS.items():
        if placeholder in text:
            text = text.replace(placeholder, value(registration))
    return AGREED_WORD.sub(lambda words: registration.agreed(words[1], words[2]), text)


@dataclass
class Preview:
    """The e-mail one participant would receive, as the outbox writes it."""
    registration: Registration
    subject: str
    body: str
    greeted: bool  # the body opens with a greeting: the e-mail adds none


def preview(registration: Registration, subject: str, body: str) -> Preview:
    body = personalised(body, registration)
    return Preview(registration, notifications.subject_line(personalised(subject, registration), registration.village),
                   body, notifications.greets(body))


def chosen(village: Village, audience: Audience, with_certificate: bool = False) -> list[Registration]:
    """Who receives the message: those the filters choose; only those who came, with the certificate."""
    found = recipients(village, audience)
    return [r for r in found if came_to_the_village(r)] if with_certificate else found


def queue_to(registrations: list[Registration], audience: Audience, subject: str, body: str, message_key: str,
             with_certificate: bool = False) -> None:
    """One e-mail per person in the outbox, personalised, never two of the message `message_key`
    to one person; the caller commits. A background job does it batch after batch
    (app/runtime/job_kinds.py)."""
    for registration in registrations:
        notifications.organiser_message(
            registration, personalised(subject, registration), personalised(body, registration),
            once_key=f"message:{message_key}", news=audience.purpose == "news", with_certificate=with_certificate,
        )


def keep(village: Village, audience: Audience, subject: str, body: str, actor: str, recipient_count: int,
         with_certificate: bool = False) -> ParticipantMessage:
    """Keep the message sent, with its filters and number of recipients, and audit it; the caller commits."""
    message = ParticipantMessage(
        village_id=village.id, subject=subject, body=body, purpose=audience.purpose,
        filters={**asdict(audience), "with_certificate": with_certificate},
        recipient_count=recipient_count, sent_by=actor,
    )
    audit.record(actor, "message.sent", message, village_id=village.id, subject=subject,
                 recipients=recipient_count, filters=message.filters)
    return message


def history(village: Village) -> list[ParticipantMessage]:
    return list(db.session.scalars(
        select(ParticipantMessage).where(ParticipantMessage.village_id == village.id)
        .order_by(ParticipantMessage.sent_at.desc(), ParticipantMessage.id.desc())
    ))
