"""QR codes: as PNG images (e-mails, web pages) and as vector squares (PDF paths)."""
from __future__ import annotations

import functools
import io
import re
from collections import Counter

# Quiet zone around the code, in modules: the four that phone scanners need.
QUIET_ZONE = 4
# Pixels per module in the PNG: a 25-module code is 330 pixels wide with its quiet zone.
PNG_MODULE_PIXELS = 10
# The mask pattern, chosen once rather than by scoring all eight on each code (most of the
# encoder's time). Any of the eight is valid: a reader takes the mask from the code itself.
MASK_PATTERN = 2
# A run of dark modules in a row ("1" is dark).
_DARK_RUN = re.compile("1+")
# Once texts of one length (in bytes) have been encoded as many times as they have bits, that
# length gets an encoder of its own (see _LinearEncoder), which costs as many encodings once:
# writing codes never costs more than twice what `qrcode` alone would, and a sheet of 5,000
# badges costs 20 times less. A single code (a link, an e-mail) does not pay for it.
_encoded_lengths: Counter[int] = Counter()
_linear_encoders: dict[int, _LinearEncoder] = {}


class QrCode:
    """The QR code of `text`, computed once and drawn as many times as needed.

    Written by `qrcode` (the design card's library) with medium error correction (a crease or a
    smudge on a badge is tolerated), a fixed mask pattern, and the standard four-module quiet zone.
    """

    def __init__(self, text: str) -> None:
        self.text = text

    @functools.cached_property
    def _matrix(self) -> tuple[str, ...]:
        """The modules without the quiet zone, row after row from the top: "1" is dark."""
        data = self.text.encode()
        encoder = _linear_encoders.get(len(data))
        if encoder is not None:
            return encoder.matrix(data)
        _encoded_lengths[len(data)] += 1
        if _encoded_lengths[len(data)] >= 8 * len(data):
            _linear_encoders[len(data)] = _LinearEncoder(len(data))
        version = _version(len(data))
        return _rows(_encoded(data, version), version)

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
            for run in _DARK_RUN.finditer(modules):
                start = run.start()
                rectangles.append(f"{start} {row} {run.end() - start} 1 re")
        rectangles.append("f")
        return " ".join(rectangles)

    def png(self) -> bytes:
        from PIL import Image, ImageOps

        # One pixel per module, scaled up without blurring.
        pixels = "".join(self._matrix).encode().translate(_PIXELS)
        image = Image.frombytes("L", (self.modules, self.modules), pixels).convert("1", dither=Image.Dither.NONE)
        image = ImageOps.expand(image, QUIET_ZONE, fill=1)
        image = image.resize((self.side * PNG_MODULE_PIXELS,) * 2, Image.Resampling.NEAREST)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=False)
        return buffer.getvalue()


# A module's pixel in the PNG: dark is black (0).
_PIXELS = bytes.maketrans(b"01", b"\xff\x00")


@functools.cache
def _version(length: int) -> int:
    """The smallest version (size) that holds a text of `length` bytes in byte mode."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M)
    code.add_data(_byte_mode(bytes(length)))
    return code.best_fit()


def _byte_mode(data: bytes):
    """`data` as one segment in byte mode, whatever its characters: its code's size and layout
    then depend on its length only (`qrcode` would write digits alone in numeric mode)."""
    from qrcode.util import MODE_8BIT_BYTE, QRData

    return QRData(data, mode=MODE_8BIT_BYTE)


def _encoded(data: bytes, version: int) -> int:
    """The modules of `data`'s code written by `qrcode`, row after row from the top left, as the
    bits of one number (the first module is the highest bit, 1 is dark)."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(version=version, error_correction=ERROR_CORRECT_M, border=0, mask_pattern=MASK_PATTERN)
    code.add_data(_byte_mode(data))
    code.make(fit=False)
    return int("".join("1" if dark else "0" for modules in code.modules for dark in modules), 2)


def _rows(modules: int, version: int) -> tuple[str, ...]:
    """The modules of a code of `version` (as _encoded gives them) row by row."""
    side = version * 4 + 17
    bits = format(modules, f"0{side * side}b")
    return tuple(bits[start:start + side] for start in range(0, side * side, side))


class _LinearEncoder:
    """The codes of texts of one length, as `qrcode` writes them, computed from its codes of the
    text's bits one at a time.

    At a fixed version and mask a code's modules are an affine function of its text's bits over
    GF(2): the header, padding, function patterns and format are the same for every text; the
    error correction (Reed-Solomon over GF(256), whose addition is the exclusive or) is linear;
    placement moves each bit to a fixed module and the mask flips fixed modules. So the code of a
    text is the code of zeros, flipped by the difference each set bit makes alone: a few dozen
    exclusive ors of numbers, where `qrcode` spends 0.6 ms of pure Python on every code.
    """

    def __init__(self, length: int) -> None:
        self.version = _version(length)
        self.zeros = _encoded(bytes(length), self.version)
        self.flips = [_encoded((1 << bit).to_bytes(length, "big"), self.version) ^ self.zeros
                      for bit in range(8 * length)]

    def matrix(self, data: bytes) -> tuple[str, ...]:
        modules = self.zeros
        bits = int.from_bytes(data, "big")
        while bits:
            lowest = bits & -bits
            modules ^= self.flips[lowest.bit_length() - 1]
            bits ^= lowest
        return _rows(modules, self.version)


def qr_png(text: str) -> bytes:
    return QrCode(text).png()
