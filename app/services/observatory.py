"""The observatory: what the initiatives presented at the villages do and need, year after year.

One computation feeds the organisers' page, its PDF and spreadsheet, the public page and its
open data: `build(period)` counts everything in SQL aggregates (one row per group, never one
per initiative) and returns tables of whole numbers, as the report does (app/services/report.py).

What is counted: an initiative « présentée » in a year is one whose holder had a confirmed
place at a village of that year that has begun; its thématiques, publics, territory and support
needs are read from its latest fiche, as the report reads them. An initiative presented at
several villages of one year counts once in that year.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Integer, String, and_, case, cast, func, literal, literal_column, select, true, union_all

from ..extensions import db
from ..models import initiative_lists as lists
from ..models import (
    SUPPORT_NEEDS, Initiative, InitiativePresentation, InitiativeVersion, NeedThread, Registration,
    RegistrationStatus, ThreadStatus, Village,
)
from ..models.followup import MET_STATUSES, OPEN_STATUSES, PARTLY_MET_STATUSES
from ..documents.figures import DEFINITIONS, DISCLOSURE_NOTE, HIDDEN, MET, NOT_GIVEN, PARTLY_MET, Table
from ..documents.observatory_figures import Observatory, Period
from ..reference import departements
from ..templating import NBSP
from ..text import fold
from . import report
from .disclosure import Relation, at_most, same, total
from .followup import PARTNER_TYPES

VILLAGES_HELD, PRESENTED, NEW, RETURNING = "Villages tenus", "Initiatives présentées", "Nouvelles", "Déjà présentées"
PRESENTED_OVER_PERIOD, NEEDS_EXPRESSED = "Initiatives présentées", "Besoins d'appui exprimés"
NEEDS_MET, NEEDS_PARTLY_MET = "Besoins obtenus", "Besoins partiellement obtenus"
EXPRESSED, ORIENTED = "Exprimés", "Besoins orientés"
NOTHING_YET = "Aucun village n'a encore eu lieu : l'observatoire se remplira après le premier."
SEVERAL = "Une initiative peut en avoir plusieurs."
ONCE_A_YEAR = "Une initiative présentée à plusieurs villages la même année compte une fois dans l'année."
VILLAGES_SHOWN = ("Les nombres de villages tenus ne sont jamais masqués : ils comptent des journées publiques, "
                  "annoncées à l'avance, et non des personnes.")


class BadPeriod(ValueError):
    """A period the observatory cannot show, said in French for the person who asked."""


# --- The period ------------------------------------------------------------------------------

def _year_of(column):
    return cast(func.extract("year", column), Integer)


def held_years(now: datetime | None = None) -> list[int]:
    """The years in which at least one village has been held (or is being held today)."""
    year = _year_of(Village.day)
    return list(db.session.scalars(select(year).where(~Village.before_day_clause(now)).group_by(year).order_by(year)))


def period(first: str | int | None = None, last: str | int | None = None, now: datetime | None = None) -> Period | None:
    """The period asked (years as typed, or None for « from the first » / « to the last »);
    None when no village has been held yet. Raises BadPeriod with the reason in French."""
    known = held_years(now)
    if not known:
        return None
    start = _year(first, "de début", known) if first not in (None, "") else known[0]
    end = _year(last, "de fin", known) if last not in (None, "") else known[-1]
    if start > end:
        raise BadPeriod(f"L'année de début ({start}) est après l'année de fin ({end}) : inversez-les.")
    return Period(start, end)


def _year(text: str | int, which: str, known: list[int]) -> int:
    typed = str(text).strip()
    if not typed.isdigit() or len(typed) != 4:
        raise BadPeriod(f"L'année {which} « {typed[:20]} » n'est pas une année : écrivez-la en quatre chiffres, "
                        f"par exemple {known[-1]}.")
    year = int(typed)
    if not known[0] <= year <= known[-1]:
        span = f"l'année {known[0]}" if known[0] == known[-1] else f"les années {known[0]} à {known[-1]}"
        raise BadPeriod(f"Aucun village n'a eu lieu en {year} : l'observatoire couvre {span}.")
    return year


# --- The figures -----------------------------------------------------------------------------

def build(chosen: Period, for_public: bool = False, now: datetime | None = None) -> Observatory:
    counts = _counts(chosen, now)
    years = chosen.years
    by_year = _by_year(chosen, counts, now)
    needs_tables = _needs_tables(counts, years)
    tables = [
        by_year,
        _new_or_returning(by_year),
        _listed_by_year(counts, "thematiques", years, "Initiatives par thématique", "Thématique", lists.THEMATIQUES),
        _listed_by_year(counts, "publics", years, "Initiatives par public", "Public", lists.PUBLICS),
        _by_territory(counts, years),
        *needs_tables,
        _partners(counts),
    ]
    needs = needs_tables[0]
    key_figures = [
        (VILLAGES_HELD, sum(row[1] for row in by_year.rows)),
        (PRESENTED_OVER_PERIOD, sum(number for *_, number in counts["total"])),
        (NEEDS_EXPRESSED, sum(needs.column(EXPRESSED).values())),
        (NEEDS_MET, sum(needs.column(MET).values())),
        (NEEDS_PARTLY_MET, sum(needs.column(PARTLY_MET).values())),
    ]
    found = Observatory(chosen, tables, key_figures, method(for_public), for_public)
    return _for_public(found) if for_public else found


def method(for_public: bool) -> list[str]:
    """How the figures were counted: shown under the page and at the end of the documents."""
    lines = [
        "Tous les chiffres sont calculés par l'application à partir des inscriptions, des fiches des "
        "initiatives et du suivi de leurs besoins, sans saisie manuelle.",
        "Villages : ceux dont le jour est arrivé. Initiatives : celles dont le porteur avait une place "
        "confirmée ; leurs thématiques, publics, territoire et besoins sont lus sur leur dernière fiche. "
        + ONCE_A_YEAR,
        "Suivi des besoins : chaque besoin d'une initiative est suivi après le village jusqu'à l'appui reçu. "
        + STATUS_NOTE,
    ]
    if for_public:
        lines += [DISCLOSURE_NOTE[0],
                  f"Chaque chiffre masqué est remplacé par « {HIDDEN} » ; les tableaux sont classés par ordre "
                  "alphabétique (un classement par effectif dirait où se place un chiffre masqué). " + VILLAGES_SHOWN]
    else:
        lines.append("Version interne à l'équipe : chiffres exacts, y compris les petits effectifs.")
    return lines


def _counts(chosen: Period, now: datetime | None) -> dict[str, list[tuple]]:
    """Every count of the observatory, by one statement: its parts (named as the first column)
    all read one set of rows — each initiative presented in each year of the period, with its
    latest fiche — that the database builds once, and the needs' parts one set of the needs
    expressed with their threads. Each part's rows are (label, detail, year, number); what label
    and detail hold is said by the part below."""
    presented = _presented(chosen, now).cte("presented")
    needs = _json_items(presented.c.support_needs)
    expressed = (
        select(presented.c.initiative_id, presented.c.year, needs.c.value.label("need"), NeedThread.id.label("thread"),
               NeedThread.status, NeedThread.partner_role,
               (NeedThread.partner_role.is_not(None) | (NeedThread.oriented_to != "")
                | NeedThread.oriented_registration_id.is_not(None)).label("oriented"))
        .select_from(presented)
        .join(needs, needs.c.value.in_(list(SUPPORT_NEEDS)))
        .outerjoin(NeedThread, and_(NeedThread.initiative_id == presented.c.initiative_id,
                                    NeedThread.category == needs.c.value))
        .cte("expressed")
    )
    nothing, no_year = cast(None, String), cast(None, Integer)

    def part(name: str, source, label, detail, year, number, join=None, where=None):
        query = select(literal(name, String).label("part"), cast(label, String), cast(detail, String),
                       cast(year, Integer), number).select_from(source)
        if join is not None:
            query = query.outerjoin(*join)
        if where is not None:
            query = query.where(where)
        grouped = [c for c in (label, detail, year) if c is not nothing and c is not no_year]
        return query.group_by(*grouped) if grouped else query

    def listed(name: str, column, known: dict[str, str]):
        """Initiatives per known item of a list of the fiche and year; one row with no item
        (label None) for an initiative that has none."""
        items = _json_items(column)
        return part(name, presented, items.c.value, nothing, presented.c.year, func.count(),
                    join=(items, items.c.value.in_(list(known))))

    # A row of `presented` is one initiative in one year, and a fiche's list holds each item
    # once (initiatives.clean_fiche): within a year, rows are initiatives. Over the period, an
    # initiative is counted once.
    statement = union_all(
        # label « nouvelle » or « déjà » (presented an earlier year)
        part("annees", presented, case((presented.c.first_year < presented.c.year, "déjà"), else_="nouvelle"),
             nothing, presented.c.year, func.count()),
        part("total", presented, nothing, nothing, no_year, func.count(func.distinct(presented.c.initiative_id))),
        listed("thematiques", presented.c.thematiques, lists.THEMATIQUES),
        listed("publics", presented.c.publics, lists.PUBLICS),
        # label: the fiche's département, detail: the holder's postcode
        part("territoires", presented, presented.c.departement_code, presented.c.postcode, presented.c.year,
             func.count()),
        # label: the need, detail: its thread's status (None: no thread yet); by year, and over the period
        part("besoins", expressed, expressed.c.need, expressed.c.status, expressed.c.year, func.count()),
        part("besoins_periode", expressed, expressed.c.need, expressed.c.status, no_year,
             func.count(func.distinct(expressed.c.initiative_id))),
        # label: the kind of partner the need was oriented to, detail: the thread's status
        part("partenaires", expressed, expressed.c.partner_role, expressed.c.status, no_year,
             func.count(func.distinct(expressed.c.thread)), where=expressed.c.oriented),
    )
    counted: dict[str, list[tuple]] = {}
    for name, label, detail, year, number in db.session.execute(statement):
        counted.setdefault(name, []).append((label, detail, year, number))
    return counted


def _presented(chosen: Period, now: datetime | None):
    """One row per initiative and year it was presented in: its first year ever, the postcode
    of its holder (for its territory when the fiche names no commune), and its latest fiche's lists."""
    year = _year_of(Village.day)
    confirmed = Registration.status == RegistrationStatus.CONFIRMED
    held = ~Village.before_day_clause(now)
    first_year = (
        select(InitiativePresentation.initiative_id.label("initiative_id"), func.min(year).label("first_year"))
        .join(Registration, InitiativePresentation.registration_id == Registration.id)
        .join(Village, InitiativePresentation.village_id == Village.id)
        .where(confirmed, held)
        .group_by(InitiativePresentation.initiative_id)
        .subquery("first_presented")
    )
    in_period = (
        select(InitiativePresentation.initiative_id.label("initiative_id"), year.label("year"),
               func.min(Registration.postcode).label("postcode"))
        .join(Registration, InitiativePresentation.registration_id == Registration.id)
        .join(Village, InitiativePresentation.village_id == Village.id)
        .where(confirmed, held, Village.day >= date(chosen.first, 1, 1), Village.day <= date(chosen.last, 12, 31))
        .group_by(InitiativePresentation.initiative_id, year)
        .subquery("in_period")
    )
    return (
        select(in_period.c.initiative_id, in_period.c.year, in_period.c.postcode, first_year.c.first_year,
               InitiativeVersion.departement_code, InitiativeVersion.thematiques, InitiativeVersion.publics,
               InitiativeVersion.support_needs)
        .join(first_year, first_year.c.initiative_id == in_period.c.initiative_id)
        # The holder's latest fiche, as the report reads it.
        .join(Initiative, Initiative.id == in_period.c.initiative_id)
        .join(InitiativeVersion, and_(InitiativeVersion.initiative_id == Initiative.id,
                                      InitiativeVersion.number == Initiative.current_number))
    )


