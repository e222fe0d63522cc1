"""Sheets of badges to print before the day: eight per A4 page, in last-name order.

Badges touch each other, so that one straight cut separates two of them; the
cut marks in the margins show where the cuts go. The document is drawn in parts
of PAGES_PER_PART pages (see app/documents/pdf_join.py), so that memory stays
the same whatever the number of participants.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import BinaryIO, TypeVar

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from ...models import Village
from ..badge import REGULAR, draw_badge
from ..pdf_join import PdfParts
from . import rows

T = TypeVar("T")

PAGE_WIDTH, PAGE_HEIGHT = A4
COLUMNS, ROWS = 2, 4
BADGES_PER_PAGE = COLUMNS * ROWS
MARGIN = 10 * mm  # most printers cannot print closer to the edge
BADGE_WIDTH = (PAGE_WIDTH - 2 * MARGIN) / COLUMNS    # 95 mm
BADGE_HEIGHT = (PAGE_HEIGHT - 2 * MARGIN) / ROWS     # about 69 mm
CUT_MARK_GAP = 1.5 * mm
CUT_MARK_LENGTH = 5 * mm
# A part's pages stay in memory until it is saved: 400 badges, about 2 MB.
PAGES_PER_PART = 50


def badge_position(slot: int) -> tuple[float, float]:
    """The lower-left corner of the slot-th badge of a page, filled row by row from the top."""
    row, column = divmod(slot, COLUMNS)
    return MARGIN + column * BADGE_WIDTH, PAGE_HEIGHT - MARGIN - (row + 1) * BADGE_HEIGHT


def draw_cut_marks(canvas: Canvas) -> None:
    """Short lines in the margins, in line with every edge between badges."""
    canvas.saveState()
    canvas.setStrokeColor(colors.black)
    canvas.setLineWidth(0.3)
    start, end = CUT_MARK_GAP, CUT_MARK_GAP + CUT_MARK_LENGTH
    for column in range(COLUMNS + 1):
        x = MARGIN + column * BADGE_WIDTH
        canvas.line(x, MARGIN - start, x, MARGIN - end)
        canvas.line(x, PAGE_HEIGHT - MARGIN + start, x, PAGE_HEIGHT - MARGIN + end)
    for row in range(ROWS + 1):
        y = MARGIN + row * BADGE_HEIGHT
        canvas.line(MARGIN - start, y, MARGIN - end, y)
        canvas.line(PAGE_WIDTH - MARGIN + start, y, PAGE_WIDTH - MARGIN + end, y)
    canvas.restoreState()


def draw_page_label(canvas: Canvas, village: Village, page: int, pages: int) -> None:
    """Which sheet this is, in the bottom margin between two cut marks."""
    canvas.setFont(REGULAR, 7)
    canvas.drawString(
        MARGIN + CUT_MARK_LENGTH, MARGIN / 2, f"Badges {village.town} – planche {page} / {pages}"
    )


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def write_badges(village: Village, output: BinaryIO) -> None:
    """Every confirmed participant's badge (walk-ins included), one page at a time."""
    pages = max(1, math.ceil(rows.attending_count(village) / BADGES_PER_PAGE))
    document = PdfParts(output, f"Badges – {village.name}", pagesize=A4)
    sheets = batches(rows.registrations(village, attending_only=True), BADGES_PER_PAGE)
    page = 0
    for part in batches(sheets, PAGES_PER_PART):
        with document.part() as canvas:
            for sheet in part:
                page += 1
                draw_cut_marks(canvas)
                draw_page_label(canvas, village, page, pages)
                for slot, registration in enumerate(sheet):
                    draw_badge(canvas, registration, *badge_position(slot), BADGE_WIDTH, BADGE_HEIGHT)
                canvas.showPage()
    if page == 0:
        with document.part() as canvas:
            draw_page_label(canvas, village, 1, 1)
            canvas.setFont(REGULAR, 12)
            canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT / 2, "Aucun participant confirmé.")
            canvas.showPage()
    document.close()
