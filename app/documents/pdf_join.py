"""One PDF written part after part, each part a whole PDF made by reportlab.

reportlab keeps every page of a document in memory until it saves it; a document of a
thousand pages is therefore drawn as parts of a few dozen pages, and each part, once
saved, is copied here into the output and forgotten. Only the position of each object
and the list of pages are kept until the end, a few bytes per page.

This reads what reportlab writes (one cross-reference table, no object streams, the
dictionary before a stream's data) and nothing else: the objects of each part are
renumbered, its pages hung under a single page tree, and the first part's catalog and
document information kept for the whole.
"""
from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from . import pdf_settings  # noqa: F401  (before any PDF is written)
from reportlab.pdfgen.canvas import Canvas

REFERENCE = re.compile(rb"(\d+) 0 R\b")
OBJECT_HEADER = re.compile(rb"\s*(\d+) 0 obj")
STREAM_START = re.compile(rb">>\s*stream\r?\n")
XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])")
# The six letters before the name of an embedded font subset (« AAAAAA+DejaVuSans »).
SUBSET_TAG = re.compile(rb"/[A-Z]{6}\+")
PAGE_TREE = 1  # the number of the page tree that holds the pages of every part


class PdfParts:
    """Draw each part on a `part()` canvas, in order, then `close()`."""

    def __init__(self, output: BinaryIO, title: str, **canvas_options) -> None:
        self.output = output
        self.title = title
        self.canvas_options = canvas_options
        self.written = 0
        self.offsets: dict[int, int] = {}
        self.next_number = PAGE_TREE + 1
        self.pages: list[int] = []
        self.catalog: int | None = None
        self.info: int | None = None
        self.subsets = 0

    @contextmanager
    def part(self) -> Iterator[Canvas]:
        """A canvas for the next pages, added to the output when the block ends."""
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pageCompression=1, **self.canvas_options)
        canvas.setTitle(self.title)
        yield canvas
        canvas.save()
        self.add(buffer.getvalue())

    def add(self, pdf: bytes) -> None:
        objects = _objects(pdf)
        catalog, info = (_trailer_reference(pdf, key) for key in (b"Root", b"Info"))
        page_tree = _reference(objects[catalog], b"Pages")
        kids = objects[page_tree].split(b"/Kids", 1)[1].split(b"]", 1)[0]
        left_out = {page_tree} if self.catalog is None else {page_tree, catalog, info}
        numbers = {page_tree: PAGE_TREE}
        for number in sorted(objects):
            if number not in left_out:
                numbers[number] = self.next_number
                self.next_number += 1
        tags: dict[bytes, bytes] = {}

        def subset_tag(match: re.Match) -> bytes:
            if match.group() not in tags:
                tags[match.group()] = b"/" + _letters(self.subsets) + b"+"
                self.subsets += 1
            return tags[match.group()]

        for number in sorted(objects):
            if number in left_out:
                continue
            dictionary, stream = _split(objects[number])
            if number != info:  # its text (the title) is left as it is
                dictionary = REFERENCE.sub(lambda m: b"%d 0 R" % numbers[int(m.group(1))], dictionary)
                dictionary = SUBSET_TAG.sub(subset_tag, dictionary)
            dictionary = OBJECT_HEADER.sub(b"%d 0 obj" % numbers[number], dictionary, count=1)
            self._write_object(numbers[number], dictionary + stream)
        self.pages.extend(numbers[int(kid)] for kid in REFERENCE.findall(kids))
        if self.catalog is None:
            self.catalog, self.info = numbers[catalog], numbers[info]

    def close(self) -> None:
        if self.catalog is None:
            raise ValueError("A PDF needs at least one part.")
        kids = b" ".join(b"%d 0 R" % page for page in self.pages)
        self._write_object(
            PAGE_TREE,
            b"%d 0 obj\n<< /Count %d /Kids [ %s ] /Type /Pages >>\nendobj\n"
            % (PAGE_TREE, len(self.pages), kids),
        )
        size = self.next_number
        xref_offset = self.written
        self._write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
        for number in range(1, size):
            self._write(b"%010d 00000 n \n" % self.offsets[number])
        self._write(
            b"trailer\n<< /Info %d 0 R /Root %d 0 R /Size %d >>\nstartxref\n%d\n%%%%EOF\n"
            % (self.info, self.catalog, size, xref_offset)
        )

    def _write_object(self, number: int, data: bytes) -> None:
        if not self.written:
            self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        self.offsets[number] = self.written
        self._write(data if data.endswith(b"\n") else data + b"\n")

    def _write(self, data: bytes) -> None:
        self.output.write(data)
        self.written += len(data)


def _objects(pdf: bytes) -> dict[int, bytes]:
    """Each object of a PDF, by number, from its cross-reference table."""
    xref = int(pdf[pdf.rindex(b"startxref"):].split()[1])
    count = int(pdf[xref:xref + 40].split()[2])
    entries = XREF_ENTRY.findall(pdf, xref)[:count]
    offsets = sorted(
        (int(offset), number) for number, (offset, _, kind) in enumerate(entries) if kind == b"n"
    )
    ends = [offset for offset, _ in offsets[1:]] + [xref]
    return {number: pdf[offset:end] for (offset, number), end in zip(offsets, ends)}


def _split(obj: bytes) -> tuple[bytes, bytes]:
    """An object's text part and its stream data (empty when it has none), which is left untouched."""
    start = STREAM_START.search(obj)
    return (obj[:start.end()], obj[start.end():]) if start else (obj, b"")


def _reference(dictionary: bytes, key: bytes) -> int:
    return int(re.search(rb"/" + key + rb"\s+(\d+) 0 R", dictionary).group(1))


def _trailer_reference(pdf: bytes, key: bytes) -> int:
    return _reference(pdf[pdf.rindex(b"trailer"):], key)


def _letters(number: int) -> bytes:
    """AAAAAA, AAAAAB, ...: a distinct subset tag for each font subset of the whole document."""
    letters = []
    for _ in range(6):
        number, digit = divmod(number, 26)
        letters.append(65 + digit)
    return bytes(reversed(letters))
