"""The sign-in sheet (« feuille d'émargement ») of a village, as a landscape A4 PDF.

Every row has the same height, so the number of pages (« page 2 / 5 ») is known
from a count before drawing; pages are then drawn one at a time, straight on the
canvas, so that only one page of participants is held in memory.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator
from itertools import islice
from typing import BinaryIO

from flask import current_app
from .. import pdf_settings  # noqa: F401  (before any PDF is written)
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from ...models import Role, Village
from ...models.registration import structure_of
from ...text import Civility
from ...templating import french_date, french_time
from ..badge import BOLD, REGULAR
from . import rows

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN = 10 * mm
HEADER_HEIGHT = 22 * mm   # the village's facts at the top of every page
FOOTER_HEIGHT = 8 * mm
TABLE_HEADER_HEIGHT = 7 * mm
ROW_HEIGHT = 10 * mm      # room enough for a signature
FONT = REGULAR  # DejaVu: Helvetica lacks letters such as the Ł of « Łukasz »
CELL_FONT_SIZE = 8.5
CELL_PADDING = 3

COLUMNS = [  # title, width in mm
    ("N°", 10), ("NOM", 42), ("Prénom", 32), ("Structure", 56), ("Qualité", 36),
    ("Commune", 32), ("Matin", 34), ("Après-midi", 34),
]
COLUMN_WIDTHS = [width * mm for _, width in COLUMNS]
TABLE_WIDTH = sum(COLUMN_WIDTHS)
TEXT_WIDTH = TABLE_WIDTH - 30 * mm  # leaves room for « page 12 / 40 » beside the footer

# Each person's role as they asked to be addressed (Registration.role_label), on two lines at
# most of the column: the longest shorter (the full one is in the spreadsheets).
QUALITIES = {(role.value, civility): role.of(civility) for role in Role for civility in (None, *Civility)}
QUALITIES.update({
    (Role.HABITANT.value, None): "Habitant, habitante, usager ou usagère",
    (Role.HABITANT.value, Civility.MADAME): "Habitante, usagère",
    (Role.HABITANT.value, Civility.MONSIEUR): "Habitant, usager",
})
CELL_LEADING = CELL_FONT_SIZE * 1.2

TABLE_TOP = PAGE_HEIGHT - MARGIN - HEADER_HEIGHT
TABLE_ROOM = TABLE_TOP - MARGIN - FOOTER_HEIGHT
ROWS_PER_PAGE = int((TABLE_ROOM - TABLE_HEADER_HEIGHT) // ROW_HEIGHT)
TOTALS_ROW_HEIGHT = 6 * mm
TOTALS_GAP = 6 * mm


def fit_two_lines(text: str, width: float) -> str:
    """The text on one line if it fits, else broken between words onto two (the second shortened
    with an ellipsis if need be), joined by a line break."""
    if stringWidth(text, FONT, CELL_FONT_SIZE) <= width - 2 * CELL_PADDING:
        return text
    words = text.split(" ")
    first = words.pop(0)
    while words and stringWidth(f"{first} {words[0]}", FONT, CELL_FONT_SIZE) <= width - 2 * CELL_PADDING:
        first += " " + words.pop(0)
    return fit(first, width) + ("\n" + fit(" ".join(words), width) if words else "")


def fit(text: str, width: float, font: str = FONT, size: float = CELL_FONT_SIZE) -> str:
    """The text, shortened with an ellipsis if it would overflow its column."""
    room = width - 2 * CELL_PADDING
    if stringWidth(text, font, size) <= room:
        return text
    while text and stringWidth(text + "…", font, size) > room:
        text = text[:-1]
    return text.rstrip() + "…"


TOTALS_COLUMN_WIDTHS = (110 * mm, 20 * mm)
TOTALS_PADDING = 6


def draw_totals(canvas: Canvas, by_role: Counter, walk_ins: int, top: float) -> None:
    """The count of each role, of walk-ins and of everyone, in a small table whose top edge is at `top`.

    Drawn on the canvas like the participants: platypus, for this one table, took as long
    to import as the rest of reportlab.
    """
    rows = [(BOLD, 10, "Totaux par rôle", "")]
    rows += [(FONT, 9, role.several, str(by_role.get(role, 0))) for role in Role]
    rows += [(FONT, 9, "dont inscriptions sur place", str(walk_ins)), (BOLD, 9, "Total", str(sum(by_role.values())))]
    left, right = MARGIN, MARGIN + sum(TOTALS_COLUMN_WIDTHS)
    canvas.setLineWidth(0.8)
    canvas.lines([(left, y, right, y) for y in (top - TOTALS_ROW_HEIGHT, top - (len(rows) - 1) * TOTALS_ROW_HEIGHT)])
    for index, (font, size, label, count) in enumerate(rows):
        baseline = top - TOTALS_ROW_HEIGHT * (index + 0.5) - size * 0.35
        canvas.setFont(font, size)
        canvas.drawString(left + TOTALS_PADDING, baseline, label)
        if count:
            canvas.drawRightString(right - TOTALS_PADDING, baseline, count)


# Left edge of each column, and the right edge of the table.
COLUMN_EDGES = [MARGIN + sum(COLUMN_WIDTHS[:index]) for index in range(len(COLUMNS) + 1)]
HEADER_FILL = colors.HexColor("#e6e6e6")


def participant_row(number: int, registration: rows.Listed) -> list[str]:
    texts = [
        str(number),
        registration.last_name.upper(),
        registration.first_name,
        structure_of(registration),
    ]
    return [
        *(fit(text, width) for text, width in zip(texts, COLUMN_WIDTHS)),
        fit_two_lines(QUALITIES[registration.role, registration.civility], COLUMN_WIDTHS[4]),
        fit(registration.commune or "", COLUMN_WIDTHS[5]),
    ]


def draw_participants(canvas: Canvas, page_rows: list[list[str]]) -> float:
    """The table of a page, its top edge at TABLE_TOP; returns where its bottom edge lies.

    Drawn straight on the canvas, one text object for the page: a platypus table laid
    out each cell by itself, which took most of the time of a sheet of thousands.
    """
    top = TABLE_TOP
    bottom = top - TABLE_HEADER_HEIGHT - ROW_HEIGHT * len(page_rows)
    _draw_form(canvas, "signin_table_header", _draw_table_header)
    canvas.setLineWidth(0.5)
    rules = [(MARGIN, top, COLUMN_EDGES[-1], top)]
    rules += [(MARGIN, y, COLUMN_EDGES[-1], y)
              for y in (top - TABLE_HEADER_HEIGHT - ROW_HEIGHT * n for n in range(len(page_rows) + 1))]
    rules += [(x, top, x, bottom) for x in COLUMN_EDGES]
    canvas.lines(rules)

    text = canvas.beginText()
    text.setFont(FONT, CELL_FONT_SIZE)
    for index, cells in enumerate(page_rows):
        row_top = top - TABLE_HEADER_HEIGHT - ROW_HEIGHT * index
        _write_row(text, cells, row_top, ROW_HEIGHT, FONT, CELL_FONT_SIZE)
    canvas.drawText(text)
    return bottom


def _draw_form(canvas: Canvas, name: str, draw: Callable[[Canvas], None]) -> None:
    """What `draw` draws, the same on every page: drawn once as a form (a PDF XObject) then
    only referred to."""
    if not canvas.hasForm(name):
        canvas.beginForm(name)
        draw(canvas)
        canvas.endForm()
    canvas.doForm(name)


def _draw_table_header(canvas: Canvas) -> None:
    """The column titles on their grey band, at the top of the table."""
    canvas.setFillColor(HEADER_FILL)
    canvas.rect(MARGIN, TABLE_TOP - TABLE_HEADER_HEIGHT, TABLE_WIDTH, TABLE_HEADER_HEIGHT, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    text = canvas.beginText()
    text.setFont(BOLD, CELL_FONT_SIZE + 0.5)
    _write_row(text, [title for title, _ in COLUMNS], TABLE_TOP, TABLE_HEADER_HEIGHT, BOLD, CELL_FONT_SIZE + 0.5)
    canvas.drawText(text)


def _write_row(text, cells: list[str], row_top: float, height: float, font: str, size: float) -> None:
    """A row's texts, centred in its height (a cell of two lines too); the number, first, aligned
    on the right."""
    for column, cell in enumerate(cells):
        if not cell:
            continue
        if column == 0:
            x = COLUMN_EDGES[1] - CELL_PADDING - stringWidth(cell, font, size)
        else:
            x = COLUMN_EDGES[column] + CELL_PADDING
        lines = cell.split("\n")
        baseline = row_top - height / 2 - size * 0.35 + CELL_LEADING * (len(lines) - 1) / 2
        for line in lines:
            text.setTextOrigin(x, baseline)
            text.textOut(line)
            baseline -= CELL_LEADING


def draw_page_frame(canvas: Canvas, village: Village, page: int, pages: int) -> None:
    """The village's facts above the table and the page number below it."""
    _draw_form(canvas, "signin_page_frame", lambda form: _draw_village_facts(form, village))
    canvas.setFont(FONT, 8)
    canvas.drawRightString(PAGE_WIDTH - MARGIN, MARGIN, f"page {page} / {pages}")


