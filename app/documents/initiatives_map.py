"""The map of initiatives: an SVG of the départements concerned, drawn from their communes'
outlines (app/reference/communes.py), with one mark per commune that has initiatives.

No tile server, no script: the SVG is written into the page. Longitudes are scaled by the
cosine of the mean latitude (an equirectangular projection), plenty at a département's scale.
The same projected outlines and marks are drawn into PDFs (charts.map_drawing, the funders' report).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from math import cos, radians, sqrt

from ..reference import communes

WIDTH = 600
# Points closer than this (in SVG units) to the last one kept are dropped: the page stays light.
MIN_STEP = 2.5

Point = tuple[float, float]
Ring = tuple[Point, ...]


@dataclass
class Mark:
    """What the map shows of a commune: how many (initiatives or participants) it counts."""

    commune_code: str
    commune_name: str
    departement: str
    count: int


@dataclass
class PlacedMark:
    mark: Mark
    x: float
    y: float
    radius: float


@dataclass
class Map:
    width: int
    height: int
    outlines: list[tuple[Ring, ...]]  # per département, its communes' projected outlines
    marks: list[PlacedMark]

    @property
    def paths(self) -> list[str]:
        """One SVG path per département: the union of its communes' outlines."""
        return ["".join("M" + "L".join(f"{x:g},{y:g}" for x, y in ring) + "Z" for ring in rings)
                for rings in self.outlines]


@dataclass(frozen=True)
class _Background:
    """The départements drawn, and the projection that drew them (kept: outlines never change)."""

    west: float
    north: float
    squeeze: float
    scale: float
    height: int
    outlines: tuple[tuple[Ring, ...], ...]

    def project(self, point: tuple[float, float]) -> tuple[float, float]:
        lon, lat = point
        return round((lon - self.west) * self.squeeze * self.scale), round((self.north - lat) * self.scale)


@lru_cache(maxsize=32)
def _background(departements: tuple[str, ...]) -> _Background | None:
    outlines = [communes.outlines(d) for d in departements]
    points = [p for communes_of in outlines for rings in communes_of.values() for ring in rings for p in ring]
    if not points:
        return None
    west, east = min(x for x, _ in points), max(x for x, _ in points)
    south, north = min(y for _, y in points), max(y for _, y in points)
    squeeze = cos(radians((south + north) / 2))
    scale = WIDTH / max((east - west) * squeeze, 1e-6)
    frame = _Background(west, north, squeeze, scale, round((north - south) * scale) or 1, ())
    projected_outlines = []
    for communes_of in outlines:
        rings = (tuple(_thinned([frame.project(p) for p in ring])) for rings in communes_of.values() for ring in rings)
        projected_outlines.append(tuple(ring for ring in rings if len(ring) >= 3))
    return _Background(west, north, squeeze, scale, frame.height, tuple(projected_outlines))


def build(marks: list[Mark], departements: list[str]) -> Map | None:
    """None when nothing can be drawn (no commune known)."""
    background = _background(tuple(sorted(set(departements) | {m.departement for m in marks})))
    if background is None:
        return None
    placed = []
    biggest = max((m.count for m in marks), default=1)
    known = communes.all_by_code()
    for mark in marks:
        commune = known.get(mark.commune_code)
        if commune is None or commune.position is None:
            continue
        x, y = background.project(commune.position)
        placed.append(PlacedMark(mark, x, y, round(9 + 9 * sqrt(mark.count / biggest), 1)))
    return Map(WIDTH, background.height, list(background.outlines), placed)


def _thinned(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    kept = points[:1]
    for x, y in points[1:]:
        last_x, last_y = kept[-1]
        if abs(x - last_x) + abs(y - last_y) >= MIN_STEP:
            kept.append((x, y))
    return kept
