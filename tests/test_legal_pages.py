"""The information notice on personal data and the accessibility statement, reachable from every page."""
from app.services import privacy
from tests.helpers import page_text


def test_every_page_links_to_the_notice_and_the_statement(client):
    body = client.get("/").get_data(as_text=True)
    assert 'href="/donnees-personnelles"' in body
    assert 'href="/accessibilite"' in body


def test_the_notice_names_the_organiser_purposes_rights_retention_and_the_cnil(app, client):
    app.config.update(ORGANISER_NAME="Association Essai", ORGANISER_EMAIL="rgpd@essai.example.org",
                      RETENTION_MONTHS=6)
    text = page_text(client.get("/donnees-personnelles"))
    assert "Association Essai" in text and "rgpd@essai.example.org" in text
    for heading in ("À quoi servent vos données ?", "Sur quelle base ?", "Qui les voit ?",
                    "Combien de temps ?", "Vos droits", "Réclamation"):
        assert heading in text
    assert "anonymisés 6 mois après le village" in text
    assert "CNIL" in text


def test_the_notice_quotes_the_consents_with_their_version(client):
    text = page_text(client.get("/donnees-personnelles"))
    for wording in privacy.CONSENTS.values():
        assert wording in text
    assert f"version {privacy.CONSENT_VERSION}" in text


def test_the_accessibility_statement_gives_the_status_a_contact_and_the_recourse(app, client):
    app.config["ORGANISER_EMAIL"] = "a11y@essai.example.org"
    text = page_text(client.get("/accessibilite"))
    assert "non conforme au RGAA 4.1" in text
    assert "a11y@essai.example.org" in text
    assert "Défenseur des droits" in text


def test_the_notice_says_what_is_published_and_to_whom(client):
    text = page_text(client.get("/donnees-personnelles"))
    assert "Ce qui est publié" in text
    assert "sur la page personnelle des seuls participants du même village" in text
    assert "données ouvertes téléchargeables par tous (JSON, GeoJSON, CSV)" in text
    assert "Le nom et l'adresse e-mail du porteur d'une initiative publique, seulement s'il a accepté" in text
    assert "L'observatoire : des chiffres agrégés" in text  # page_text reads non-breaking spaces as spaces
