"""Text cut into lines for a PDF as French typography wants it, and paragraphs that keep it.

reportlab's simpleSplit breaks at any space, non-breaking ones too: « 9 h » or « atteste qu'Élodie
Lefèvre » could be split where the text says it must not be. Here lines break only at ordinary
spaces; a word wider than the line (a long address) is split by reportlab as a last resort.
"""
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from ..templating import html_typography, typography


def split_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """`text`, with French typography, in lines no wider than `width`."""
    lines: list[str] = []
    current = ""
    for word in typography(text).split(" "):
        candidate = f"{current} {word}" if current else word
        if stringWidth(candidate, font, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        if stringWidth(word, font, size) <= width:
            current = word
        else:
            *whole, current = simpleSplit(word, font, size, width) or [word]
            lines.extend(whole)
    if current:
        lines.append(current)
    return lines


def french_paragraph(markup: str, style: ParagraphStyle) -> Paragraph:
    """A reportlab paragraph (its small markup, the text in it escaped) with French typography:
    its lines, unlike simpleSplit's, never break at a non-breaking space (« masqué », 9 h)."""
    return Paragraph(html_typography(markup), style)
