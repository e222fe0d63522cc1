"""The « livret des initiatives » of a village: an A5 booklet, one block per initiative
published publicly and presented there, with a QR code to its page."""
from __future__ import annotations

import io
from typing import BinaryIO
from xml.sax.saxutils import escape

from flask import current_app
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, KeepTogether, SimpleDocTemplate, Spacer, Table, TableStyle

from ..extensions import db
from ..models import Initiative, InitiativePresentation, InitiativeVersion, Village
from ..templating import french_date, labels
from .badge import BOLD, INK, MUTED, REGULAR
from .lines import french_paragraph
from .qr import qr_png

ACCENT = HexColor("#0b5d4b")
TITLE = ParagraphStyle("title", fontName=BOLD, fontSize=16, leading=20, textColor=ACCENT, spaceAfter=4)
SUBTITLE = ParagraphStyle("subtitle", fontName=REGULAR, fontSize=10, leading=13, textColor=MUTED, spaceAfter=10)
NAME = ParagraphStyle("name", fontName=BOLD, fontSize=12, leading=15, textColor=INK, spaceAfter=2)
FACTS = ParagraphStyle("facts", fontName=REGULAR, fontSize=8.5, leading=11, textColor=MUTED, spaceAfter=3)
BODY = ParagraphStyle("body", fontName=REGULAR, fontSize=9, leading=12, textColor=INK, spaceAfter=2)
SUMMARY_SHOWN = 450  # characters: two or three blocks to an A5 page


def _shortened(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= SUMMARY_SHOWN else text[:SUMMARY_SHOWN].rsplit(" ", 1)[0] + " …"


def _block(initiative, version) -> KeepTogether:
    url = f"{current_app.config['PUBLIC_URL'].rstrip('/')}/initiatives/{initiative.slug}"
    facts = " · ".join(filter(None, (version.structure, version.territory_label, version.stage_label)))
    text = [french_paragraph(escape(version.name), NAME)]
    if facts:
        text.append(french_paragraph(escape(facts), FACTS))
    if version.thematique_labels:
        text.append(french_paragraph("<b>Thèmes :</b> " + escape(labels(version.thematique_labels)), BODY))
    if version.public_labels:
        text.append(french_paragraph("<b>Public :</b> " + escape(labels(version.public_labels)), BODY))
    text.append(french_paragraph(escape(_shortened(version.summary)), BODY))
    if version.support_labels:
        text.append(french_paragraph("<b>Besoins d'appui :</b> " + escape(labels(version.support_labels)), BODY))
    if version.sharing_labels:
        text.append(french_paragraph("<b>Peut partager :</b> " + escape(labels(version.sharing_labels)), BODY))
    if initiative.show_holder_contact:
        text.append(french_paragraph(f"<b>Contact :</b> {escape(initiative.holder_name)}, {escape(initiative.holder_email)}",
                              BODY))
    qr = Image(io.BytesIO(qr_png(url)), width=24 * mm, height=24 * mm)
    table = Table([[text, qr]], colWidths=[None, 26 * mm])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, HexColor("#c9c3b6")),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
        ("LEFTPADDING", (0, 0), (0, -1), 0),
    ]))
    return KeepTogether([table, Spacer(1, 4 * mm)])


def write_livret(village: Village, output: BinaryIO) -> None:
    published = db.session.execute(
        Initiative.shown_versions().where(Initiative.presentations.any(InitiativePresentation.village_id == village.id))
        .order_by(InitiativeVersion.name, Initiative.id)
    ).all()
    document = SimpleDocTemplate(
        output, pagesize=A5, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm, bottomMargin=14 * mm,
        title=f"Livret des initiatives – {village.name}", author=current_app.config["ORGANISER_NAME"],
    )
    story = [
        french_paragraph("Livret des initiatives", TITLE),
        french_paragraph(escape(f"{village.name} – {french_date(village.day)} – {village.venue}, {village.town}"), SUBTITLE),
    ]
    if not published:
        story.append(french_paragraph("Aucune initiative n'est encore publiée pour ce village.", BODY))
    story += [_block(initiative, version) for initiative, version in published]

    def footer(canvas, doc):
        canvas.setFont(REGULAR, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(12 * mm, 7 * mm, f"Livret des initiatives – {village.town}")
        canvas.drawRightString(A5[0] - 12 * mm, 7 * mm, f"Page {doc.page}")

    document.build(story, onFirstPage=footer, onLaterPages=footer)
