"""The village report gains « Suites à 1, 3 et 6 mois »: needs met after the village, by need and
by type of partner, the same figures on the page, in the PDF and in the spreadsheet, small
counts hidden in the version for outsiders."""
import html
import io

import pytest
from openpyxl import load_workbook

from app.documents.figures import HIDDEN
from app.documents.report import sheet_name, write_pdf, write_xlsx
from app.extensions import db
from app.services import followup, report
from tests.factories_followup import followed_village, person, thread_of
from tests.test_report import pdf_text

pytestmark = pytest.mark.usefixtures("app")
SECTION = "Suites à 1, 3 et 6 mois : besoins d'appui après le village"


def rows(built, key) -> dict[str, list]:
    return {row[0]: row[1:] for row in built.table(key).rows}


def met_three_needs(village) -> None:
    """Two answers of porteurs (one naming the structure), one of the partner they met."""
    epicerie, jardin, caf = person(village, 0), person(village, 1), person(village, 5)
    followup.answer(epicerie, thread_of(epicerie, "locaux").id, followup.Given("obtenu", None, towards="Mairie"))
    followup.answer(jardin, thread_of(jardin, "financement").id, followup.Given("obtenu", None))
    db.session.commit()
    from app.services import followup_asks

    followup_asks.send(village, at_once=True)
    followup.answer(caf, thread_of(epicerie, "financement").id, followup.Given("obtenu", None))
    db.session.commit()


def test_needs_met_after_the_village_are_counted_by_need():
    village = followed_village()
    met_three_needs(village)
    built = report.build([village])
    table = built.table("suites_besoins")
    assert table.title == SECTION
    assert table.headers[1:] == ["Non obtenus, caducs", "Sans suite connue", "En cours, orientés",
                                 "Partiellement obtenus", "Obtenus", "Besoins suivis"]
    found = rows(built, "suites_besoins")
    assert found["Financement"] == [0, 1, 0, 0, 2, 3]
    assert found["Locaux, matériel"] == [0, 0, 0, 0, 1, 1]
    assert found["Total"] == [0, 5, 0, 0, 3, 8]


def test_needs_met_are_counted_by_type_of_partner():
    village = followed_village()
    met_three_needs(village)
    found = rows(report.build([village]), "suites_partenaires")
    assert found["Institution"] == [1, 0, 1]
    assert found["Structure ou dispositif nommé par le porteur"] == [1, 0, 1]
    assert found["Partenaire non précisé"] == [1, 0, 1]


def test_the_same_figures_in_the_pdf_and_the_spreadsheet(app):
    village = followed_village()
    met_three_needs(village)
    built = report.build([village])
    buffer = io.BytesIO()
    with app.test_request_context():
        write_pdf(built, buffer)
    text = pdf_text(buffer.getvalue())
    assert SECTION in text and "Financement 0 1 0 0 2 3" in text and "Total 0 5 0 0 3 8" in text
    buffer = io.BytesIO()
    write_xlsx(built, buffer)
    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    taken = {"présentation"}
    names = [sheet_name(t.title, taken) for t in built.tables]
    sheet = workbook[names[[t.key for t in built.tables].index("suites_besoins")]]
    values = {row[0]: list(row[1:]) for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}
    assert values["Financement"] == [0, 1, 0, 0, 2, 3]


def test_the_report_page_shows_the_section(organiser_client):
    village = followed_village()
    met_three_needs(village)
    page = html.unescape(organiser_client.get(f"/organisation/villages/{village.id}/bilan").get_data(as_text=True)).replace("\xa0", " ")
    assert SECTION in page and "besoins obtenus par type de partenaire" in page


def test_the_version_for_outsiders_hides_small_counts_and_what_would_give_them_away():
    village = followed_village()
    met_three_needs(village)
    outsiders = report.build([village], for_outsiders=True)
    for key in ("suites_besoins", "suites_partenaires"):
        table = outsiders.table(key)
        shown = [value for row in table.rows for value in row[1:]]
        assert [v for v in shown if v in (1, 2)] == [] and HIDDEN in shown
        # A hidden count cannot be worked out from its row's total: at least two hidden per row.
        for row in table.rows:
            assert row[1:].count(HIDDEN) != 1, row
    assert rows(report.build([village]), "suites_besoins")["Financement"] == [0, 1, 0, 0, 2, 3]  # the team's version
