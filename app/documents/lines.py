"""Text cut into lines for a PDF as French typography wants it.

reportlab's simpleSplit breaks at any space, non-breaking ones too: « 9 h » or « atteste qu'Élodie
Lefèvre » could be split where the text says it must not be. Here lines break only at ordinary
spaces; a word wider than the line (a long address) is split by reportlab as a last resort.
"""
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from ..templating import typography


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
