"""The report's charts, laid out once as boxes, lines and labels, then written either as SVG for
the page or as a ReportLab drawing for the PDF: both show exactly the same picture.

Coordinates start at the top left, as in SVG. A figure the outsiders' version hides (« masqué »)
is drawn as a short grey stub marked HIDDEN_MARK, the same for every hidden figure so that the
length of a bar does not tell it; the chart's legend says what the mark means. Labels are never
cut: a long one takes two lines or more.
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
from .lines import split_lines

INK = "#1d2430"
MUTED = "#4a5565"
GRID = "#d5d9e0"
SERIES = ["#1f4e8c", "#1f6f43", "#a04a00", "#8c1f3a", "#5b4a8c"]
# From « Pas du tout » to « Tout à fait ».
RATING_COLOURS = ["#b3261e", "#e07b39", "#c9c9c9", "#6aa870", "#1f6f43"]
# Drawn at its own size in the PDF (a little narrower than the text of an A4 page), so that a
# label of FONT_SIZE units is printed in FONT_SIZE points: readable on paper.
WIDTH = 480
FONT_SIZE = 10
SMALL_SIZE = 9
LINE_HEIGHT = 12
LONGEST_LABEL = 170
# A count the diffusion version hides is drawn as this mark on a grey stub, explained by the
# chart's legend: « masqué » itself is wider than a heatmap's cell.
HIDDEN_MARK = "s"
HIDDEN_FILL = "#c9ced6"
HIDDEN_LEGEND = f"{HIDDEN_MARK} : chiffre masqué (petit effectif)"
HIDDEN_STUB = 8


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


def wrapped(text: str, width: float, size: float = FONT_SIZE) -> list[str]:
    """`text` in lines no wider than `width`, broken between words only: a label is never cut."""
    return split_lines(text, REGULAR, size, width)


def _label_width(labels: list[str], size: float = FONT_SIZE, longest: float = LONGEST_LABEL) -> float:
    """Room for the row labels: the widest label, or `longest` with longer ones on several lines."""
    return min(max((text_width(label, size) for label in labels), default=0), longest) + 10


def _row_label(chart: Chart, right: float, middle: float, text: str, width: float,
               size: float = FONT_SIZE) -> None:
    """A row's label, right-aligned at `right`, its lines centred on `middle`."""
    lines = wrapped(text, width, size)
    first = middle - (len(lines) - 1) * LINE_HEIGHT / 2 + size * 0.35
    for n, line in enumerate(lines):
        chart.shapes.append(Label(right, first + n * LINE_HEIGHT, line, anchor="end", size=size))


def _label_lines(text: str, width: float, size: float = FONT_SIZE) -> int:
    return len(wrapped(text, width, size))


def _hidden(value) -> bool:
    return value == HIDDEN


def _drawn(value) -> float:
    return 0 if _hidden(value) else value


def _written(value) -> str:
    return HIDDEN_MARK if _hidden(value) else str(value)


def _hides(rows: list[list]) -> bool:
    return any(_hidden(value) for row in rows for value in row[1:])


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


def _legend(chart: Chart, entries: list[tuple[str, str]], y: float = 0) -> float:
    """Coloured boxes and their names, on as many lines as they need from `y`; returns the
    height taken (nothing when there is no entry)."""
    x, line = 0.0, 0
    for name, colour in entries:
        width = 16 + text_width(name)
        if x and x + width > chart.width:
            x, line = 0.0, line + 1
        top = y + line * (LINE_HEIGHT + 4)
        chart.shapes.append(Box(x, top + 1, 11, 11, colour))
        chart.shapes.append(Label(x + 16, top + 10.5, name))
        x += width + 18
    return (line + 1) * (LINE_HEIGHT + 4) + 6 if entries else 0


def _hidden_entry(rows: list[list]) -> list[tuple[str, str]]:
    return [(HIDDEN_LEGEND, HIDDEN_FILL)] if _hides(rows) else []


