"""The sign-in sheet, read back from the PDF's text."""
import io
import re
from itertools import takewhile

from pypdf import PdfReader

from app.documents.exports import FORMATS
from app.documents.exports.signin import ROWS_PER_PAGE
from app.models import Role
from tests.factories import make_registration, make_village


def signin_pages(village) -> list[str]:
    output = io.BytesIO()
    FORMATS["signin"].write(village, output)
    output.seek(0)
    return [page.extract_text() for page in PdfReader(output).pages]


def listed_names(pages: list[str]) -> list[str]:
    """The NOM column: the words in capitals after a row's number, at the start of a line."""
    return [
        " ".join(takewhile(lambda word: word == word.upper(), row.split(" ")))
        for row in re.findall(r"^\d+ (.*)$", "\n".join(pages), flags=re.M)
    ]


def test_lists_confirmed_participants_and_walk_ins_by_last_name(export_village):
    pages = signin_pages(export_village)

    assert listed_names(pages) == ["ABADIE", "DURAND", "ÉLAN", "ZIDANE"]
    assert "BERNARD" not in pages[0] and "CARON" not in pages[0]


def test_shows_the_village_the_day_the_venue_and_the_organiser(app, export_village):
    app.config["ORGANISER_NAME"] = "Réseau solidaire du Vaucluse"

    first_page = signin_pages(export_village)[0]

    assert "Feuille d'émargement – Village des initiatives solidaires – Avignon" in first_page
    assert "Maison des associations" in first_page
    assert "de 9 h à 17 h" in first_page
    assert "Organisé par Réseau solidaire du Vaucluse" in first_page


def test_has_columns_for_a_morning_and_an_afternoon_signature(export_village):
    first_page = signin_pages(export_village)[0]

    assert "N° NOM Prénom Structure Qualité Commune Matin Après-midi" in first_page
    assert "Jardins partagés du Luberon" in first_page
    assert "Hélène" in first_page


def test_ends_with_totals_by_role(export_village):
    last_page = signin_pages(export_village)[-1]

    assert ("Porteurs et porteuses d'initiative\n1\nInstitutionnels et institutionnelles\n1\n"
            "Élus locaux et élues locales\n1\n") in last_page
    assert ("Représentants et représentantes d'habitants ou d'usagers\n1\ndont inscriptions sur place\n1\n"
            "Total\n4") in last_page


def test_says_each_persons_role_as_they_asked_to_be_addressed(export_village):
    first_page = signin_pages(export_village)[0]

    assert "Hélène Jardins partagés du Luberon Porteuse d'initiative" in first_page  # Madame
    assert "Éric Commune d'Apt Élu local" in first_page  # Monsieur
    assert "=HYPERLINK(\"http://mal.example\") Institutionnel ou institutionnelle" in first_page  # not said


def test_numbers_pages_and_repeats_the_header_row_on_each(app):
    village = make_village()
    for n in range(ROWS_PER_PAGE + 5):
        make_registration(village, last_name=f"Nom{n:02d}", role=Role.ELU)

    pages = signin_pages(village)

    assert len(pages) == 2
    assert "page 1 / 2" in pages[0] and "page 2 / 2" in pages[1]
    assert all("Matin Après-midi" in page for page in pages)
    assert listed_names(pages) == [f"NOM{n:02d}" for n in range(ROWS_PER_PAGE + 5)]
    assert "Total\n20" in pages[1]


def test_puts_the_totals_on_a_page_of_their_own_when_the_last_one_is_full(app):
    village = make_village()
    for n in range(ROWS_PER_PAGE):
        make_registration(village)

    pages = signin_pages(village)

    assert len(pages) == 2
    assert "Totaux par rôle" in pages[1] and "page 2 / 2" in pages[1]


def test_a_village_without_participants_still_gives_an_empty_sheet(app):
    pages = signin_pages(make_village())

    assert len(pages) == 1
    assert "Total\n0" in pages[0]


def test_prints_names_from_every_european_alphabet(app):
    village = make_village()
    make_registration(village, first_name="Łukasz", last_name="Ştefănescu", commune="Forcalquier")

    first_page = signin_pages(village)[0]

    assert "Łukasz" in first_page and "ŞTEFĂNESCU" in first_page
