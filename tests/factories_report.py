"""A village that took place, with the people who registered, came, or did not."""
from datetime import date, time, timedelta

from app.extensions import db
from app.models import Initiative, Registration, Role
from app.timeutil import local_datetime, to_utc_naive
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
# name, theme, stage, needs, details — for the porteurs above, in order
INITIATIVES = [
    ("Épicerie solidaire du Buëch", "Alimentation", "en cours", ["financement", "locaux"], "Un local plus grand."),
    ("Jardin partagé des Plantiers", "Alimentation", "en projet", ["benevolat", "financement"], ""),
    ("Repair café de Manosque", "Environnement", "en cours", ["communication"], "Se faire connaître."),
    ("Tiers-lieu rural", "Citoyenneté", "en projet", ["financement", "juridique"], "Choisir des statuts."),
    ("Café des aidants", "Santé", "en cours", ["formation"], ""),
]


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
        if role == Role.PORTEUR:
            name, theme, stage, needs, details = next(porteurs)
            registration.initiative = Initiative(name=name, summary="…", dimension=theme, status=stage,
                                                 support_needs=needs, support_details=details or None)
        db.session.add(registration)
    db.session.commit()
    return village
