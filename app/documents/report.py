"""The report as documents to send: a PDF for funders (cover, charts, tables, method note) and a
spreadsheet with one sheet per table. Both show the same figures as the back-office page."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import BinaryIO, Callable

from flask import current_app
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table as PdfTable, TableStyle,
)
from xml.sax.saxutils import escape

from ..templating import NBSP, french_date, labels
from .badge import BOLD, REGULAR
from .charts import chart_for, map_drawing, to_drawing
from .figures import DISCLOSURE_NOTE, FILE_FORMATS, Report, Table
from .lines import french_paragraph

MARGIN = 18 * mm
TEXT_WIDTH = A4[0] - 2 * MARGIN
# A chart's height on a page under its title (the page's frame, less its footer and a heading).
CHART_HEIGHT = A4[1] - 2 * MARGIN - 4 * mm - 12 - 40
INK = colors.HexColor("#1d2430")
BLUE = colors.HexColor("#1f4e8c")
LIGHT = colors.HexColor("#eef2f7")

STYLES = {
    "cover": ParagraphStyle("cover", fontName=BOLD, fontSize=24, leading=30, textColor=BLUE, spaceAfter=12),
    "h1": ParagraphStyle("h1", fontName=BOLD, fontSize=15, leading=19, textColor=BLUE, spaceBefore=10, spaceAfter=6),
    "h2": ParagraphStyle("h2", fontName=BOLD, fontSize=11.5, leading=15, textColor=INK, spaceBefore=8, spaceAfter=4),
    "body": ParagraphStyle("body", fontName=REGULAR, fontSize=10, leading=14, textColor=INK, spaceAfter=4),
    "note": ParagraphStyle("note", fontName=REGULAR, fontSize=8.5, leading=11, textColor=colors.HexColor("#4a5565"),
                           spaceAfter=6),
    "cell": ParagraphStyle("cell", fontName=REGULAR, fontSize=8.5, leading=10.5),
    # A compound header may break after its hyphens (« Alpes-de- / Haute-Provence »), never elsewhere.
    "head": ParagraphStyle("head", fontName=BOLD, fontSize=8, leading=10, embeddedHyphenation=1),
}


def method_note(report: Report) -> list[str]:
    """How the figures were counted: printed at the end of the PDF and shown on the page."""
    lines = [
        "Tous les chiffres sont calculés par l'application à partir des inscriptions enregistrées, "
        "sans saisie manuelle ; chaque tableau dit sous lui ce qu'il compte.",
        "Les mêmes personnes sont comptées dans tous les tableaux : par rôle, par heure d'arrivée, par département, "
        "par commune et sur la carte, les présents ont le même total. La commune et le département de chacun sont "
        "déduits une seule fois du nom de commune et du code postal donnés à l'inscription ; ceux qui ne les ont pas "
        "donnés, ou dont la commune n'est pas retrouvée, sont comptés dans « Non renseigné ».",
        "Initiatives et besoins d'appui : fiches des porteurs d'initiative inscrits (places confirmées), chaque "
        "initiative comptée une fois même si elle a été présentée à plusieurs villages. Une initiative peut exprimer "
        "plusieurs besoins.",
        "Satisfaction : réponses au questionnaire proposé aux participants après le village.",
    ]
    if report.for_outsiders:
        lines += DISCLOSURE_NOTE
    else:
        lines.append("Version interne à l'équipe : chiffres exacts, y compris les petits effectifs.")
    return lines


def village_lines(report: Report) -> list[str]:
    return [f"{v.name} — {french_date(v.day)}, {v.venue}, {v.town}" for v in report.villages]


# --- PDF -------------------------------------------------------------------------------------

def _paragraph(text: str, style: str = "body") -> Paragraph:
    return french_paragraph(escape(text), STYLES[style])


# More columns than this do not fit a portrait page: a crossed table is listed one pair a line.
MAX_PDF_COLUMNS = 7


# Headers are made smaller to fit their columns down to this size, then their columns wider.
SMALLEST_HEAD = 8
HYPHEN = re.compile(r"(?<=-)")


def _longest_word(texts, font: str, size: float, compound: bool = False) -> float:
    """The widest word of `texts`; with `compound`, a compound word counts by its parts (a header
    « Alpes-de-Haute-Provence » may break after a hyphen, never inside a word)."""
    return max((stringWidth(part, font, size) for text in texts for word in str(text).split()
                for part in (HYPHEN.split(word) if compound else [word])), default=0)


def _even_width(needs: list[float], room: float) -> float:
    """The width that columns needing less take so that, with the wider ones as they are, all fill
    `room` (0 when they do not fit)."""
    wide, narrow = [], sorted(needs)
    while narrow:
        even = (room - sum(wide)) / len(narrow)
        if narrow[-1] <= even:
            return even
        wide.append(narrow.pop())
    return 0


def _column_widths(headers: list[str], rows: list[list]) -> tuple[list[float], ParagraphStyle]:
    """The columns' widths and the headers' style: each column of figures as wide as its header's
    longest word and its widest figure, and as wide as the others when the room left by the labels'
    column (its planned width) allows; when there is not that much room, the labels' column is made
    narrower (their longest word still fits), then the headers' type smaller: « Annulations » is
    never cut before its last letter."""
    style = STYLES["head"]
    planned = 62 * mm if len(headers) < 6 else 38 * mm
    padding = 8
    others = [max(_longest_word([header], BOLD, style.fontSize, compound=True),
                  *(stringWidth(str(row[index]), REGULAR, STYLES["cell"].fontSize) for row in rows)) + padding
              for index, header in enumerate(headers) if index]
    others = [max(width, _even_width(others, TEXT_WIDTH - planned)) for width in others]
    size = style.fontSize
    first_need = _longest_word([row[0] for row in rows], REGULAR, STYLES["cell"].fontSize) + padding
    if TEXT_WIDTH - sum(others) < first_need:
        fitted = (TEXT_WIDTH - first_need) / sum(others)
        others = [width * fitted for width in others]
        size *= fitted
    if size != style.fontSize:
        style = ParagraphStyle("head-fitted", parent=style, fontSize=size, leading=size + 2)
    return [TEXT_WIDTH - sum(others), *others], style


def pdf_rows(table: Table) -> tuple[list[str], list[list]]:
    """The headers and rows the PDF prints: the table's, or one pair a line for a crossed table
    wider than a portrait page (its empty pairs left out)."""
    if len(table.headers) <= MAX_PDF_COLUMNS or not table.columns_named:
        return table.headers, table.rows
    return ([table.headers[0], table.columns_named, "Nombre"],
            [[row[0], column, value] for row in table.rows for column, value in zip(table.headers[1:], row[1:]) if value])


def _pdf_table(report: Report, table: Table) -> PdfTable:
    headers, rows = pdf_rows(table)
    widths, style = _column_widths(headers, rows)
    # Over a column of figures, the header is set right, as they are; the labels (and the column
    # named in a table listed one pair a line) are set left.
    texts = 1 if headers == table.headers else 2
    over_figures = ParagraphStyle("head-right", parent=style, alignment=TA_RIGHT)
    header = [french_paragraph(escape(h), style if index < texts else over_figures) for index, h in enumerate(headers)]
    body = [[_paragraph(str(row[0]), "cell"), *(_paragraph(v, "cell") if index == 0 and len(row) == 3 and headers != table.headers
                                                else str(v) for index, v in enumerate(row[1:]))] for row in rows]
    pdf_table = PdfTable([header, *body], colWidths=widths, repeatRows=1)
    pdf_table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), REGULAR, 8.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c5ccd6")),
    ]))
    return pdf_table


def _cover(report: Report) -> list:
    version = "Version destinée à la diffusion (petits effectifs masqués, voir la note de méthode)" \
        if report.for_outsiders \
        else "Version interne (chiffres exacts)"
    # Less room above the title as villages are added, so that the cover stays one page.
    story = [Spacer(1, max(40 - 5 * len(report.villages), 10) * mm), _paragraph("Bilan", "h1"), _paragraph(report.title, "cover"),
             _paragraph(report.period.capitalize(), "h2"), Spacer(1, 6 * mm)]
    story += [_paragraph(line) for line in village_lines(report)]
    story += [Spacer(1, 10 * mm), _paragraph(current_app.config["ORGANISER_NAME"], "h2"), _paragraph(version, "note")]
    figures = [[_paragraph(label, "head"), str(value)] for label, value in report.key_figures]
    key_table = PdfTable(figures, colWidths=[70 * mm, 30 * mm])
    key_table.setStyle(TableStyle([("FONT", (1, 0), (1, -1), BOLD, 12), ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                                   ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c5ccd6"))]))
    story += [Spacer(1, 10 * mm), key_table, Spacer(1, 2 * mm), _paragraph(report.key_caption, "note")]
    if report.uncovered_needs:
        story += [Spacer(1, 6 * mm), _paragraph("Besoins non couverts (aucune offre d'appui au même village) : "
                                                + labels(report.uncovered_needs) + ".")]
    story.append(PageBreak())
    return story


def _texts(title: str, grouped: dict[str, list[str]]) -> list:
    if not grouped:
        return []
    story = [CondPageBreak(40 * mm), _paragraph(title, "h1")]
    for heading, texts in grouped.items():
        story.append(_paragraph(heading, "h2"))
        story += [_paragraph(f"« {text} »") for text in texts]
    return story


MAP_TITLE = "Carte des communes des participants"

MAP_HEIGHT = 150 * mm
# Each frame when there are several areas: two fit a page.
FRAME_HEIGHT = 105 * mm


def _centred(flowable):
    flowable.hAlign = "CENTER"
    return flowable


def _communes_map(report: Report) -> list:
    """The page's map of communes, drawn from the same outlines: the présents of the table above,
    one frame per area, each named by its départements."""
    frames = report.communes_maps
    if not frames:
        return []
    height = MAP_HEIGHT if len(frames) == 1 else FRAME_HEIGHT
    drawn = [[_paragraph(frame.title, "h2"), _centred(map_drawing(frame, TEXT_WIDTH, height))] for frame in frames]
    return [
        CondPageBreak(height),
        KeepTogether([_paragraph(MAP_TITLE, "h1"), *drawn[0]]),
        *(KeepTogether(frame) for frame in drawn[1:]),
        Spacer(1, 4 * mm),
        _paragraph(report.map_caption, "note"),
        Spacer(1, 4 * mm),
    ]


def write_pdf(report: Report, output: BinaryIO) -> None:
    story = _cover(report)
    for table in report.tables:
        block = [_paragraph(table.title, "h1")]
        chart = chart_for(table) if table.rows else None
        if chart is not None:
            block += [to_drawing(chart, TEXT_WIDTH, CHART_HEIGHT), Spacer(1, 4 * mm)]
        story.append(KeepTogether(block))
        if table.rows:
            story.append(_pdf_table(report, table))
        else:
            story.append(_paragraph("Aucune donnée pour l'instant."))
        if caption := report.caption(table):
            # Read at once: a definition is not cut by a page break.
            story.append(KeepTogether([_paragraph(caption, "note")]))
        story.append(Spacer(1, 4 * mm))
        if table.key == "communes":
            story += _communes_map(report)
    story += _texts("Besoins d'appui : ce qu'en disent les porteurs", report.need_details)
    story += _texts("Questionnaire : réponses libres", report.comments)
    story += [CondPageBreak(60 * mm), _paragraph("Note de méthode", "h1")]
    story += [_paragraph(line) for line in method_note(report)]

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont(REGULAR, 8)
        canvas.setFillColor(colors.HexColor("#4a5565"))
        canvas.drawString(MARGIN, 10 * mm, f"{report.title} — bilan")
        canvas.drawRightString(A4[0] - MARGIN, 10 * mm, f"page {document.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(output, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                                 bottomMargin=MARGIN + 4 * mm, title=f"Bilan – {report.title}",
                                 author=current_app.config["ORGANISER_NAME"], lang="fr")
    document.build(story, onFirstPage=footer, onLaterPages=footer)


# --- Spreadsheet -----------------------------------------------------------------------------

SHEET_NAME_FORBIDDEN = re.compile(r"\s*[\[\]:*?/\\]\s*")


SHEET_NAME_LENGTH = 31
# Words that cannot end a name cut short (« Mise en lien - demandes et »).
LINKING_WORDS = {"et", "ou", "par", "de", "des", "du", "à", "au", "aux", "en", "le", "la", "les", "où", "sur", "-"}


def _words_within(text: str, length: int) -> str:
    """`text` cut after its last whole word that fits in `length` characters, without a
    linking word or a dash left dangling at the end."""
    if len(text) <= length:
        return text
    words = text[:length + 1].split(" ")[:-1] if " " in text[:length + 1] else [text[:length]]
    while len(words) > 1 and (words[-1].lower() in LINKING_WORDS or words[-1].endswith(("'", "’"))):
        words.pop()
    return " ".join(words).rstrip(" -,;.")


def sheet_name(title: str, taken: set[str]) -> str:
    """Excel allows 31 characters and no []:*?/\\ ; names must differ. Cut between words."""
    base = _words_within(SHEET_NAME_FORBIDDEN.sub(" - ", title).strip(), SHEET_NAME_LENGTH)
    name, n = base, 2
    while name.lower() in taken:
        name = f"{_words_within(base, SHEET_NAME_LENGTH - 4)} ({n})"
        n += 1
    taken.add(name.lower())
    return name


def write_xlsx(report: Report, output: BinaryIO) -> None:
    """One sheet per table; texts stay texts, even those starting with « = » (never run as formulas)."""
    from rvgsrust_xlsxwriter import Workbook

    workbook = Workbook()
    taken: set[str] = set()
    bold = workbook.add_format()
    bold.set_bold()
    title = workbook.add_format()
    title.set_bold()
    title.set_font_size(14)
    about = workbook.add_worksheet(sheet_name("Présentation", taken))
    lines = [f"Bilan – {report.title}", report.period, *village_lines(report), "",
             *(f"{label}{NBSP}: {value}" for label, value in report.key_figures), report.key_caption, "",
             *method_note(report)]
    about.write_row(0, 0, lines[:1], title)
    about.write_column(1, 0, lines[1:])
    about.set_column_width(0, 120)
    for table in report.tables:
        sheet = workbook.add_worksheet(sheet_name(table.title, taken))
        sheet.write_row(0, 0, table.headers, bold)
        sheet.write_rows(1, 0, table.rows)
        if caption := report.caption(table):
            sheet.write(len(table.rows) + 2, 0, caption)
        sheet.freeze_panes(1, 1)
        sheet.set_column_width(0, 42)
        for index in range(1, len(table.headers)):
            sheet.set_column_width(index, 16)
    for sheet_title, grouped in (("Besoins – en détail", report.need_details), ("Réponses libres", report.comments)):
        if grouped:
            sheet = workbook.add_worksheet(sheet_name(sheet_title, taken))
            sheet.write_row(0, 0, ["Rubrique", "Texte"], bold)
            sheet.write_rows(1, 0, [[heading, text] for heading, texts in grouped.items() for text in texts])
            sheet.set_column_width(0, 40)
            sheet.set_column_width(1, 100)
    output.write(workbook.save_to_buffer())


@dataclass(frozen=True)
class ReportFormat:
    name: str
    mimetype: str
    write: Callable[[Report, BinaryIO], None]


REPORT_FORMATS = {
    "pdf": ReportFormat("pdf", FILE_FORMATS["pdf"], write_pdf),
    "xlsx": ReportFormat("xlsx", FILE_FORMATS["xlsx"], write_xlsx),
}