def _json_items(column):
    """The items of a JSON list column, as a table to join beside its row (each database names
    the function its own way; a value that is no list gives no item)."""
    if db.session.get_bind().dialect.name == "postgresql":
        a_list = case((func.json_typeof(column) == "array", column), else_=literal_column("'[]'::json"))
        return func.json_array_elements_text(a_list).table_valued("value")
    a_list = case((func.json_type(column) == "array", column), else_=literal_column("'[]'"))
    return func.json_each(a_list).table_valued("value")


def _by_year(chosen: Period, counts: dict[str, list[tuple]], now: datetime | None) -> Table:
    year = _year_of(Village.day)
    villages = dict(db.session.execute(
        select(year, func.count())
        .where(~Village.before_day_clause(now), Village.day >= date(chosen.first, 1, 1),
               Village.day <= date(chosen.last, 12, 31))
        .group_by(year)
    ).all())
    counted: dict[tuple[int, str], int] = {(y, label): number for label, _, y, number in counts.get("annees", [])}
    rows = []
    for y in chosen.years:
        new, back = counted.get((y, "nouvelle"), 0), counted.get((y, "déjà"), 0)
        rows.append([str(y), villages.get(y, 0), new + back, new, back])
    return Table("annees", "Villages et initiatives par année",
                 ["Année", VILLAGES_HELD, PRESENTED, NEW, RETURNING], rows,
                 note="Nouvelles : présentées pour la première fois cette année-là. Déjà présentées : venues à un "
                      f"village d'une année précédente. {ONCE_A_YEAR}")


