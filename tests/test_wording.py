"""What people read is French that reads right: sentences instead of codes, elided place names,
"1er", times that never break, no doubled punctuation, one charset, no English in calendar files."""
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from app.extensions import db
from app.models import OrganiserRole, Role
from app.services import accounts, audit, privacy, registration as registrations, scanner_links, villages
from app.templating import french_date, french_datetime, french_time, in_place, of_place, with_colon
from tests.factories import make_registration, make_village, present_initiative
from tests.fixtures_backoffice import PASSWORD, make_organiser
from tests.helpers import page_text

ROOT = Path(__file__).resolve().parent.parent
# What used to reach the journal: internal action names, field names, codes of roles and statuses.
CODES = re.compile(r"registration\.|account\.|village\.|export downloaded|scanner_link|fields :|status :|role :|"
                   r"\b(?:confirmed|waitlisted|organiser \d)\b|village n°")


@pytest.mark.parametrize("town, expected", [
    ("Avignon", "d'Avignon"), ("Sisteron", "de Sisteron"), ("Hyères", "d'Hyères"), ("Honfleur", "de Honfleur"),
    ("Le Pontet", "du Pontet"), ("Les Mées", "des Mées"), ("Orange", "d'Orange"), ("Écully", "d'Écully"),
])
def test_a_town_in_a_sentence_is_elided_or_contracted(town, expected):
    assert of_place(town) == expected


def test_a_town_after_a_is_contracted_with_its_article():
    assert in_place("Avignon") == "à Avignon" and in_place("Le Pontet") == "au Pontet" and in_place("Les Mées") == "aux Mées"


def test_the_first_of_the_month_is_written_1er(app):
    assert french_date(date(2026, 12, 1)) == "mardi 1er décembre 2026"
    assert french_date(date(2026, 12, 2)) == "mercredi 2 décembre 2026"
    assert french_datetime(datetime(2026, 12, 1, 12, 0)) == "1er décembre 2026 à 13\u00a0h"


def test_every_day_and_month_is_named_as_in_the_cldr_french_locale(app):
    """The names are written out in the code (Babel's French data weighs 4.7 MB in each process):
    they are those of CLDR, which Babel ships, for each day of a leap year and a summer moment."""
    from babel.dates import format_date, format_datetime

    day = date(2028, 1, 1)
    while day.year == 2028:
        assert french_date(day) == f"{format_date(day, 'EEEE', locale='fr')} {day.day if day.day > 1 else '1er'} " \
                                   f"{format_date(day, 'MMMM y', locale='fr')}"
        day += timedelta(days=1)
    summer = datetime(2027, 7, 14, 21, 5)
    assert french_datetime(summer) == \
        f"14 {format_datetime(summer, 'MMMM y', tzinfo='Europe/Paris', locale='fr')} à 23\u00a0h\u00a005"


def test_a_time_never_breaks_between_the_hour_and_h():
    assert " " not in french_time(time(17, 0)) and " " not in french_time(time(9, 30))


def test_a_label_ending_with_a_question_mark_gets_no_colon():
    assert with_colon("Déjeunerez-vous sur place ?") == "Déjeunerez-vous sur place ?"
    assert with_colon("Prénom") == "Prénom :"


def test_the_public_pages_elide_the_town(client):
    village = make_village(slug="avignon", town="Avignon")
    text = page_text(client.get("/villages/avignon/inscription"))
    assert "S'inscrire au village d'Avignon" in text and "de Avignon" not in text
    assert village.town == "Avignon"


def test_the_error_summary_never_doubles_punctuation(client):
    village = make_village(slug="avignon", town="Avignon")
    response = client.post(f"/villages/{village.slug}/inscription", data={"role": "porteur", "initiative_status": "n'importe"})
    assert "? :" not in page_text(response)


