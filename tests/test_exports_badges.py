"""The A4 sheets of badges printed before the day."""
import io

import pytest
from pypdf import PdfReader

from app.documents.exports import FORMATS, badges
from tests.factories import make_registration, make_village
from tests.fixtures_maildocs import qr_codes_in_pdf


def badge_sheets_pdf(village) -> bytes:
    output = io.BytesIO()
    FORMATS["badges"].write(village, output)
    return output.getvalue()


def badge_sheets(village) -> PdfReader:
    return PdfReader(io.BytesIO(badge_sheets_pdf(village)), strict=True)


@pytest.mark.parametrize(("participants", "pages"), [(0, 1), (8, 1), (9, 2), (17, 3)])
def test_puts_eight_badges_on_each_page(app, participants, pages):
    village = make_village()
    for _ in range(participants):
        make_registration(village)

    sheets = badge_sheets(village)

    assert len(sheets.pages) == pages
    assert f"planche {pages} / {pages}" in sheets.pages[-1].extract_text()


def test_prints_confirmed_participants_and_walk_ins_in_last_name_order(export_village):
    text = badge_sheets(export_village).pages[0].extract_text()

    positions = [text.find(name) for name in ("Abadie", "Durand", "Élan", "Zidane")]
    assert -1 not in positions
    assert positions == sorted(positions)
    assert "Bernard" not in text and "Caron" not in text


def test_fills_pages_in_order(app):
    village = make_village()
    for n in range(10):
        make_registration(village, last_name=f"Participant{n:02d}")

    first, second = (page.extract_text() for page in badge_sheets(village).pages)

    assert all(f"Participant{n:02d}" in first for n in range(8))
    assert "Participant08" in second and "Participant09" in second


def test_the_badge_sheets_download_from_the_back_office(organiser_client, export_village, prepared_export):
    response = prepared_export(organiser_client, export_village, "badges")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith("avignon-badges.pdf")
    assert "Zidane" in PdfReader(io.BytesIO(response.get_data())).pages[0].extract_text()


def test_every_badge_scans_as_its_participant(app):
    village = make_village()
    registrations = [make_registration(village, last_name=f"Participant{n:02d}") for n in range(9)]

    assert sorted(qr_codes_in_pdf(badge_sheets_pdf(village))) == sorted(r.badge_code for r in registrations)


def test_sheets_drawn_in_several_parts_make_one_document(app, monkeypatch):
    monkeypatch.setattr(badges, "PAGES_PER_PART", 2)
    village = make_village()
    for n in range(40):
        make_registration(village, last_name=f"Participant{n:02d}")

    pages = badge_sheets(village).pages

    assert len(pages) == 5
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert f"planche {number} / 5" in text
        assert all(f"Participant{n:02d}" in text for n in range((number - 1) * 8, number * 8))
