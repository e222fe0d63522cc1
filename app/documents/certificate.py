"""The attendance certificate (« attestation de présence ») of a participant who came."""
import io

from flask import current_app
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from ..models import Registration
from ..templating import french_date, french_time, in_place, that_name
from ..timeutil import to_local
from .badge import BOLD, REGULAR
from .lines import split_lines

BLUE = HexColor("#1f4e8c")
INK = HexColor("#1d2430")
MARGIN = 25 * mm


def statement(registration: Registration) -> str:
    village = registration.village
    who = registration.full_name
    if registration.structure:
        who += f" ({registration.structure})"
    # « Nous, <organisation>, attestons » reads right whatever the organisation's name (no article to guess).
    return (
        f"Nous, {current_app.config['ORGANISER_NAME']}, attestons {that_name(who)} a participé, en qualité de "
        f"« {registration.role_label} », au {village.name}, qui s'est tenu le {french_date(village.day)}, "
        f"de {french_time(village.starts_at)} à {french_time(village.ends_at)}, {village.venue}, "
        f"{village.address}."
    )


def certificate_pdf(registration: Registration) -> bytes:
    width, height = A4
    text_width = width - 2 * MARGIN
    organiser = current_app.config["ORGANISER_NAME"]
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"Attestation de présence – {registration.full_name}")
    canvas.setAuthor(organiser)
    canvas.setFillColor(BLUE)
    canvas.setFont(BOLD, 12)
    y = height - MARGIN
    for line in split_lines(organiser, BOLD, 12, text_width):
        canvas.drawString(MARGIN, y, line)
        y -= 16
    canvas.setFont(BOLD, 24)
    canvas.drawCentredString(width / 2, height - MARGIN - 40 * mm, "Attestation de présence")
    canvas.setFillColor(INK)
    canvas.setFont(REGULAR, 12)
    y = height - MARGIN - 65 * mm
    for line in split_lines(statement(registration), REGULAR, 12, text_width):
        canvas.drawString(MARGIN, y, line)
        y -= 18
    if registration.checked_in_at:
        y -= 10
        arrival = french_time(to_local(registration.checked_in_at).time())
        canvas.drawString(MARGIN, y, split_lines(f"Accueil enregistré à {arrival}.", REGULAR, 12, text_width)[0])
    y -= 30
    canvas.drawString(MARGIN, y, "Attestation délivrée pour servir et valoir ce que de droit.")
    # The signature block, right-aligned within the margins however long the organisation's name.
    y -= 40
    village = registration.village
    place = in_place(village.town)
    for line in [f"{place[:1].upper()}{place[1:]}, le {french_date(village.day)}", "Pour l'organisation,",
                 *split_lines(organiser, REGULAR, 12, text_width / 2)]:
        canvas.drawRightString(width - MARGIN, y, line)
        y -= 18
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
