"""The roster check-in phones download, and the cursor that keeps it fresh incrementally."""
import hashlib
import json
from datetime import datetime

import pytest

from app.extensions import db
from app.models import CheckIn, RegistrationStatus
from app.services.checkin_roster import roster
from app.timeutil import utcnow
from tests.factories import make_registration, make_village
from tests.factories_registration import register


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_every_registration_change_raises_the_village_roster_version(app):
    village = make_village()
    first = make_registration(village)
    assert first.roster_version == 1 and village.roster_version == 1

    second = make_registration(village)
    assert second.roster_version == 2

    first.status = RegistrationStatus.CANCELLED
    db.session.commit()
    assert first.roster_version == 3
    assert village.roster_version == 3


def test_a_registration_through_the_service_takes_the_next_version(app):
    village = make_village()
    make_registration(village)
    registration = register(village)
    assert registration.roster_version == 2 and village.roster_version == 2


def test_changes_the_phones_do_not_show_leave_the_version_alone(app):
    village = make_village()
    registration = make_registration(village)
    registration.reminder_sent_at = utcnow()
    registration.consent_news = True
    db.session.commit()
    assert registration.roster_version == 1
    assert village.roster_version == 1


def test_each_village_counts_its_own_versions(app):
    avignon, sisteron = make_village(), make_village()
    make_registration(avignon)
    make_registration(avignon)
    in_sisteron = make_registration(sisteron)
    assert in_sisteron.roster_version == 1
    assert (avignon.roster_version, sisteron.roster_version) == (2, 1)


def test_a_check_in_or_its_undo_raises_the_version_of_the_registration(app):
    village = make_village()
    registration = make_registration(village)
    checkin = CheckIn(
        registration=registration, village=village, scan_id="scan-1",
        scanned_at=datetime(2030, 5, 1, 8, 0), scanner="Porte 1",
    )
    db.session.add(checkin)
    db.session.commit()
    assert registration.roster_version == 2

    checkin.undone_at = utcnow()
    db.session.commit()
    assert registration.roster_version == 3


def scan(client, door, code):
    return client.post("/api/checkin", json={"code": code}, headers=door.headers).json["result"]


def test_a_scan_raises_the_version_once_and_the_next_delta_shows_the_person_admitted(client, door):
    person = make_registration(door.village)
    make_registration(door.village)
    cursor = roster(door.village).cursor

    assert scan(client, door, person.badge_code) == "ok"
    delta = roster(door.village, since=cursor)

    assert delta.cursor == cursor + 1
    [entry] = delta.entries
    assert entry["id"] == person.id
    assert entry["checked_in_at"] is not None and entry["checked_in_by"] == "Entrée nord"


@pytest.mark.parametrize("refused", ["already_checked_in", "unknown", "cancelled", "wrong_village"])
def test_a_refused_scan_leaves_the_version_alone(client, door, refused):
    admitted = make_registration(door.village)
    scan(client, door, admitted.badge_code)
    codes = {
        "already_checked_in": admitted.badge_code,
        "unknown": "ceci-n-est-pas-un-badge",
        "cancelled": make_registration(door.village, status=RegistrationStatus.CANCELLED).badge_code,
        "wrong_village": make_registration(make_village()).badge_code,
    }
    cursor = roster(door.village).cursor

    assert scan(client, door, codes[refused]) == refused
    assert roster(door.village).cursor == cursor
    assert roster(door.village, since=cursor).entries == []


def test_the_roster_since_a_cursor_holds_only_what_changed_after_it(app):
    village = make_village()
    unchanged = make_registration(village, first_name="Inès", last_name="Garcia")
    edited = make_registration(village, first_name="Paul", last_name="Roux")
    cursor = roster(village).cursor

    edited.last_name = "Roux-Martin"
    db.session.commit()
    delta = roster(village, since=cursor)

    assert [e["last_name"] for e in delta.entries] == ["Roux-Martin"]
    assert delta.cursor == cursor + 1
    assert roster(village, since=delta.cursor).entries == []
    assert unchanged.id not in [e["id"] for e in delta.entries]


def test_the_roster_carries_badge_hashes_never_the_badge_secrets(app):
    village = make_village()
    registration = make_registration(
        village, first_name="Nadia", last_name="Benali", organisation="Épicerie solidaire"
    )
    data = roster(village).as_json()

    assert registration.badge_code not in json.dumps(data)
    [entry] = data["entries"]
    assert entry["code_hash"] == sha256(registration.badge_code)
    assert entry["name"] == "Nadia Benali" and entry["organisation"] == "Épicerie solidaire"
    assert entry["status"] == "confirmed" and entry["checked_in_at"] is None


def test_a_full_roster_names_the_village_of_other_villages_badges(app):
    here = make_village()
    elsewhere = make_village(name="Village des initiatives solidaires – Avignon")
    other = make_registration(elsewhere)
    make_registration(elsewhere, status=RegistrationStatus.CANCELLED)

    full = roster(here).as_json()
    assert full["other_villages"] == [
        {"code_hash": sha256(other.badge_code), "village": elsewhere.name}
    ]
    assert "other_villages" not in roster(here, since=1).as_json()
