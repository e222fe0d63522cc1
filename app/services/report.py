"""The report of one or several villages: who came, what the initiatives are, what their holders
need, and what participants thought of the day.

A report is a list of tables of whole numbers, computed once here from the registrations; the
page, the PDF, the spreadsheet, the charts and the map all show these tables and nothing else.
Each word counted has one definition (figures.DEFINITIONS), written under every table that shows it.
The geographic tables, the roles and the arrivals count the same people: each person's commune
and département are found once (`_place`), so their présents add up to the same total.

Each section of the report is one function of the facts gathered (SECTIONS): a new section is
one more function. A table says what a reader knows of its cells (its total row, rows shown only
when someone is in them, its relations with other tables): the version meant for people outside
the team (`for_outsiders`) hides small counts, and enough others that none can be worked out
(app/services/disclosure.py, docs/statistical-disclosure.md). The tables and the report are
app/documents/figures.py's: documents are handed them.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache
from typing import Callable

from sqlalchemy import func, select

from ..extensions import db
from ..models import initiative_lists as lists
from ..models import (
    OUTCOMES, SUPPORT_NEEDS, Initiative, InitiativePresentation, InitiativeVersion, MeetingRequest, Registration,
    RegistrationStatus, RequestStatus, Role, SupportOffer, Village,
)
from ..templating import french_sort_key
from ..documents.figures import (  # noqa: F401  (FILE_FORMATS: for the pages that offer them)
    FILE_FORMATS, HIDDEN, NOT_GIVEN, TOTAL, Cell, Report, Table,
)
from ..documents.initiatives_map import Mark
from ..reference import communes, departements
from ..templating import french_time
from ..text import fold
from ..timeutil import to_local
from . import disclosure, matching_profiles, survey
from .disclosure import Relation
from .report_followup import followup_tables

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

@dataclass(frozen=True)
class Place:
    """Where someone comes from, as every geographic table and the map name it."""

    commune: communes.Commune | None  # None: not given, or naming no single French commune
    commune_label: str  # « Sisteron (04) », or « Non renseigné »
    departement_label: str  # « Alpes-de-Haute-Provence (04) », or « Non renseigné »


@dataclass(slots=True)
class Person:
    """One confirmed place, as every table of people counts it."""

    village_id: int
    role: str
    walk_in: bool
    arrival_hour: int | None  # local hour of the welcome at the door; None: not welcomed
    lunch: bool
    place: Place

    @property
    def present(self) -> bool:
        return self.arrival_hour is not None

    @property
    def counted(self) -> bool:
        """Inscrit or présent: a walk-in whose welcome was undone is neither."""
        return not self.walk_in or self.arrival_hour is not None


@dataclass
class Facts:
    """What the sections of a report count, gathered once."""

    villages: list[Village]
    people: list[Person]
    others: Counter  # (status, village id, role) → registrations waitlisted or cancelled
    initiatives: list[_Initiative]

    def count(self, status: str, role: str | None = None, village_id: int | None = None) -> int:
        return sum(n for (s, v, r), n in self.others.items()
                   if s == status and role in (None, r) and village_id in (None, v))

    @property
    def ids(self) -> list[int]:
        return [v.id for v in self.villages]

    @property
    def consolidated(self) -> bool:
        return len(self.villages) > 1

    @cached_property
    def need_details(self) -> dict[str, list[str]]:
        """The holders' own words about each need they ticked."""
        texts: dict[str, set[str]] = defaultdict(set)
        for initiative in self.initiatives:
            for need in initiative.needs:
                if need in initiative.details:
                    texts[need].add(initiative.details[need])
        return {label: sorted(texts[key]) for key, label in SUPPORT_NEEDS.items() if texts[key]}


