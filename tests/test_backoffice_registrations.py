"""A village's registrations in the back office: the list, and acting on one registration."""
import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import AuditEntry, OutboxMessage, Registration, RegistrationStatus, Role
from app.timeutil import utcnow
from tests.factories import make_registration, make_village, present_initiative
from tests.helpers import page_text


def listed(client, village, **args) -> str:
    return page_text(client.get(f"/organisation/villages/{village.id}/inscriptions", query_string=args))


def rows(client, village, **args) -> list[str]:
    """The last names in the list's table, in order."""
    body = client.get(f"/organisation/villages/{village.id}/inscriptions", query_string=args).get_data(as_text=True)
    return re.findall(r'href="/organisation/inscriptions/\d+">([^ <]+)', body)


@pytest.fixture
def village(app):
    return make_village(capacity=3)


def test_search_matches_name_email_or_organisation_case_insensitively(organiser_client, village):
    make_registration(village, last_name="Dupont", organisation="Les Jardins de Saint-Jean")
    make_registration(village, last_name="Bernard", email="lucie.bernard@mairie-sisteron.fr")
    make_registration(village, last_name="Garcia")
    assert "Dupont" in listed(organiser_client, village, q="jardins")
    assert "Garcia" not in listed(organiser_client, village, q="jardins")
    assert "Bernard" in listed(organiser_client, village, q="MAIRIE-SISTERON")
    assert "1 inscription trouvée" in listed(organiser_client, village, q="camille dupont")


def test_search_treats_percent_and_underscore_literally(organiser_client, village):
    make_registration(village, last_name="Dupont")
    assert "Aucune inscription ne correspond." in listed(organiser_client, village, q="%")


def test_filters_by_role_status_lunch_and_check_in(organiser_client, village):
    make_registration(village, last_name="Elu", role=Role.ELU, lunch=True, checked_in_at=utcnow())
    make_registration(village, last_name="Attente", status=RegistrationStatus.WAITLISTED)
    assert rows(organiser_client, village, role="elu") == ["Elu"]
    assert rows(organiser_client, village, statut="waitlisted") == ["Attente"]
    assert rows(organiser_client, village, dejeuner="oui") == ["Elu"]
    assert rows(organiser_client, village, accueilli="non") == ["Attente"]


def test_sorts_by_name_either_way_and_by_registration_date(organiser_client, village):
    now = utcnow()
    make_registration(village, last_name="Blanc", created_at=now - timedelta(hours=1))
    make_registration(village, last_name="Arnaud", created_at=now)
    make_registration(village, last_name="Chevalier", created_at=now - timedelta(hours=2))
    assert rows(organiser_client, village) == ["Arnaud", "Blanc", "Chevalier"]
    assert rows(organiser_client, village, tri="nom", ordre="desc") == ["Chevalier", "Blanc", "Arnaud"]
    assert rows(organiser_client, village, tri="date") == ["Chevalier", "Blanc", "Arnaud"]


def test_unknown_filter_values_are_ignored_not_an_error(organiser_client, village):
    make_registration(village, last_name="Dupont")
    response = organiser_client.get(f"/organisation/villages/{village.id}/inscriptions",
                                    query_string={"role": "pirate", "tri": "x; drop", "page": "abc"})
    assert response.status_code == 200 and "Dupont" in page_text(response)


def test_pagination_shows_fifty_a_page_without_overlap(organiser_client, app):
    big = make_village(capacity=200)
    db.session.add_all(
        Registration(village=big, role=Role.HABITANT, first_name="P", last_name=f"Nom{n:03d}", email=f"p{n}@example.org")
        for n in range(120)
    )
    db.session.commit()
    first, third = rows(organiser_client, big), rows(organiser_client, big, page=3)
    assert len(first) == 50 and first[0] == "Nom000" and third == [f"Nom{n:03d}" for n in range(100, 120)]
    assert "120 inscriptions trouvées (de 101 à 120)" in listed(organiser_client, big, page=3)
    assert "Page 3 sur 3" in listed(organiser_client, big, page=99)


def test_counts_places_left_and_waiting_list_order(organiser_client, village):
    make_registration(village, role=Role.ELU)
    make_registration(village, role=Role.PORTEUR)
    make_registration(village, last_name="Second", status=RegistrationStatus.WAITLISTED, created_at=utcnow())
    make_registration(village, last_name="Premier", status=RegistrationStatus.WAITLISTED,
                      created_at=utcnow() - timedelta(hours=1))
    text = listed(organiser_client, village, statut="waitlisted", tri="date")
    assert "2 confirmées sur 3" in text and "1 place restante" in text and "2 en liste d'attente" in text
    assert text.index("Premier") < text.index("(n° 1)") < text.index("Second") < text.index("(n° 2)")


def test_village_page_shows_lunches_diets_accessibility_and_stands(organiser_client, village):
    make_registration(village, lunch=True, dietary_needs="Végétarien")
    make_registration(village, lunch=True, dietary_needs="végétarien ")
    make_registration(village, last_name="Roux", accessibility_needs="Fauteuil roulant")
    holder = make_registration(village, role=Role.PORTEUR)
    present_initiative(holder, name="Ressourcerie du Buëch", summary="Réemploi",
                       stand={"wants_stand": True, "stand_electricity": True})
    make_registration(village, lunch=True, status=RegistrationStatus.CANCELLED)
    db.session.commit()
    text = page_text(organiser_client.get(f"/organisation/villages/{village.id}"))
    assert "2 déjeuners à commander" in text and "végétarien : 2" in text
    assert "Roux : Fauteuil roulant" in text
    assert "Stands demandés : 1" in text and "0 avec table, 1 avec électricité" in text and "Ressourcerie du Buëch" in text


