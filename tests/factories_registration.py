"""Builders for registration requests, as the public form would hand them to the service."""
from itertools import count

from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage, Role, VillagePhase
from app.services import registration as service
from app.services.registration import InitiativeChoice, RegistrationData

_sequence = count(1)


def registration_data(**fields) -> RegistrationData:
    n = next(_sequence)
    values = dict(
        role=Role.HABITANT,
        first_name="Dominique",
        last_name=f"Essai{n}",
        email=f"dominique.essai{n}@example.org",
        commune="Sisteron",
    )
    values.update(fields)
    return RegistrationData(**values)


def initiative_fields(*, stand=None, visibility=None, show_holder_contact=False, reuse_id=None,
                      **fiche) -> InitiativeChoice:
    """A porteur's initiative as the registration form hands it over (fiche fields as keywords)."""
    values = dict(
        name="Jardin partagé du quartier",
        summary="Un jardin cultivé par les habitants, ouvert aux écoles et aux familles.",
        stage="en_cours",
        dimension="citoyennete",
        thematiques=["solidarite"],
        support_needs=["financement", "benevolat"],
    )
    values.update(fiche)
    return InitiativeChoice(fiche=values, reuse_id=reuse_id, stand=stand or {}, visibility=visibility,
                            show_holder_contact=show_holder_contact, consent_given=visibility is not None)


def register(village, **fields):
    """A registration made through the service and committed, as the public form does. On a
    village held today (the check-in tests put theirs on today's date, for the door to open),
    as the form did before the day: its registrations have closed since."""
    registration = service.register(village, registration_data(**fields),
                                    even_if_closed=village.phase() is VillagePhase.DAY)
    db.session.commit()
    return registration


def outbox_kinds(registration) -> list[str]:
    """The kinds of e-mail queued for a registration, oldest first."""
    return list(db.session.scalars(
        select(OutboxMessage.kind).where(OutboxMessage.registration_id == registration.id).order_by(OutboxMessage.id)
    ))
