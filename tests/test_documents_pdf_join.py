"""A long PDF written part after part (app/documents/pdf_join.py)."""
import io

import pypdfium2
from pypdf import PdfReader
from reportlab.lib.pagesizes import A6

from app.documents.badge import BOLD, REGULAR
from app.documents.pdf_join import PdfParts


def joined(*parts: list[str]) -> bytes:
    """A PDF of one page per text, drawn in the given parts."""
    output = io.BytesIO()
    document = PdfParts(output, "Badges – Village d’Apt", pagesize=A6)
    for texts in parts:
        with document.part() as canvas:
            for text in texts:
                canvas.setFont(BOLD, 14)
                canvas.drawString(20, 200, text)
                canvas.setFont(REGULAR, 9)
                canvas.drawString(20, 100, "Village d’Apt")
                canvas.showPage()
    document.close()
    return output.getvalue()


def test_pages_of_every_part_follow_each_other_in_one_valid_document():
    pdf = joined(["Première"], ["Deuxième", "Troisième"], ["Quatrième"])

    reader = PdfReader(io.BytesIO(pdf), strict=True)
    assert [page.extract_text().splitlines()[0] for page in reader.pages] == [
        "Première", "Deuxième", "Troisième", "Quatrième"
    ]
    assert reader.metadata.title == "Badges – Village d’Apt"
    assert len(pypdfium2.PdfDocument(pdf)) == 4


def test_each_part_keeps_the_letters_of_its_own_font_subsets():
    pdf = joined(["Łukasz"], ["Ștefănescu"], ["Ægir Ørsted"])

    texts = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert "Łukasz" in texts[0] and "Ștefănescu" in texts[1] and "Ægir Ørsted" in texts[2]


def test_font_subsets_of_different_parts_have_different_names():
    reader = PdfReader(io.BytesIO(joined(["Łukasz"], ["Ștefănescu"])))

    names = [
        font["/BaseFont"]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].get_object().values()
        if "+" in font["/BaseFont"]
    ]
    assert len(names) >= 4 and len(set(names)) == len(names)
