"""Every PDF the product writes, on the demo's data, read back with pdfium: no text running outside
the page or into its last few millimetres, no word broken across two lines (« Annulation / s »),
no text printed too small to read on paper, and no label cut short with « … » (« Rendez-vous dont
le déroulement est… »).

The documents are those of app/documents: the per-village exports of FORMATS that are PDFs, and
every function named *_pdf or write_pdf; a new one makes test_every_pdf_writer_is_checked fail
until it is added to WRITERS.
"""
from __future__ import annotations

import ctypes
import importlib
import io
import math
import pkgutil
import re
from datetime import datetime, time
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from sqlalchemy import select

import app.documents
from app.documents import agenda, badge, certificate, observatory as observatory_pdf, report as report_pdf
from app.documents.exports import FORMATS
from app.extensions import db
from app.models import Meeting, Registration, RegistrationStatus, Village
from app.demo import data as demo_data, matching as demo_matching, past as demo_past
from app.services import meeting_area, observatory, report, scheduling
from app.text import fold

ROOT = Path(__file__).resolve().parent.parent
# Nothing printed closer to the edge than this (points): printers cut about 4 mm.
EDGE = 4 / 25.4 * 72
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
# In the documents of figures (the reports and the observatory: charts and tables), nothing is
# printed smaller than this (points, as drawn on the page, a chart scaled down included). Badges and
# the livret keep their small print for page numbers and fitted names.
SMALLEST_PRINT = 8
FIGURES_DOCUMENTS = ("report.", "observatory.")
# A word followed by « … »: a text cut short, unless the product wrote it so (« élu… »).
CUT_SHORT = re.compile(r"[^\W\d_]+…", re.UNICODE)


def demo() -> dict:
    for load in (demo_data.load, demo_data.load_initiatives, demo_matching.load, demo_past.load):
        load()
    avignon = db.session.scalar(select(Village).where(Village.slug == "avignon"))
    past = db.session.scalar(select(Village).where(Village.slug == demo_past.SLUG))
    came = db.session.scalar(select(Registration).where(
        Registration.village_id == past.id, Registration.checked_in_at.is_not(None)).order_by(Registration.id))
    return {"avignon": avignon, "past": past, "came": came, "arras": held_at_arras()}


def held_at_arras() -> Village:
    """The demo's Arras village as if it had taken place: its people, from the Pas-de-Calais, came.
    With Manosque's, from the Alpes-de-Haute-Provence, they make a report of two regions."""
    arras = db.session.scalar(select(Village).where(Village.slug == "arras"))
    for registration in db.session.scalars(select(Registration).where(
            Registration.village_id == arras.id, Registration.status == RegistrationStatus.CONFIRMED)):
        registration.checked_in_at = datetime.combine(arras.day, time(8, 20))
    db.session.commit()
    return arras


def written(writer, *args) -> bytes:
    out = io.BytesIO()
    writer(*args, out)
    return out.getvalue()


# name -> how to write it from the demo (returns the PDF's bytes).
WRITERS = {
    "badge.badge_pdf": lambda d: badge.badge_pdf(d["came"]),
    "certificate.certificate_pdf": lambda d: certificate.certificate_pdf(d["came"]),
    "agenda.agenda_pdf": lambda d: agenda.agenda_pdf(d["came"], list(db.session.scalars(Meeting.agenda_of(d["came"])))),
    "agenda.table_sheets_pdf": lambda d: agenda.table_sheets_pdf(
        d["past"], meeting_area.tables(d["past"]), scheduling.active_meetings(d["past"])),
    "report.write_pdf": lambda d: written(report_pdf.write_pdf, report.build([d["past"]])),
    "report.write_pdf (consolidé, à diffuser)": lambda d: written(
        report_pdf.write_pdf, report.build([d["past"], d["avignon"]], for_outsiders=True)),
    # A bar per commune of every village: a chart taller than a page still fits one.
    "report.write_pdf (tous les villages)": lambda d: written(
        report_pdf.write_pdf, report.build(list(db.session.scalars(select(Village).order_by(Village.day))))),
    "report.write_pdf (deux régions)": lambda d: written(report_pdf.write_pdf, report.build([d["past"], d["arras"]])),
    "report.write_pdf (deux régions, à diffuser)": lambda d: written(
        report_pdf.write_pdf, report.build([d["past"], d["arras"]], for_outsiders=True)),
    "observatory.write_pdf": lambda d: written(observatory_pdf.write_pdf, observatory.build(observatory.period())),
    **{f"export {name}": (lambda d, export=export: written(export.write, d["past"]))
       for name, export in FORMATS.items() if export.mimetype == "application/pdf"},
}


def sources() -> list[str]:
    """The texts the product writes from: its sources, templates and demo texts."""
    return [path.read_text(encoding="utf-8")
            for path in [*ROOT.glob("app/**/*.py"), *ROOT.glob("templates/**/*.html"), *ROOT.glob("app/demo/*.json")]]


