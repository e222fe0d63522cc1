"""The attendance certificate (« attestation de présence ») of a participant who came."""
import io

from flask import current_app
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from ..models import Registration
from ..templating import french_date, french_time
from ..timeutil import to_local
from .badge import BOLD, REGULAR

BLUE = HexColor("#1f4e8c")
INK = HexColor("#1d2430")
MARGIN = 25 * mm


def statement(registration: Registration) -> str:
    village = registration.village
    who = registration.full_name
    if registration.structure:
        who += f" ({registration.structure})"
    return (
        f"{current_app.config['ORGANISER_NAME']} atteste que {who} a participé, en qualité de "
        f"« {registration.role_label} », au {village.name}, qui s'est tenu le {french_date(village.day)}, "
        f"de {french_time(village.starts_at)} à {french_time(village.ends_at)}, {village.venue}, "
        f"{village.address}."
    )


def certificate_pdf(registration: Registration) -> bytes:
    width, height = A4
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"Attestation de présence – {registration.full_name}")
    canvas.setAuthor(current_app.config["ORGANISER_NAME"])
    canvas.setFillColor(BLUE)
    canvas.setFont(BOLD, 12)
    canvas.drawString(MARGIN, height - MARGIN, current_app.config["ORGANISER_NAME"])
    canvas.setFont(BOLD, 24)
    canvas.drawCentredString(width / 2, height - MARGIN - 40 * mm, "Attestation de présence")
    canvas.setFillColor(INK)
    canvas.setFont(REGULAR, 12)
    y = height - MARGIN - 65 * mm
    for line in simpleSplit(statement(registration), REGULAR, 12, width - 2 * MARGIN):
        canvas.drawString(MARGIN, y, line)
        y -= 18
    if registration.checked_in_at:
        y -= 10
        canvas.drawString(MARGIN, y, f"Accueil enregistré à {french_time(to_local(registration.checked_in_at).time())}.")
    y -= 30
    canvas.drawString(MARGIN, y, "Attestation délivrée pour servir et valoir ce que de droit.")
    canvas.drawString(width / 2, y - 40, f"À {registration.village.town}, le {french_date(registration.village.day)}")
    canvas.drawString(width / 2, y - 58, f"Pour {current_app.config['ORGANISER_NAME']}")
    canvas.setFont(REGULAR, 8)
    canvas.drawString(MARGIN, 15 * mm, f"Référence de l'inscription : {registration.id}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
