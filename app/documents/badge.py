"""Name badges: one card per participant, with the QR code scanned at the entrance."""
import io
from pathlib import Path

from . import pdf_settings  # noqa: F401  (before any PDF is written)
from reportlab.lib.colors import HexColor, black, white
from reportlab.lib.pagesizes import A6
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from ..models import Registration, Role
from ..templating import french_date
from .qr import QrCode

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
    canvas.setStrokeColor(MUTED)
    canvas.setLineWidth(0.5)
    canvas.setDash(2, 3)  # a cutting line
    canvas.rect(x, y, width, height)
    canvas.setDash()

    header_bottom = _draw_header(canvas, registration, x, y + height, width, margin)
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
    """The QR code in the square of side `size` whose lower-left corner is (x, y).

    Drawn as one filled path of rectangles, one per run of dark modules in a row: a few
    kilobytes of vector drawing, sharp at any size, where an image per badge made sheets of
    thousands of badges slow and heavy.
    """
    module_size = size / qr.side
    canvas.saveState()
    # One unit per module, rows counted downwards from the top edge as in the matrix: every
    # rectangle is then a few small integers, written directly as PDF « re » (rectangle)
    # operators, then « f » fills them all at once (reportlab's path objects format each
    # number as a float, which takes longer than the rest of the badge).
    canvas.translate(x, y + size)
    canvas.scale(module_size, -module_size)
    canvas.setFillColor(black)
    canvas.addLiteral(
        " ".join(f"{column} {row} {length} 1 re" for row, column, length in qr.dark_runs) + " f"
    )
    canvas.restoreState()


def _draw_header(canvas: Canvas, registration: Registration, x: float, top: float,
                 width: float, margin: float) -> float:
    """The village, its date and town; returns the header's lower edge."""
    village = registration.village
    inner = width - 2 * margin
    size = max(min(width / 26, 11), 6)
    title = simpleSplit(village.name, BOLD, size, inner)[:2]
    when = f"{french_date(village.day)} · {village.town}"
    when_size = _fitting_size(when, REGULAR, size, size * 0.6, inner)
    band_height = margin * 1.2 + len(title) * size * 1.2 + when_size * 1.3
    canvas.setFillColor(INK)
    canvas.rect(x, top - band_height, width, band_height, stroke=0, fill=1)
    canvas.setFillColor(white)
    baseline = top - margin * 0.6 - size
    for line in title:
        canvas.setFont(BOLD, size)
        canvas.drawString(x + margin, baseline, line)
        baseline -= size * 1.2
    canvas.setFont(REGULAR, when_size)
    canvas.drawString(x + margin, baseline, _clipped(when, REGULAR, when_size, inner))
    return top - band_height


def _draw_identity(canvas: Canvas, registration: Registration, x: float, top: float,
                   width: float, bottom: float) -> None:
    """First name and last name as large as they fit, the organisation, the initiative presented, then the role."""
    room = top - bottom
    name_size = min(room / 5, width / 6)
    baseline = top
    canvas.setFillColor(INK)
    for part in (registration.first_name, registration.last_name):
        size, lines = _fitted_lines(part, BOLD, name_size, name_size * 0.5, width)
        canvas.setFont(BOLD, size)
        for line in lines:
            baseline -= size
            canvas.drawString(x, baseline, line)
            baseline -= size * 0.2

    detail_size = max(name_size * 0.42, 7)
    if registration.structure:
        canvas.setFillColor(MUTED)
        for line in simpleSplit(registration.structure, REGULAR, detail_size, width)[:2]:
            baseline -= detail_size * 1.2
            canvas.setFont(REGULAR, detail_size)
            canvas.drawString(x, baseline, line)
    # A porteur comes to present an initiative: its name opens conversations.
    if registration.initiative is not None:
        canvas.setFillColor(INK)
        canvas.setFont(BOLD, detail_size)
        for line in simpleSplit(f"« {registration.initiative.name} »", BOLD, detail_size, width)[:2]:
            baseline -= detail_size * 1.2
            canvas.drawString(x, baseline, line)

    label = registration.role_label
    label_size = _fitting_size(label, BOLD, detail_size, detail_size * 0.6, width - detail_size)
    band = label_size * 1.8
    band_bottom = max(bottom, baseline - detail_size * 0.8 - band)
    canvas.setFillColor(ROLE_COLOURS.get(registration.role, INK))
    canvas.roundRect(x, band_bottom, width, band, band * 0.2, stroke=0, fill=1)
    canvas.setFillColor(white)
    canvas.setFont(BOLD, label_size)
    canvas.drawString(x + detail_size / 2, band_bottom + band * 0.3, label)


def _fitted_lines(text: str, font: str, largest: float, smallest: float,
                  width: float) -> tuple[float, list[str]]:
    """`text` on one line as large as it fits, else on two lines, shortened only as a last resort."""
    size = _fitting_size(text, font, largest, smallest, width)
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return size, [text]
    lines = simpleSplit(text, font, size, width)
    return size, [_clipped(line, font, size, width) for line in lines[:2]]


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
