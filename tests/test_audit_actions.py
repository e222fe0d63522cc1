"""The journal's actions are one list (audit.Action): an action outside it is refused when it is
recorded, and each one in it is told as a French sentence, never as its code."""
import pytest

from app.extensions import db
from app.models import OrganiserRole, Role
from app.services import audit, audit_log
from app.services.audit import Action
from tests.factories import make_registration, make_village, present_initiative
from tests.fixtures_backoffice import make_organiser

# What some actions carry with them, as the services record it.
DETAILS = {
    Action.ACCOUNT_CREATED: {"email": "jean@villages.test", "role": "checkin"},
    Action.ACCOUNT_UPDATED: {"role": ["checkin", "organiser"]},
    Action.EXPORT_DOWNLOADED: {"format": "signin"},
    Action.REPORT_DOWNLOADED: {"format": "pdf"},
    Action.FOLLOWUP_STATUS_SET: {"need": "financement", "before": "exprime", "status": "obtenu", "note": ""},
    Action.FOLLOWUP_SENT: {"round": 1, "count": 3},
    Action.INITIATIVE_CONSENT: {"visibility": "public"},
    Action.INITIATIVE_REFUSED: {"reason": "Fiche incomplète."},
    Action.REGISTRATION_CREATED: {"status": "confirmed", "role": "porteur"},
    Action.REGISTRATION_WALK_IN: {"role": "habitant"},
    Action.REGISTRATION_UPDATED: {"fields": ["commune"]},
    Action.REGISTRATION_CONSENTS_CHANGED: {"given": ["consent_photos"], "withdrawn": []},
    Action.CHECKIN_UNDO: {"reason": "Erreur de badge"},
    Action.CHECKIN_EXCEPTIONAL_ENTRY: {"reason": "Badge oublié"},
    Action.VILLAGE_UPDATED: {"fields": ["venue"]},
    Action.SCANNER_LINK_CREATE: {"name": "Entrée nord"},
    Action.SCANNER_LINK_REVOKE: {"name": "Entrée nord"},
}


@pytest.fixture
def targets(app):
    village = make_village(slug="avignon", town="Avignon")
    person = make_registration(village, first_name="Camille", last_name="Bérenger", role=Role.PORTEUR)
    return {
        "account": make_organiser(OrganiserRole.CHECKIN, email="jean@villages.test"),
        "registration": person, "checkin": person,
        "initiative": present_initiative(person, name="Jardin partagé"),
    }, village


def test_an_action_missing_from_the_list_is_refused(targets):
    _, village = targets
    with pytest.raises(ValueError):
        audit.record("admin@villages.test", "village.renamed", village)


def test_each_action_of_the_list_is_told_as_a_sentence(targets):
    by_kind, village = targets
    entries = {
        action: audit.record("admin@villages.test", action, by_kind.get(action.partition(".")[0], village),
                             village_id=village.id, **DETAILS.get(action, {}))
        for action in Action
    }
    db.session.commit()
    told = dict(zip(entries, audit_log.events(list(entries.values()))))
    for action, event in told.items():
        assert event.sentence.endswith("."), action
        assert action.value not in event.sentence and "None" not in event.sentence, event.sentence
