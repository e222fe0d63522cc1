"""A participant's meetings on one A4 page, and the sheet of each table for the venue."""
from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..models import Meeting, MeetingTable, Registration, Village
from ..templating import french_date, french_time
from .badge import BOLD, INK, MUTED, REGULAR
from .lines import french_paragraph

TITLE = ParagraphStyle("title", fontName=BOLD, fontSize=16, leading=20, textColor=INK, spaceAfter=4)
SUBTITLE = ParagraphStyle("subtitle", fontName=REGULAR, fontSize=10, leading=13, textColor=MUTED, spaceAfter=8)
CELL = ParagraphStyle("cell", fontName=REGULAR, fontSize=10, leading=13, textColor=INK)
CELL_BOLD = ParagraphStyle("cell_bold", parent=CELL, fontName=BOLD)
NOTE = ParagraphStyle("note", fontName=REGULAR, fontSize=9, leading=12, textColor=MUTED, spaceBefore=8)
GRID = TableStyle([
    ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#b8bfc9")),
    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9efe9")),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("TOPPADDING", (0, 0), (-1, -1), 5),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
])


def agenda_pdf(registration: Registration, meetings: list[Meeting]) -> bytes:
    """One page: when, where (table) and whom the person meets (`meetings`, their agenda), and why."""
    village = registration.village
    rows = [[_p("Heure", CELL_BOLD), _p("Table", CELL_BOLD), _p("Avec", CELL_BOLD), _p("Pourquoi", CELL_BOLD)]]
    for meeting in meetings:
        other = meeting.other(registration)
        rows.append([
            _p(_when(meeting)), _p(meeting.table.name if meeting.table else "–"),
            _p(f"<b>{_escape(other.full_name)}</b><br/>{_escape(other.structure)}<br/>{_escape(other.role_label)}"),
            _p(_escape(_intent(meeting, registration))),
        ])
    story = [
        _p(f"Mes rendez-vous – {_escape(registration.full_name)}", TITLE),
        _p(f"{_escape(village.name)}, {french_date(village.day)}<br/>{_escape(village.venue)}, "
           f"{_escape(village.address)}", SUBTITLE),
    ]
    if len(rows) == 1:
        story.append(_p("Aucun rendez-vous pour l'instant.", CELL))
    else:
        story.append(Table(rows, colWidths=[28 * mm, 24 * mm, 70 * mm, 58 * mm], style=GRID, repeatRows=1))
    story.append(_p("Rendez-vous « sans horaire » : les organisateurs n'ont pas pu leur trouver de créneau ; "
                    "retrouvez-vous librement pendant la journée. L'espace de rendez-vous est indiqué à l'accueil.",
                    NOTE))
    return _build(story, f"Mes rendez-vous – {registration.full_name}", village)


def table_sheets_pdf(village: Village, tables: list[MeetingTable], meetings: list[Meeting]) -> bytes:
    """One page per table: its meetings in time order, to post on the table."""
    story = []
    for table in tables:
        placed = sorted((m for m in meetings if m.table_id == table.id and m.starts_at), key=lambda m: m.starts_at)
        rows = [[_p("Heure", CELL_BOLD), _p("Personne", CELL_BOLD), _p("Personne", CELL_BOLD)]]
        for meeting in placed:
            rows.append([_p(_when(meeting))] + [
                _p(f"<b>{_escape(person.full_name)}</b><br/>{_escape(person.structure)}") for person in meeting.people
            ])
        story += [
            _p(f"{_escape(table.name)} – rendez-vous", TITLE),
            _p(f"{_escape(village.name)}, {french_date(village.day)}", SUBTITLE),
            Table(rows, colWidths=[30 * mm, 75 * mm, 75 * mm], style=GRID, repeatRows=1)
            if placed else _p("Aucun rendez-vous à cette table.", CELL),
            PageBreak(),
        ]
    if not story:
        story = [_p("Aucune table n'est définie pour ce village.", CELL)]
    return _build(story[:-1] if story[-1].__class__ is PageBreak else story,
                  f"Tables de rendez-vous – {village.name}", village)


def _build(story: list, title: str, village: Village) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                                 topMargin=15 * mm, bottomMargin=15 * mm, title=title, author=village.name)
    document.build([Spacer(0, 0)] + story)
    return buffer.getvalue()


def _when(meeting: Meeting) -> str:
    if meeting.starts_at is None:
        return "Sans horaire"
    return f"{french_time(meeting.starts_at)} – {french_time(meeting.ends_at)}"


def _intent(meeting: Meeting, reader: Registration) -> str:
    """Why the meeting, from the reader's side (« Inès Marchal cherche un appui »)."""
    from ..models.matching import intent_sentence

    if meeting.request is None:
        return "Rendez-vous proposé par les organisateurs"
    return intent_sentence(meeting.intent, meeting.request.requester, reader)


def _p(text: str, style: ParagraphStyle = CELL) -> Paragraph:
    return french_paragraph(text, style)


def _escape(text: str | None) -> str:
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
