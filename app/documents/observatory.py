"""The observatory as documents: a PDF (charts and their tables), a spreadsheet with one sheet per
table, and the open data (CSV) of its public version: all show the same `Observatory.tables`
(app/documents/observatory_figures.py), counted by app/services/observatory.py."""
from __future__ import annotations

import csv
import io
from typing import BinaryIO

from flask import current_app
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, SimpleDocTemplate, Spacer
from reportlab.platypus import Table as PdfTable, TableStyle

from .badge import BOLD, REGULAR
from .charts import chart_for, to_drawing
from .observatory_figures import Observatory
from .report import CHART_HEIGHT, MARGIN, TEXT_WIDTH, _paragraph, _pdf_table, sheet_name

# Short names for the spreadsheet's tabs (Excel allows 31 characters).
SHEETS = {
    "annees": "Par année",
    "nouvelles": "Nouvelles ou déjà venues",
    "thematiques": "Par thématique",
    "publics": "Par public",
    "territoires": "Par territoire",
    "besoins": "Besoins par catégorie",
    "besoins_annees": "Besoins exprimés par année",
    "besoins_obtenus": "Besoins obtenus par année",
    "besoins_non_obtenus": "Besoins non obtenus par année",
    "partenaires": "Partenaires sollicités",
}


def write_pdf(observatory: Observatory, output: BinaryIO) -> None:
    story = [_paragraph(observatory.title, "cover"), _paragraph(current_app.config["ORGANISER_NAME"], "h2")]
    figures = PdfTable([[_paragraph(label, "head"), str(value)]
                        for label, value in observatory.key_figures], colWidths=[70 * mm, 30 * mm])
    figures.setStyle(TableStyle([("FONT", (1, 0), (1, -1), BOLD, 12), ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                                 ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c5ccd6"))]))
    story += [Spacer(1, 4 * mm), figures, Spacer(1, 6 * mm)]
    for table in observatory.tables:
        # Title, chart, figures and note on one page when they fit (split otherwise).
        block = [_paragraph(table.title, "h1")]
        chart = chart_for(table)
        if chart is not None:
            block += [to_drawing(chart, TEXT_WIDTH, CHART_HEIGHT), Spacer(1, 4 * mm)]
        block.append(_pdf_table(observatory, table) if table.rows else _paragraph("Aucune donnée sur cette période."))
        if table.note:
            block.append(_paragraph(table.note, "note"))
        story += [KeepTogether(block), Spacer(1, 4 * mm)]
    story += [CondPageBreak(50 * mm), _paragraph("Note de méthode", "h1")]
    story += [_paragraph(line) for line in observatory.method]

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont(REGULAR, 8)
        canvas.setFillColor(colors.HexColor("#4a5565"))
        canvas.drawString(MARGIN, 10 * mm, observatory.title)
        canvas.drawRightString(A4[0] - MARGIN, 10 * mm, f"page {document.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(output, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                                 bottomMargin=MARGIN + 4 * mm, title=observatory.title,
                                 author=current_app.config["ORGANISER_NAME"], lang="fr")
    document.build(story, onFirstPage=footer, onLaterPages=footer)


def write_xlsx(observatory: Observatory, output: BinaryIO) -> None:
    """A sheet saying what is counted, then one sheet per table (its title and note with it)."""
    from rvgsrust_xlsxwriter import Workbook

    workbook = Workbook()
    taken: set[str] = set()
    bold = workbook.add_format()
    bold.set_bold()
    about = workbook.add_worksheet(sheet_name("Présentation", taken))
    about.write_row(0, 0, [observatory.title], bold)
    about.write_column(2, 0, [f"{label} : {value}" for label, value in observatory.key_figures]
                       + ["", *observatory.method])
    about.set_column_width(0, 120)
    for table in observatory.tables:
        sheet = workbook.add_worksheet(sheet_name(SHEETS.get(table.key, table.title), taken))
        sheet.write_row(0, 0, [table.title], bold)
        sheet.write_row(1, 0, table.headers, bold)
        sheet.write_rows(2, 0, table.rows)
        if table.note:
            sheet.write(len(table.rows) + 3, 0, table.note)
        sheet.freeze_panes(2, 1)
        sheet.set_column_width(0, 44)
        for index in range(1, len(table.headers)):
            sheet.set_column_width(index, 16)
    output.write(workbook.save_to_buffer())


CSV_HEADERS = ["tableau", "titre", "ligne", "colonne", "valeur"]


def write_csv(observatory: Observatory, output: BinaryIO) -> None:
    """Open data in long form, one figure per line, as the page shows it (« masqué » for a small
    count on the public version); semicolons and a byte-order mark, for Excel in French."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";")
    writer.writerow(CSV_HEADERS)
    for table in observatory.tables:
        for row in table.rows:
            for header, value in zip(table.headers[1:], row[1:]):
                writer.writerow([table.key, table.title, row[0], header, value])
    output.write(("\ufeff" + text.getvalue()).encode("utf-8"))


FORMATS = {"pdf": write_pdf, "xlsx": write_xlsx, "csv": write_csv}
