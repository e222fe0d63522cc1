"""Per-village exports for the organisers: spreadsheets, sign-in sheet, badge sheets, livret.

Each writer takes the village and a binary file to write to; none of them holds
the whole list of participants in memory (see bench/exports.py).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from ...models import Village
from .tabular import write_csv, write_xlsx
from .badges import write_badges
from .signin import write_signin
from ..livret import write_livret


@dataclass(frozen=True)
class ExportFormat:
    name: str
    label: str
    description: str
    file_suffix: str
    mimetype: str
    write: Callable[[Village, BinaryIO], None]

    def filename(self, village: Village) -> str:
        return f"{village.slug}-{self.file_suffix}"


FORMATS = {
    export.name: export
    for export in (
        ExportFormat(
            "csv", "Tableau CSV",
            "Toutes les inscriptions et tous les champs, pour Excel ou LibreOffice.",
            "inscriptions.csv", "text/csv; charset=utf-8", write_csv,
        ),
        ExportFormat(
            "xlsx", "Classeur Excel",
            "Les mêmes données, une feuille par qualité et une feuille « Tous ».",
            "inscriptions.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", write_xlsx,
        ),
        ExportFormat(
            "signin", "Feuille d'émargement",
            "PDF à imprimer : participants confirmés par ordre alphabétique, signature matin et après-midi.",
            "emargement.pdf", "application/pdf", write_signin,
        ),
        ExportFormat(
            "badges", "Planches de badges",
            "PDF A4 à imprimer avant la journée : huit badges par page avec traits de coupe, par ordre alphabétique.",
            "badges.pdf", "application/pdf", write_badges,
        ),
        ExportFormat(
            "livret", "Livret des initiatives",
            "PDF A5 à imprimer ou à diffuser : les initiatives publiées présentées au village, "
            "avec un QR code vers la page de chacune.",
            "livret-initiatives.pdf", "application/pdf", write_livret,
        ),
    )
}

__all__ = ["FORMATS", "ExportFormat"]
