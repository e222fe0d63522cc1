"""QR codes: as PNG images (e-mails, web pages) and as vector squares (PDF paths)."""
from __future__ import annotations

import io
import re
from functools import cached_property

# Quiet zone around the code, in modules: the four that phone scanners need.
QUIET_ZONE = 4
# Pixels per module in the PNG: a 25-module code is 330 pixels wide with its quiet zone.
PNG_MODULE_PIXELS = 10
# The mask pattern, chosen once rather than by scoring all eight on each code (most of the
# encoder's time). Any of the eight is valid: a reader takes the mask from the code itself.
MASK_PATTERN = 2
# The smallest version (size) that holds a text of so many bytes: found once per length rather
# than by fitting each code (badge codes all have the same length).
_versions: dict[int, int] = {}
# A run of dark modules in a row written as bytes (True is 1).
_DARK_RUN = re.compile(b"\x01+")


class QrCode:
    """The QR code of `text`, computed once and drawn as many times as needed.

    Written by `qrcode` (the design card's library) with medium error correction (a crease or a
    smudge on a badge is tolerated), a fixed mask pattern, and the standard four-module quiet zone.
    """

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def _matrix(self) -> list[list[bool]]:
        """The modules without the quiet zone, row after row from the top: True is dark."""
        import qrcode
        from qrcode.constants import ERROR_CORRECT_M

        data = self.text.encode()
        version = _versions.get(len(data))
        code = qrcode.QRCode(version=version, error_correction=ERROR_CORRECT_M, border=0, mask_pattern=MASK_PATTERN)
        code.add_data(data, optimize=0)  # one segment in byte mode: its size depends on the length only
        code.make(fit=version is None)
        _versions[len(data)] = code.version
        return code.modules

    @property
    def modules(self) -> int:
        """Modules on a side, without the quiet zone."""
        return len(self._matrix)

    @property
    def side(self) -> int:
        """Modules on a side, quiet zone included."""
        return self.modules + 2 * QUIET_ZONE

    def pdf_path(self) -> str:
        """The dark modules as one PDF path in module units, rows counted down from the top left:
        a rectangle for each run of dark modules of a row, all filled at once (no seam between
        neighbours)."""
        rectangles = []
        for row, modules in enumerate(self._matrix):
            for run in _DARK_RUN.finditer(bytes(modules)):
                start = run.start()
                rectangles.append(f"{start} {row} {run.end() - start} 1 re")
        rectangles.append("f")
        return " ".join(rectangles)

    def png(self) -> bytes:
        from PIL import Image, ImageOps

        # One pixel per module, scaled up without blurring.
        pixels = bytes(0 if dark else 255 for modules in self._matrix for dark in modules)
        image = Image.frombytes("L", (self.modules, self.modules), pixels).convert("1", dither=Image.Dither.NONE)
        image = ImageOps.expand(image, QUIET_ZONE, fill=1)
        image = image.resize((self.side * PNG_MODULE_PIXELS,) * 2, Image.Resampling.NEAREST)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=False)
        return buffer.getvalue()


def qr_png(text: str) -> bytes:
    return QrCode(text).png()
