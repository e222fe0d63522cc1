"""QR codes: as PNG images (e-mails, web pages) and as one bit per module (PDF image masks)."""
from __future__ import annotations

import io
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

# Quiet zone around the code, in modules: the four that phone scanners need.
QUIET_ZONE = 4
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
    def _symbol(self) -> Image.Image:
        """The modules without the quiet zone, one pixel each: black is dark."""
        import zxingcpp
        from PIL import Image

        code = zxingcpp.create_barcode(self.text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
        pixels = memoryview(code.to_image(scale=1, add_quiet_zones=False))
        side = pixels.shape[0]
        return Image.frombytes("L", (side, side), pixels.tobytes()).convert("1", dither=Image.Dither.NONE)

    @property
    def modules(self) -> int:
        """Modules on a side, without the quiet zone."""
        return self._symbol.width

    @property
    def side(self) -> int:
        """Modules on a side, quiet zone included."""
        return self.modules + 2 * QUIET_ZONE

    @property
    def bitmap(self) -> bytes:
        """One bit per module, rows from the top each padded to a whole byte: 0 is dark."""
        return self._symbol.tobytes()

    def png(self) -> bytes:
        from PIL import Image, ImageOps

        # One pixel per module, scaled up without blurring.
        image = ImageOps.expand(self._symbol, QUIET_ZONE, fill=1)
        image = image.resize((self.side * PNG_MODULE_PIXELS,) * 2, Image.Resampling.NEAREST)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=False)
        return buffer.getvalue()


def qr_png(text: str) -> bytes:
    return QrCode(text).png()
