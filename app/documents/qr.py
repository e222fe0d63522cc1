"""QR codes as PNG images."""
import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def qr_png(text: str) -> bytes:
    """A QR code of `text`: medium error correction (a crease or a smudge on a badge is
    tolerated) and the standard four-module quiet zone that phone scanners need."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()
