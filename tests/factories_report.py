"""A village that took place, with the people who registered, came, or did not."""
from datetime import date, time, timedelta

from app.extensions import db
from sqlalchemy import select

from app.models import (
    Initiative, InitiativeVersion, Meeting, MeetingRequest, MeetingSeat, Registration, Role, SupportOffer,
)
from app.services import initiatives
from app.timeutil import local_datetime, to_utc_naive, utcnow
from tests.factories import make_village

# role, status, postcode, commune, came at (local hour) or None, lunch, walk-in, news consent
PEOPLE = [
    (Role.PORTEUR, "confirmed", "04200", "Sisteron", 9, True, False, True),
    (Role.PORTEUR, "confirmed", "04200", "Sisteron", 9, True, False, False),
    (Role.PORTEUR, "confirmed", "04100", "Manosque", 10, False, False, True),
    (Role.PORTEUR, "confirmed", "05000", "Gap", None, True, False, True),
    (Role.PORTEUR, "confirmed", "04200", "sisteron ", 11, False, True, False),
    (Role.INSTITUTIONNEL, "confirmed", "04000", "Digne-les-Bains", 9, True, False, True),
    (Role.INSTITUTIONNEL, "confirmed", "04000", "Digne-les-Bains", 9, True, False, False),
    (Role.INSTITUTIONNEL, "confirmed", "13001", "Marseille", None, False, False, False),
    (Role.ELU, "confirmed", "04200", "Sisteron", 10, True, False, True),
    (Role.ELU, "waitlisted", "04200", "Sisteron", None, False, False, False),
    (Role.HABITANT, "confirmed", None, "", 14, False, False, False),
    (Role.HABITANT, "cancelled", "04200", "Sisteron", None, True, False, False),
]
# name, thématiques, stage, needs with the holder's words (or ""), commune where it acts — for the
# porteurs above, in order
INITIATIVES = [
    ("Épicerie solidaire du Buëch", ["alimentation"], "en_cours",
     {"financement": "Un local plus grand.", "locaux": ""}, "04209"),
    ("Jardin partagé des Plantiers", ["alimentation", "environnement"], "en_projet",
     {"benevolat": "", "financement": ""}, None),
    ("Repair café de Manosque", ["environnement"], "en_cours", {"communication": "Se faire connaître."}, "04112"),
    ("Tiers-lieu rural", ["democratie-citoyennete"], "en_projet",
     {"financement": "Choisir des statuts.", "juridique": ""}, "05061"),
    ("Café des aidants", ["sante"], "en_cours", {"formation": ""}, None),
]


def present(registration, name, thematiques, stage, needs, commune_code):
    """The porteur presents an initiative (the same one, by name, from one village to the next)."""
    initiative = db.session.scalar(select(Initiative).join(Initiative.versions).where(InitiativeVersion.name == name))
    if initiative is None:
        initiative = initiatives.create(registration.email, registration.full_name, dict(
            name=name, summary="…", stage=stage, thematiques=thematiques, support_needs=list(needs),
            support_details=needs, commune_code=commune_code), actor="test")
    initiatives.present(initiative, registration, {})


def held_village(days_ago: int = 10, **fields):
    village = make_village(day=date.today() - timedelta(days=days_ago), **fields)
    porteurs = iter(INITIATIVES)
    for n, (role, status, postcode, commune, hour, lunch, walk_in, news) in enumerate(PEOPLE):
        registration = Registration(
            village=village, role=role, status=status, first_name=f"Prénom{n}", last_name=f"Nom{n}",
            email=f"personne{n}.{village.slug}@example.org", postcode=postcode, commune=commune, lunch=lunch,
            is_walk_in=walk_in, consent_news=news,
        )
        if hour is not None:
            registration.checked_in_at = to_utc_naive(local_datetime(village.day, time(hour, 20)))
        db.session.add(registration)
        if role == Role.PORTEUR:
            present(registration, *next(porteurs))
    db.session.flush()
    people = list(db.session.scalars(select(Registration).where(Registration.village_id == village.id)
                                     .order_by(Registration.id)))
    link(village, people)
    db.session.commit()
    return village


def link(village, people) -> None:
    """Mise en lien: two offers of support, two requests, one meeting held with an outcome."""
    institution, elu, porteur = people[5], people[8], people[0]
    db.session.add_all([
        SupportOffer(registration=institution, category="financement", kind="subvention"),
        SupportOffer(registration=elu, category="communication", kind="mise_en_relation"),
    ])
    accepted = MeetingRequest(village_id=village.id, requester=porteur, recipient=institution, intent="appui",
                              status="accepted")
    declined = MeetingRequest(village_id=village.id, requester=people[1], recipient=elu, intent="appui",
                              status="declined")
    meeting = Meeting(village_id=village.id, request=accepted, intent="appui")
    meeting.seats = [
        MeetingSeat(registration=porteur, took_place=True, outcomes=["orientation", "introduction"],
                    recorded_at=utcnow()),
        MeetingSeat(registration=institution),
    ]
    db.session.add_all([accepted, declined, meeting])
