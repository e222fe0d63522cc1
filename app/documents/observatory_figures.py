"""The observatory's figures as its pages and documents receive them (app/services/observatory.py
counts them): light, so that the web workers that show the page load no PDF library."""
from __future__ import annotations

from dataclasses import dataclass

from .figures import Table


@dataclass(frozen=True)
class Period:
    first: int
    last: int

    @property
    def years(self) -> list[int]:
        return list(range(self.first, self.last + 1))

    @property
    def label(self) -> str:
        return str(self.first) if self.first == self.last else f"de {self.first} à {self.last}"


@dataclass
class Observatory:
    period: Period | None  # None before the first village: no figure yet
    tables: list[Table]
    key_figures: list[tuple[str, int]]
    method: list[str]  # how the figures were counted, in sentences
    for_public: bool = False

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    @property
    def title(self) -> str:
        return f"Observatoire des initiatives solidaires, {self.period.label}"
