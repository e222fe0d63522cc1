"""QR codes: as PNG images (e-mails, web pages) and as a grid of modules (vector PDFs)."""
from __future__ import annotations

import io
from functools import cached_property

# Any of the eight mask patterns gives a code every scanner reads; letting the library
# try all eight to keep the "best" one took 90 % of the time of a QR code.
MASK_PATTERN = 0
# Pixels per module in the PNG: a 25-module code is 330 pixels wide with its quiet zone.
PNG_MODULE_PIXELS = 10


class QrCode:
    """The QR code of `text`, computed once and drawn as many times as needed.

    Medium error correction (a crease or a smudge on a badge is tolerated) and the
    standard four-module quiet zone that phone scanners need.
    """

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def modules(self) -> list[list[bool]]:
        """Rows of modules, quiet zone included; True is a dark module."""
        import qrcode
        from qrcode.constants import ERROR_CORRECT_M

        code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, mask_pattern=MASK_PATTERN)
        code.add_data(self.text)
        code.make(fit=True)
        return code.get_matrix()

    def png(self) -> bytes:
        from PIL import Image

        side = len(self.modules)
        # One byte per module (black 0, white 255), then scaled up without blurring.
        pixels = bytes(0 if dark else 255 for row in self.modules for dark in row)
        image = Image.frombytes("L", (side, side), pixels).convert("1")
        image = image.resize((side * PNG_MODULE_PIXELS,) * 2, Image.Resampling.NEAREST)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=False)
        return buffer.getvalue()


def qr_png(text: str) -> bytes:
    return QrCode(text).png()


def qr_modules(text: str) -> list[list[bool]]:
    return QrCode(text).modules