def _draw_village_facts(canvas: Canvas, village: Village) -> None:
    top = PAGE_HEIGHT - MARGIN
    when_and_where = (
        f"{french_date(village.day).capitalize()}, de {french_time(village.starts_at)} "
        f"à {french_time(village.ends_at)} – {village.venue}, {village.address}"
    )
    for font, size, baseline, text in (
        (BOLD, 14, top - 14, f"Feuille d'émargement – {village.name}"),
        (FONT, 10, top - 30, when_and_where),
        (FONT, 9, top - 44, f"Organisé par {current_app.config['ORGANISER_NAME']}"),
        (FONT, 8, MARGIN, f"Feuille d'émargement – {village.name}"),
    ):
        canvas.setFont(font, size)
        canvas.drawString(MARGIN, baseline, fit(text, TEXT_WIDTH, font, size))


def page_count(participants: int) -> int:
    """Pages of rows, plus one for the totals when the last page has no room left for them."""
    row_pages = max(1, math.ceil(participants / ROWS_PER_PAGE))
    rows_on_last = participants - (row_pages - 1) * ROWS_PER_PAGE
    room_left = TABLE_ROOM - TABLE_HEADER_HEIGHT - rows_on_last * ROW_HEIGHT
    totals_height = TOTALS_GAP + (len(Role) + 3) * TOTALS_ROW_HEIGHT
    return row_pages if room_left >= totals_height else row_pages + 1


