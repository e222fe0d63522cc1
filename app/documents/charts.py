"""The report's charts, laid out once as boxes, lines and labels, then written either as SVG for
the page or as a ReportLab drawing for the PDF: both show exactly the same picture.

Coordinates start at the top left, as in SVG. A figure the outsiders' version hides (« masqué »)
is drawn as nothing, so that the length of a bar does not tell it either.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Path, Rect, String
from reportlab.lib.colors import HexColor, white
from reportlab.pdfbase.pdfmetrics import stringWidth

from .badge import BOLD, REGULAR  # registers the DejaVu fonts
from .figures import HIDDEN, Table
from .initiatives_map import Map

INK = "#1d2430"
MUTED = "#4a5565"
GRID = "#d5d9e0"
SERIES = ["#1f4e8c", "#1f6f43", "#a04a00", "#8c1f3a", "#5b4a8c"]
# From « Pas du tout » to « Tout à fait ».
RATING_COLOURS = ["#b3261e", "#e07b39", "#c9c9c9", "#6aa870", "#1f6f43"]
WIDTH = 640
FONT_SIZE = 11
LONGEST_LABEL = 230


@dataclass
class Box:
    x: float
    y: float
    width: float
    height: float
    fill: str


@dataclass
class Label:
    x: float
    y: float  # the baseline
    text: str
    fill: str = INK
    anchor: str = "start"  # start, middle, end
    size: float = FONT_SIZE
    bold: bool = False
    angle: float = 0  # degrees, anticlockwise


@dataclass
class Stroke:
    x1: float
    y1: float
    x2: float
    y2: float
    colour: str = GRID


@dataclass
class Chart:
    title: str
    width: float
    height: float
    shapes: list = field(default_factory=list)


def text_width(text: str, size: float = FONT_SIZE, bold: bool = False) -> float:
    return stringWidth(text, BOLD if bold else REGULAR, size)


def clipped(text: str, width: float, size: float = FONT_SIZE) -> str:
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _hidden(value) -> bool:
    return value == HIDDEN


def _drawn(value) -> float:
    return 0 if _hidden(value) else value


def charted_columns(table: Table) -> list[int]:
    """Which columns a bar chart shows: registered and present when there are, else all counts."""
    wanted = [i for i, h in enumerate(table.headers) if h in ("Inscrits", "Présents")]
    return wanted or list(range(1, len(table.headers)))


def charted_rows(table: Table) -> list[list]:
    return table.body


def chart_for(table: Table) -> Chart | None:
    if not table.body or table.chart is None:
        return None
    return {"bars": bars, "hours": hours, "heatmap": heatmap, "stacked": stacked}[table.chart](table)


def _legend(chart: Chart, names: list[str], colours: list[str], y: float) -> None:
    x = 0
    for name, colour in zip(names, colours):
        chart.shapes.append(Box(x, y - 10, 12, 12, colour))
        chart.shapes.append(Label(x + 16, y, name))
        x += 16 + text_width(name) + 18


def bars(table: Table) -> Chart:
    columns = charted_columns(table)
    rows = charted_rows(table)
    label_width = min(max(text_width(r[0]) for r in rows) + 10, LONGEST_LABEL)
    bar_height, gap = 14, 10
    top = 24 if len(columns) > 1 else 4
    group = bar_height * len(columns) + gap
    chart = Chart(table.title, WIDTH, top + group * len(rows) + 4)
    if len(columns) > 1:
        _legend(chart, [table.headers[c] for c in columns], SERIES, 14)
    largest = max((_drawn(row[c]) for row in rows for c in columns), default=0) or 1
    room = WIDTH - label_width - 50
    for n, row in enumerate(rows):
        y = top + n * group
        chart.shapes.append(Label(label_width - 8, y + group / 2 + 2, clipped(row[0], label_width - 10), anchor="end"))
        for s, column in enumerate(columns):
            value = row[column]
            length = room * _drawn(value) / largest
            bar_top = y + s * bar_height
            chart.shapes.append(Box(label_width, bar_top, max(length, 0), bar_height - 2, SERIES[s % len(SERIES)]))
            chart.shapes.append(Label(label_width + length + 4, bar_top + bar_height - 4, str(value),
                                      size=10, fill=MUTED))
    chart.shapes.append(Stroke(label_width, top - 2, label_width, chart.height - 4, MUTED))
    return chart


def hours(table: Table) -> Chart:
    rows = table.body
    height, bottom = 200, 24
    chart = Chart(table.title, WIDTH, height + bottom)
    step = (WIDTH - 20) / max(len(rows), 1)
    largest = max((_drawn(r[1]) for r in rows), default=0) or 1
    room = height - 24
    chart.shapes.append(Stroke(10, height, WIDTH - 10, height, MUTED))
    for n, (label, value) in enumerate(rows):
        x = 10 + n * step
        length = room * _drawn(value) / largest
        chart.shapes.append(Box(x + step * 0.15, height - length, step * 0.7, length, SERIES[0]))
        chart.shapes.append(Label(x + step / 2, height - length - 4, str(value), anchor="middle",
                                  size=10, fill=MUTED))
        chart.shapes.append(Label(x + step / 2, height + 16, label, anchor="middle", size=10))
    return chart


def _mix(intensity: float) -> str:
    """White to the first series colour."""
    start, end = (255, 255, 255), (0x1f, 0x4e, 0x8c)
    return "#" + "".join(f"{round(a + (b - a) * intensity):02x}" for a, b in zip(start, end))


def heatmap(table: Table) -> Chart:
    columns = table.headers[1:]
    rows = table.rows
    label_width = min(max(text_width(r[0]) for r in rows) + 10, LONGEST_LABEL)
    cell_width, cell_height = 44, 24
    header = min(max((text_width(c, 10) for c in columns), default=0), 150) * 0.72 + 16
    width = max(label_width + cell_width * len(columns) + 100, 200)
    chart = Chart(table.title, width, header + cell_height * len(rows) + 4)
    largest = max((_drawn(v) for row in rows for v in row[1:]), default=0) or 1
    for c, name in enumerate(columns):
        x = label_width + c * cell_width + cell_width / 2
        chart.shapes.append(Label(x, header - 6, clipped(name, 150, 10), size=10, angle=45))
    for r, row in enumerate(rows):
        y = header + r * cell_height
        chart.shapes.append(Label(label_width - 8, y + cell_height / 2 + 4, clipped(row[0], label_width - 10),
                                  anchor="end"))
        for c, value in enumerate(row[1:]):
            x = label_width + c * cell_width
            intensity = _drawn(value) / largest
            fill = "#e5e7eb" if _hidden(value) else _mix(intensity)
            chart.shapes.append(Box(x + 1, y + 1, cell_width - 2, cell_height - 2, fill))
            chart.shapes.append(Label(x + cell_width / 2, y + cell_height / 2 + 4, str(value),
                                      anchor="middle", size=10, fill="#ffffff" if intensity > 0.5 else INK))
    return chart


def stacked(table: Table) -> Chart:
    """One bar of 100 % per row, split between its columns (the last column is the total)."""
    names = table.headers[1:-1]
    rows = table.rows
    label_width = min(max(text_width(r[0]) for r in rows) + 10, LONGEST_LABEL + 60)
    bar_height, gap, top = 22, 12, 26
    chart = Chart(table.title, WIDTH, top + (bar_height + gap) * len(rows))
    _legend(chart, names, RATING_COLOURS, 14)
    room = WIDTH - label_width - 10
    for n, row in enumerate(rows):
        y = top + n * (bar_height + gap)
        chart.shapes.append(Label(label_width - 8, y + bar_height / 2 + 4, clipped(row[0], label_width - 10),
                                  anchor="end", size=10))
        # Out of the row's total when it is shown: a part hidden stays a blank, not shared out
        # among the others.
        total = _drawn(row[-1]) or sum(_drawn(v) for v in row[1:-1]) or 1
        x = label_width
        for value, colour in zip(row[1:-1], RATING_COLOURS):
            length = room * _drawn(value) / total
            chart.shapes.append(Box(x, y, length, bar_height, colour))
            if length > 24:
                chart.shapes.append(Label(x + length / 2, y + bar_height / 2 + 4, str(value),
                                          anchor="middle", size=10, fill=INK))
            x += length
    return chart


# --- Writers ---------------------------------------------------------------------------------

SVG_ANCHORS = {"start": "start", "middle": "middle", "end": "end"}


def to_svg(chart: Chart) -> str:
    """Inline SVG for the page: an image named after its chart; the figures are in the table next to it."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {chart.width:.0f} {chart.height:.0f}" '
        f'width="{chart.width:.0f}" height="{chart.height:.0f}" '
        f'class="chart" role="img" aria-label="Graphique : {escape(chart.title)} (chiffres dans le tableau)" '
        f'font-family="DejaVu Sans, Verdana, sans-serif">'
    ]
    for shape in chart.shapes:
        if isinstance(shape, Box):
            parts.append(f'<rect x="{shape.x:.1f}" y="{shape.y:.1f}" width="{shape.width:.1f}" '
                         f'height="{shape.height:.1f}" fill="{shape.fill}"/>')
        elif isinstance(shape, Stroke):
            parts.append(f'<line x1="{shape.x1:.1f}" y1="{shape.y1:.1f}" x2="{shape.x2:.1f}" y2="{shape.y2:.1f}" '
                         f'stroke="{shape.colour}"/>')
        else:
            rotation = f' transform="rotate({-shape.angle} {shape.x:.1f} {shape.y:.1f})"' if shape.angle else ""
            weight = ' font-weight="bold"' if shape.bold else ""
            parts.append(f'<text x="{shape.x:.1f}" y="{shape.y:.1f}" font-size="{shape.size}" fill="{shape.fill}" '
                         f'text-anchor="{SVG_ANCHORS[shape.anchor]}"{weight}{rotation}>{escape(shape.text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def to_drawing(chart: Chart, width: float) -> Drawing:
    """A ReportLab drawing scaled to `width` points."""
    scale = min(width / chart.width, 1)
    drawing = Drawing(chart.width * scale, chart.height * scale)
    group = Group()
    flip = chart.height
    for shape in chart.shapes:
        if isinstance(shape, Box):
            group.add(Rect(shape.x, flip - shape.y - shape.height, shape.width, shape.height,
                           fillColor=HexColor(shape.fill), strokeColor=None))
        elif isinstance(shape, Stroke):
            group.add(Line(shape.x1, flip - shape.y1, shape.x2, flip - shape.y2, strokeColor=HexColor(shape.colour),
                           strokeWidth=0.75))
        else:
            text = String(0, 0, shape.text, fontName=BOLD if shape.bold else REGULAR, fontSize=shape.size,
                          fillColor=HexColor(shape.fill), textAnchor=shape.anchor)
            placed = Group(text)
            placed.translate(shape.x, flip - shape.y)
            if shape.angle:
                placed.rotate(shape.angle)
            group.add(placed)
    group.scale(scale, scale)
    drawing.add(group)
    return drawing


# The colours of static/css/initiatives.css (.initiatives-map), for the PDF.
MAP_LAND, MAP_BORDER, MAP_MARK = HexColor("#e6efe9"), HexColor("#c4d6cd"), HexColor("#0b5d4b")


def map_drawing(drawn: Map, width: float, height: float) -> Drawing:
    """The map as a ReportLab drawing that fits in `width` × `height` points, as the page shows it
    (same outlines, marks and counts)."""
    margin = 12  # as the page's viewBox: marks at the edge are not cut
    full_width, full_height = drawn.width + 2 * margin, drawn.height + 2 * margin
    scale = min(width / full_width, height / full_height, 1)
    drawing = Drawing(full_width * scale, full_height * scale)
    group = Group()
    flip = drawn.height + margin  # ReportLab's y goes up, the SVG's down

    def placed(x: float, y: float) -> tuple[float, float]:
        return x + margin, flip - y

    for rings in drawn.outlines:
        path = Path(fillColor=MAP_LAND, strokeColor=MAP_BORDER, strokeWidth=0.4)
        for ring in rings:
            path.moveTo(*placed(*ring[0]))
            for point in ring[1:]:
                path.lineTo(*placed(*point))
            path.closePath()
        group.add(path)
    for mark in drawn.marks:
        x, y = placed(mark.x, mark.y)
        group.add(Circle(x, y, mark.radius, fillColor=MAP_MARK, strokeColor=white, strokeWidth=2))
        group.add(String(x, y - 4.5, str(mark.mark.count), fontName=BOLD, fontSize=13, fillColor=white,
                         textAnchor="middle"))
    group.scale(scale, scale)
    drawing.add(group)
    return drawing
