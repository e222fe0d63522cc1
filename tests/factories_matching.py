"""Builders for meeting tests: people with offers and initiatives, a meeting area."""
from datetime import time

from app.extensions import db
from app.models import MatchingSettings, MeetingTable, Role, SupportOffer
from app.services import initiatives
from tests.factories import make_registration


def make_institution(village, **fields):
    offer = fields.pop("offer", dict(category="financement", kind="subvention",
                                      thematiques=["parentalite"], publics=[], departements=["84"],
                                      details="Appel à projets familles"))
    fields = {"organisation": "CAF de Vaucluse", "postcode": "84000", "consent_listing": True, **fields}
    person = make_registration(village, role=Role.INSTITUTIONNEL, **fields)
    person.support_offers.append(SupportOffer(**offer))
    db.session.commit()
    return person


def make_porteur(village, needs=("financement",), thematiques=("parentalite",), **fields):
    fields = {"organisation": "Centre social La Fourmilière", "postcode": "84000", "consent_listing": True,
              **fields}
    person = make_registration(village, role=Role.PORTEUR, **fields)
    initiative = initiatives.create(person.email, person.full_name, {
        "name": "Café des parents", "summary": "Un café pour les parents du quartier, ateliers parentalité.",
        "thematiques": list(thematiques), "support_needs": list(needs), "commune_name": "Avignon",
        "commune_code": "84007",
    }, actor="test")
    initiatives.present(initiative, person, {})
    initiatives.record_consent(initiative, "participants", False, actor="test")
    initiatives.approve(initiative, actor="test")
    db.session.commit()
    return person


def make_area(village, tables=2, starts=time(10), ends=time(11), slot_minutes=20, **fields):
    village.matching_settings = MatchingSettings(area_starts_at=starts, area_ends_at=ends,
                                                 slot_minutes=slot_minutes, **fields)
    for number in range(tables):
        db.session.add(MeetingTable(village_id=village.id, name=f"Table {number + 1}"))
    db.session.commit()
    return village.matching_settings


def make_meeting(village, person):
    """An accepted meeting, placed and published, between `person` and an institution."""
    from app.services import meeting_requests, scheduling

    make_area(village)
    person.consent_listing = True  # only people on the list of participants may be asked
    request = meeting_requests.ask(make_institution(village, email="caf@example.org"), person, "partage", "")
    meeting = meeting_requests.accept(request, person)
    scheduling.publish(village, actor="test")
    db.session.commit()
    return meeting
