"""The observatory across villages and years: what the initiatives do and need, which needs were
met and by which kind of partner; the same figures on the organisers' page, in the PDF and the
spreadsheet, on the public page (small counts hidden) and in its open data."""
import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from app.documents.observatory import write_csv, write_pdf, write_xlsx
from app.extensions import db
from app.models import AuditEntry, Initiative, InitiativeVersion, NeedThread
from app.services import observatory
from tests.factories import make_village
from tests.factories_report import held_village
from tests.fixtures_jobs import finished_job
from tests.helpers import page_text



def days_ago(month: int, day: int) -> int:
    """How long ago that day of last year was: villages of one year, whatever today is."""
    return (date.today() - date(date.today().year - 1, month, day)).days


def two_years():
    """The same five initiatives at a village a year ago and at one ten days ago."""
    held_village(days_ago=400)
    held_village(days_ago=10)


def initiative_named(name: str) -> Initiative:
    return db.session.scalar(select(Initiative).join(Initiative.versions).where(InitiativeVersion.name == name))


def follow(name: str, need: str, status: str, **fields) -> None:
    db.session.add(NeedThread(initiative_id=initiative_named(name).id, category=need, status=status, **fields))
    db.session.commit()


def built(**period) -> observatory.Observatory:
    return observatory.build(observatory.period(**period))


def rows(found: observatory.Observatory, key: str) -> dict[str, list]:
    return {row[0]: row[1:] for row in found.table(key).rows}


# --- The figures -------------------------------------------------------------------------------

def test_each_year_counts_its_villages_and_initiatives_new_or_presented_an_earlier_year(app):
    two_years()
    years = [str(y) for y in observatory.held_years()]
    assert rows(built(), "annees") == {years[0]: [1, 5, 5, 0], years[1]: [1, 5, 0, 5]}


def test_an_initiative_at_two_villages_of_one_year_counts_once_that_year(app):
    held_village(days_ago=days_ago(6, 1))
    held_village(days_ago=days_ago(6, 15))
    assert rows(built(), "annees")[str(observatory.held_years()[0])] == [2, 5, 5, 0]


def test_a_village_still_to_come_is_not_counted(app):
    held_village(days_ago=10)
    held_village(days_ago=-30)
    assert sum(row[0] for row in rows(built(), "annees").values()) == 1


def test_initiatives_by_thematique_one_column_per_year(app):
    two_years()
    assert rows(built(), "thematiques")["Alimentation"] == [2, 2]


def test_initiatives_with_no_public_are_counted_as_not_given(app):
    held_village(days_ago=10)
    assert rows(built(), "publics") == {"Non renseigné": [5]}


def test_initiatives_by_territory_from_the_commune_else_the_holders_postcode(app):
    held_village(days_ago=10)
    assert rows(built(), "territoires") == {"Alpes-de-Haute-Provence (04)": [4], "Hautes-Alpes (05)": [1]}


def test_needs_expressed_by_year_are_those_of_the_fiches(app):
    two_years()
    assert rows(built(), "besoins_annees")["Financement"] == [3, 3]


def test_a_need_is_met_when_its_thread_says_obtenu(app):
    held_village(days_ago=10)
    follow("Épicerie solidaire du Buëch", "financement", "obtenu")
    found = built()
    assert found.table("besoins").column("Obtenus")["Financement"] == 1
    assert dict(found.key_figures)["Besoins obtenus"] == 1


def test_a_need_partly_met_is_counted_apart_neither_met_nor_unmet(app):
    held_village(days_ago=10)
    follow("Épicerie solidaire du Buëch", "locaux", "partiel")
    needs = built().table("besoins")
    assert needs.column("Partiellement obtenus")["Locaux, matériel"] == 1
    assert needs.column("Obtenus")["Locaux, matériel"] == 0 and needs.column("Non obtenus")["Locaux, matériel"] == 0


def test_a_need_with_no_news_is_still_open(app):
    held_village(days_ago=10)
    assert built().table("besoins").column("En cours ou sans nouvelles")["Financement"] == 3


def test_needs_unmet_by_year_of_expression(app):
    two_years()
    follow("Tiers-lieu rural", "juridique", "non_obtenu")
    assert rows(built(), "besoins_non_obtenus")["Appui juridique, statuts"] == [1, 1]


def test_partners_by_kind_with_the_support_that_came_through(app):
    held_village(days_ago=10)
    follow("Épicerie solidaire du Buëch", "financement", "obtenu", partner_role="institutionnel")
    follow("Jardin partagé des Plantiers", "financement", "non_obtenu", partner_role="institutionnel")
    follow("Tiers-lieu rural", "juridique", "en_cours", oriented_to="Maison de l'emploi")
    partners = built().table("partenaires")
    assert partners.column("Besoins orientés") == {"Institution": 2, "Structure ou dispositif nommé par le porteur": 1}
    assert partners.column("Obtenus")["Institution"] == 1


