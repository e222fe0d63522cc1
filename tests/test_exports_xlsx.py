"""The Excel workbook, opened with openpyxl as Excel would open it."""
import io
from datetime import datetime

from openpyxl import load_workbook
from sqlalchemy import select

from app.documents.exports import FORMATS
from app.documents.exports.rows import FIELDS, HEADERS
from app.extensions import db
from app.models import Registration, Role
from tests.factories import make_registration, make_village


def open_workbook(village):
    output = io.BytesIO()
    FORMATS["xlsx"].write(village, output)
    output.seek(0)
    return load_workbook(output)


def registration_id(last_name: str) -> int:
    return db.session.scalar(select(Registration.id).where(Registration.last_name == last_name))


def column(sheet, header: str) -> list:
    headers = [cell.value for cell in sheet[1]]
    index = headers.index(header)
    return [row[index] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_has_a_sheet_for_everyone_then_one_per_role(export_village):
    workbook = open_workbook(export_village)

    assert workbook.sheetnames == [
        "Tous", "Porteurs et porteuses", "Institutions", "Élus et élues", "Habitants et usagers",
    ]
    assert column(workbook["Tous"], "Nom") == ["Abadie", "Bernard", "Caron", "Durand", "Élan", "Zidane"]
    assert column(workbook["Institutions"], "Nom") == ["Abadie", "Caron"]
    assert column(workbook["Habitants et usagers"], "Nom") == ["Bernard", "Zidane"]


def test_freezes_the_header_and_filters_every_column(export_village):
    workbook = open_workbook(export_village)

    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].value == "N° d'inscription"
        assert sheet["A1"].font.bold
    assert workbook["Tous"].auto_filter.ref == "A1:AR7"
    assert workbook["Porteurs et porteuses"].auto_filter.ref == "A1:AR2"


def test_keeps_real_types(export_village):
    sheet = open_workbook(export_village)["Tous"]

    registered = column(sheet, "Date d'inscription")[3]
    assert registered == datetime(2026, 3, 2, 9, 15)
    assert column(sheet, "Date d'arrivée")[5] == datetime(2026, 7, 10, 9, 5)
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, max_col=1)]
    assert {cell.data_type for cell in numbers} == {"n"}
    assert [cell.value for cell in numbers] == [registration_id(last_name) for last_name in column(sheet, "Nom")]
    assert column(sheet, "Déjeuner")[3] == "Oui"


def test_formats_dates_the_french_way(export_village):
    sheet = open_workbook(export_village)["Tous"]
    headers = [cell.value for cell in sheet[1]]

    cell = sheet.cell(row=5, column=headers.index("Date d'inscription") + 1)
    assert cell.is_date
    assert cell.number_format == "dd/mm/yyyy hh:mm"


def test_stores_text_that_looks_like_a_formula_as_text(export_village):
    sheet = open_workbook(export_village)["Tous"]
    headers = [cell.value for cell in sheet[1]]

    cell = sheet.cell(row=2, column=headers.index("Structure") + 1)
    assert cell.value == '=HYPERLINK("http://mal.example")'
    assert cell.data_type == "s"


def test_keeps_accents_and_line_breaks(export_village):
    sheet = open_workbook(export_village)["Porteurs et porteuses"]

    assert column(sheet, "Prénom") == ["Hélène"]
    assert column(sheet, "Résumé de l'initiative") == ["Un jardin partagé\nouvert aux familles."]


def test_a_role_nobody_came_as_still_has_its_header_and_filter(app):
    village = make_village()
    make_registration(village, role=Role.ELU, last_name="Seul")

    workbook = open_workbook(village)

    sheet = workbook["Habitants et usagers"]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert sheet.max_row == 1
    assert sheet.auto_filter.ref == "A1:AR1"


def test_gives_each_column_its_width(export_village):
    sheet = open_workbook(export_village)["Tous"]

    # Neighbouring columns of the same width are stored as one range.
    widths = {index: dimension.width for dimension in sheet.column_dimensions.values()
              for index in range(dimension.min, dimension.max + 1)}
    # Excel stores a width with the cell's margin, under a character more than asked.
    assert all(field.width <= widths[index] < field.width + 1 for index, field in enumerate(FIELDS, start=1))


def test_leaves_out_characters_a_workbook_cannot_hold(export_village):
    make_registration(export_village, last_name="Zz", organisation="Asso\x01ciation\x0b du\tquartier")

    sheet = open_workbook(export_village)["Tous"]

    assert column(sheet, "Structure")[-1] == "Association du\tquartier"


def test_writes_a_moment_taken_in_the_last_millisecond_of_a_minute(app):
    # Excel counts time to the millisecond: 59.9996 s would round up to a 60th second, which the
    # writer refuses (the whole export failed, once in about two thousand registrations).
    village = make_village()
    make_registration(village, created_at=datetime(2026, 3, 2, 8, 15, 59, 999600))

    registered = column(open_workbook(village)["Tous"], "Date d'inscription")[0]

    assert registered.replace(microsecond=0) == datetime(2026, 3, 2, 9, 15, 59)
