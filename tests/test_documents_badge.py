import io
from datetime import date

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from app.documents.badge import badge_pdf, draw_badge
from app.documents.qr import qr_png
from app.models import Role
from tests.factories import make_registration, make_village, present_initiative
from tests.fixtures_maildocs import pdf_text, qr_codes, qr_codes_in_pdf


def test_qr_png_reads_back_as_the_text():
    assert qr_codes(qr_png("b4dg3_C0de-xyz")) == ["b4dg3_C0de-xyz"]


@pytest.mark.parametrize("text_of", [lambda n: f"{n:05d}", lambda n: f"badge-{n:05d}-{n * 7919:024x}"],
                         ids=["digits", "badge-code"])
def test_qr_codes_of_one_length_read_back_as_their_texts_however_many_are_written(text_of):
    # Past as many codes as their length has bits, codes of that length come from an encoder of its own.
    bits = 8 * len(text_of(0))
    for n in range(bits - 2):
        qr_png(text_of(n))
    for n in range(bits - 2, bits + 40):
        assert qr_codes(qr_png(text_of(n))) == [text_of(n)]


def test_badge_is_one_page_with_name_role_organisation_village_date_and_town(app):
    village = make_village(name="Village des initiatives solidaires – Sisteron", town="Sisteron",
                           day=date(2030, 12, 21))
    registration = make_registration(village, first_name="Éloïse", last_name="Œuvray d’Estienne",
                                     role=Role.ELU, collectivity="Communauté de communes Sisteronais-Buëch")
    pdf = badge_pdf(registration)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    text = pdf_text(pdf)
    for expected in ("Éloïse", "Œuvray d’Estienne", "Élu local", "Sisteronais-Buëch",
                     "Village des initiatives solidaires", "samedi 21 décembre 2030", "Sisteron"):
        assert expected in text


@pytest.mark.parametrize("civility, role", [
    ("madame", "Élue locale"), ("monsieur", "Élu local"), (None, "Élu local ou élue locale"),
])
def test_badge_gives_the_role_as_the_person_asked_to_be_addressed(app, civility, role):
    registration = make_registration(make_village(), role=Role.ELU, civility=civility)
    assert f"\n{role}\n" in pdf_text(badge_pdf(registration))


def test_badge_qr_code_holds_the_badge_code_and_nothing_else(app):
    registration = make_registration(make_village())
    assert qr_codes_in_pdf(badge_pdf(registration)) == [registration.badge_code]


def test_names_beyond_latin_1_are_printed_not_replaced_by_boxes(app):
    registration = make_registration(make_village(), first_name="Łukasz", last_name="Ștefănescu")
    text = pdf_text(badge_pdf(registration))
    assert "Łukasz" in text and "Ștefănescu" in text


def test_a_very_long_name_stays_on_the_badge(app):
    registration = make_registration(
        make_village(), first_name="Marie-Bernadette-Jeanne", last_name="de La Tour d’Auvergne-Lauraguais"
    )
    text = pdf_text(badge_pdf(registration))
    assert "Marie-Bernadette-Jeanne" in text and "Auvergne-Lauraguais" in text


def test_draw_badge_fills_a_sheet_of_eight_readable_badges(app):
    village = make_village()
    registrations = [make_registration(village) for _ in range(8)]
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    width, height = A4[0] / 2, A4[1] / 4
    for index, registration in enumerate(registrations):
        draw_badge(canvas, registration, (index % 2) * width, (index // 2) * height, width, height)
    canvas.save()
    assert sorted(qr_codes_in_pdf(buffer.getvalue())) == sorted(r.badge_code for r in registrations)
    assert all(r.last_name in pdf_text(buffer.getvalue()) for r in registrations)


def test_a_porteur_s_badge_shows_the_initiative_presented(app):
    registration = make_registration(make_village(), role=Role.PORTEUR)
    present_initiative(registration, name="Ressourcerie du Buëch")
    assert "« Ressourcerie du Buëch »" in pdf_text(badge_pdf(registration))


def test_a_name_shrunk_to_fit_its_line_is_printed_whole_whatever_the_badge_s_width(app):
    # At the size found to fill the line exactly, a name can measure a rounding error too
    # wide: it was then cut (« Bourgeois-Delacr… ») though it fitted.
    registration = make_registration(make_village(), first_name="Marie-Bernadette", last_name="Bourgeois-Delacroix")
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    widths = range(200, 260)
    for width in widths:
        draw_badge(canvas, registration, 0, 0, width, 1.4 * width)
        canvas.showPage()
    canvas.save()
    text = pdf_text(buffer.getvalue())
    assert "…" not in text
    assert text.count("Marie-Bernadette") == text.count("Bourgeois-Delacroix") == len(widths)


def test_an_initiative_name_on_two_lines_keeps_its_closing_quote_beside_a_word(app):
    # The names of the person and the village set the size of the lines: fixed, so that the
    # initiative's name fits on one line, but not with its closing quote.
    village = make_village(name="Village des initiatives solidaires – Sisteron", town="Sisteron")
    registration = make_registration(village, role=Role.PORTEUR, first_name="Camille", last_name="Martin")
    present_initiative(registration, name="Réveillon solidaire des Hautes-Alpes")
    lines = [line.strip() for line in pdf_text(badge_pdf(registration)).splitlines()]
    assert "»" not in lines
    assert "Hautes-Alpes »" in lines
