"""QR codes: as PNG images (e-mails, web pages) and as a grid of modules (vector PDFs)."""
from __future__ import annotations

import io
import re
from functools import cached_property

# Quiet zone around the code, in modules: the four that phone scanners need.
QUIET_ZONE = 4
DARK_RUN = re.compile(b"\x00+")
# Pixels per module in the PNG: a 25-module code is 330 pixels wide with its quiet zone.
PNG_MODULE_PIXELS = 10


class QrCode:
    """The QR code of `text`, computed once and drawn as many times as needed.

    Medium error correction (a crease or a smudge on a badge is tolerated) and the
    standard four-module quiet zone. Written by zxing-cpp, whose C++ encoder takes a
    quarter of a millisecond where the pure-Python `qrcode` took one (a sheet of 5,000
    badges spent half its time there).
    """

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def _pixels(self) -> tuple[int, bytes]:
        """The side in modules, and one byte per module: 0 is dark, 255 light."""
        import zxingcpp

        code = zxingcpp.create_barcode(self.text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
        image = memoryview(code.to_image(scale=1, add_quiet_zones=False))
        side = image.shape[0] + 2 * QUIET_ZONE
        light_band = b"\xff" * side * QUIET_ZONE
        margin = b"\xff" * QUIET_ZONE
        rows = image.tobytes()
        inner = image.shape[1]
        body = b"".join(margin + rows[i:i + inner] + margin for i in range(0, len(rows), inner))
        return side, light_band + body + light_band

    @property
    def side(self) -> int:
        """Modules on a side, quiet zone included."""
        return self._pixels[0]

    @cached_property
    def dark_runs(self) -> list[tuple[int, int, int]]:
        """(row, first column, length) of each run of dark modules, rows from the top."""
        side, pixels = self._pixels
        return [
            (row, run.start() - row * side, run.end() - run.start())
            for row in range(side)
            for run in DARK_RUN.finditer(pixels, row * side, (row + 1) * side)
        ]

    def png(self) -> bytes:
        from PIL import Image

        side, pixels = self._pixels
        # One byte per module, scaled up without blurring.
        image = Image.frombytes("L", (side, side), pixels).convert("1")
        image = image.resize((side * PNG_MODULE_PIXELS,) * 2, Image.Resampling.NEAREST)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=False)
        return buffer.getvalue()


def qr_png(text: str) -> bytes:
    return QrCode(text).png()
