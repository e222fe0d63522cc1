"""The report of one or several villages: who came, what the initiatives are, what their holders
need, and what participants thought of the day. Every figure is counted from the registrations.

A report is a list of tables of whole numbers; the page, the PDF and the spreadsheet all show
the same tables. The version meant for people outside the team (`for_outsiders`) shows counts
of 1 and 2 as « < 3 », so that nobody can be recognised from a small group.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from ..extensions import db
from ..models import SUPPORT_NEEDS, Initiative, Registration, RegistrationStatus, Role, Village
from ..templating import french_date
from ..timeutil import to_local
from . import departements, survey

SMALLEST_SHOWN = 3
HIDDEN = "< 3"
NOT_GIVEN = "Non renseigné"
COMMUNES_SHOWN = 15


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

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def shown(self, value):
        """A figure as this version of the report shows it."""
        if self.for_outsiders and isinstance(value, int) and not isinstance(value, bool) \
                and 0 < value < SMALLEST_SHOWN:
            return HIDDEN
        return value

    @property
    def period(self) -> str:
        days = sorted(v.day for v in self.villages)
        if not days:
            return ""
        return french_date(days[0]) if days[0] == days[-1] else f"du {french_date(days[0])} au {french_date(days[-1])}"


# --- Choosing the villages -------------------------------------------------------------------

def villages_by_slug(slugs: list[str]) -> tuple[list[Village], list[str]]:
    """The villages named, in date order, and the slugs that name none."""
    found = list(db.session.scalars(select(Village).where(Village.slug.in_(slugs)).order_by(Village.day)))
    unknown = sorted(set(slugs) - {v.slug for v in found})
    return found, unknown


def villages_of_year(year: int) -> list[Village]:
    return list(db.session.scalars(
        select(Village).where(Village.day >= date(year, 1, 1), Village.day <= date(year, 12, 31))
        .order_by(Village.day)
    ))


def years() -> list[int]:
    return sorted({v.year for v in db.session.scalars(select(Village.day))}, reverse=True)


# --- Building the report ---------------------------------------------------------------------

def build(villages: list[Village], for_outsiders: bool = False) -> Report:
    ids = [v.id for v in villages]
    tables = [_attendance_by_role(ids), _arrivals_by_hour(ids), _by_departement(ids), _by_commune(ids)]
    if len(villages) > 1:
        tables.insert(0, _by_village(villages))
    initiatives = _initiatives(ids)
    tables += _initiative_tables(initiatives, villages)
    tables += _needs_tables(initiatives)
    tables += survey.report_tables(ids)
    title = villages[0].name if len(villages) == 1 else f"Bilan de {len(villages)} villages"
    attendance = next(t for t in tables if t.key == "presence")
    return Report(
        villages=list(villages),
        title=title,
        tables=tables,
        key_figures=_key_figures(attendance, len(initiatives)),
        need_details=_need_details(initiatives),
        comments=survey.comments(ids),
        for_outsiders=for_outsiders,
    )


ATTENDANCE_HEADERS = ["Rôle", "Inscrits", "Présents", "Absents", "Venus sans inscription",
                      "Liste d'attente", "Annulations", "Déjeuners"]


def _attendance_by_role(ids: list[int]) -> Table:
    confirmed = Registration.status == RegistrationStatus.CONFIRMED
    present = confirmed & Registration.checked_in_at.is_not(None)
    pre_registered = confirmed & Registration.is_walk_in.is_(False)
    rows = db.session.execute(
        select(
            Registration.role,
            func.count().filter(pre_registered),
            func.count().filter(present),
            func.count().filter(pre_registered & Registration.checked_in_at.is_(None)),
            func.count().filter(confirmed & Registration.is_walk_in.is_(True)),
            func.count().filter(Registration.status == RegistrationStatus.WAITLISTED),
            func.count().filter(Registration.status == RegistrationStatus.CANCELLED),
            func.count().filter(confirmed & Registration.lunch.is_(True)),
        )
        .where(Registration.village_id.in_(ids))
        .group_by(Registration.role)
    )
    counted = {role: list(values) for role, *values in rows}
    table_rows = [[role.label, *counted.get(role.value, [0] * 7)] for role in Role]
    table_rows.append(["Total", *(sum(row[i] for row in table_rows) for i in range(1, 8))])
    return Table("presence", "Participation par rôle", ATTENDANCE_HEADERS, table_rows,
                 note="Inscrits : places confirmées avant le jour J. Présents : accueillis à l'entrée, "
                      "venus sans inscription compris.")


def _by_village(villages: list[Village]) -> Table:
    rows = []
    for village in villages:
        total = _attendance_by_role([village.id]).rows[-1]
        rows.append([f"{village.town} ({village.day:%d/%m/%Y})", total[1], total[2], total[4], total[5]])
    return Table("villages", "Participation par village",
                 ["Village", "Inscrits", "Présents", "Venus sans inscription", "Liste d'attente"], rows)


def _arrivals_by_hour(ids: list[int]) -> Table:
    moments = db.session.scalars(
        select(Registration.checked_in_at).where(
            Registration.village_id.in_(ids),
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.checked_in_at.is_not(None),
        )
    )
    hours = Counter(to_local(moment).hour for moment in moments)
    span = range(min(hours, default=9), max(hours, default=17) + 1)
    rows = [[f"{hour} h", hours.get(hour, 0)] for hour in span]
    return Table("arrivees", "Arrivées au fil de la journée", ["Heure", "Arrivées"], rows, chart="hours",
                 note="Heure d'accueil à l'entrée (heure locale), par tranche d'une heure.")


def _place_counts(ids: list[int], *columns):
    """Per value of `columns`: registered beforehand, and present (walk-ins included)."""
    confirmed = Registration.status == RegistrationStatus.CONFIRMED
    return db.session.execute(
        select(*columns, func.count().filter(Registration.is_walk_in.is_(False)),
               func.count(Registration.checked_in_at))
        .where(Registration.village_id.in_(ids), confirmed)
        .group_by(*columns)
    )


def _by_departement(ids: list[int]) -> Table:
    counted: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for postcode, registered, present in _place_counts(ids, Registration.postcode):
        counts = counted[departements.label_of(postcode)]
        counts[0] += registered
        counts[1] += present
    rows = _sorted_rows(counted)
    return Table("departements", "Participants par département", ["Département", "Inscrits", "Présents"], rows,
                 note="Département déduit du code postal donné à l'inscription ; places confirmées.")


def _by_commune(ids: list[int]) -> Table:
    counted: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    names: dict[str, str] = {}
    for commune, registered, present in _place_counts(ids, Registration.commune):
        name = " ".join((commune or "").split())
        key = name.casefold() or NOT_GIVEN
        names.setdefault(key, name or NOT_GIVEN)
        counts = counted[key]
        counts[0] += registered
        counts[1] += present
    rows = _sorted_rows({names[key]: counts for key, counts in counted.items()})
    if len(rows) > COMMUNES_SHOWN:
        others = rows[COMMUNES_SHOWN - 1:]
        rows = rows[:COMMUNES_SHOWN - 1] + [[f"Autres communes ({len(others)})",
                                             sum(r[1] for r in others), sum(r[2] for r in others)]]
    return Table("communes", "Participants par commune", ["Commune", "Inscrits", "Présents"], rows,
                 note=f"Les {COMMUNES_SHOWN - 1} communes les plus représentées ; places confirmées.")


def _sorted_rows(counted: dict[str, list[int]]) -> list[list]:
    """Largest first, « Non renseigné » last."""
    ordered = sorted(counted.items(), key=lambda item: (item[0] == NOT_GIVEN, -item[1][0], item[0]))
    return [[label, *counts] for label, counts in ordered]


# --- Initiatives and support needs -----------------------------------------------------------

@dataclass
class _Initiative:
    name: str
    village_id: int
    day: date
    theme: str
    stage: str
    public: str
    territory: str
    departement: str
    needs: list[str]
    details: str


def _initiatives(ids: list[int]) -> list[_Initiative]:
    """The initiatives of the porteurs with a confirmed place at these villages."""
    rows = db.session.execute(
        select(Initiative.name, Registration.village_id, Village.day, Initiative.dimension, Initiative.status,
               Initiative.public, Initiative.territory, Registration.postcode, Initiative.support_needs,
               Initiative.support_details)
        .join(Registration, Initiative.registration_id == Registration.id)
        .join(Village, Registration.village_id == Village.id)
        .where(Registration.village_id.in_(ids), Registration.status == RegistrationStatus.CONFIRMED)
    )
    return [
        _Initiative(
            name=name, village_id=village_id, day=day, theme=_given(theme), stage=_given(stage),
            public=_given(public), territory=_given(territory), departement=departements.label_of(postcode),
            needs=[n for n in (needs or []) if n in SUPPORT_NEEDS], details=(details or "").strip(),
        )
        for name, village_id, day, theme, stage, public, territory, postcode, needs, details in rows
    ]


def _given(text: str | None) -> str:
    return " ".join((text or "").split()) or NOT_GIVEN


def _count_table(key: str, title: str, header: str, values: list[str], note: str = "") -> Table:
    counted = Counter(values)
    rows = sorted(([label, n] for label, n in counted.items()), key=lambda r: (r[0] == NOT_GIVEN, -r[1], r[0]))
    return Table(key, title, [header, "Initiatives"], rows, note=note)


def _initiative_tables(initiatives: list[_Initiative], villages: list[Village]) -> list[Table]:
    return [
        _count_table("thematiques", "Initiatives par thématique", "Thématique", [i.theme for i in initiatives]),
        _count_table("stades", "Initiatives par stade d'avancement", "Stade", [i.stage for i in initiatives]),
        _count_table("publics", "Initiatives par public", "Public", [i.public for i in initiatives]),
        _count_table("territoires", "Initiatives par territoire", "Territoire", [i.territory for i in initiatives]),
        _new_or_known(initiatives),
    ]


def _normalised(name: str) -> str:
    return " ".join(name.casefold().split())


def _new_or_known(initiatives: list[_Initiative]) -> Table:
    """An initiative is « déjà présentée » when one of the same name came to an earlier village."""
    earliest = dict(db.session.execute(
        select(func.lower(Initiative.name), func.min(Village.day))
        .join(Registration, Initiative.registration_id == Registration.id)
        .join(Village, Registration.village_id == Village.id)
        .where(Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(func.lower(Initiative.name))
    ).all())
    earliest = {_normalised(name): day for name, day in earliest.items()}
    known = sum(1 for i in initiatives if earliest.get(_normalised(i.name), i.day) < i.day)
    return Table("nouvelles", "Initiatives nouvelles ou déjà présentées", ["Initiatives", "Nombre"],
                 [["Nouvelles", len(initiatives) - known], ["Déjà présentées à un village précédent", known]],
                 note="Une initiative est « déjà présentée » si une initiative du même nom a été présentée "
                      "à un village antérieur.")


def _needs_tables(initiatives: list[_Initiative]) -> list[Table]:
    by_need = Counter(need for i in initiatives for need in i.needs)
    needs = Table("besoins", "Besoins d'appui exprimés", ["Besoin", "Initiatives"],
                  [[label, by_need.get(key, 0)] for key, label in SUPPORT_NEEDS.items()],
                  note="Nombre d'initiatives ayant exprimé chaque besoin (plusieurs besoins possibles).")
    return [needs, _crossed(initiatives, "besoins_thematiques", "Besoins d'appui par thématique", "theme"),
            _crossed(initiatives, "besoins_departements", "Besoins d'appui par département", "departement")]


def _crossed(initiatives: list[_Initiative], key: str, title: str, attribute: str) -> Table:
    columns = sorted({getattr(i, attribute) for i in initiatives if i.needs},
                     key=lambda c: (c == NOT_GIVEN or c == departements.UNKNOWN, c))
    counted = Counter((need, getattr(i, attribute)) for i in initiatives for need in i.needs)
    rows = [[label, *(counted.get((need, column), 0) for column in columns)] for need, label in SUPPORT_NEEDS.items()]
    return Table(key, title, ["Besoin", *columns], rows, chart="heatmap",
                 note="Nombre d'initiatives exprimant le besoin (en ligne) dans chaque colonne.")


def _need_details(initiatives: list[_Initiative]) -> dict[str, list[str]]:
    """The holders' own words about their needs, under each need they ticked."""
    details: dict[str, list[str]] = {}
    for key, label in SUPPORT_NEEDS.items():
        texts = sorted({i.details for i in initiatives if key in i.needs and i.details})
        if texts:
            details[label] = texts
    return details


def _key_figures(attendance: Table, initiative_count: int) -> list[tuple[str, int]]:
    total = dict(zip(attendance.headers, attendance.rows[-1]))
    return [
        ("Inscrits", total["Inscrits"]),
        ("Présents", total["Présents"]),
        ("Venus sans inscription", total["Venus sans inscription"]),
        ("Liste d'attente", total["Liste d'attente"]),
        ("Déjeuners", total["Déjeuners"]),
        ("Initiatives", initiative_count),
    ]