def test_the_period_chosen_leaves_out_the_other_years(app):
    two_years()
    first = observatory.held_years()[0]
    assert rows(built(first=str(first), last=str(first)), "annees") == {str(first): [1, 5, 5, 0]}


@pytest.mark.parametrize("first, last, message", [
    ("1990", "", "Aucun village n'a eu lieu en 1990"),
    ("", "2999", "Aucun village n'a eu lieu en 2999"),
    ("deux mille", "", "n'est pas une année"),
])
def test_a_period_that_cannot_be_shown_is_refused_with_its_reason(app, first, last, message):
    two_years()
    with pytest.raises(observatory.BadPeriod, match=message):
        observatory.period(first, last)


def test_a_period_that_ends_before_it_starts_is_refused(app):
    two_years()
    first, last = observatory.held_years()
    with pytest.raises(observatory.BadPeriod, match="est après l'année de fin"):
        observatory.period(str(last), str(first))


def test_no_period_before_the_first_village(app):
    make_village()
    assert observatory.period() is None


def public() -> observatory.Observatory:
    return observatory.build(observatory.period(), for_public=True)


def test_the_public_version_hides_small_counts(app):
    held_village(days_ago=10)
    assert rows(built(), "territoires")["Hautes-Alpes (05)"] == [1]  # the organisers' version: every figure
    assert rows(public(), "territoires")["Hautes-Alpes (05)"] == ["masqué"]


def test_a_count_that_the_total_would_give_away_is_hidden_too(app):
    held_village(days_ago=10)  # five initiatives: four in the 04, one in the 05
    found = public()
    year = found.table("annees").rows[0]
    assert year[1:3] == [1, 5]  # the year's villages and initiatives, shown
    # 5 − 4 would tell the 05's single initiative: the 04's count is hidden with it.
    assert rows(found, "territoires") == {"Alpes-de-Haute-Provence (04)": ["masqué"], "Hautes-Alpes (05)": ["masqué"]}
    assert rows(built(), "territoires")["Alpes-de-Haute-Provence (04)"] == [4]


def test_villages_held_are_never_hidden_and_the_note_says_why(app):
    held_village(days_ago=10)
    found = public()
    assert found.table("annees").rows[0][1] == 1 and dict(found.key_figures)["Villages tenus"] == 1
    assert any("villages tenus ne sont jamais masqués" in line and "non des personnes" in line
               for line in found.method)



def test_the_hidden_cells_are_solved_once_for_the_same_figures_and_again_when_they_change(client, monkeypatch):
    from app.services import disclosure, report

    report._solved.cache_clear()  # a worker that has solved nothing yet
    solved = []
    protect = disclosure.protect
    monkeypatch.setattr(disclosure, "protect", lambda *args: solved.append(1) or protect(*args))
    held_village(days_ago=10)
    first = client.get("/observatoire").get_data(as_text=True)
    assert client.get("/observatoire").get_data(as_text=True) == first and len(solved) == 1
    follow("Épicerie solidaire du Buëch", "financement", "obtenu")
    client.get("/observatoire")
    assert len(solved) == 2


# --- Pages ---------------------------------------------------------------------------------------

def test_the_organisers_page_shows_charts_with_their_tables(organiser_client):
    two_years()
    page = organiser_client.get("/organisation/observatoire")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count("<svg") >= 8 and "<caption>Chiffres\u00a0: initiatives par thématique</caption>" in html
    assert "Partenaires sollicités et appuis obtenus" in html and "Note de méthode" in html


def test_a_year_out_of_range_on_the_page_is_said_next_to_the_years(organiser_client):
    two_years()
    page = organiser_client.get("/organisation/observatoire?de=1990")
    assert page.status_code == 400
    assert "Aucun village n'a eu lieu en 1990" in page_text(page)
    assert 'id="periode-erreur"' in page.get_data(as_text=True)


def test_junk_years_on_the_public_page_are_refused_in_french(client):
    two_years()
    page = client.get("/observatoire?de=%3Cscript%3E&a=" + "9" * 300)
    assert page.status_code == 400 and "n'est pas une année" in page_text(page)


def test_the_pages_before_any_village_say_so(organiser_client):
    page = organiser_client.get("/organisation/observatoire")
    assert page.status_code == 200 and "Aucun village n'a encore eu lieu" in page_text(page)


def test_check_in_volunteers_cannot_read_the_observatory(checkin_client):
    assert checkin_client.get("/organisation/observatoire").status_code == 403


def test_the_public_page_hides_small_cells(client):
    held_village(days_ago=10)
    html = client.get("/observatoire").get_data(as_text=True)
    assert "<td>masqué</td>" in html and "Hautes-Alpes (05)" in html
    assert "Tiers-lieu rural" not in html  # no initiative named: aggregated figures only


