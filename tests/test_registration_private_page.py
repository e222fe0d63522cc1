"""The private page of a registration: see it, change it, cancel it."""
from app.extensions import db
from app.models import RegistrationStatus, Role, VillageRoleQuota
from tests.factories import make_registration, make_village
from tests.factories_registration import initiative_fields, outbox_kinds, register
from tests.helpers import page_text


def private_url(registration, action="") -> str:
    return f"/inscription/{registration.manage_token}{action}"


def test_private_page_shows_the_registration(client):
    village = make_village(town="Sisteron", venue="Salle des fêtes")
    registration = register(village, role=Role.PORTEUR, first_name="Alix", last_name="Durand",
                            initiative=initiative_fields())
    page = page_text(client.get(private_url(registration)))
    for expected in ("Sisteron", "Salle des fêtes", "Alix Durand", "Porteur ou porteuse d'initiative", "Confirmée",
                     "Jardin partagé du quartier", "Financement", "Bénévoles", "Télécharger mon badge"):
        assert expected in page


def test_waiting_person_sees_their_position_and_no_badge(client):
    village = make_village(capacity=1)
    register(village)
    register(village)
    waiting = register(village)
    response = client.get(private_url(waiting))
    page = page_text(response)
    assert "Liste d'attente" in page and "position 2" in page
    assert "badge.pdf" not in response.get_data(as_text=True)
    assert client.get(private_url(waiting, "/badge.pdf")).status_code == 404
    assert client.get(private_url(waiting, "/invitation.ics")).status_code == 404


def test_unknown_token_is_a_404(client):
    make_registration(make_village())
    for action in ("", "/modifier", "/annuler", "/badge.pdf", "/invitation.ics", "/merci"):
        assert client.get(f"/inscription/inconnu{action}").status_code == 404


def test_the_edit_form_is_filled_with_the_current_details(client):
    registration = register(make_village(), role=Role.ELU, collectivity="Commune de Sisteron",
                            mandate="Adjointe aux solidarités")
    body = client.get(private_url(registration, "/modifier")).get_data(as_text=True)
    assert 'value="Commune de Sisteron"' in body
    assert '<input checked id="role-2" name="role"' in body  # Élu local


def test_the_edit_form_shows_how_the_person_asked_to_be_addressed(client):
    registration = register(make_village(), civility="madame")
    body = client.get(private_url(registration, "/modifier")).get_data(as_text=True)
    assert '<input checked id="civility-0" name="civility" type="radio" value="madame">' in body


def test_changing_details_saves_them_and_queues_a_new_badge(client):
    registration = register(make_village(), first_name="Alix", role=Role.HABITANT)
    data = dict(role="habitant", first_name="Alexandra", last_name=registration.last_name,
                email=registration.email, commune="Sisteron", lunch="oui", dietary_needs="Végétarien")
    response = client.post(private_url(registration, "/modifier"), data=data, follow_redirects=True)
    assert "Vos modifications sont enregistrées." in page_text(response)
    db.session.refresh(registration)
    assert (registration.first_name, registration.lunch, registration.dietary_needs) == (
        "Alexandra", True, "Végétarien"
    )
    assert outbox_kinds(registration) == ["confirmation", "update"]


def test_changing_details_with_bad_input_shows_the_error_and_keeps_the_old_details(client):
    registration = register(make_village(), first_name="Alix")
    data = dict(role="habitant", first_name="Alexandra", last_name="X", email="pas-une-adresse",
                commune="Sisteron", lunch="non")
    response = client.post(private_url(registration, "/modifier"), data=data)
    assert response.status_code == 422
    assert "Cette adresse e-mail n'est pas valide" in page_text(response)
    db.session.refresh(registration)
    assert registration.first_name == "Alix"


def test_changing_to_a_full_role_is_refused_next_to_the_role(client):
    village = make_village()
    village.quotas.append(VillageRoleQuota(role=Role.ELU, capacity=0))
    db.session.commit()
    registration = register(village)
    data = dict(role="elu", first_name="A", last_name="B", email=registration.email, commune="Sisteron",
                lunch="non", collectivity="Commune", mandate="Maire")
    response = client.post(private_url(registration, "/modifier"), data=data)
    assert response.status_code == 422
    assert "Il n'y a plus de place pour le rôle « Élu local ou élue locale »." in page_text(response)
    db.session.refresh(registration)
    assert registration.role == Role.HABITANT


def test_cancelling_asks_for_confirmation_first(client):
    registration = register(make_village())
    page = page_text(client.get(private_url(registration, "/annuler")))
    assert "Oui, annuler mon inscription" in page
    db.session.refresh(registration)
    assert registration.status == RegistrationStatus.CONFIRMED


def test_cancelling_frees_the_place_for_the_waiting_list(client):
    village = make_village(capacity=1)
    registration = register(village)
    waiting = register(village)
    response = client.post(private_url(registration, "/annuler"), follow_redirects=True)
    page = page_text(response)
    assert "Votre inscription est annulée." in page and "Annulée" in page
    assert "Modifier mes informations" not in page
    db.session.refresh(waiting)
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert outbox_kinds(registration)[-1] == "cancellation" and outbox_kinds(waiting)[-1] == "promoted"


def test_a_cancelled_registration_can_no_longer_be_changed_or_cancelled(client):
    registration = register(make_village())
    client.post(private_url(registration, "/annuler"))
    again = client.post(private_url(registration, "/annuler"), follow_redirects=True)
    assert "Cette inscription est annulée" in page_text(again)
    edit = client.get(private_url(registration, "/modifier"), follow_redirects=True)
    assert "ne peut plus être modifiée" in page_text(edit)
    assert outbox_kinds(registration) == ["confirmation", "cancellation"]


def test_cancelling_needs_a_valid_csrf_token(client, csrf_enabled):
    registration = register(make_village())
    response = client.post(private_url(registration, "/annuler"))
    assert response.status_code == 400
    db.session.refresh(registration)
    assert registration.status == RegistrationStatus.CONFIRMED


def test_private_pages_are_kept_out_of_search_engines_and_referers(client):
    registration = register(make_village())
    for action in ("", "/merci", "/modifier", "/annuler"):
        body = client.get(private_url(registration, action)).get_data(as_text=True)
        assert '<meta name="robots" content="noindex, nofollow">' in body
        assert '<meta name="referrer" content="no-referrer">' in body
