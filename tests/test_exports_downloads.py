"""Exports downloaded from the back office, or written by `flask export`."""
import csv
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry
from tests.helpers import page_text


def download_url(village, format_name: str) -> str:
    return f"/organisation/villages/{village.id}/exports/{format_name}"


@pytest.mark.parametrize("role", ["admin", "organiser"])
def test_organisers_and_admins_download_the_csv(logged_in, export_village, role):
    client = logged_in(role)

    response = client.get(download_url(export_village, "csv"))

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == "attachment; filename=avignon-inscriptions.csv"
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert [row["Nom"] for row in rows] == ["Abadie", "Bernard", "Caron", "Durand", "Élan", "Zidane"]


def test_the_workbook_downloads_as_xlsx(organiser_client, export_village):
    response = organiser_client.get(download_url(export_village, "xlsx"))

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith("avignon-inscriptions.xlsx")
    assert load_workbook(io.BytesIO(response.get_data())).sheetnames[0] == "Tous"


def test_the_sign_in_sheet_downloads_as_pdf(organiser_client, export_village):
    response = organiser_client.get(download_url(export_village, "signin"))

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "ZIDANE" in PdfReader(io.BytesIO(response.get_data())).pages[0].extract_text()


def test_each_download_is_written_to_the_audit_trail(organiser_client, export_village):
    organiser_client.get(download_url(export_village, "xlsx"))

    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export downloaded"))
    assert (entry.actor, entry.village_id, entry.details) == (
        "organiser@villages.test", export_village.id, {"format": "xlsx"},
    )


def test_checkin_volunteers_may_not_export(checkin_client, export_village):
    for format_name in ("csv", "xlsx", "signin", "badges", "livret"):
        assert checkin_client.get(download_url(export_village, format_name)).status_code == 403
    assert checkin_client.get(f"/organisation/villages/{export_village.id}/exports").status_code == 403
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export downloaded")) is None


def test_anonymous_visitors_are_sent_to_the_login_page(client, export_village):
    response = client.get(download_url(export_village, "csv"))

    assert response.status_code == 302
    assert "/organisation/connexion" in response.headers["Location"]
    assert "Zidane" not in response.get_data(as_text=True)


def test_unknown_formats_and_villages_are_not_found(organiser_client, export_village):
    assert organiser_client.get(download_url(export_village, "docx")).status_code == 404
    assert organiser_client.get("/organisation/villages/999999/exports/csv").status_code == 404


def test_the_exports_page_offers_each_download(organiser_client, export_village):
    response = organiser_client.get(f"/organisation/villages/{export_village.id}/exports")

    text = page_text(response)
    assert "Tableau CSV" in text and "Classeur Excel" in text
    assert "Feuille d'émargement" in text and "Planches de badges" in text
    assert download_url(export_village, "signin") in response.get_data(as_text=True)


def test_the_village_page_leads_to_its_exports(organiser_client, export_village):
    response = organiser_client.get(f"/organisation/villages/{export_village.id}")

    assert f"/organisation/villages/{export_village.id}/exports" in response.get_data(as_text=True)


def test_the_command_writes_the_export_to_a_file(app, export_village, tmp_path):
    output = tmp_path / "emargement.pdf"

    result = app.test_cli_runner().invoke(
        args=["export", "avignon", "--format", "signin", "--output", str(output)]
    )

    assert result.exit_code == 0, result.output
    assert "ABADIE" in PdfReader(output).pages[0].extract_text()


def test_the_command_refuses_an_unknown_village(app, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["export", "nulle-part", "--format", "csv", "--output", str(tmp_path / "x.csv")]
    )

    assert result.exit_code != 0
    assert "Aucun village « nulle-part »" in result.output
