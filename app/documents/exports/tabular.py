"""Spreadsheet exports of every registration of a village: CSV for any tool, XLSX for Excel."""
from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ...models import Role, Village
from . import rows

# Characters that make a spreadsheet read a cell as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DATETIME_FORMAT_CSV = "%d/%m/%Y %H:%M"
DATETIME_FORMAT_XLSX = "dd/mm/yyyy hh:mm"
ALL_SHEET = "Tous"
# Sheet titles are limited to 31 characters, hence not the roles' full labels.
ROLE_SHEETS = {
    Role.PORTEUR: "Porteurs d'initiative",
    Role.INSTITUTIONNEL: "Institutionnels",
    Role.ELU: "Élus locaux",
    Role.HABITANT: "Habitants et usagers",
}


def yes_no(value: bool) -> str:
    return "Oui" if value else "Non"


def csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime):
        return value.strftime(DATETIME_FORMAT_CSV)
    text = str(value)
    # A leading quote makes Excel and LibreOffice show the text instead of evaluating it.
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def write_csv(village: Village, output: BinaryIO) -> None:
    """A BOM and `;` between values, so that French Excel opens the file as it is."""
    text = io.TextIOWrapper(output, encoding="utf-8-sig", newline="")
    writer = csv.writer(text, delimiter=";")
    writer.writerow(rows.HEADERS)
    for row in rows.listing(village):
        writer.writerow([csv_text(value) for value in rows.values(row)])
    text.flush()
    text.detach()  # the caller's file stays open


def xlsx_cell(sheet, value: object):
    """A cell with the value's real type; text stays text even when it starts with « = »."""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = DATETIME_FORMAT_XLSX
        return cell
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith("="):
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"
            return cell
    return value


class _Sheet:
    """A write-only sheet with a bold frozen header row and a filter over what was written."""

    def __init__(self, workbook: Workbook, title: str) -> None:
        self.sheet = workbook.create_sheet(title)
        self.rows = 0
        for index, field in enumerate(rows.FIELDS, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = field.width
        # Both must be set before the first row: write-only sheets write their top at once.
        self.sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        header = []
        for title_text in rows.HEADERS:
            cell = WriteOnlyCell(self.sheet, title_text)
            cell.font = bold
            header.append(cell)
        self.sheet.append(header)

    def append(self, values: list[object]) -> None:
        self.sheet.append([xlsx_cell(self.sheet, value) for value in values])
        self.rows += 1

    def close(self) -> None:
        last_column = get_column_letter(len(rows.FIELDS))
        self.sheet.auto_filter.ref = f"A1:{last_column}{self.rows + 1}"


def write_xlsx(village: Village, output: BinaryIO) -> None:
    """One sheet with everyone, then one per role; rows go straight to temporary files."""
    workbook = Workbook(write_only=True)
    everyone = _Sheet(workbook, ALL_SHEET)
    by_role = {role: _Sheet(workbook, title) for role, title in ROLE_SHEETS.items()}
    for row in rows.listing(village):
        values = rows.values(row)
        everyone.append(values)
        by_role[row.role].append(values)
    for sheet in (everyone, *by_role.values()):
        sheet.close()
    workbook.save(output)