def vocabulary() -> set[str]:
    """The words the product writes, and the words it writes followed by « … » (« élu… »)."""
    words = set()
    for text in sources():
        words |= {fold(word) for word in WORD.findall(text)} | {fold(cut) for cut in CUT_SHORT.findall(text)}
    return words


def printed_sizes(page) -> list[tuple[float, str]]:
    """(size in points as printed, character) of each visible character of the page."""
    text = page.get_textpage()
    sizes = []
    for index in range(text.count_chars()):
        character = chr(pdfium_c.FPDFText_GetUnicode(text.raw, index))
        if not character.strip():
            continue
        matrix = pdfium_c.FS_MATRIX()
        pdfium_c.FPDFText_GetMatrix(text.raw, index, ctypes.byref(matrix))
        scale = math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
        sizes.append((pdfium_c.FPDFText_GetFontSize(text.raw, index) * scale, character))
    return sizes


def lines_of(page) -> list[tuple[float, float, float, float, str]]:
    """(left, bottom, right, top, text) of each run of text on the page."""
    text = page.get_textpage()
    found = []
    for index in range(text.count_rects()):
        left, bottom, right, top = text.get_rect(index)
        found.append((left, bottom, right, top, text.get_text_bounded(left, bottom, right, top).strip()))
    return found


def problems(name: str, pdf: bytes, words: set[str]) -> list[str]:
    found = []
    document = pdfium.PdfDocument(pdf)
    for number, page in enumerate(document, start=1):
        width, height = page.get_size()
        lines = [line for line in lines_of(page) if line[4]]
        small = "".join(character for size, character in printed_sizes(page) if size < SMALLEST_PRINT - 0.05)
        if small and name.startswith(FIGURES_DOCUMENTS):
            found.append(f"{name}, page {number} : texte imprimé à moins de {SMALLEST_PRINT} points « {small[:60]} »")
        for left, bottom, right, top, text in lines:
            if left < EDGE or bottom < EDGE or right > width - EDGE or top > height - EDGE:
                found.append(f"{name}, page {number} : texte hors de la page ou à moins de 4 mm du bord "
                             f"« {text[:60]} » ({left:.0f}, {bottom:.0f}, {right:.0f}, {top:.0f} "
                             f"sur {width:.0f} × {height:.0f} pt)")
        for upper in lines:
            for lower in lines:
                line_height = upper[3] - upper[1]
                beneath = 0 <= upper[1] - lower[3] < line_height and abs(upper[0] - lower[0]) < 2
                if not beneath or not WORD.search(upper[4]) or not WORD.match(lower[4]):
                    continue
                end, start = WORD.findall(upper[4])[-1], WORD.match(lower[4]).group(0)
                if upper[4].endswith(end) and fold(end + start) in words and fold(start) not in words:
                    found.append(f"{name}, page {number} : mot coupé « {end} / {start} »")
        for _, _, _, _, text in lines:
            found += [f"{name}, page {number} : texte coupé par « … » « {text[:60]} »"
                      for cut in CUT_SHORT.findall(text) if fold(cut) not in words]
    return found


@pytest.fixture
def demo_documents(app):
    return demo()


@pytest.mark.parametrize("name", WRITERS)
def test_every_pdf_keeps_its_text_on_the_page_and_its_words_whole(demo_documents, name):
    pdf = WRITERS[name](demo_documents)
    assert pdf.startswith(b"%PDF")
    found = problems(name, pdf, vocabulary())
    assert found == [], "\n".join(found)


def test_every_pdf_writer_is_checked():
    writers = set()
    for module in pkgutil.walk_packages(app.documents.__path__, "app.documents."):
        loaded = importlib.import_module(module.name)
        writers |= {f"{module.name.rsplit('.', 1)[-1]}.{name}" for name, value in vars(loaded).items()
                    if callable(value) and getattr(value, "__module__", "") == module.name
                    and (name.endswith("_pdf") or name == "write_pdf")}
    assert writers <= {name.split(" ")[0] for name in WRITERS}, writers - set(WRITERS)


def test_the_report_map_gives_each_region_a_frame_named_by_its_departement(demo_documents):
    """Participants from the Alpes-de-Haute-Provence and the Pas-de-Calais: two frames, each named,
    rather than two specks on one map of France."""
    built = report.build([demo_documents["past"], demo_documents["arras"]])
    pdf = pdfium.PdfDocument(written(report_pdf.write_pdf, built))
    pages = [page.get_textpage().get_text_range() for page in pdf]
    start = next(n for n, text in enumerate(pages) if report_pdf.MAP_TITLE in text)
    map_text = pages[start][pages[start].index(report_pdf.MAP_TITLE):] + " ".join(pages[start + 1:start + 2])
    assert [frame.title for frame in built.communes_maps] == ["Alpes-de-Haute-Provence (04)", "Pas-de-Calais (62)"]
    assert "Alpes-de-Haute-Provence (04)" in map_text and "Pas-de-Calais (62)" in map_text