def _new_or_returning(by_year: Table) -> Table:
    """The same figures turned for its chart: new and returning initiatives, one column per year."""
    years = [row[0] for row in by_year.rows]
    return Table("nouvelles", "Initiatives nouvelles ou déjà présentées", ["Initiatives", *years], [
        [NEW, *(row[3] for row in by_year.rows)],
        [RETURNING, *(row[4] for row in by_year.rows)],
    ], note="Une initiative est « déjà présentée » si elle est venue à un village d'une année précédente.")


def _listed_by_year(counts: dict[str, list[tuple]], key: str, years: list[int], title: str, header: str,
                    labels: dict[str, str]) -> Table:
    """Initiatives per item of a list of the fiche (thématiques, publics) and per year; those
    with no known item counted as « Non renseigné »."""
    counted: dict[str, dict[int, int]] = {}
    for item, _, year, number in counts.get(key, []):
        counted.setdefault(labels.get(item, NOT_GIVEN), {})[year] = number
    return _year_table(key, title, header, counted, years, f"{SEVERAL} {ONCE_A_YEAR}")


# How a thread's status is counted: met and partly met as everywhere (app/models/followup.py's
# MET_STATUSES, PARTLY_MET_STATUSES); a need with no thread yet (or still open) is « en cours ».
# Ordered from unmet to met, as the chart's colours go from red to green; the total comes last.
STILL_OPEN = "En cours ou sans nouvelles"
FREELY_NAMED = PARTNER_TYPES[None]
NEED_COLUMNS = {
    "Non obtenus": (ThreadStatus.NOT_MET,),
    "Plus d'actualité": (ThreadStatus.OBSOLETE,),
    STILL_OPEN: (None, *OPEN_STATUSES),
    PARTLY_MET: PARTLY_MET_STATUSES,
    MET: MET_STATUSES,
}
STATUS_NOTE = (f"{MET}{NBSP}: {DEFINITIONS[MET]} {PARTLY_MET}{NBSP}: {DEFINITIONS[PARTLY_MET]} "
               f"{STILL_OPEN}{NBSP}: exprimés, orientés, appui en cours, ou pas encore suivis.")


