"""A Chromium whose camera films a file the test chooses (a badge's QR code, or nothing)."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from app.documents.qr import QrCode

from tests.conftest import CHROMIUM_ARGS

WIDTH, HEIGHT, FRAMES = 640, 480, 10


class FakeCamera:
    """Chromium reads the file each time a page opens the camera: rewrite it, then (re)load."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.show_nothing()

    def _write(self, luma: bytes) -> None:
        chroma = bytes([128]) * (WIDTH * HEIGHT // 4)
        frame = b"FRAME\n" + luma + chroma + chroma
        header = f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode()
        video = header + frame * FRAMES
        if not self.path.exists():
            self.path.write_bytes(video)
            return
        # Overwritten in place, never truncated: Chromium reads this very file while a page
        # films it, and an empty file for an instant ends its fake camera for good.
        with self.path.open("r+b") as file:
            file.write(video)

    def show_nothing(self) -> None:
        self._write(bytes([235]) * (WIDTH * HEIGHT))

    def show_badge(self, code: str) -> None:
        image = Image.open(io.BytesIO(QrCode(code).png())).convert("L")
        frame = Image.new("L", (WIDTH, HEIGHT), 255)
        frame.paste(image, ((WIDTH - image.width) // 2, (HEIGHT - image.height) // 2))
        self._write(frame.tobytes())


@pytest.fixture(scope="session")
def fake_camera(tmp_path_factory) -> FakeCamera:
    return FakeCamera(tmp_path_factory.mktemp("camera") / "camera.y4m")


@pytest.fixture(scope="session")
def camera_browser(_playwright, chromium_path, fake_camera):
    browser = _playwright.chromium.launch(
        executable_path=chromium_path,
        args=CHROMIUM_ARGS + [
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={fake_camera.path}",
        ],
    )
    yield browser
    browser.close()
