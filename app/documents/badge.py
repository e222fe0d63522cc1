"""Name badges: one card per participant, with the QR code scanned at the entrance."""
import functools
import hashlib
import io
from datetime import date
from pathlib import Path
from typing import NamedTuple

from . import pdf_settings  # noqa: F401  (before any PDF is written)
from reportlab.lib.colors import HexColor, black, white
from reportlab.lib.pagesizes import A6
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from ..models import Registration, Role, Village
from ..templating import french_date
from .qr import QUIET_ZONE, QrCode

FONT_DIR = Path(__file__).resolve().parent / "fonts"
# DejaVu rather than the built-in Helvetica, which has no glyph for names such as « Łukasz » or « Ștefan ».
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
for _name in (REGULAR, BOLD):
    if _name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(_name, FONT_DIR / f"{_name}.ttf"))

INK = HexColor("#1d2430")
MUTED = HexColor("#4a5565")
# One colour per role, so that the welcome team sees at a glance who is who.
ROLE_COLOURS = {
    Role.PORTEUR: HexColor("#1f6f43"),
    Role.INSTITUTIONNEL: HexColor("#1f4e8c"),
    Role.ELU: HexColor("#8c1f3a"),
    Role.HABITANT: HexColor("#a04a00"),
}


def badge_pdf(registration: Registration, qr: QrCode | None = None) -> bytes:
    """A one-page A6 PDF holding the participant's badge, to print or show on a phone
    (`qr`: the badge's QR code when the caller has already computed it)."""
    buffer = io.BytesIO()
    width, height = A6
    canvas = Canvas(buffer, pagesize=A6, pageCompression=1)
    canvas.setTitle(f"Badge – {registration.full_name}")
    canvas.setAuthor(registration.village.name)
    draw_badge(canvas, registration, 0, 0, width, height, qr)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def draw_badge(canvas: Canvas, registration: Registration, x: float, y: float,
               width: float, height: float, qr: QrCode | None = None) -> None:
    """Draw one badge in the box whose lower-left corner is (x, y), in points.

    A tall box gets the QR code under the name; a wide one (as on sheets of
    eight) gets it on the right.
    """
    canvas.saveState()
    margin = min(width, height) * 0.06
    header_bottom = y + height - _draw_background(canvas, registration.village, x, y, width, height, margin)
    wide = width > height * 1.1
    code_size = max(min(width, height) * 0.04, 7)
    code_band = code_size * 1.6  # under the QR code, its short code for people
    if wide:
        qr_size = min(height - (y + height - header_bottom) - 2 * margin - code_band, width * 0.38)
        text_width = width - qr_size - 3 * margin
        qr_x, qr_y = x + width - margin - qr_size, y + margin + code_band
    else:
        qr_size = min(width * 0.55, height * 0.36)
        text_width = width - 2 * margin
        qr_x, qr_y = x + (width - qr_size) / 2, y + margin + code_band
    text_bottom = y + margin if wide else qr_y + qr_size + margin / 2
    _draw_identity(canvas, registration, x + margin, header_bottom - margin, text_width, text_bottom)
    _draw_qr(canvas, qr or QrCode(registration.badge_code), qr_x, qr_y, qr_size)
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, code_size)
    canvas.drawCentredString(qr_x + qr_size / 2, y + margin + code_size * 0.3, f"Code : {registration.short_code_shown}")
    canvas.restoreState()


def _draw_qr(canvas: Canvas, qr: QrCode, x: float, y: float, size: float) -> None:
    """The QR code in the square of side `size` whose lower-left corner is (x, y), quiet zone included.

    Vector squares, sharp at any size (QrCode.pdf_path), written straight into the page.
    """
    module = size / qr.side
    canvas.saveState()
    canvas.setFillColor(black)
    # Module units, rows counted downwards from the code's top-left corner, inside the quiet zone.
    canvas.transform(module, 0, 0, -module, x + QUIET_ZONE * module, y + (qr.side - QUIET_ZONE) * module)
    canvas.addLiteral(qr.pdf_path())
    canvas.restoreState()


class HeaderLayout(NamedTuple):
    size: float
    title: tuple[str, ...]
    when_size: float
    when: str
    height: float


def _draw_background(canvas: Canvas, village: Village, x: float, y: float, width: float, height: float,
                     margin: float) -> float:
    """The cutting line and the village's header, the same on every badge of a village: drawn
    once per document as a form (a PDF XObject), then only referred to. Returns the header's height."""
    name, header = _background(village.name, village.day, village.town, width, height, margin)
    if not canvas.hasForm(name):
        # Half the cutting line's width lies outside the badge.
        canvas.beginForm(name, -1, -1, width + 1, height + 1)
        canvas.setStrokeColor(MUTED)
        canvas.setLineWidth(0.5)
        canvas.setDash(2, 3)
        canvas.rect(0, 0, width, height)
        canvas.setDash()
        _draw_header(canvas, header, height, width, margin)
        canvas.endForm()
    canvas.saveState()
    canvas.translate(x, y)
    canvas.doForm(name)
    canvas.restoreState()
    return header.height


