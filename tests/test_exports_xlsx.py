"""The Excel workbook, opened with openpyxl as Excel would open it."""
import io
from datetime import datetime

from openpyxl import load_workbook

from app.documents.exports import FORMATS


def open_workbook(village):
    output = io.BytesIO()
    FORMATS["xlsx"].write(village, output)
    output.seek(0)
    return load_workbook(output)


def column(sheet, header: str) -> list:
    headers = [cell.value for cell in sheet[1]]
    index = headers.index(header)
    return [row[index] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_has_a_sheet_for_everyone_then_one_per_role(export_village):
    workbook = open_workbook(export_village)

    assert workbook.sheetnames == [
        "Tous", "Porteurs d'initiative", "Institutionnels", "Élus locaux", "Habitants et usagers",
    ]
    assert column(workbook["Tous"], "Nom") == ["Abadie", "Bernard", "Caron", "Durand", "Élan", "Zidane"]
    assert column(workbook["Institutionnels"], "Nom") == ["Abadie", "Caron"]
    assert column(workbook["Habitants et usagers"], "Nom") == ["Bernard", "Zidane"]


def test_freezes_the_header_and_filters_every_column(export_village):
    workbook = open_workbook(export_village)

    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].value == "N° d'inscription"
        assert sheet["A1"].font.bold
    assert workbook["Tous"].auto_filter.ref == "A1:AR7"
    assert workbook["Porteurs d'initiative"].auto_filter.ref == "A1:AR2"


def test_keeps_real_types(export_village):
    sheet = open_workbook(export_village)["Tous"]

    registered = column(sheet, "Inscrit le")[3]
    assert registered == datetime(2026, 3, 2, 9, 15)
    assert column(sheet, "Arrivé le")[5] == datetime(2026, 7, 10, 9, 5)
    assert all(isinstance(number, int) for number in column(sheet, "N° d'inscription"))
    assert column(sheet, "Déjeuner")[3] == "Oui"


def test_formats_dates_the_french_way(export_village):
    sheet = open_workbook(export_village)["Tous"]
    headers = [cell.value for cell in sheet[1]]

    cell = sheet.cell(row=5, column=headers.index("Inscrit le") + 1)
    assert cell.is_date
    assert cell.number_format == "dd/mm/yyyy hh:mm"


def test_stores_text_that_looks_like_a_formula_as_text(export_village):
    sheet = open_workbook(export_village)["Tous"]
    headers = [cell.value for cell in sheet[1]]

    cell = sheet.cell(row=2, column=headers.index("Structure") + 1)
    assert cell.value == '=HYPERLINK("http://mal.example")'
    assert cell.data_type == "s"


def test_keeps_accents_and_line_breaks(export_village):
    sheet = open_workbook(export_village)["Porteurs d'initiative"]

    assert column(sheet, "Prénom") == ["Hélène"]
    assert column(sheet, "Résumé de l'initiative") == ["Un jardin partagé\nouvert aux familles."]
