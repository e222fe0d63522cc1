"""The report in the back office: one village's, several villages', and their downloads."""
import io

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry
from tests.factories import make_village
from tests.helpers import page_text
from tests.factories_report import held_village
from tests.fixtures_jobs import finished_job


def test_the_village_report_shows_charts_with_their_figures(organiser_client):
    village = held_village()
    page = organiser_client.get(f"/organisation/villages/{village.id}/bilan")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count('<svg') >= 8 and 'role="img"' in html
    assert "<caption>Chiffres\u00a0: participation par rôle</caption>" in html
    assert "Besoins d&#39;appui par thématique" in html
    assert "Version interne" in html


def test_the_version_for_outsiders_hides_small_counts(organiser_client):
    village = held_village()
    html = organiser_client.get(f"/organisation/villages/{village.id}/bilan?version=diffusion").get_data(as_text=True)
    assert "masqué" in html and "Version à diffuser" in html
    assert '<a href="#methode">méthode</a>' in html and "secret secondaire par suppression" in html


def test_the_pdf_is_prepared_in_the_background_and_its_download_recorded_in_the_audit_trail(organiser_client):
    village = held_village()
    started = organiser_client.post(f"/organisation/villages/{village.id}/bilan.pdf?version=diffusion")
    state = finished_job(organiser_client, started)
    assert (state["status"], state["percent"]) == ("done", 100)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "report downloaded")) is None
    response = organiser_client.get(state["download_url"])
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"bilan-{village.slug}-diffusion.pdf" in response.headers["Content-Disposition"]
    assert len(PdfReader(io.BytesIO(response.data)).pages) >= 3
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "report downloaded"))
    assert entry.village_id == village.id and entry.details["version"] == "diffusion"


def test_the_spreadsheet_download(organiser_client):
    village = held_village()
    state = finished_job(organiser_client, organiser_client.post(f"/organisation/villages/{village.id}/bilan.xlsx"))
    response = organiser_client.get(state["download_url"])
    assert f"bilan-{village.slug}.xlsx" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    assert "Participation par rôle" in workbook.sheetnames


def test_an_unknown_format_is_not_found(organiser_client):
    village = held_village()
    assert organiser_client.post(f"/organisation/villages/{village.id}/bilan.docx").status_code == 404


def test_the_consolidated_report_of_chosen_villages(organiser_client):
    first, second = held_village(days_ago=40), held_village(days_ago=10)
    make_village()
    page = organiser_client.get(f"/organisation/bilan?village={first.id}&village={second.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Bilan – 2 villages" in html and "Participation par village" in html
    started = organiser_client.post(f"/organisation/bilan.xlsx?village={first.id}&village={second.id}")
    state = finished_job(organiser_client, started)
    response = organiser_client.get(state["download_url"])
    assert "bilan-villages.xlsx" in response.headers["Content-Disposition"]
    assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "report downloaded")).all()) == 2
    sheet = load_workbook(io.BytesIO(response.data))["Participation par village"]
    assert [row[2] for row in sheet.iter_rows(min_row=2, max_row=3, values_only=True)] == [8, 8]


def test_the_consolidated_report_of_a_year(organiser_client):
    village = held_village(days_ago=10)
    html = organiser_client.get(f"/organisation/bilan?annee={village.day.year}").get_data(as_text=True)
    assert f"Bilan – {village.name}" in html


def test_the_choice_page_when_nothing_is_chosen(organiser_client):
    held_village()
    assert "Choisir les villages du bilan" in organiser_client.get("/organisation/bilan").get_data(as_text=True)
    html = organiser_client.get("/organisation/bilan?annee=1990").get_data(as_text=True)
    assert "Aucun village ne correspond à ce choix." in html
    response = organiser_client.post("/organisation/bilan.pdf?annee=1990")
    assert response.status_code == 302 and response.headers["Location"].endswith("/organisation/bilan")


def test_the_job_page_of_a_consolidated_report_links_back_to_it(organiser_client):
    village = held_village(days_ago=10)
    started = organiser_client.post(f"/organisation/bilan.pdf?annee={village.day.year}&version=diffusion")
    finished_job(organiser_client, started)
    text = page_text(organiser_client.get(started.headers["Location"]))
    assert "Bilan en PDF (version à diffuser)" in text and f"Télécharger bilan-{village.day.year}-diffusion.pdf" in text
    html = organiser_client.get(started.headers["Location"]).get_data(as_text=True)
    assert f'href="/organisation/bilan?annee={village.day.year}&amp;version=diffusion"' in html


def test_check_in_volunteers_cannot_read_the_report(checkin_client):
    village = held_village()
    assert checkin_client.get(f"/organisation/villages/{village.id}/bilan").status_code == 403
    assert checkin_client.get("/organisation/bilan").status_code == 403


def test_the_report_command_writes_a_pdf_and_a_spreadsheet(app, tmp_path):
    village = held_village()
    runner = app.test_cli_runner()
    for file_format in ("pdf", "xlsx"):
        output = tmp_path / f"bilan.{file_format}"
        result = runner.invoke(args=["report", village.slug, "--format", file_format, "--output", str(output)])
        assert result.exit_code == 0, result.output
        assert output.stat().st_size > 1000
    assert load_workbook(tmp_path / "bilan.xlsx")["Participation par rôle"]["B6"].value == 9


def test_the_report_command_names_an_unknown_village(app, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["report", "nulle-part", "--format", "pdf", "--output", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0 and "Aucun village « nulle-part »" in result.output


def test_the_map_shows_the_communes_participants_come_from(organiser_client):
    village = held_village()
    html = organiser_client.get(f"/organisation/villages/{village.id}/bilan").get_data(as_text=True)
    assert "Carte des communes des participants" in html
    # Sisteron: two porteurs, one walk-in (« sisteron »), one élu; Digne-les-Bains: two institutionnels.
    assert '<th scope="row">Sisteron (04)</th><td>3</td><td>4</td>' in html
    assert '<text class="mark-count" x="' in html and 'dy=".35em">4</text>' in html
