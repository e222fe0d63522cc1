"""Organisers create, edit, duplicate and archive villages; participants hear of date or place changes."""
from datetime import date, time, timedelta

import pytest

from app.extensions import db
from app.models import AuditEntry, OutboxMessage, RegistrationStatus, Village, VillageRoleQuota
from app.services import notifications, villages as village_service
from app.timeutil import utcnow
from tests.factories import make_registration, make_village
from tests.helpers import page_text

NEXT_YEAR = date.today() + timedelta(days=365)


def village_form(**overrides) -> dict:
    values = {
        "name": "Village des initiatives solidaires – Manosque", "slug": "manosque", "town": "Manosque",
        "venue": "Salle Osco Manosco", "address": "Avenue Saint-Lazare, 04100 Manosque",
        "day": NEXT_YEAR.isoformat(), "starts_at": "09:00", "ends_at": "17:00", "capacity": "80",
        "lunch_offered": "y", "description": "Une journée de rencontres.", "programme": "9 h – Accueil",
        "practical_info": "Parking gratuit.", "contact_email": "contact@example.org",
        "registration_opens_at": "", "registration_closes_at": "",
        "quota_porteur": "", "quota_institutionnel": "", "quota_elu": "", "quota_habitant": "",
    }
    values.update(overrides)
    return values


def form_of(village: Village, **overrides) -> dict:
    values = village_form(
        name=village.name, slug=village.slug, town=village.town, venue=village.venue, address=village.address,
        day=village.day.isoformat(), starts_at=village.starts_at.strftime("%H:%M"),
        ends_at=village.ends_at.strftime("%H:%M"), capacity=str(village.capacity),
    )
    values.update(overrides)
    return values


def villages() -> list[Village]:
    return list(db.session.scalars(db.select(Village).order_by(Village.id)))


def test_an_organiser_creates_a_village_with_a_quota(organiser_client):
    response = organiser_client.post("/organisation/villages/nouveau", data=village_form(
        quota_elu="10", registration_opens_at="2030-01-10T09:00", registration_closes_at="2030-02-01T18:00"))
    assert response.status_code == 302
    [created] = villages()
    assert created.slug == "manosque" and created.capacity == 80 and created.quota_for("elu") == 10
    # Entered in Paris time (winter: UTC+1), stored in UTC.
    assert created.registration_opens_at.hour == 8
    assert "Manosque" in page_text(organiser_client.get(f"/organisation/villages/{created.id}"))
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="village.created")).actor == "organiser@villages.test"


@pytest.mark.parametrize("overrides, field_message", [
    ({"ends_at": "08:00"}, "L'heure de fin doit être après l'heure de début."),
    ({"capacity": "-1"}, "Le nombre de places ne peut pas être négatif."),
    ({"quota_porteur": "81"}, "Le quota ne peut pas dépasser le nombre de places du village."),
    ({"slug": "Mano sque"}, "Utilisez seulement des lettres minuscules sans accent, des chiffres et des tirets."),
    ({"name": ""}, "Ce champ est obligatoire."),
    ({"day": "31/02/2030"}, "N'est pas une date valide."),
    ({"registration_opens_at": "2030-02-01T09:00", "registration_closes_at": "2030-01-01T09:00"},
     "La clôture doit être après l'ouverture des inscriptions."),
])
def test_invalid_village_explains_in_french_next_to_the_field_and_writes_nothing(organiser_client, overrides, field_message):
    response = organiser_client.post("/organisation/villages/nouveau", data=village_form(**overrides))
    assert response.status_code == 200
    text = page_text(response)
    assert "Le formulaire contient des erreurs" in text and field_message in text
    assert villages() == []


def test_a_slug_already_used_is_refused(organiser_client):
    make_village(slug="manosque")
    response = organiser_client.post("/organisation/villages/nouveau", data=village_form())
    assert "Cette adresse courte est déjà utilisée par un autre village." in page_text(response)
    assert len(villages()) == 1