def _column_of(status: str | None) -> str:
    return next((name for name, statuses in NEED_COLUMNS.items() if status in statuses), STILL_OPEN)


def _status_rows(counted: dict[str, dict[str, int]], last_first: str) -> list[list]:
    """Rows of status columns then their total, largest total first (`last_first` at the end)."""
    rows = [[label, *(row[name] for name in NEED_COLUMNS), sum(row.values())] for label, row in counted.items()]
    return sorted(rows, key=lambda row: (row[0] == last_first, -row[-1], fold(row[0])))


def _needs_tables(counts: dict[str, list[tuple]], years: list[int]) -> list[Table]:
    """Needs of the initiatives' fiches, each with where its thread (the same initiative and
    category, followed after the village) stands now."""
    by_year: dict[str, dict[str, dict[int, int]]] = {"exprimes": {}, "obtenus": {}, "non_obtenus": {}}
    for need, status, year, number in counts.get("besoins", []):
        label = SUPPORT_NEEDS[need]
        wanted = ["exprimes"] + {MET: ["obtenus"], "Non obtenus": ["non_obtenus"]}.get(_column_of(status), [])
        for name in wanted:
            cell = by_year[name].setdefault(label, {})
            cell[year] = cell.get(year, 0) + number
    for name in ("obtenus", "non_obtenus"):  # every need expressed has its row, zeros included
        by_year[name] = {label: by_year[name].get(label, {}) for label in by_year["exprimes"]}
    over_period: dict[str, dict[str, int]] = {}
    for need, status, _, number in counts.get("besoins_periode", []):
        row = over_period.setdefault(SUPPORT_NEEDS[need], dict.fromkeys(NEED_COLUMNS, 0))
        row[_column_of(status)] += number
    once = ("Un besoin exprimé plusieurs années compte une fois par année, avec là où il en est aujourd'hui. "
            + ONCE_A_YEAR)
    return [
        Table("besoins", "Besoins d'appui : exprimés, obtenus, non obtenus",
              ["Besoin", *NEED_COLUMNS, EXPRESSED], _status_rows(over_period, ""), chart="stacked",
              counted_rows=True, ranked=True,
              note="Nombre d'initiatives ayant exprimé chaque besoin sur la période (une fois chacune), "
                   f"et où en est ce besoin aujourd'hui d'après son suivi. {STATUS_NOTE}"),
        _year_table("besoins_annees", "Besoins d'appui exprimés par année", "Besoin", by_year["exprimes"], years,
                    "Nombre d'initiatives ayant exprimé chaque besoin dans l'année (plusieurs besoins possibles). "
                    + ONCE_A_YEAR),
        _year_table("besoins_obtenus", "Besoins obtenus, par année où ils ont été exprimés", "Besoin",
                    by_year["obtenus"], years, f"{MET}{NBSP}: {DEFINITIONS[MET]} " + once, counted_rows=False),
        _year_table("besoins_non_obtenus", "Besoins non obtenus, par année où ils ont été exprimés", "Besoin",
                    by_year["non_obtenus"], years, "Besoins dont le suivi dit « non obtenu » aujourd'hui. " + once,
                    counted_rows=False),
    ]