def build(villages: list[Village], for_outsiders: bool = False) -> Report:
    facts = _gather(villages)
    tables = [table for section in SECTIONS for table in section(facts)]
    key_cells = [(word, (PRESENCE, TOTAL, word)) for word in
                 ("Inscrits", "Présents", "Venus sans inscription", "Liste d'attente", "Déjeuners")]
    key_cells.append(("Initiatives", INITIATIVES_CELL))
    if facts.consolidated:
        key_cells.append(("Présentations", PRESENTATIONS_CELL))
    built = Report(
        villages=list(villages),
        title=villages[0].name if len(villages) == 1 else f"{len(villages)} villages",
        tables=tables,
        key_cells=key_cells,
        need_details=facts.need_details,
        comments=survey.comments(facts.ids),
        places={p.place.commune_label: p.place.commune for p in facts.people if p.place.commune},
    )
    shown = _for_outsiders(built) if for_outsiders else built
    shown.communes_maps = communes_maps(shown)
    return shown


def _gather(villages: list[Village]) -> Facts:
    people, others = [], Counter()
    places: dict[tuple, Place] = {}
    offsets: dict[date, timedelta] = {}  # a village lasts a day, and clocks change at night: one offset per day
    # One row per registration: read as plain rows (the connection's), without the ORM's loading.
    rows = db.session.connection().execute(
        select(Registration.village_id, Village.day, Registration.role, Registration.status, Registration.is_walk_in,
               Registration.is_present, Registration.checked_in_at, Registration.lunch, Registration.commune,
               Registration.postcode)
        .join(Village, Registration.village_id == Village.id)
        .where(Registration.village_id.in_([v.id for v in villages]))
    )
    for village_id, day, role, status, walk_in, present, arrived_at, lunch, commune, postcode in rows:
        if status != RegistrationStatus.CONFIRMED:
            others[(status, village_id, role)] += 1
        else:
            if (commune, postcode) not in places:
                places[(commune, postcode)] = _place(commune, postcode)
            if present and day not in offsets:
                offsets[day] = to_local(datetime.combine(day, time(12))).utcoffset()
            hour = (arrived_at + offsets[day]).hour if present else None
            people.append(Person(village_id, role, walk_in, hour, lunch, places[(commune, postcode)]))
    return Facts(list(villages), people, others, _initiatives([v.id for v in villages]))


def _place(commune: str | None, postcode: str | None) -> Place:
    """The commune and département of someone, found once for every table: the commune named,
    in the postcode's département when one is given; else the postcode's département alone."""
    code = departements.code_of(postcode)
    name = " ".join((commune or "").split())
    try:
        found = communes.find(f"{name} ({code})" if code else name) if name else None
    except communes.UnknownCommune:
        found = None
    if found is None:
        return Place(None, NOT_GIVEN, _departement_label(code))
    return Place(found, f"{found.name} ({found.departement})", _departement_label(found.departement))


def _departement_label(code: str | None) -> str:
    return f"{departements.NAMES[code]} ({code})" if code in departements.NAMES else NOT_GIVEN


# --- Who came --------------------------------------------------------------------------------

PRESENCE = "presence"
ATTENDANCE_HEADERS = ["Rôle", "Inscrits", "Présents", "Absents", "Venus sans inscription",
                      "Liste d'attente", "Annulations", "Déjeuners"]


def _grouped(items: list, keys: Callable[[object], object]) -> dict[object, list]:
    """The items by key; `keys` gives one key or a list of them."""
    groups: dict[object, list] = defaultdict(list)
    for item in items:
        found = keys(item)
        for key in found if isinstance(found, list) else [found]:
            groups[key].append(item)
    return groups


def _attendance(people: list[Person], waiting: int, cancelled: int) -> list[int]:
    """Inscrits, présents, absents, venus sans inscription, liste d'attente, annulations, déjeuners."""
    registered = present = absent = walk_ins = lunches = 0
    for person in people:
        if not person.counted:
            continue
        registered += not person.walk_in
        present += person.arrival_hour is not None
        absent += not person.walk_in and person.arrival_hour is None
        walk_ins += person.walk_in
        lunches += person.lunch
    return [registered, present, absent, walk_ins, waiting, cancelled, lunches]


