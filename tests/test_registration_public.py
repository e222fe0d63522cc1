"""Registering through the public form, as a participant does."""
import html
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, OutboxMessage, Registration, RegistrationStatus, Role
from app.timeutil import local_today, utcnow
from tests.factories import make_registration, make_village
from tests.helpers import page_text

HABITANT = dict(
    role="habitant", first_name="Dominique", last_name="Essai", email="dominique@example.org",
    commune="Sisteron", lunch="non",
)
PORTEUR = dict(
    HABITANT, role="porteur", initiative_name="Jardin partagé", initiative_summary="Un jardin ouvert à tous.",
    stage="en_cours", thematiques=["solidarite"], publics=["familles"],
    support_needs=["financement", "communication"], wants_stand="y", stand_table="y",
)


def form_url(village) -> str:
    return f"/villages/{village.slug}/inscription"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_village_page_offers_to_register(client):
    village = make_village()
    page = client.get(f"/villages/{village.slug}").get_data(as_text=True)
    assert "S'inscrire" in page and form_url(village) in page


def test_form_asks_the_four_roles_with_labels(client):
    page = page_text(client.get(form_url(make_village())))
    for role in Role:
        assert role.label in page


def test_without_javascript_each_roles_questions_say_which_role_they_are_for(client):
    page = page_text(client.get(form_url(make_village())))
    for legend in ("Si vous êtes porteur ou porteuse d'initiative", "Si vous venez pour une institution",
                   "Si vous êtes élu local ou élue locale", "Si vous représentez des habitants ou des usagers"):
        assert legend in page


def test_form_asks_madame_or_monsieur_without_requiring_an_answer(client):
    response = client.get(form_url(make_village()))
    page = page_text(response)
    assert "Vous êtes (facultatif) Pour écrire votre rôle au féminin ou au masculin" in page
    assert "Madame Monsieur Je préfère ne pas le dire" in page
    assert 'name="civility" required' not in response.get_data(as_text=True)


def test_a_woman_is_told_she_is_registered_in_the_feminine(client):
    response = client.post(form_url(make_village()), data=dict(HABITANT, civility="madame"), follow_redirects=True)
    assert "Merci Dominique ! Vous êtes inscrite au village" in page_text(response)
    assert db.session.scalar(select(Registration.civility)) == "madame"


def test_someone_who_does_not_say_is_told_in_both_forms(client):
    response = client.post(form_url(make_village()), data=HABITANT, follow_redirects=True)
    assert "Vous êtes inscrit ou inscrite au village" in page_text(response)
    assert db.session.scalar(select(Registration.civility)) is None


def test_form_asks_about_lunch_only_when_the_village_offers_it(client):
    assert "Déjeunerez-vous" in page_text(client.get(form_url(make_village(lunch_offered=True))))
    assert "Déjeunerez-vous" not in page_text(client.get(form_url(make_village(lunch_offered=False))))


def test_registering_confirms_and_shows_the_private_link(client):
    village = make_village()
    response = client.post(form_url(village), data=HABITANT, follow_redirects=True)
    registration = db.session.scalar(select(Registration))
    page = page_text(response)
    assert "Votre inscription est confirmée" in page
    assert "vous allez recevoir un e-mail avec votre badge et l'invitation" in page.lower()
    assert f"/inscription/{registration.manage_token}" in page
    assert registration.status == RegistrationStatus.CONFIRMED
    assert (registration.role, registration.commune, registration.lunch) == ("habitant", "Sisteron", False)


def test_registering_queues_the_confirmation_email_to_the_participant(client):
    client.post(form_url(make_village()), data=HABITANT)
    registration = db.session.scalar(select(Registration))
    message = db.session.scalar(select(OutboxMessage))
    assert (message.registration_id, message.kind, message.recipient) == (
        registration.id, "confirmation", "dominique@example.org"
    )


def test_porteur_registers_with_the_fiche_initiative(client):
    client.post(form_url(make_village()), data=dict(PORTEUR, structure="Centre social La Baume"))
    registration = db.session.scalar(select(Registration))
    initiative = registration.initiative
    assert registration.organisation == "Centre social La Baume"
    fiche = initiative.current
    assert (fiche.name, fiche.structure, fiche.stage, fiche.publics) == (
        "Jardin partagé", "Centre social La Baume", "en_cours", ["familles"])
    assert fiche.support_needs == ["financement", "communication"]
    stand = registration.presentation
    assert (stand.wants_stand, stand.stand_table, stand.stand_electricity) == (True, True, False)


def test_only_the_chosen_roles_answers_are_kept_and_checked(client):
    # Without JavaScript every role's questions are sent; another role's answers are ignored, even too long.
    data = dict(HABITANT, represented_group="Conseil citoyen", institution="x" * 500, initiative_name="x" * 500)
    client.post(form_url(make_village()), data=data)
    registration = db.session.scalar(select(Registration))
    assert registration.represented_group == "Conseil citoyen"
    assert registration.organisation is None and registration.initiative is None


def test_a_refused_submission_shows_every_roles_questions_again_with_the_answers_given(client):
    # A submission is checked by a form holding its role's questions only; the page shows them all.
    data = dict(HABITANT, email="dominique@", represented_group="Conseil citoyen", institution="Caf du Var")
    response = client.post(form_url(make_village()), data=data)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'value="Conseil citoyen"' in body and 'value="Caf du Var"' in body
    assert 'name="initiative_name"' in body and 'name="mandate"' in body and 'name="offers-0-category"' in body
    assert 'id="email-error"' in body and count(Registration) == 0


