"""Small builders for test data, written to the database as the app would."""
from datetime import date, time, timedelta
from itertools import count

from app.extensions import db
from app.models import Registration, RegistrationStatus, Role, Village
from app.services import initiatives

_sequence = count(1)


def make_village(**fields) -> Village:
    n = next(_sequence)
    values = dict(
        slug=f"village-{n}",
        name=f"Village des initiatives solidaires – Essai {n}",
        town="Sisteron",
        venue="Salle des fêtes",
        address="Place de la République, 04200 Sisteron",
        day=date.today() + timedelta(days=30),
        starts_at=time(9, 0),
        ends_at=time(17, 0),
        capacity=100,
    )
    values.update(fields)
    village = Village(**values)
    db.session.add(village)
    db.session.commit()
    return village


def make_registration(village: Village, **fields) -> Registration:
    n = next(_sequence)
    values = dict(
        village=village,
        role=Role.HABITANT,
        status=RegistrationStatus.CONFIRMED,
        first_name="Camille",
        last_name=f"Martin{n}",
        email=f"camille.martin{n}@example.org",
        commune="Sisteron",
    )
    values.update(fields)
    registration = Registration(**values)
    db.session.add(registration)
    db.session.commit()
    return registration


def present_initiative(registration, *, stand=None, visibility=None, approve=False, **fiche):
    """The porteur `registration` presents an initiative (fiche fields as keywords), through the service."""
    values = {"name": "Jardin partagé du quartier", "summary": "Un jardin cultivé par les habitants."}
    values.update(fiche)
    initiative = initiatives.create(registration.email or "", registration.full_name, values, actor="test")
    initiatives.present(initiative, registration, stand or {})
    if visibility:
        initiatives.record_consent(initiative, visibility, False, actor="test")
    if approve:
        initiatives.approve(initiative, actor="test")
    db.session.commit()
    return initiative