def test_the_initiatives_directory_links_to_the_observatory(client):
    html = client.get("/initiatives").get_data(as_text=True)
    assert 'href="/observatoire"' in html


def test_the_public_csv_gives_the_public_pages_figures(client):
    held_village(days_ago=10)
    year = str(observatory.held_years()[0])
    response = client.get(f"/observatoire.csv?de={year}")
    assert response.mimetype == "text/csv"
    lines = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    territories = {(r["ligne"], r["colonne"]): r["valeur"] for r in lines if r["tableau"] == "territoires"}
    assert territories == {("Alpes-de-Haute-Provence (04)", year): "masqué", ("Hautes-Alpes (05)", year): "masqué"}


def test_the_public_page_and_csv_show_the_same_figures(client):
    held_village(days_ago=10)
    follow("Épicerie solidaire du Buëch", "financement", "obtenu", partner_role="institutionnel")
    page = page_text(client.get("/observatoire"))
    lines = list(csv.DictReader(io.StringIO(client.get("/observatoire.csv").get_data(as_text=True).lstrip("\ufeff")),
                                delimiter=";"))
    found = public()
    assert [(r["tableau"], r["ligne"], r["colonne"], r["valeur"]) for r in lines] == [
        (t.key, row[0], header, str(value)) for t in found.tables for row in t.rows
        for header, value in zip(t.headers[1:], row[1:])]
    for table in found.tables:
        for row in table.rows:
            assert " ".join([row[0], *map(str, row[1:])]) in page, row


def test_the_public_csv_of_a_year_out_of_range_is_a_clear_refusal(client):
    held_village(days_ago=10)
    response = client.get("/observatoire.csv?de=1990", headers={"Accept": "application/json"})
    assert response.status_code == 400 and "Aucun village n'a eu lieu en 1990" in response.get_json()["error"]


# --- Documents -----------------------------------------------------------------------------------

def test_the_pdf_is_prepared_in_the_background_and_its_download_audited(organiser_client):
    two_years()
    state = finished_job(organiser_client, organiser_client.post("/organisation/observatoire.pdf"))
    assert (state["status"], state["percent"]) == ("done", 100)
    response = organiser_client.get(state["download_url"])
    assert response.mimetype == "application/pdf" and "observatoire-" in response.headers["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Initiatives par thématique" in text and "Note de méthode" in text
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "observatory downloaded")) is not None


def test_a_download_with_a_year_out_of_range_starts_nothing(organiser_client):
    two_years()
    response = organiser_client.post("/organisation/observatoire.xlsx?de=1990")
    assert response.status_code == 400 and "Aucun village n'a eu lieu en 1990" in page_text(response)


def test_the_spreadsheet_has_a_sheet_of_needs_by_category_with_the_needs_met(app):
    held_village(days_ago=10)
    follow("Épicerie solidaire du Buëch", "financement", "obtenu")
    buffer = io.BytesIO()
    write_xlsx(built(), buffer)
    sheet = load_workbook(buffer)["Besoins par catégorie"]
    headers = [cell.value for cell in sheet[2]]
    met = {row[0]: row[headers.index("Obtenus")] for row in sheet.iter_rows(min_row=3, values_only=True) if row[1]
           is not None}
    assert met["Financement"] == 1


def test_the_spreadsheets_sheet_names_are_short_whole_words(app):
    two_years()
    buffer = io.BytesIO()
    write_xlsx(built(), buffer)
    names = load_workbook(buffer).sheetnames
    assert len(names) == 11 and all(len(name) <= 31 for name in names)
    assert "Besoins non obtenus par année" in names


def test_the_observatory_command_writes_a_spreadsheet_and_a_pdf(app, tmp_path):
    two_years()
    runner = app.test_cli_runner()
    for file_format in ("xlsx", "pdf"):
        output = tmp_path / f"observatoire.{file_format}"
        result = runner.invoke(args=["observatory", "--format", file_format, "--output", str(output)])
        assert result.exit_code == 0, result.output
        assert output.stat().st_size > 1000


def test_the_observatory_command_refuses_a_year_out_of_range(app, tmp_path):
    two_years()
    result = app.test_cli_runner().invoke(
        args=["observatory", "--from", "1990", "--format", "xlsx", "--output", str(tmp_path / "o.xlsx")])
    assert result.exit_code != 0 and "Aucun village n'a eu lieu en 1990" in result.output
    assert not (tmp_path / "o.xlsx").exists()


def test_the_public_csv_before_any_village_has_its_columns_and_no_figure(client):
    response = client.get("/observatoire.csv")
    assert response.status_code == 200
    assert response.get_data(as_text=True).lstrip("\ufeff").splitlines() == ["tableau;titre;ligne;colonne;valeur"]