def _by_role(facts: Facts) -> list[Table]:
    by_role = _grouped(facts.people, lambda p: p.role)
    rows = [[role.label, *_attendance(by_role[role],
                                      facts.count(RegistrationStatus.WAITLISTED, role=role),
                                      facts.count(RegistrationStatus.CANCELLED, role=role))] for role in Role]
    rows.append([TOTAL, *(sum(row[i] for row in rows) for i in range(1, len(ATTENDANCE_HEADERS)))])
    table = Table(PRESENCE, "Participation par rôle", ATTENDANCE_HEADERS, rows)
    # Présents = inscrits − absents + venus sans inscription, on every row.
    table.relations = [Relation(((table.cell(row[0], "Inscrits"), 1), (table.cell(row[0], "Absents"), -1),
                                 (table.cell(row[0], "Venus sans inscription"), 1),
                                 (table.cell(row[0], "Présents"), -1))) for row in rows]
    return [table]


PRESENTATIONS_CELL = ("villages", TOTAL, "Présentations")


def _by_village(facts: Facts) -> list[Table]:
    if not facts.consolidated:
        return []
    headers = ["Village", "Inscrits", "Présents", "Venus sans inscription", "Liste d'attente", "Présentations"]
    presented = Counter(v for i in facts.initiatives for v in i.village_ids)
    rows = []
    by_village = _grouped(facts.people, lambda p: p.village_id)
    for village in facts.villages:
        figures = _attendance(by_village[village.id],
                              facts.count(RegistrationStatus.WAITLISTED, village_id=village.id), 0)
        rows.append([f"{village.town} ({village.day:%d/%m/%Y})", *(figures[i] for i in (0, 1, 3, 4)),
                     presented[village.id]])
    rows.append([TOTAL, *(sum(row[i] for row in rows) for i in range(1, len(headers)))])
    table = Table("villages", "Participation par village", headers, rows)
    table.relations = [disclosure.same(table.cell(TOTAL, h), (PRESENCE, TOTAL, h)) for h in headers[1:-1]]
    return [table]


FIRST_HOUR, LAST_HOUR = 8, 18


def _arrivals(facts: Facts) -> list[Table]:
    """Présents by hour of welcome; the same rows whatever the day, so that no row tells of a
    hidden arrival by being there."""
    hours = Counter(min(max(p.arrival_hour, FIRST_HOUR - 1), LAST_HOUR) for p in facts.people if p.present)
    labels = {FIRST_HOUR - 1: f"Avant {french_time(time(FIRST_HOUR))}",
              LAST_HOUR: f"{french_time(time(LAST_HOUR))} et après"}
    rows = [[labels.get(hour) or french_time(time(hour)), hours[hour]] for hour in range(FIRST_HOUR - 1, LAST_HOUR + 1)]
    rows.append([TOTAL, sum(hours.values())])
    table = Table("arrivees", "Arrivées au fil de la journée", ["Heure", "Arrivées"], rows, chart="hours",
                  note="Par tranche d'une heure, en heure locale.")
    table.relations = [disclosure.same(table.cell(TOTAL, "Arrivées"), (PRESENCE, TOTAL, "Présents"))]
    return [table]


PLACE_HEADERS = ["Inscrits", "Présents"]


def _place_table(key: str, title: str, header: str, facts: Facts, label_of: Callable[[Person], str],
                 note: str) -> Table:
    counted: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for person in facts.people:
        if person.counted:
            counts = counted[label_of(person)]
            counts[0] += not person.walk_in
            counts[1] += person.arrival_hour is not None
    rows = _ranked_rows(counted)
    rows.append([TOTAL, *(sum(row[i] for row in rows) for i in (1, 2))])
    table = Table(key, title, [header, *PLACE_HEADERS], rows, note=note, counted_rows=True, ranked=True)
    table.relations = [disclosure.same(table.cell(TOTAL, h), (PRESENCE, TOTAL, h)) for h in PLACE_HEADERS]
    return table