@functools.lru_cache(maxsize=64)
def _background(title: str, day: date, town: str, width: float, height: float,
                margin: float) -> tuple[str, HeaderLayout]:
    """The name of a badge's background form, and the layout of its header."""
    header = _header_layout(title, f"{french_date(day)} · {town}", width, margin)
    return "badge" + hashlib.md5(repr((header, width, height)).encode()).hexdigest(), header


def _header_layout(title: str, when: str, width: float, margin: float) -> HeaderLayout:
    """The village's name on two lines at most, then its date and town, fitted to the width."""
    inner = width - 2 * margin
    size = max(min(width / 26, 11), 6)
    title_lines = tuple(simpleSplit(title, BOLD, size, inner)[:2])
    when_size = _fitting_size(when, REGULAR, size, size * 0.6, inner)
    height = margin * 1.2 + len(title_lines) * size * 1.2 + when_size * 1.3
    return HeaderLayout(size, title_lines, when_size, _clipped(when, REGULAR, when_size, inner), height)


def _draw_header(canvas: Canvas, header: HeaderLayout, top: float, width: float, margin: float) -> None:
    canvas.setFillColor(INK)
    canvas.rect(0, top - header.height, width, header.height, stroke=0, fill=1)
    canvas.setFillColor(white)
    baseline = top - margin * 0.6 - header.size
    canvas.setFont(BOLD, header.size)
    for line in header.title:
        canvas.drawString(margin, baseline, line)
        baseline -= header.size * 1.2
    canvas.setFont(REGULAR, header.when_size)
    canvas.drawString(margin, baseline, header.when)


def _draw_identity(canvas: Canvas, registration: Registration, x: float, top: float,
                   width: float, bottom: float) -> None:
    """First name and last name as large as they fit, the organisation, the initiative presented, then the role.

    Written as one text object: a string drawn by itself costs a text object of its own,
    with its colour and position, which took most of the time of a badge's text.
    """
    room = top - bottom
    name_size = min(room / 5, width / 6)
    baseline = top
    text = canvas.beginText()
    text.setFillColor(INK)
    for part in (registration.first_name, registration.last_name):
        size, lines = _fitted_lines(part, BOLD, name_size, name_size * 0.5, width)
        text.setFont(BOLD, size)
        for line in lines:
            baseline -= size
            _write(text, x, baseline, line)
            baseline -= size * 0.2

    detail_size = max(name_size * 0.42, 7)
    if registration.structure:
        text.setFillColor(MUTED)
        text.setFont(REGULAR, detail_size)
        for line in simpleSplit(registration.structure, REGULAR, detail_size, width)[:2]:
            baseline -= detail_size * 1.2
            _write(text, x, baseline, line)
    # A porteur comes to present an initiative: its name opens conversations.
    if registration.initiative is not None:
        text.setFillColor(INK)
        text.setFont(BOLD, detail_size)
        for line in _quoted(registration.initiative.name, BOLD, detail_size, width):
            baseline -= detail_size * 1.2
            _write(text, x, baseline, line)

    label = registration.role_label
    label_size = _fitting_size(label, BOLD, detail_size, detail_size * 0.6, width - detail_size)
    band = label_size * 1.8
    band_bottom = max(bottom, baseline - detail_size * 0.8 - band)
    canvas.setFillColor(ROLE_COLOURS.get(registration.role, INK))
    canvas.roundRect(x, band_bottom, width, band, band * 0.2, stroke=0, fill=1)
    text.setFillColor(white)
    text.setFont(BOLD, label_size)
    _write(text, x + detail_size / 2, band_bottom + band * 0.3, label)
    canvas.drawText(text)  # after the band, so that the role's label lies on it


def _write(text: PDFTextObject, x: float, baseline: float, line: str) -> None:
    text.setTextOrigin(x, baseline)
    text.textOut(line)


def _fitted_lines(text: str, font: str, largest: float, smallest: float,
                  width: float) -> tuple[float, list[str]]:
    """`text` on one line as large as it fits, else on two lines, shortened only as a last resort."""
    size = _fitting_size(text, font, largest, smallest, width)
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return size, [text]
    lines = simpleSplit(text, font, size, width)
    return size, [_clipped(line, font, size, width) for line in lines[:2]]


def _quoted(name: str, font: str, size: float, width: float) -> list[str]:
    """The name in French quotes on at most two lines. reportlab splits at any space, even a
    non-breaking one: a closing quote left alone on the second line takes the last word with it."""
    lines = simpleSplit(f"« {name} »", font, size, width)
    if lines[1:] == ["»"]:
        rest, _, last_word = lines[0].rpartition(" ")
        if rest and pdfmetrics.stringWidth(f"{last_word} »", font, size) <= width:
            lines = [rest, f"{last_word} »"]
    return lines[:2]


def _fitting_size(text: str, font: str, largest: float, smallest: float, width: float) -> float:
    """The largest font size, down to `smallest`, at which `text` fits in `width`."""
    natural = pdfmetrics.stringWidth(text, font, largest)
    if natural <= width:
        return largest
    # A millionth smaller than the size that fills `width` exactly: measured at that exact
    # size, the text can come out a rounding error too wide, and would then be cut.
    return max(largest * width / natural * (1 - 1e-6), smallest)


def _clipped(text: str, font: str, size: float, width: float) -> str:
    """`text`, shortened with an ellipsis when even the smallest size is too wide."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"