def test_dashboard_counts_by_role_status_and_check_ins(organiser_client, village):
    make_registration(village, role=Role.ELU, checked_in_at=utcnow())
    make_registration(village, role=Role.ELU, status=RegistrationStatus.WAITLISTED)
    # Checked in, then cancelled: no longer one of the présents, as in the report.
    make_registration(village, role=Role.HABITANT, status=RegistrationStatus.CANCELLED, checked_in_at=utcnow())
    text = page_text(organiser_client.get("/organisation/"))
    assert "1 confirmée sur 3 places" in text and "2 places restantes" in text
    assert "1 présente (places confirmées accueillies à l'entrée, comme dans le bilan)" in text
    assert "Élu local ou élue locale 1 1 0" in text


def test_an_organiser_records_that_a_person_is_addressed_as_monsieur(organiser_client, village):
    registration = make_registration(village, role=Role.ELU, collectivity="Commune", mandate="Maire")
    data = {"civility": "monsieur", "first_name": registration.first_name, "last_name": registration.last_name,
            "email": registration.email, "commune": "Sisteron", "collectivity": "Commune", "mandate": "Maire"}
    organiser_client.post(f"/organisation/inscriptions/{registration.id}", data=data)
    page = organiser_client.get(f"/organisation/inscriptions/{registration.id}").get_data(as_text=True)
    assert "<dt>Rôle</dt><dd>Élu local</dd>" in page
    assert '<option selected value="monsieur">Monsieur</option>' in page


def test_an_organiser_edits_details_and_the_history_shows_it(organiser_client, village):
    registration = make_registration(village, last_name="Martin")
    data = {"first_name": "Camille", "last_name": "Martin-Roux", "email": registration.email,
            "commune": "Sisteron", "lunch": "y", "dietary_needs": "Sans gluten"}
    response = organiser_client.post(f"/organisation/inscriptions/{registration.id}", data=data)
    assert response.status_code == 302
    db.session.refresh(registration)
    assert registration.last_name == "Martin-Roux" and registration.lunch and registration.dietary_needs == "Sans gluten"
    history = page_text(organiser_client.get(f"/organisation/inscriptions/{registration.id}"))
    assert ("Organiser a modifié l'inscription de Camille Martin-Roux : le nom, la réponse pour le déjeuner "
            "et le régime alimentaire.") in history


def test_an_invalid_edit_is_explained_and_writes_nothing(organiser_client, village):
    registration = make_registration(village, last_name="Martin")
    response = organiser_client.post(f"/organisation/inscriptions/{registration.id}",
                                     data={"first_name": "", "last_name": "X", "email": "pas-une-adresse"})
    text = page_text(response)
    assert "Ce champ est obligatoire." in text and "Cette adresse e-mail n'est pas valide." in text
    db.session.refresh(registration)
    assert registration.last_name == "Martin"


def test_cancelling_frees_the_place_for_the_first_on_the_waiting_list(organiser_client):
    village = make_village(capacity=1)
    leaving = make_registration(village)
    waiting = make_registration(village, status=RegistrationStatus.WAITLISTED, last_name="Suivant")
    response = organiser_client.post(f"/organisation/inscriptions/{leaving.id}/annuler", follow_redirects=True)
    assert "La place libérée revient à Camille Suivant" in page_text(response)
    db.session.refresh(leaving), db.session.refresh(waiting)
    assert leaving.status == RegistrationStatus.CANCELLED and waiting.status == RegistrationStatus.CONFIRMED
    kinds = sorted(m.kind for m in db.session.scalars(db.select(OutboxMessage)))
    assert kinds == ["cancellation", "promoted"]


def test_cancelling_twice_says_so_in_french(organiser_client, village):
    registration = make_registration(village, status=RegistrationStatus.CANCELLED)
    response = organiser_client.post(f"/organisation/inscriptions/{registration.id}/annuler", follow_redirects=True)
    assert "Cette inscription est déjà annulée." in page_text(response)


def test_promoting_from_the_waiting_list_confirms_even_when_full(organiser_client):
    village = make_village(capacity=1)
    make_registration(village)
    waiting = make_registration(village, status=RegistrationStatus.WAITLISTED)
    organiser_client.post(f"/organisation/inscriptions/{waiting.id}/confirmer")
    db.session.refresh(waiting)
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert db.session.scalar(db.select(AuditEntry).filter_by(target_id=waiting.id)).actor == "organiser@villages.test"


def test_changing_role_respects_the_quota_unless_forced(organiser_client):
    from app.models import VillageRoleQuota

    village = make_village(quotas=[VillageRoleQuota(role="elu", capacity=1)])
    make_registration(village, role=Role.ELU)
    registration = make_registration(village, role=Role.HABITANT)
    response = organiser_client.post(f"/organisation/inscriptions/{registration.id}/role",
                                     data={"role": "elu"}, follow_redirects=True)
    assert "Il n'y a plus de place pour le rôle « Élu local ou élue locale »." in page_text(response)
    db.session.refresh(registration)
    assert registration.role == Role.HABITANT
    organiser_client.post(f"/organisation/inscriptions/{registration.id}/role", data={"role": "elu", "force": "1"})
    db.session.refresh(registration)
    assert registration.role == Role.ELU


def test_resending_the_confirmation_queues_it_again(organiser_client, village):
    registration = make_registration(village)
    organiser_client.post(f"/organisation/inscriptions/{registration.id}/renvoyer")
    assert [m.kind for m in db.session.scalars(db.select(OutboxMessage))] == ["confirmation"]