def _geography(facts: Facts) -> list[Table]:
    by_departement = _place_table(
        "departements", "Participants par département", "Département", facts, lambda p: p.place.departement_label,
        note="Département de la commune donnée à l'inscription, sinon celui du code postal.")
    by_commune = _place_table(
        "communes", "Participants par commune", "Commune", facts, lambda p: p.place.commune_label,
        note="Commune retrouvée d'après le nom et le code postal donnés à l'inscription ; « Non renseigné » : "
             "commune absente, ou qui ne désigne aucune commune française. La carte montre la colonne Présents.")
    # A commune's people are among its département's.
    in_departement: dict[str, set[str]] = defaultdict(set)
    for place in {p.place for p in facts.people if p.place.commune and p.counted}:
        in_departement[place.departement_label].add(place.commune_label)
    by_commune.relations += [
        disclosure.at_most([by_commune.cell(c, h) for c in sorted(names)], by_departement.cell(d, h))
        for d, names in in_departement.items() for h in PLACE_HEADERS
    ]
    return [by_departement, by_commune]


def commune_marks(report: Report) -> list[Mark]:
    """One mark per commune of the table by commune with présents shown, for the offline map
    (a hidden count is not placed: neither its mark nor its size tells it)."""
    present = report.table("communes").column("Présents")
    return sorted(
        (Mark(place.code, place.name, place.departement, present[label]) for label, place in report.places.items()
         if isinstance(present.get(label), int) and present[label] > 0),
        key=lambda mark: mark.commune_code,
    )


def communes_maps(report: Report) -> list:
    """The offline map (app/documents/initiatives_map.py) of the participants' communes: one frame
    per area, named by its départements, so that people from two regions are not two specks."""
    return _drawn_maps(tuple((m.commune_code, m.commune_name, m.departement, m.count) for m in commune_marks(report)))


@lru_cache(maxsize=32)
def _drawn_maps(marks: tuple) -> list:
    # Reading the départements' outlines takes a second: the same participants give the same map.
    from ..documents import initiatives_map

    return initiatives_map.build_frames([Mark(*mark) for mark in marks])


def _ranked_rows(counted: dict[str, list[int]]) -> list[list]:
    """Largest first, « Non renseigné » last."""
    ordered = sorted(counted.items(), key=lambda item: (item[0] == NOT_GIVEN, [-n for n in item[1]], fold(item[0])))
    return [[label, *counts] for label, counts in ordered]


# --- Initiatives and support needs -----------------------------------------------------------

@dataclass
class _Initiative:
    """One initiative presented at the villages of the report, as its fiche reads now."""

    initiative_id: int
    village_ids: set[int]
    first_day: date  # its first presentation among these villages
    themes: list[str]
    stage: str
    publics: list[str]
    departement: str
    needs: list[str]
    details: dict[str, str]


