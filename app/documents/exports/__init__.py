"""Per-village exports for the organisers: spreadsheets, sign-in sheet, badge sheets, livret.

Each writer takes the village and a binary file to write to; none of them holds
the whole list of participants in memory (see bench/exports.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import BinaryIO

from ...models import Village


@dataclass(frozen=True)
class ExportFormat:
    name: str
    label: str
    description: str
    file_suffix: str
    mimetype: str
    # "module.function" of this package: reportlab and the XLSX writer are imported only when a
    # document is written, so that web workers and commands start fast and stay small.
    writer: str
    # Written by a background worker (app/runtime/jobs.py) rather than in the web request.
    background: bool = True

    def filename(self, village: Village) -> str:
        return f"{village.slug}-{self.file_suffix}"

    def write(self, village: Village, output: BinaryIO) -> None:
        module, function = self.writer.rsplit(".", 1)
        getattr(import_module(f".{module}", __name__), function)(village, output)


FORMATS = {
    export.name: export
    for export in (
        ExportFormat(
            "csv", "Tableau CSV",
            "Toutes les inscriptions et tous les champs, pour Excel ou LibreOffice.",
            "inscriptions.csv", "text/csv", "tabular.write_csv", background=False,
        ),
        ExportFormat(
            "xlsx", "Classeur Excel",
            "Les mêmes données, une feuille par rôle et une feuille « Tous ».",
            "inscriptions.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "tabular.write_xlsx",
        ),
        ExportFormat(
            "signin", "Feuille d'émargement",
            "PDF à imprimer : participants confirmés par ordre alphabétique, signature matin et après-midi.",
            "emargement.pdf", "application/pdf", "signin.write_signin",
        ),
        ExportFormat(
            "badges", "Planches de badges",
            "PDF A4 à imprimer avant la journée : huit badges par page avec traits de coupe, par ordre alphabétique.",
            "badges.pdf", "application/pdf", "badges.write_badges",
        ),
        ExportFormat(
            "livret", "Livret des initiatives",
            "PDF A5 à imprimer ou à diffuser : les initiatives publiées présentées au village, "
            "avec un QR code vers la page de chacune.",
            "livret-initiatives.pdf", "application/pdf", ".livret.write_livret",
        ),
    )
}

__all__ = ["FORMATS", "ExportFormat"]
