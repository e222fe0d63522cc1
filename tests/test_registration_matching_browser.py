"""An institution registers from a phone and, in the folded optional part, says what it offers."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Registration
from tests.factories import make_village
from tests.test_backoffice_phone_layout import overflows_sideways, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def village(app):
    slug = make_village(town="Avignon").slug
    db.session.commit()  # release the test's transaction before the browser's requests
    return slug


def test_an_institution_states_its_offer_in_the_folded_part_of_the_registration_form(page, village):
    page.goto(f"/villages/{village}/inscription")
    page.wait_for_load_state("load")  # the form's script has run
    comes_for = page.get_by_label("Ce que je viens chercher au village")
    expect(comes_for).to_be_hidden()  # folded: the form stays short
    page.get_by_label("Institutionnel ou institutionnelle").check()
    page.get_by_label("Prénom").fill("Camille")
    page.get_by_label("Nom", exact=True).fill("Martin")
    page.get_by_label("Adresse e-mail").fill("camille.martin@example.org")
    page.get_by_label("Commune", exact=True).fill("Avignon")
    page.get_by_label("Organisme").fill("CAF de Vaucluse")
    page.get_by_label("Non", exact=True).check()

    # Opened by choosing the role: an institution comes to offer support.
    expect(comes_for).to_be_visible()
    page.get_by_label("Appui proposé").select_option(label="Financement")
    page.get_by_label("Sous quelle forme").select_option(label="Subvention")
    page.get_by_text("Thématiques", exact=True).click()
    page.get_by_role("checkbox", name="Parentalité").check()  # the visible one: the offer's
    page.get_by_label("Départements couverts").fill("84")
    assert not overflows_sideways(page)
    screenshot(page, "registration-matching-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "registration-matching-1280")
    page.get_by_role("button", name="Envoyer mon inscription").click()
    expect(page.get_by_role("heading", name="Votre inscription est confirmée")).to_be_visible()

    [offer] = db.session.scalar(select(Registration)).support_offers
    assert (offer.category, offer.kind, offer.thematiques, offer.departements) == \
        ("financement", "subvention", ["parentalite"], ["84"])
    db.session.commit()


def test_a_resident_sees_no_offer_questions(page, village):
    page.goto(f"/villages/{village}/inscription")
    page.wait_for_load_state("load")
    page.get_by_label("Représentant ou représentante d'habitants ou d'usagers").check()
    page.get_by_text("Rencontres au village (facultatif)").click()
    expect(page.get_by_label("Ce que je viens chercher au village")).to_be_visible()
    expect(page.get_by_label("Appui proposé")).to_be_hidden()
