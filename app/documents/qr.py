"""QR codes: as PNG images (e-mails, web pages) and as a grid of modules (vector PDFs)."""
import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def _qr_code(text: str) -> qrcode.QRCode:
    """A QR code of `text`: medium error correction (a crease or a smudge on a badge is
    tolerated) and the standard four-module quiet zone that phone scanners need."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(text)
    code.make(fit=True)
    return code


def qr_png(text: str) -> bytes:
    buffer = io.BytesIO()
    _qr_code(text).make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_modules(text: str) -> list[list[bool]]:
    """The QR code of `text` as rows of modules, quiet zone included; True is a dark module."""
    return _qr_code(text).get_matrix()
