"""A report's figures as its documents receive them: tables of whole numbers, the village(s) they
count, and what the version meant for people outside the team hides (app/services/report.py
counts them; the page, app/documents/report.py and the charts show them)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..models import Village
from ..templating import french_date
from .initiatives_map import Map

SMALLEST_SHOWN = 3
HIDDEN = "< 3"
# The files a report is written as, and their media types (app/documents/report.py writes them).
FILE_FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class Table:
    """A table of counts: one row per label, one column per header after the first.

    `chart` says how it is drawn: "bars" (one bar per row and column), "heatmap" (the whole
    grid), "hours" (columns over the day) or None (a table only).
    """

    key: str
    title: str
    headers: list[str]
    rows: list[list]
    chart: str | None = "bars"
    note: str = ""
    # What the columns after the first are (« Thématique »), for a crossed table: a page too narrow
    # for its columns lists it one pair a line instead.
    columns_named: str = ""

    def column(self, header: str) -> dict[str, int]:
        index = self.headers.index(header)
        return {row[0]: row[index] for row in self.rows}


@dataclass
class Report:
    villages: list[Village]
    title: str
    tables: list[Table]
    key_figures: list[tuple[str, int]]
    need_details: dict[str, list[str]] = field(default_factory=dict)
    comments: dict[str, list[str]] = field(default_factory=dict)
    for_outsiders: bool = False
    # The offline map of the participants' communes (None: no commune found on the map).
    communes_map: Map | None = None

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def shown(self, value):
        """A figure as this version of the report shows it."""
        if self.for_outsiders and isinstance(value, int) and not isinstance(value, bool) \
                and 0 < value < SMALLEST_SHOWN:
            return HIDDEN
        return value

    @property
    def uncovered_needs(self) -> list[str]:
        """The needs some initiative expressed and no participant of its village offered."""
        table = next((t for t in self.tables if t.key == "non_couverts"), None)
        return [row[0] for row in table.rows if row[3]] if table else []

    @property
    def period(self) -> str:
        days = sorted(v.day for v in self.villages)
        if not days:
            return ""
        return french_date(days[0]) if days[0] == days[-1] else f"du {french_date(days[0])} au {french_date(days[-1])}"
