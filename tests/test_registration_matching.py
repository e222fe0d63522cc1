"""Registering with what one comes for and, for institutionnels and élus, what one offers: an
optional, folded part of the registration form (more can be said from the private link)."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import MatchingProfile, Registration, SupportOffer
from app.services import suggestions
from tests.factories import make_village
from tests.factories_matching import make_area, make_porteur
from tests.helpers import page_text

HABITANT = dict(role="habitant", first_name="Dominique", last_name="Essai", email="dominique@example.org",
                commune="Sisteron", lunch="non")
INSTITUTION = dict(HABITANT, role="institutionnel", institution="CAF de Vaucluse", email="caf@example.org",
                   postcode="84000")
OFFER = {"offers-0-category": "financement", "offers-0-kind": "subvention", "offers-0-thematiques": ["parentalite"],
         "offers-0-publics": ["familles"], "offers-0-departements": "84, 13",
         "offers-0-details": "Appel à projets familles"}


def register(client, village, data):
    return client.post(f"/villages/{village.slug}/inscription", data=data)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_form_offers_a_folded_optional_part_about_meetings(client):
    page = client.get(f"/villages/{make_village().slug}/inscription").get_data(as_text=True)
    assert "<summary>Rencontres au village (facultatif)</summary>" in page
    assert '<details class="optional-section" data-open-for="institutionnel elu">' in page  # folded until opened
    assert 'data-role="institutionnel elu"' in page
    assert "Ce que je viens chercher au village" in page


def test_an_institution_states_what_it_offers_when_registering(client):
    response = register(client, make_village(), dict(INSTITUTION, **OFFER))
    assert response.status_code == 302
    registration = db.session.scalar(select(Registration))
    [offer] = registration.support_offers
    assert (offer.category, offer.kind, offer.thematiques, offer.publics, offer.departements, offer.details) == \
        ("financement", "subvention", ["parentalite"], ["familles"], ["84", "13"], "Appel à projets familles")
    assert registration.matching_profile.accepts_requests


def test_an_offer_stated_when_registering_makes_suggestions_for_porteurs(client):
    village = make_village(town="Avignon")
    make_area(village)
    porteur = make_porteur(village, email="porteur@example.org")
    register(client, village, dict(INSTITUTION, consent_listing="y", **OFFER))
    [found] = suggestions.for_person(porteur)
    assert found.reason.startswith("Vous cherchez un financement, et CAF de Vaucluse propose une subvention")


def test_a_representative_of_residents_says_what_they_come_for(client):
    register(client, make_village(), dict(HABITANT, comes_for="Rencontrer des jardins partagés"))
    registration = db.session.scalar(select(Registration))
    assert registration.matching_profile.comes_for == "Rencontrer des jardins partagés"
    assert registration.support_offers == []


def test_nothing_said_about_meetings_stores_nothing(client):
    register(client, make_village(), INSTITUTION)
    assert (count(MatchingProfile), count(SupportOffer)) == (0, 0)


def test_an_offer_sent_with_another_role_is_ignored_even_if_incomplete(client):
    # Without JavaScript every part of the form is sent: a résident's stray offer is not kept.
    response = register(client, make_village(), dict(HABITANT, **{"offers-0-category": "financement"}))
    assert response.status_code == 302
    assert count(SupportOffer) == 0


def test_an_incomplete_offer_is_refused_next_to_the_field_and_nothing_is_written(client):
    response = register(client, make_village(), dict(INSTITUTION, **{"offers-0-category": "financement",
                                                                      "offers-0-departements": "Vaucluse"}))
    assert response.status_code == 422
    text = page_text(response)
    assert "Sous quelle forme : Indiquez sous quelle forme vous apportez cet appui." in text
    assert "Écrivez des numéros de département séparés par des virgules" in text
    assert "{" not in text and "Offers" not in text  # the summary names questions, not code
    assert '<details class="optional-section" data-open-for="institutionnel elu" open>' in response.get_data(as_text=True)
    assert (count(Registration), count(SupportOffer)) == (0, 0)


def test_registering_again_from_the_private_link_carries_the_offers_over(client):
    from tests.factories_matching import make_institution

    before = make_institution(make_village(town="Avignon"))
    before.support_offers.append(SupportOffer(category="locaux", kind="mise_a_disposition", thematiques=[],
                                              publics=[], departements=[], details="Salle du conseil"))
    db.session.commit()
    second = make_village(town="Carpentras")
    page = client.get(f"/villages/{second.slug}/inscription?depuis={before.manage_token}").get_data(as_text=True)
    assert '<details class="optional-section" data-open-for="institutionnel elu" open>' in page
    assert "Appel à projets familles" in page and "Salle du conseil" in page
    assert 'name="offers-1-details"' in page and 'name="offers-2-details"' not in page