def _initiatives(ids: list[int]) -> list[_Initiative]:
    """The initiatives presented by porteurs with a confirmed place at these villages, each once."""
    version = InitiativeVersion
    rows = db.session.connection().execute(  # plain rows, as in _gather
        select(InitiativePresentation.initiative_id, InitiativePresentation.village_id, Village.day,
               version.thematiques, version.stage, version.publics, version.departement_code,
               Registration.postcode, version.support_needs, version.support_details)
        .join(Registration, InitiativePresentation.registration_id == Registration.id)
        .join(Village, InitiativePresentation.village_id == Village.id)
        # The holder's latest fiche: needs are often added or updated after registering.
        .join(Initiative, InitiativePresentation.initiative_id == Initiative.id)
        .join(version, (version.initiative_id == Initiative.id) & (version.number == Initiative.current_number))
        .where(InitiativePresentation.village_id.in_(ids), Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(Village.day, InitiativePresentation.id)
    )
    found: dict[int, _Initiative] = {}
    for initiative_id, village_id, day, themes, stage, publics, departement, postcode, needs, details in rows:
        if initiative_id in found:
            found[initiative_id].village_ids.add(village_id)
            continue
        found[initiative_id] = _Initiative(
            initiative_id=initiative_id, village_ids={village_id}, first_day=day,
            themes=lists.labels(lists.THEMATIQUES, themes) or [NOT_GIVEN],
            stage=lists.STAGES.get(stage or "", NOT_GIVEN),
            publics=lists.labels(lists.PUBLICS, publics) or [NOT_GIVEN],
            # Where the initiative acts; else where its holder comes from.
            departement=_departement_label(departement or departements.code_of(postcode)),
            needs=[n for n in (needs or []) if n in SUPPORT_NEEDS],
            details={k: v.strip() for k, v in (details or {}).items() if v and v.strip()},
        )
    return list(found.values())


INITIATIVES_CELL = ("nouvelles", TOTAL, "Initiatives")
SEVERAL = "Une initiative peut en avoir plusieurs."


def _count_table(key: str, title: str, header: str, values: list[str], note: str = "",
                 several: bool = False) -> Table:
    """Initiatives by one of their features; `several`: an initiative can have more than one."""
    counted = Counter(values)
    rows = sorted(([label, n] for label, n in counted.items()), key=lambda r: (r[0] == NOT_GIVEN, -r[1], fold(r[0])))
    table = Table(key, title, [header, "Initiatives"], rows, note=note, counted_rows=True, ranked=True)
    cells = [table.cell(row[0], "Initiatives") for row in rows]
    if several:  # each initiative is in one row at least, and at most once in each
        table.relations = [Relation(tuple((c, 1) for c in cells) + ((INITIATIVES_CELL, -1),), exact=False),
                           *(disclosure.at_most([c], INITIATIVES_CELL) for c in cells)]
    else:
        table.relations = [disclosure.total(cells, INITIATIVES_CELL)]
    return table


def _initiative_tables(facts: Facts) -> list[Table]:
    initiatives = facts.initiatives
    return [
        _count_table("thematiques", "Initiatives par thématique", "Thématique",
                     [t for i in initiatives for t in i.themes], note=SEVERAL, several=True),
        _count_table("stades", "Initiatives par stade d'avancement", "Stade", [i.stage for i in initiatives]),
        _count_table("publics", "Initiatives par public", "Public", [p for i in initiatives for p in i.publics],
                     note=SEVERAL, several=True),
        _count_table("territoires", "Initiatives par territoire", "Département",
                     [i.departement for i in initiatives],
                     note="Département de la commune où agit l'initiative, sinon celui de son porteur."),
        _new_or_known(initiatives),
    ]


def _new_or_known(initiatives: list[_Initiative]) -> Table:
    """An initiative is « déjà présentée » when it was presented at a village before those of the report."""
    first_day = dict(db.session.execute(
        select(InitiativePresentation.initiative_id, func.min(Village.day))
        .join(Village, InitiativePresentation.village_id == Village.id)
        .join(Registration, InitiativePresentation.registration_id == Registration.id)
        .where(InitiativePresentation.initiative_id.in_([i.initiative_id for i in initiatives]),
               Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(InitiativePresentation.initiative_id)
    ).all())
    known = sum(1 for i in initiatives if first_day.get(i.initiative_id, i.first_day) < i.first_day)
    return Table("nouvelles", "Initiatives nouvelles ou déjà présentées", ["Statut", "Initiatives"],
                 [["Nouvelles", len(initiatives) - known], ["Déjà présentées à un village précédent", known],
                  [TOTAL, len(initiatives)]],
                 note="« Déjà présentée » : venue à un village antérieur à ceux de ce bilan.")


NEEDS_CELL = "besoins"


def _needs_tables(facts: Facts) -> list[Table]:
    initiatives = facts.initiatives
    by_need = Counter(need for i in initiatives for need in i.needs)
    needs = Table(NEEDS_CELL, "Besoins d'appui exprimés", ["Besoin", "Initiatives"],
                  [[label, by_need.get(key, 0)] for key, label in SUPPORT_NEEDS.items()],
                  note="Nombre d'initiatives ayant exprimé chaque besoin (plusieurs besoins possibles).")
    need_cell = {label: needs.cell(label, "Initiatives") for label in SUPPORT_NEEDS.values()}
    # The holders' words quoted under a need tell that at least as many initiatives expressed it.
    needs.relations = [*(disclosure.at_most([cell], INITIATIVES_CELL) for cell in need_cell.values()),
                       *(disclosure.at_least([need_cell[label]], len(texts))
                         for label, texts in facts.need_details.items())]
    by_theme = _crossed(initiatives, "besoins_thematiques", "Besoins d'appui par thématique", lambda i: i.themes,
                        "Thématique")
    for row in by_theme.rows:  # an initiative has one thématique at least, maybe several
        cells = [by_theme.cell(row[0], h) for h in by_theme.headers[1:]]
        by_theme.relations += [Relation(tuple((c, 1) for c in cells) + ((need_cell[row[0]], -1),), exact=False),
                               *(disclosure.at_most([c], need_cell[row[0]]) for c in cells)]
    by_departement = _crossed(initiatives, "besoins_departements", "Besoins d'appui par département",
                              lambda i: [i.departement], "Département")
    by_departement.relations = [
        disclosure.total([by_departement.cell(row[0], h) for h in by_departement.headers[1:]], need_cell[row[0]])
        for row in by_departement.rows]
    return [needs, by_theme, by_departement]


def _crossed(initiatives: list[_Initiative], key: str, title: str, columns_of, columns_named: str) -> Table:
    columns = sorted({c for i in initiatives if i.needs for c in columns_of(i)},
                     key=lambda c: (c == NOT_GIVEN, french_sort_key(c)))
    counted = Counter((need, column) for i in initiatives for need in i.needs for column in columns_of(i))
    rows = [[label, *(counted.get((need, column), 0) for column in columns)] for need, label in SUPPORT_NEEDS.items()]
    return Table(key, title, ["Besoin", *columns], rows, chart="heatmap", counted_columns=True,
                 note="Nombre d'initiatives exprimant le besoin (en ligne) dans chaque colonne.",
                 columns_named=columns_named)


def _uncovered_needs(facts: Facts) -> list[Table]:
    """For each need expressed: who offered that support at the same village (mise en lien
    offers of participants with a confirmed place), and the initiatives left without any."""
    offered = db.session.execute(
        select(Registration.village_id, SupportOffer.category, func.count(func.distinct(Registration.id)))
        .join(Registration, SupportOffer.registration_id == Registration.id)
        .where(Registration.village_id.in_(facts.ids), Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(Registration.village_id, SupportOffer.category)
    )
    offers = {(village_id, need): count for village_id, need, count in offered}
    rows = []
    by_need = _grouped(facts.initiatives, lambda i: i.needs)
    for need, label in SUPPORT_NEEDS.items():
        expressing = by_need[need]
        if not expressing:
            continue
        offering = sum(count for (_, category), count in offers.items() if category == need)
        alone = sum(1 for i in expressing if not any(offers.get((v, need)) for v in i.village_ids))
        rows.append([label, len(expressing), offering, alone])
    rows.sort(key=lambda row: (-row[3], -row[1], fold(row[0])))
    expressed, alone = "Initiatives exprimant le besoin", "Initiatives sans aucune offre au même village"
    table = Table("non_couverts", "Besoins non couverts",
                  ["Besoin", expressed, "Participants offrant cet appui", alone],
                  rows, ranked=True,
                  note="Un besoin est non couvert quand aucun participant d'un village où l'initiative a été présentée "
                       "(institutionnel, élu…) n'a déclaré offrir ce type d'appui dans la mise en lien.")
    for row in rows:
        table.relations += [disclosure.same(table.cell(row[0], expressed), (NEEDS_CELL, row[0], "Initiatives")),
                            disclosure.at_least([table.cell(row[0], expressed)], 1),
                            disclosure.at_most([table.cell(row[0], alone)], table.cell(row[0], expressed))]
    return [table]


def _meetings(facts: Facts) -> list[Table]:
    by_status = dict(db.session.execute(
        select(MeetingRequest.status, func.count()).where(MeetingRequest.village_id.in_(facts.ids))
        .group_by(MeetingRequest.status)
    ).all())
    recorded = held = 0
    outcomes: Counter = Counter()
    for village in facts.villages:
        counted = matching_profiles.outcome_counts(village)
        recorded += counted["recorded"]
        held += counted["held"]
        outcomes.update(dict(counted["outcomes"]))
    asked, took_place = "Demandes de rendez-vous", "Rendez-vous tenus"
    known = "Rendez-vous dont le déroulement est connu"
    requests = Table("rendez_vous", "Mise en lien : demandes et rendez-vous", ["Étape", "Nombre"], [
        [asked, sum(by_status.values())],
        *([status.label, by_status.get(status.value, 0)] for status in RequestStatus),
        [known, recorded],
        [took_place, held],
    ], note="Rendez-vous tenus : au moins une des deux personnes a indiqué qu'il a eu lieu.")
    requests.relations = [
        disclosure.total([requests.cell(status.label, "Nombre") for status in RequestStatus],
                         requests.cell(asked, "Nombre")),
        disclosure.at_most([requests.cell(took_place, "Nombre")], requests.cell(known, "Nombre")),
    ]
    suites = Table("suites", "Mise en lien : ce qui est sorti des rendez-vous", ["Suite", "Rendez-vous"],
                   [[label, outcomes.get(label, 0)] for label in OUTCOMES.values()],
                   note="Suites indiquées par les participants après les rendez-vous tenus ; plusieurs possibles.")
    suites.relations = [disclosure.at_most([suites.cell(label, "Rendez-vous")], requests.cell(took_place, "Nombre"))
                        for label in OUTCOMES.values()]
    return [requests, suites]


def _satisfaction(facts: Facts) -> list[Table]:
    return survey.report_tables(facts.ids)


# The report, section by section: each function gives its tables from the facts gathered.
SECTIONS: list[Callable[[Facts], list[Table]]] = [
    _by_village, _by_role, _arrivals, _geography, _initiative_tables, _needs_tables, _uncovered_needs, _meetings,
    followup_tables, _satisfaction,
]


# --- The diffusion version -------------------------------------------------------------------


def known_relations(table: Table) -> list[Relation]:
    """What a reader knows of a table's cells besides their values: its own relations, its total
    row, and that its rows (columns) are shown only when someone is counted in them."""
    relations = list(table.relations)
    counts = table.headers[1:]
    if table.rows and table.rows[-1][0] == TOTAL:
        relations += [disclosure.total([table.cell(row[0], h) for row in table.body], table.cell(TOTAL, h))
                      for h in counts]
    if table.counted_rows:
        relations += [disclosure.at_least([table.cell(row[0], h) for h in counts], 1) for row in table.body]
    if table.counted_columns:
        relations += [disclosure.at_least([table.cell(row[0], h) for row in table.body], 1) for h in counts]
    return relations


def _for_outsiders(report: Report) -> Report:
    """The same report with small counts hidden, and enough others that none can be worked out
    from what is shown (app/services/disclosure.py)."""
    hidden = hidden_cells(report.tables)
    return replace(report, for_outsiders=True, tables=[replace(t, rows=masked_rows(t, hidden)) for t in report.tables])


def hidden_cells(tables: list[Table], figures: dict[Cell, int] | None = None, relations: list[Relation] = (),
                 left_shown: set[Cell] = frozenset()) -> set[Cell]:
    """The cells of `tables` (and of `figures` shown beside them) that a version for outsiders
    hides: small counts, and enough others that none can be worked out from what is shown, given
    what a reader knows of the tables (`known_relations`) and `relations`. The cells `left_shown`
    count no one (villages…) and are neither hidden nor used to hide."""
    values = {table.cell(row[0], header): value for table in tables for row in table.rows
              for header, value in zip(table.headers[1:], row[1:])} | (figures or {})
    values = {cell: value for cell, value in values.items() if cell not in left_shown}
    return set(_solved(tuple(values.items()), (*(r for table in tables for r in known_relations(table)), *relations)))


@lru_cache(maxsize=64)
def _solved(figures: tuple[tuple[Cell, int], ...], relations: tuple[Relation, ...]) -> frozenset[Cell]:
    """disclosure.protect's answer, solved once per set of figures in each worker: it solves a
    small program for each hidden cell (seconds for the observatory, a public page) and depends
    on nothing but the figures and what a reader knows of them."""
    return frozenset(disclosure.protect(dict(figures), list(relations)))


def masked_rows(table: Table, hidden: set[Cell]) -> list[list]:
    rows = [[row[0], *(HIDDEN if table.cell(row[0], header) in hidden else value
                       for header, value in zip(table.headers[1:], row[1:]))] for row in table.rows]
    if table.ranked:
        rows.sort(key=lambda row: (row[0] == TOTAL, row[0] == NOT_GIVEN, fold(row[0])))
    return rows