def test_editing_the_description_does_not_notify_participants(organiser_client):
    village = make_village()
    make_registration(village)
    response = organiser_client.post(f"/organisation/villages/{village.id}/modifier",
                                     data=form_of(village, description="Nouvelle présentation"))
    assert response.status_code == 302
    db.session.refresh(village)
    assert village.description == "Nouvelle présentation" and village.calendar_sequence == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == 0
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="village.updated"))
    assert entry.village_id == village.id and "description" in entry.details


@pytest.mark.parametrize("change", [
    {"day": (NEXT_YEAR + timedelta(days=1)).isoformat()},
    {"starts_at": "10:00"},
    {"ends_at": "18:00"},
    {"venue": "Gymnase municipal"},
])
def test_changing_date_times_or_venue_tells_confirmed_participants_only(organiser_client, change):
    village = make_village(day=NEXT_YEAR)
    confirmed = make_registration(village)
    make_registration(village, status=RegistrationStatus.WAITLISTED)
    make_registration(village, status=RegistrationStatus.CANCELLED)
    organiser_client.post(f"/organisation/villages/{village.id}/modifier", data=form_of(village, **change))
    db.session.refresh(village)
    assert village.calendar_sequence == 1
    queued = list(db.session.scalars(db.select(OutboxMessage)))
    assert [(m.kind, m.recipient) for m in queued] == [("village_changed", confirmed.email)]


def test_village_changed_receives_what_changed(app, monkeypatch):
    village = make_village(starts_at=time(9, 0))
    registration = make_registration(village)
    calls = []
    monkeypatch.setattr(notifications, "village_changed", lambda reg, changes: calls.append((reg, changes)))
    fields = {name: getattr(village, name) for name in village_service.EDITABLE_FIELDS}
    village_service.update(village, dict(fields, starts_at=time(10, 0)), {}, actor="test")
    assert calls == [(registration, {"starts_at": [time(9, 0), time(10, 0)]})]


def test_duplicating_copies_everything_but_the_dates(organiser_client):
    original = make_village(slug="avignon", programme="9 h – Accueil", capacity=120,
                            quotas=[VillageRoleQuota(role="elu", capacity=15)])
    form = organiser_client.get(f"/organisation/villages/{original.id}/dupliquer").get_data(as_text=True)
    assert 'value="avignon-2"' in form and 'name="quota_elu" type="number" value="15"' in form
    response = organiser_client.post(f"/organisation/villages/{original.id}/dupliquer", data=form_of(
        original, slug="avignon-2", day=NEXT_YEAR.isoformat(), programme="9 h – Accueil", quota_elu="15"))
    assert response.status_code == 302
    copy = villages()[-1]
    assert copy.slug == "avignon-2" and copy.programme == original.programme and copy.quota_for("elu") == 15


def test_the_duplicate_form_leaves_date_and_registration_period_empty(organiser_client):
    original = make_village(registration_opens_at=utcnow(), registration_closes_at=utcnow() + timedelta(days=5))
    body = organiser_client.get(f"/organisation/villages/{original.id}/dupliquer").get_data(as_text=True)
    assert f'value="{original.day.isoformat()}"' not in body
    assert 'name="registration_opens_at" type="datetime-local" value=""' in body


def test_archiving_hides_the_village_from_the_public_site(client, organiser_client):
    village = make_village(slug="archive-moi", town="Archiville")
    response = organiser_client.post(f"/organisation/villages/{village.id}/archiver")
    assert response.status_code == 302
    db.session.refresh(village)
    assert village.is_archived
    assert "Archiville" not in page_text(client.get("/"))
    assert "Archivé" in page_text(organiser_client.get("/organisation/villages"))
    organiser_client.post(f"/organisation/villages/{village.id}/archiver")
    db.session.refresh(village)
    assert not village.is_archived


def test_village_page_leads_to_the_door_screens(organiser_client):
    village = make_village(slug="sisteron")
    body = organiser_client.get(f"/organisation/villages/{village.id}").get_data(as_text=True)
    for path in ("/checkin/sisteron", "/checkin/sisteron/liens", "/checkin/sisteron/conflits"):
        assert f'href="{path}"' in body
