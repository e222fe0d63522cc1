"""A project holder registers for Sisteron from a phone, in a real browser."""
import pytest
from playwright.sync_api import expect
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from app.demo import data as demo_data
from app.extensions import db
from app.models import Registration, RegistrationStatus

pytestmark = pytest.mark.browser


@pytest.fixture
def sisteron(app):
    demo_data.load()
    db.session.commit()  # release the test's transaction before the browser's requests


def test_porteur_registers_for_sisteron_on_a_phone(page, sisteron):
    page.goto("/villages/sisteron")
    page.get_by_role("link", name="S'inscrire").click()
    page.wait_for_url("**/villages/sisteron/inscription")  # loaded, so the form's script has run

    institution = page.get_by_label("Organisme")
    expect(institution).to_be_hidden()  # only the chosen role's questions are shown
    page.get_by_label("Porteur ou porteuse d'initiative").check()
    expect(institution).to_be_hidden()
    page.get_by_label("Prénom").fill("Alix")
    page.get_by_label("Nom", exact=True).fill("Durand")
    page.get_by_label("Adresse e-mail").fill("alix.durand@example.org")
    page.get_by_label("Commune", exact=True).fill("Sisteron")
    page.get_by_label("Structure porteuse (facultatif)").fill("Centre social du Jabron")
    page.get_by_label("Nom de l'initiative").fill("Jardin partagé du Thor")
    page.get_by_label("Présentation en quelques lignes").fill("Un jardin cultivé par les habitants.")
    page.get_by_label("En cours").check()
    page.get_by_role("checkbox", name="Solidarité", exact=True).check()  # the visible one: the initiative's
    page.get_by_label("Financement", exact=True).check()
    page.get_by_label("Précisez votre besoin : financement (facultatif)").fill("Une serre")
    page.get_by_label("Je souhaite tenir un stand pour présenter l'initiative").check()
    page.get_by_label("Oui", exact=True).check()
    page.get_by_role("button", name="Envoyer mon inscription").click()

    expect(page.get_by_role("heading", name="Votre inscription est confirmée")).to_be_visible()
    expect(page.get_by_text("Vous allez recevoir un e-mail avec votre badge et l'invitation")).to_be_visible()
    page.get_by_role("link", name="Voir mon inscription").click()
    expect(page.get_by_text("Jardin partagé du Thor")).to_be_visible()

    registration = db.session.scalar(select(Registration))
    fiche = registration.initiative.current
    assert (registration.status, fiche.thematiques, fiche.support_details, registration.lunch) == (
        RegistrationStatus.CONFIRMED, ["solidarite"], {"financement": "Une serre"}, True
    )
    db.session.commit()


def test_errors_are_summarised_and_focused_on_a_phone(page, sisteron):
    page.goto("/villages/sisteron/inscription")
    page.get_by_role("button", name="Envoyer mon inscription").click()
    assert Axe().run(page).violations_count == 0
    summary = page.get_by_role("alert")
    assert "réponses sont à corriger" in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    summary.get_by_role("link", name="Prénom : Indiquez votre prénom.").click()
    assert page.evaluate("location.hash") == "#first_name"