def test_the_journal_tells_each_event_as_a_sentence_naming_who_did_it(admin_client):
    organiser = make_organiser(OrganiserRole.ORGANISER, email="alice@villages.test")
    organiser.name = "Alice Martin"
    village = make_village(slug="avignon", town="Avignon")
    person = make_registration(village, first_name="Camille", last_name="Bérenger", role=Role.PORTEUR)
    present_initiative(person, name="Jardin partagé", summary="Un jardin.")
    audit.record("participant", "registration.created", person, status="confirmed", role="porteur",
                 civility="monsieur")
    audit.record("participant", "registration.updated", person, fields=["initiative.keywords"])
    registrations.change_role(person, Role.ELU, actor=organiser.email)
    audit.record(organiser.email, "export downloaded", village, format="signin")
    accounts.create("benevole@villages.test", OrganiserRole.CHECKIN, PASSWORD, actor=organiser.email, name="Jean Roux")
    scanner_links.create(village, "Entrée nord", organiser.email)
    villages.archive(village, actor=organiser.email)
    db.session.commit()

    text = page_text(admin_client.get("/organisation/journal"))

    assert "Camille Bérenger s'est inscrit comme porteur d'initiative." in text
    assert "Camille Bérenger a modifié les mots-clés de son initiative." in text
    assert "Alice Martin a modifié l'inscription de Camille Bérenger : le rôle." in text
    assert "Alice Martin a téléchargé la feuille d'émargement du village d'Avignon." in text
    assert "Alice Martin a créé le compte de Jean Roux (rôle : accueil)." in text
    assert "Alice Martin a créé le lien d'accueil « Entrée nord » du village d'Avignon." in text
    assert "Alice Martin a archivé le village d'Avignon." in text
    assert not CODES.search(text.split("Journal des modifications", 1)[1]), CODES.search(text).group(0)


def test_a_registration_history_is_told_in_sentences(organiser_client):
    village = make_village(town="Sisteron")
    person = make_registration(village, first_name="Louise", last_name="Roux")
    audit.record("scanner:Porte 2", "checkin.undo", person, reason="Erreur de badge")
    privacy.update_consents(person, {"consent_photos": True}, actor="participant")
    db.session.commit()
    text = page_text(organiser_client.get(f"/organisation/inscriptions/{person.id}"))
    assert "Le poste d'accueil « Porte 2 » a annulé l'entrée de Louise Roux (raison : « Erreur de badge »)." in text
    assert "Louise Roux a donné son accord pour les photos." in text
    assert not CODES.search(text.split("Historique", 1)[1])


def test_downloads_announce_their_charset_once(organiser_client, client):
    village = make_village()
    person = make_registration(village)
    csv = organiser_client.get(f"/organisation/villages/{village.id}/exports/csv")
    ics = client.get(f"/inscription/{person.manage_token}/invitation.ics")
    feed = client.get("/villages.ics")
    for response in (csv, ics, feed):
        assert response.headers["Content-Type"].count("charset") == 1, response.headers["Content-Type"]


def test_the_calendar_file_carries_no_english_comment(client):
    person = make_registration(make_village())
    calendar = Calendar.from_ical(client.get(f"/inscription/{person.manage_token}/invitation.ics").data)
    assert [zone.get("COMMENT") for zone in calendar.walk("VTIMEZONE")] == [None]
    assert b"This timezone" not in client.get("/villages.ics").data


def test_no_jargon_in_the_exports_page(organiser_client):
    village = make_village()
    assert "qualité" not in page_text(organiser_client.get(f"/organisation/villages/{village.id}/exports"))
    assert "qualité" not in (ROOT / "README.md").read_text()


def test_every_setting_of_config_is_listed_in_the_readme():
    settings = set(re.findall(r'(?:os\.environ\.get|_int|_bool)\(\s*"([A-Z_]+)"', (ROOT / "config.py").read_text()))
    readme = (ROOT / "README.md").read_text()
    assert {"ORGANISER_NAME", "ORGANISER_EMAIL", "MAIL_REPLY_TO", "RETENTION_MONTHS", "RATELIMIT_LOGIN"} <= settings
    assert [name for name in sorted(settings) if f"`{name}`" not in readme] == []


def test_the_readme_starts_the_local_mail_server_before_the_application():
    readme = (ROOT / "README.md").read_text()
    first_command = re.search(r"```sh\n(.+?)\n```", readme, re.S).group(1)
    assert first_command.index("aiosmtpd") < first_command.index("flask --app wsgi run")


def test_the_journal_tells_initiative_account_and_meeting_events_in_french(admin_client):
    village = make_village(slug="avignon", town="Avignon")
    person = make_registration(village, first_name="Camille", last_name="Bérenger", role=Role.PORTEUR)
    present_initiative(person, name="Jardin partagé", visibility="public", approve=True)
    audit.record("admin@villages.test", "schedule_published", village, people=2)
    audit.record("admin@villages.test", "report downloaded", village, format="pdf")
    audit.record("admin@villages.test", "export downloaded", village, format="livret")
    db.session.commit()

    text = page_text(admin_client.get("/organisation/journal"))

    assert "a publié l'initiative « Jardin partagé »." in text
    assert "a choisi qui peut voir l'initiative « Jardin partagé »" in text
    assert "a publié le programme des rendez-vous du village d'Avignon." in text
    assert "a téléchargé le bilan du village d'Avignon en PDF." in text
    assert "a téléchargé le livret des initiatives du village d'Avignon." in text
    assert not CODES.search(text.split("Journal des modifications", 1)[1]), CODES.search(text).group(0)