def _partners(counts: dict[str, list[tuple]]) -> Table:
    """The kinds of partner the needs were oriented towards, and what came of it."""
    counted: dict[str, dict[str, int]] = {}
    for role, status, _, number in counts.get("partenaires", []):
        row = counted.setdefault(PARTNER_TYPES.get(role, FREELY_NAMED), dict.fromkeys(NEED_COLUMNS, 0))
        row[_column_of(status)] += number
    return Table("partenaires", "Partenaires sollicités et appuis obtenus",
                 ["Type de partenaire", *NEED_COLUMNS, ORIENTED], _status_rows(counted, FREELY_NAMED),
                 chart="stacked", counted_rows=True, ranked=True,
                 note="Besoins orientés vers un partenaire (rencontré au village ou nommé par le porteur), par type "
                      "de partenaire, et où ils en sont aujourd'hui. Chaque besoin compte une fois, pour le "
                      f"dernier partenaire vers qui il a été orienté. {STATUS_NOTE}")


def _by_territory(counts: dict[str, list[tuple]], years: list[int]) -> Table:
    counted: dict[str, dict[int, int]] = {}
    for code, postcode, year, number in counts.get("territoires", []):
        # Where the initiative acts; else where its holder comes from (as the report says it).
        label = _departement_label(code or departements.code_of(postcode))
        by_year = counted.setdefault(label, {})
        by_year[year] = by_year.get(year, 0) + number
    return _year_table("territoires", "Initiatives par territoire", "Département", counted, years,
                       "Département de la commune où agit l'initiative, sinon celui de son porteur. " + ONCE_A_YEAR)


def _departement_label(code: str | None) -> str:
    return f"{departements.NAMES[code]} ({code})" if code in departements.NAMES else departements.UNKNOWN


def _year_table(key: str, title: str, header: str, counted: dict[str, dict[int, int]], years: list[int],
                note: str, counted_rows: bool = True) -> Table:
    """Rows largest first over the period (« Non renseigné » last), one column per year."""
    rows = [[label, *(by_year.get(y, 0) for y in years)] for label, by_year in counted.items()]
    rows.sort(key=lambda row: (row[0] in (NOT_GIVEN, departements.UNKNOWN), -sum(row[1:]), fold(row[0])))
    return Table(key, title, [header, *(str(y) for y in years)], rows, chart="heatmap", note=note,
                 counted_rows=counted_rows, ranked=True)


# --- The public version ----------------------------------------------------------------------

KEY_FIGURES = "chiffres_cles"  # the key figures, as cells of what a reader knows


def _key(label: str):
    return (KEY_FIGURES, label, "")