def bars(table: Table) -> Chart:
    columns = charted_columns(table)
    rows = charted_rows(table)
    label_width = _label_width([r[0] for r in rows])
    bar_height, gap = 13, 9
    chart = Chart(table.title, WIDTH, 0)
    series = [(table.headers[c], SERIES[n % len(SERIES)]) for n, c in enumerate(columns)] if len(columns) > 1 else []
    top = _legend(chart, series + _hidden_entry(rows)) or 4
    largest = max((_drawn(row[c]) for row in rows for c in columns), default=0) or 1
    room = WIDTH - label_width - 30
    y = top
    for row in rows:
        group = max(bar_height * len(columns), _label_lines(row[0], label_width - 10) * LINE_HEIGHT) + gap
        bars_top = y + (group - gap - bar_height * len(columns)) / 2
        _row_label(chart, label_width - 8, y + (group - gap) / 2, row[0], label_width - 10)
        for s, column in enumerate(columns):
            value = row[column]
            bar_top = bars_top + s * bar_height
            if _hidden(value):
                length = HIDDEN_STUB
                chart.shapes.append(Box(label_width, bar_top, length, bar_height - 2, HIDDEN_FILL))
            else:
                length = room * value / largest
                chart.shapes.append(Box(label_width, bar_top, length, bar_height - 2, SERIES[s % len(SERIES)]))
            chart.shapes.append(Label(label_width + length + 4, bar_top + bar_height - 4, _written(value),
                                      size=SMALL_SIZE, fill=MUTED))
        y += group
    chart.height = y + 2
    chart.shapes.append(Stroke(label_width, top - 2, label_width, chart.height - 4, MUTED))
    return chart


def hours(table: Table) -> Chart:
    rows = table.body
    step = (WIDTH - 20) / max(len(rows), 1)
    label_lines = max(_label_lines(label, step - 2, SMALL_SIZE) for label, _ in rows)
    chart = Chart(table.title, WIDTH, 0)
    top = _legend(chart, _hidden_entry(rows))
    height = top + 200
    chart.height = height + 8 + label_lines * LINE_HEIGHT
    largest = max((_drawn(r[1]) for r in rows), default=0) or 1
    room = 200 - 24
    chart.shapes.append(Stroke(10, height, WIDTH - 10, height, MUTED))
    for n, (label, value) in enumerate(rows):
        x = 10 + n * step
        length = HIDDEN_STUB if _hidden(value) else room * value / largest
        chart.shapes.append(Box(x + step * 0.15, height - length, step * 0.7, length,
                                HIDDEN_FILL if _hidden(value) else SERIES[0]))
        chart.shapes.append(Label(x + step / 2, height - length - 4, _written(value), anchor="middle",
                                  size=SMALL_SIZE, fill=MUTED))
        for line_number, line in enumerate(wrapped(label, step - 2, SMALL_SIZE)):
            chart.shapes.append(Label(x + step / 2, height + 14 + line_number * LINE_HEIGHT, line, anchor="middle",
                                      size=SMALL_SIZE))
    return chart


def _mix(intensity: float) -> str:
    """White to the first series colour."""
    start, end = (255, 255, 255), (0x1f, 0x4e, 0x8c)
    return "#" + "".join(f"{round(a + (b - a) * intensity):02x}" for a, b in zip(start, end))


def heatmap_grid(table: Table) -> tuple[list[str], list[list]]:
    """The grid a heatmap draws: the table's, or turned a quarter when it has more columns than
    rows (22 thématiques side by side would not fit a page; 22 lines do)."""
    headers, rows = table.headers[1:], table.rows
    if len(headers) <= len(rows):
        return headers, rows
    return [row[0] for row in rows], [[header, *(row[c + 1] for row in rows)] for c, header in enumerate(headers)]


def heatmap(table: Table) -> Chart:
    columns, rows = heatmap_grid(table)
    cell_height = 20
    label_width = _label_width([r[0] for r in rows])
    cell_width = max(min((WIDTH - label_width) / max(len(columns), 1), 60), 26)
    # Column names stand above their column when they fit it (years), else run upwards, whole.
    widest = max((text_width(c, SMALL_SIZE) for c in columns), default=0)
    upright = widest > cell_width - 4
    header = widest + 10 if upright else LINE_HEIGHT + 6
    chart = Chart(table.title, WIDTH, 0)
    top = _legend(chart, _hidden_entry(rows))
    grid_top = top + header
    largest = max((_drawn(v) for row in rows for v in row[1:]), default=0) or 1
    for c, name in enumerate(columns):
        x = label_width + c * cell_width + cell_width / 2
        if upright:
            chart.shapes.append(Label(x + SMALL_SIZE * 0.35, grid_top - 6, name, size=SMALL_SIZE, angle=90))
        else:
            chart.shapes.append(Label(x, grid_top - 6, name, size=SMALL_SIZE, anchor="middle"))
    y = grid_top
    for row in rows:
        height = max(cell_height, _label_lines(row[0], label_width - 10) * LINE_HEIGHT + 4)
        _row_label(chart, label_width - 8, y + height / 2, row[0], label_width - 10)
        for c, value in enumerate(row[1:]):
            x = label_width + c * cell_width
            intensity = _drawn(value) / largest
            fill = HIDDEN_FILL if _hidden(value) else _mix(intensity)
            chart.shapes.append(Box(x + 1, y + 1, cell_width - 2, height - 2, fill))
            chart.shapes.append(Label(x + cell_width / 2, y + height / 2 + SMALL_SIZE * 0.35, _written(value),
                                      anchor="middle", size=SMALL_SIZE, fill="#ffffff" if intensity > 0.5 else INK))
        y += height
    chart.height = y + 4
    return chart