@pytest.mark.parametrize("role, field, message", [
    ("porteur", "initiative_name", "Indiquez le nom de votre initiative."),
    ("institutionnel", "institution", "Indiquez votre organisme."),
    ("elu", "mandate", "Indiquez votre mandat."),
])
def test_the_chosen_roles_required_questions_are_checked(client, role, field, message):
    response = client.post(form_url(make_village()), data=dict(HABITANT, role=role))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f'<p class="field-error" id="{field}-error">' in body and message in page_text(response)
    assert count(Registration) == 0


@pytest.mark.parametrize("field, value, message", [
    ("email", "dominique@", "Cette adresse e-mail n'est pas valide"),
    ("postcode", "4200", "Le code postal comporte 5 chiffres"),
    ("phone", "appelez-moi", "Ce numéro de téléphone n'est pas valide"),
    ("first_name", "D" * 101, "100 caractères au maximum."),
    ("accessibility_needs", "x" * 501, "500 caractères au maximum."),
    ("role", "organisateur", "N'est pas un choix valide"),
])
def test_bad_input_gets_a_french_message_next_to_the_field_and_writes_nothing(client, field, value, message):
    response = client.post(form_url(make_village()), data=dict(HABITANT, **{field: value}))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    error = body.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message in html.unescape(error)
    assert f'aria-invalid="true"' in body and f'{field}-error' in body
    assert count(Registration) == count(OutboxMessage) == count(AuditEntry) == 0


def test_error_summary_links_to_each_wrong_field(client):
    response = client.post(form_url(make_village()), data=dict(HABITANT, email="", role=""))
    body = response.get_data(as_text=True)
    assert "2 réponses sont à corriger" in page_text(response)
    assert 'href="#email"' in body and 'href="#role-0"' in body


def test_commune_or_postcode_is_needed(client):
    response = client.post(form_url(make_village()), data=dict(HABITANT, commune=""))
    assert "Indiquez votre commune ou votre code postal." in page_text(response)
    client.post(form_url(make_village()), data=dict(HABITANT, commune="", postcode="04200"))
    assert db.session.scalar(select(Registration.postcode)) == "04200"


def test_full_village_puts_the_person_on_the_waiting_list_without_badge(client):
    village = make_village(capacity=1)
    make_registration(village)
    assert "liste d'attente" in page_text(client.get(form_url(village)))
    page = page_text(client.post(form_url(village), data=HABITANT, follow_redirects=True))
    assert "Vous êtes sur la liste d'attente" in page
    assert "badge et l'invitation" not in page
    assert db.session.scalar(select(Registration.status).where(Registration.email == HABITANT["email"])) == (
        RegistrationStatus.WAITLISTED
    )


def test_a_second_registration_with_the_same_email_tells_nothing_and_sends_the_confirmation_again(client):
    village = make_village()
    existing = make_registration(village, email="dominique@example.org")
    response = client.post(form_url(village), data=dict(HABITANT, email="Dominique@Example.org"))
    assert response.status_code == 409
    page = page_text(response)
    assert ("Si cette adresse est inscrite à ce village, nous venons de lui renvoyer l'e-mail de confirmation"
            in page)
    assert "dominique@example.org" not in page.lower() and "déjà" not in page
    assert count(Registration) == 1
    sent = db.session.scalars(select(OutboxMessage).where(OutboxMessage.registration_id == existing.id)).all()
    assert [message.kind for message in sent] == ["confirmation"]
    message = db.session.scalar(select(OutboxMessage))
    assert message.recipient == existing.email and message.kind == "confirmation"


def test_resending_to_an_unknown_address_says_the_same_and_sends_nothing(client):
    village = make_village()
    response = client.post(f"/villages/{village.slug}/renvoyer-confirmation",
                           data={"email": "inconnu@example.org"}, follow_redirects=True)
    assert "l'e-mail de confirmation vient d'y être renvoyé" in page_text(response)
    assert count(OutboxMessage) == 0


@pytest.mark.parametrize("closed, notice", [
    (dict(registration_closes_at=utcnow() - timedelta(minutes=1)), "Les inscriptions à ce village sont fermées."),
    (dict(day=local_today() - timedelta(days=1)), "Ce village a eu lieu le "),
])
def test_closed_registration_is_a_french_page_and_writes_nothing(client, closed, notice):
    village = make_village(**closed)
    assert notice in page_text(client.get(f"/villages/{village.slug}"))
    for response in (client.get(form_url(village)), client.post(form_url(village), data=HABITANT)):
        assert response.status_code == 403
        assert f"Les inscriptions pour le village de {village.town} sont fermées." in page_text(response)
    assert count(Registration) == 0


def test_unknown_or_archived_village_is_a_404(client):
    assert client.get("/villages/nulle-part/inscription").status_code == 404
    archived = make_village(archived_at=utcnow())
    assert client.post(form_url(archived), data=HABITANT).status_code == 404
    assert count(Registration) == 0


def test_wrong_csrf_token_gets_a_clear_message_and_writes_nothing(client, csrf_enabled):
    village = make_village()
    response = client.post(form_url(village), data=dict(HABITANT, csrf_token="faux"))
    assert response.status_code == 400
    assert "Le formulaire a expiré ou n'est pas valide" in page_text(response)
    assert count(Registration) == 0


def test_form_works_with_its_csrf_token(client, csrf_enabled):
    village = make_village()
    page = client.get(form_url(village)).get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    response = client.post(form_url(village), data=dict(HABITANT, csrf_token=token))
    assert response.status_code == 302 and count(Registration) == 1
