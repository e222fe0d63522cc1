"""Fixtures and readers for the e-mails and documents participants receive."""
from __future__ import annotations

import io
import threading
from email.message import EmailMessage

import pypdfium2
import pytest
import zxingcpp
from icalendar import Calendar
from PIL import Image
from pypdf import PdfReader

from app.extensions import db
from app.runtime import outbox


@pytest.fixture
def deliver(app, smtp_server):
    """Runs the outbox delivery and returns every message the SMTP server has received."""

    def run(**kwargs) -> list[EmailMessage]:
        outbox.deliver_due(**kwargs)
        return smtp_server.messages

    return run


@pytest.fixture
def picky_smtp_server(smtp_server):
    """The SMTP server refusing, at RCPT time, addresses whose local part asks for it:
    « refuse-550@… » permanently, « refuse-451@… » temporarily."""

    async def handle_RCPT(server, session, envelope, address, rcpt_options):
        local_part = address.split("@")[0]
        if local_part.startswith("refuse-"):
            code = local_part.removeprefix("refuse-")
            return f"{code} {'5.1.1 Unknown user' if code.startswith('5') else '4.2.0 Try again later'}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp_server.handle_RCPT = handle_RCPT
    return smtp_server


class SmtpOutage:
    """Stops the test SMTP server and starts it again on the same port."""

    def __init__(self, smtp_server) -> None:
        self.server = smtp_server
        self.down = False

    def stop(self) -> None:
        self.server.controller.stop()
        self.down = True

    def restart(self) -> None:
        from aiosmtpd.controller import Controller

        # A stopped aiosmtpd controller cannot start again: a new one takes its place.
        self.server.controller = Controller(self.server, hostname="127.0.0.1", port=self.server.port)
        self.server.controller.start()
        self.down = False


@pytest.fixture
def smtp_outage(smtp_server):
    outage = SmtpOutage(smtp_server)
    yield outage
    if outage.down:
        outage.restart()  # the smtp_server fixture stops a running server


def at_once(app, count: int, work) -> list:
    """Runs `work()` in `count` threads started together, each with its own app context
    (hence its own database session), as separate processes would; returns the results."""
    start = threading.Barrier(count)
    results = []

    def worker():
        with app.app_context():
            start.wait()
            results.append(work())
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def calendar_part(message: EmailMessage) -> EmailMessage:
    """The text/calendar alternative that mail applications turn into an event."""
    return next(part for part in message.walk() if part.get_content_type() == "text/calendar")


def attachment(message: EmailMessage, filename: str) -> bytes:
    part = next(part for part in message.iter_attachments() if part.get_filename() == filename)
    return part.get_content()


def attachment_names(message: EmailMessage) -> list[str]:
    return [part.get_filename() for part in message.iter_attachments()]


def inline_image(message: EmailMessage) -> tuple[str, bytes]:
    """(Content-ID without brackets, PNG bytes) of the image shown inside the HTML."""
    part = next(part for part in message.walk() if part.get_content_type() == "image/png")
    return part["Content-ID"].strip("<>"), part.get_content()


def html_body(message: EmailMessage) -> str:
    return message.get_body(("html",)).get_content()


def text_body(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def event_of(ics: bytes | str):
    calendar = Calendar.from_ical(ics)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def qr_codes(image: Image.Image | bytes) -> list[str]:
    if isinstance(image, bytes):
        image = Image.open(io.BytesIO(image))
    return [found.text for found in zxingcpp.read_barcodes(image.convert("L"))]


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


# Enough for the modules of a badge's QR code, at 3 pixels to the module or more, to be read back.
PDF_RENDERING_DPI = 200


def qr_codes_in_pdf(pdf: bytes) -> list[str]:
    """The QR codes a scanner reads on a PDF's pages, rendered as a printer would, page by page."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [
            text
            for page in document
            for text in qr_codes(page.render(scale=PDF_RENDERING_DPI / 72).to_pil())
        ]
    finally:
        document.close()
