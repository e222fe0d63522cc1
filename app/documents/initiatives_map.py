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

from ..reference import communes, departements

WIDTH = 600
# Points closer than this (in SVG units) to the last one kept are dropped: the page stays light.
MIN_STEP = 2.5

Point = tuple[float, float]
Ring = tuple[Point, ...]


# On a page, each area's frame (WIDTH units and the viewBox's margins, 680 in all) is at least
# about 310 px wide (a 360 px phone; 340 px on a 390 px one): a mark's target, this radius in
# units, is then at least 44 px across (50 px on a 390 px phone).
TAP_RADIUS = 50


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
    # Where the commune is, when the mark was moved aside so as not to cover another one.
    anchor_x: float | None = None
    anchor_y: float | None = None

    @property
    def moved(self) -> bool:
        return self.anchor_x is not None and (abs(self.anchor_x - self.x) + abs(self.anchor_y - self.y)) > 1


@dataclass
class Map:
    width: int
    height: int
    outlines: list[tuple[Ring, ...]]  # per département, its communes' projected outlines
    marks: list[PlacedMark]
    title: str = ""  # the départements drawn, by name
    tap_radius: int = TAP_RADIUS

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
    known = communes.by_codes(m.commune_code for m in marks)
    for mark in marks:
        commune = known.get(mark.commune_code)
        if commune is None or commune.position is None:
            continue
        x, y = background.project(commune.position)
        placed.append(PlacedMark(mark, x, y, round(9 + 9 * sqrt(mark.count / biggest), 1)))
    return Map(WIDTH, background.height, list(background.outlines), placed)


def build_frames(marks: list[Mark]) -> list[Map]:
    """One frame per area of initiatives (départements that touch one another), each at its own
    scale, titled with its départements' names; marks spread so that none covers another and
    each can be tapped (TAP_RADIUS), with a line back to its commune when moved."""
    frames = []
    for area in _areas(sorted({m.departement for m in marks if m.departement})):
        drawn = build([m for m in marks if m.departement in area], list(area))
        if drawn is None or not drawn.marks:
            continue
        drawn.title = ", ".join(f"{departements.NAMES.get(code, code)} ({code})" for code in area)
        _spread(drawn)
        frames.append(drawn)
    return frames


def _areas(codes: list[str]) -> list[tuple[str, ...]]:
    """The départements grouped by touching ones, each group in order, largest groups first."""
    left, groups = set(codes), []
    while left:
        group, edge = set(), [min(left)]
        while edge:
            code = edge.pop()
            if code in left:
                left.discard(code)
                group.add(code)
                edge.extend(departements.NEIGHBOURS.get(code, ()))
        groups.append(tuple(sorted(group)))
    return sorted(groups, key=lambda g: (-len(g), g))


def _spread(drawn: Map, rounds: int = 200) -> None:
    """Push marks apart until their targets no longer overlap, keeping them within the frame."""
    for placed in drawn.marks:
        placed.anchor_x, placed.anchor_y = placed.x, placed.y
        placed.radius = max(placed.radius, 22)  # its count readable on a phone
    gap = 2 * TAP_RADIUS
    for _ in range(rounds):
        moved = False
        for index, first in enumerate(drawn.marks):
            for second in drawn.marks[index + 1:]:
                dx, dy = second.x - first.x, second.y - first.y
                distance = sqrt(dx * dx + dy * dy)
                if distance >= gap:
                    continue
                if distance < 0.01:
                    dx, dy, distance = 1.0, 0.5, sqrt(1.25)
                push = (gap - distance) / 2 + 0.5
                first.x, first.y = first.x - dx / distance * push, first.y - dy / distance * push
                second.x, second.y = second.x + dx / distance * push, second.y + dy / distance * push
                moved = True
        for placed in drawn.marks:
            placed.x = min(max(placed.x, TAP_RADIUS), drawn.width - TAP_RADIUS)
            placed.y = min(max(placed.y, TAP_RADIUS), max(drawn.height - TAP_RADIUS, TAP_RADIUS))
        if not moved:
            break
    # A tenth of a unit is finer than a pixel; a mark's position is written up to eight times in
    # the page, and in full (up to 18 characters) it made the directory's first page 9 % heavier
    # (418 KB instead of 382 with 492 communes).
    for placed in drawn.marks:
        placed.x, placed.y = round(placed.x, 1), round(placed.y, 1)


def _thinned(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    kept = points[:1]
    for x, y in points[1:]:
        last_x, last_y = kept[-1]
        if abs(x - last_x) + abs(y - last_y) >= MIN_STEP:
            kept.append((x, y))
    return kept
