"""Registering someone at the door and admitting them at once."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Registration, RegistrationStatus, Role, VillageRoleQuota
from app.timeutil import utcnow
from tests.factories import make_registration

WALK_IN = {"first_name": "Nadia", "last_name": "Benali", "role": "habitant", "organisation": "Collectif Chabrières", "commune": "Sisteron"}


def walk_in(client, door, **fields):
    return client.post(f"/api/checkin/{door.village.slug}/walk-in", json={**WALK_IN, **fields}, headers=door.headers)


def registrations():
    return list(db.session.scalars(select(Registration)))


def test_walk_in_is_registered_confirmed_and_checked_in(client, door):
    response = walk_in(client, door)
    assert response.json["result"] == "ok"
    assert response.json["attendee"]["name"] == "Nadia Benali"
    (person,) = registrations()
    assert person.is_walk_in and person.status == RegistrationStatus.CONFIRMED
    assert person.checked_in_at is not None and person.email is None
    assert person.organisation == "Collectif Chabrières"


def test_a_walk_in_sent_again_with_its_id_registers_one_person(client, door):
    first = walk_in(client, door, scan_id="arrivee-1")
    again = walk_in(client, door, scan_id="arrivee-1")
    assert again.json == first.json
    assert len(registrations()) == 1


def test_a_walk_in_whose_answer_was_lost_then_queued_offline_registers_one_person(client, door):
    walk_in(client, door, scan_id="arrivee-1")
    event = {"id": "arrivee-1", "type": "walk_in", "scanned_at": utcnow().isoformat() + "Z", "person": WALK_IN}
    [answer] = client.post(f"/api/checkin/{door.village.slug}/sync", json={"device": "telephone-1", "events": [event]},
                           headers=door.headers).json["results"]
    assert answer["result"] == "ok"
    assert len(registrations()) == 1


def test_two_walk_ins_with_their_own_ids_register_two_people(client, door):
    walk_in(client, door, scan_id="arrivee-1")
    walk_in(client, door, scan_id="arrivee-2", first_name="Léa")
    assert len(registrations()) == 2


def test_walk_in_is_in_the_audit_log(client, door):
    walk_in(client, door)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "registration.walk_in"))
    assert entry.actor == "scanner:Entrée nord"


def test_walk_in_counts_in_the_attendance(client, door):
    walk_in(client, door)
    stats = client.get("/api/checkin/sisteron/attendance", headers=door.headers).json
    assert stats["present"] == stats["expected"] == stats["walk_ins"] == 1


def test_missing_fields_are_explained_and_nothing_is_written(client, door):
    response = walk_in(client, door, first_name=" ", role="", email="pas-une-adresse")
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"first_name", "role", "email"}
    assert registrations() == []


def test_full_village_asks_for_confirmation(client, door):
    door.village.capacity = 1
    make_registration(door.village)
    response = walk_in(client, door)
    assert response.status_code == 409
    assert response.json["may_override"] is True
    assert "complet" in response.json["error"]
    assert len(registrations()) == 1


def test_confirmed_override_admits_over_capacity(client, door):
    door.village.capacity = 1
    make_registration(door.village)
    response = walk_in(client, door, over_capacity=True)
    assert response.json["result"] == "ok"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "registration.walk_in"))
    assert entry.details["over_capacity"] is True


def test_full_role_quota_asks_for_confirmation(client, door):
    db.session.add(VillageRoleQuota(village=door.village, role=Role.HABITANT, capacity=1))
    make_registration(door.village, role=Role.HABITANT)
    response = walk_in(client, door)
    assert response.status_code == 409 and "Les places réservées aux représentants et représentantes d'habitants ou d'usagers sont toutes prises" in response.json["error"]


def test_email_of_an_existing_registration_points_to_the_search(client, door):
    make_registration(door.village, first_name="Nadia", last_name="Benali", email="nadia@example.org")
    response = walk_in(client, door, email="Nadia@example.org")
    assert response.status_code == 409 and response.json["may_override"] is False
    assert "cherchez" in response.json["error"]
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1


def test_walk_in_needs_a_token(client, door):
    response = client.post("/api/checkin/sisteron/walk-in", json=WALK_IN)
    assert response.status_code == 401
