"""The short code printed on badges: readable by people, it finds a person for a name check and
never admits anyone on its own."""
from app.documents.badge import badge_pdf
from app.extensions import db
from app.models.registration import SHORT_CODE_ALPHABET
from tests.factories import make_registration, make_village
from tests.fixtures_maildocs import pdf_text


def test_every_registration_gets_a_six_character_code_without_look_alike_characters(app):
    codes = [make_registration(make_village()).short_code for _ in range(20)]
    assert all(len(code) == 6 and set(code) <= set(SHORT_CODE_ALPHABET) for code in codes)
    assert not set("0O1IL2Z5S8B") & set(SHORT_CODE_ALPHABET)


def test_the_badge_prints_the_short_code_under_the_qr_code(app):
    person = make_registration(make_village(), short_code="K7MQX4")
    assert "Code : K7M-QX4" in pdf_text(badge_pdf(person))


def test_the_short_code_alone_admits_nobody(client, door):
    person = make_registration(door.village, short_code="K7MQX4")
    response = client.post("/api/checkin", json={"code": "K7M-QX4"}, headers=door.headers)
    db.session.refresh(person)
    assert response.json["result"] == "unknown" and person.checked_in_at is None


def test_the_search_finds_a_person_by_short_code_however_it_is_typed(client, door):
    make_registration(door.village, first_name="Louise", last_name="Roux", short_code="K7MQX4")
    make_registration(make_village(), last_name="Ailleurs", short_code="K7MQX4")
    for typed in ("K7M-QX4", "k7m qx4", "k7mqx4"):
        found = client.get(f"/api/checkin/{door.village.slug}/search", query_string={"q": typed}, headers=door.headers)
        assert [p["name"] for p in found.json["results"]] == ["Louise Roux"], typed


def test_people_sharing_a_short_code_are_all_listed_for_the_volunteer_to_tell_apart(client, door):
    make_registration(door.village, first_name="Louise", last_name="Roux", short_code="K7MQX4")
    make_registration(door.village, first_name="Paul", last_name="Durand", short_code="K7MQX4")
    found = client.get(f"/api/checkin/{door.village.slug}/search?q=K7M-QX4", headers=door.headers).json["results"]
    assert [p["name"] for p in found] == ["Paul Durand", "Louise Roux"]


def test_the_phones_roster_carries_the_short_code_but_never_the_qr_secret(client, door):
    person = make_registration(door.village, short_code="K7MQX4")
    (entry,) = client.get(f"/api/checkin/{door.village.slug}/roster", headers=door.headers).json["entries"]
    assert entry["short_code"] == "K7MQX4" and person.badge_code not in str(entry)