def _for_public(found: Observatory) -> Observatory:
    """The figures with small counts hidden, and enough others that none can be worked out from
    what is shown, as in the report's diffusion version (app/services/disclosure.py); the page,
    its documents and the open data draw them as they are. Villages held count no one: shown."""
    by_year = found.table("annees")
    left_shown = {_key(VILLAGES_HELD), *(by_year.cell(row[0], VILLAGES_HELD) for row in by_year.rows)}
    figures = {_key(label): value for label, value in found.key_figures}
    hidden = report.hidden_cells(found.tables, figures, _relations(found), left_shown)
    for table in found.tables:
        table.rows = report.masked_rows(table, hidden)
    found.key_figures = [(label, HIDDEN if _key(label) in hidden else value) for label, value in found.key_figures]
    return found


def _no_more_than_sum(part, parts) -> Relation:
    """`part` is at most the sum of `parts`."""
    return Relation(tuple((p, 1) for p in parts) + ((part, -1),), exact=False)


def _relations(found: Observatory) -> list[Relation]:
    """What a reader knows of the observatory's figures besides their values (rows shown only
    when someone is counted in them and ranked order are the tables' own: `counted_rows`)."""
    by_year, turned, needs, partners = (found.table(k) for k in ("annees", "nouvelles", "besoins", "partenaires"))
    years = [row[0] for row in by_year.rows]
    presented = {y: by_year.cell(y, PRESENTED) for y in years}
    over_period = _key(PRESENTED_OVER_PERIOD)
    relations = [total([by_year.cell(y, NEW), by_year.cell(y, RETURNING)], presented[y]) for y in years]
    relations += [same(turned.cell(label, y), by_year.cell(y, label)) for y in years for label in (NEW, RETURNING)]
    # Over the period an initiative counts once: no fewer than in any year, no more than in all.
    relations += [at_most([presented[y]], over_period) for y in years]
    relations.append(_no_more_than_sum(over_period, presented.values()))
    territories = found.table("territoires")  # one département per initiative and year
    relations += [total([territories.cell(row[0], y) for row in territories.rows], presented[y]) for y in years]
    for key in ("thematiques", "publics"):  # one or more per initiative (« Non renseigné » if none)
        table = found.table(key)
        relations += [at_most([table.cell(row[0], y)], presented[y]) for row in table.rows for y in years]
        relations += [Relation(tuple((table.cell(row[0], y), 1) for row in table.rows) + ((presented[y], -1),),
                               exact=False) for y in years]
    # Needs: each row of the period's table splits its needs expressed, which the key figures add up.
    relations += [total([needs.cell(row[0], c) for c in NEED_COLUMNS], needs.cell(row[0], EXPRESSED))
                  for row in needs.rows]
    relations += [total([needs.cell(row[0], column) for row in needs.rows], _key(label))
                  for column, label in ((EXPRESSED, NEEDS_EXPRESSED), (MET, NEEDS_MET),
                                        (PARTLY_MET, NEEDS_PARTLY_MET))]
    relations += [at_most([needs.cell(row[0], EXPRESSED)], over_period) for row in needs.rows]
    # The tables by year count each year what the period's table counts once.
    by_year_of = {"besoins_annees": EXPRESSED, "besoins_obtenus": MET, "besoins_non_obtenus": "Non obtenus"}
    expressed, met, unmet = (found.table(k) for k in by_year_of)
    for key, column in by_year_of.items():
        table = found.table(key)
        for row in table.rows:
            cells = [table.cell(row[0], y) for y in years]
            relations += [at_most([cell], needs.cell(row[0], column)) for cell in cells]
            relations.append(_no_more_than_sum(needs.cell(row[0], column), cells))
    relations += [at_most([expressed.cell(row[0], y)], presented[y]) for row in expressed.rows for y in years]
    relations += [at_most([met.cell(row[0], y), unmet.cell(row[0], y)], expressed.cell(row[0], y))
                  for row in expressed.rows for y in years]
    # Partners: each row splits its needs oriented, each one a need of the period's table.
    relations += [total([partners.cell(row[0], c) for c in NEED_COLUMNS], partners.cell(row[0], ORIENTED))
                  for row in partners.rows]
    relations += [Relation(tuple((needs.cell(row[0], c), 1) for row in needs.rows)
                           + tuple((partners.cell(row[0], c), -1) for row in partners.rows), exact=False)
                  for c in NEED_COLUMNS]
    return relations