def stacked(table: Table) -> Chart:
    """One bar of 100 % per row, split between its columns (the last column is the total)."""
    names = table.headers[1:-1]
    rows = table.rows
    label_width = _label_width([r[0] for r in rows])
    bar_height, gap = 22, 10
    chart = Chart(table.title, WIDTH, 0)
    top = _legend(chart, list(zip(names, RATING_COLOURS)) + _hidden_entry(rows))
    y = top
    for row in rows:
        room = WIDTH - label_width - 10 - HIDDEN_STUB * sum(map(_hidden, row[1:-1]))
        height = max(bar_height, _label_lines(row[0], label_width - 10) * LINE_HEIGHT)
        _row_label(chart, label_width - 8, y + height / 2, row[0], label_width - 10)
        bar_top = y + (height - bar_height) / 2
        # Out of the row's total when it is shown: a part hidden stays a blank, not shared out
        # among the others.
        total = _drawn(row[-1]) or sum(_drawn(v) for v in row[1:-1]) or 1
        x = label_width
        for value, colour in zip(row[1:-1], RATING_COLOURS):
            if _hidden(value):
                chart.shapes.append(Box(x, bar_top, HIDDEN_STUB, bar_height, HIDDEN_FILL))
                chart.shapes.append(Label(x + HIDDEN_STUB / 2, bar_top + bar_height / 2 + 3.5, HIDDEN_MARK,
                                          anchor="middle", size=SMALL_SIZE, fill=INK))
                x += HIDDEN_STUB
                continue
            length = room * value / total
            chart.shapes.append(Box(x, bar_top, length, bar_height, colour))
            if length > 24:
                chart.shapes.append(Label(x + length / 2, bar_top + bar_height / 2 + 3.5, str(value),
                                          anchor="middle", size=SMALL_SIZE, fill=INK))
            x += length
        y += height + gap
    chart.height = y
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


def to_drawing(chart: Chart, width: float, height: float) -> Drawing:
    """A ReportLab drawing that fits `width` × `height` points: at its own size, unless it is taller
    than a page (a bar per commune of a large report), which would stop the PDF."""
    scale = min(width / chart.width, height / chart.height, 1)
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
MAP_COUNT_SIZE = 9


def map_drawing(drawn: Map, width: float, height: float) -> Drawing:
    """A frame of the map as a ReportLab drawing that fits in `width` × `height` points, as the page
    shows it (same outlines, marks, counts and lines back to the communes of marks moved aside)."""
    margin = 40  # as the page's viewBox: marks at the edge are not cut
    full_width, full_height = drawn.width + 2 * margin, drawn.height + 2 * margin
    scale = min(width / full_width, height / full_height, 1)
    drawing = Drawing(full_width * scale, full_height * scale)
    # Counts are printed at MAP_COUNT_SIZE points at least, however small the frame.
    count_size = max(13, MAP_COUNT_SIZE / scale)
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
        if mark.moved:
            anchor = placed(mark.anchor_x, mark.anchor_y)
            group.add(Line(*anchor, *placed(mark.x, mark.y), strokeColor=MAP_MARK, strokeWidth=1.5))
            group.add(Circle(*anchor, 3, fillColor=MAP_MARK, strokeColor=None))
    for mark in drawn.marks:
        x, y = placed(mark.x, mark.y)
        group.add(Circle(x, y, max(mark.radius, count_size * 0.9), fillColor=MAP_MARK, strokeColor=white,
                         strokeWidth=2))
        group.add(String(x, y - count_size * 0.35, str(mark.mark.count), fontName=BOLD, fontSize=count_size,
                         fillColor=white,
                         textAnchor="middle"))
    group.scale(scale, scale)
    drawing.add(group)
    return drawing
