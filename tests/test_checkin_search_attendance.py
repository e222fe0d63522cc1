"""Finding people without their badge, and the live counters."""
from app.models import RegistrationStatus, Role
from tests.factories import make_registration, make_village


def search(client, door, query):
    return client.get(f"/api/checkin/sisteron/search?q={query}", headers=door.headers).json["results"]


def test_search_ignores_case_and_accents(client, door):
    make_registration(door.village, first_name="Hélène", last_name="Émery")
    make_registration(door.village, first_name="Paul", last_name="Durand")
    assert [p["name"] for p in search(client, door, "helene emery")] == ["Hélène Émery"]


def test_search_finds_by_organisation(client, door):
    make_registration(door.village, organisation="Secours populaire")
    assert len(search(client, door, "secours")) == 1


def test_search_stays_within_the_village(client, door):
    make_registration(make_village(), last_name="Ailleurs")
    assert search(client, door, "ailleurs") == []


def test_search_lists_confirmed_people_first_and_shows_status(client, door):
    make_registration(door.village, last_name="Arnaud", status=RegistrationStatus.WAITLISTED)
    make_registration(door.village, last_name="Arnaudet")
    found = search(client, door, "arnaud")
    assert [p["status"] for p in found] == ["confirmed", "waitlisted"]


def test_search_needs_a_token(client, door):
    assert client.get("/api/checkin/sisteron/search?q=a").status_code == 401


def test_attendance_counts_present_and_expected_by_role(client, door):
    present = make_registration(door.village, role=Role.ELU)
    make_registration(door.village, role=Role.ELU)
    make_registration(door.village, role=Role.PORTEUR, status=RegistrationStatus.CANCELLED)
    client.post("/api/checkin", json={"code": present.badge_code}, headers=door.headers)
    stats = client.get("/api/checkin/sisteron/attendance", headers=door.headers).json
    assert (stats["present"], stats["expected"]) == (1, 2)
    by_role = {r["role"]: (r["present"], r["expected"]) for r in stats["roles"]}
    assert by_role == {"porteur": (0, 0), "institutionnel": (0, 0), "elu": (1, 2), "habitant": (0, 0)}


def test_attendance_needs_a_token(client, door):
    assert client.get("/api/checkin/sisteron/attendance").status_code == 401