class Attendance:
    """The participants listed on the sheet, numbered, counted by role as they go by."""

    def __init__(self, village: Village) -> None:
        self.by_role: Counter = Counter()
        self.walk_ins = 0
        self._numbered = enumerate(rows.listing(village, attending_only=True), start=1)

    def pages(self) -> Iterator[list[list[str]]]:
        """The table rows page by page; a village nobody registered for still has one page."""
        page_rows = self._next_page()
        yield page_rows
        while len(page_rows) == ROWS_PER_PAGE:
            page_rows = self._next_page()
            if page_rows:
                yield page_rows

    def _next_page(self) -> list[list[str]]:
        page_rows = []
        for number, registration in islice(self._numbered, ROWS_PER_PAGE):
            self.by_role[registration.role] += 1
            self.walk_ins += registration.is_walk_in
            page_rows.append(participant_row(number, registration))
        return page_rows


def write_signin(village: Village, output: BinaryIO) -> None:
    pages = page_count(rows.attending_count(village))
    canvas = Canvas(output, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1)
    canvas.setTitle(f"Feuille d'émargement – {village.name}")
    canvas.setAuthor(current_app.config["ORGANISER_NAME"])

    attendance = Attendance(village)
    for page, page_rows in enumerate(attendance.pages(), start=1):
        if page > 1:
            canvas.showPage()
        draw_page_frame(canvas, village, page, pages)
        bottom = draw_participants(canvas, page_rows)
    if page < pages:
        canvas.showPage()
        draw_page_frame(canvas, village, pages, pages)
        bottom = TABLE_TOP
    draw_totals(canvas, attendance.by_role, attendance.walk_ins, bottom - TOTALS_GAP)
    canvas.showPage()
    canvas.save()

