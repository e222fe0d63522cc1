"""The report of one or several villages: who came, what the initiatives are, what their holders
need, and what participants thought of the day. Every figure is counted from the registrations.

A report is a list of tables of whole numbers; the page, the PDF and the spreadsheet all show
the same tables. The version meant for people outside the team (`for_outsiders`) shows counts
of 1 and 2 as « < 3 », so that nobody can be recognised from a small group.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime, time

from sqlalchemy import func, select

from ..extensions import db
from ..models import initiative_lists as lists
from ..models import (
    OUTCOMES, SUPPORT_NEEDS, Initiative, InitiativePresentation, InitiativeVersion, MeetingRequest, Registration,
    RegistrationStatus, RequestStatus, Role, SupportOffer, Village,
)
from ..templating import french_sort_key
from ..timeutil import to_local
from ..documents.figures import FILE_FORMATS, Report, Table  # noqa: F401  (FILE_FORMATS: for the pages that offer them)
from ..documents.initiatives_map import Mark
from ..reference import communes, departements
from . import matching_profiles, survey

NOT_GIVEN = "Non renseigné"
COMMUNES_SHOWN = 15


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
    tables += _initiative_tables(initiatives)
    tables += _needs_tables(initiatives)
    tables.append(_uncovered_needs(initiatives, ids))
    tables += _meeting_tables(villages)
    tables += survey.report_tables(ids)
    title = villages[0].name if len(villages) == 1 else f"{len(villages)} villages"
    attendance = next(t for t in tables if t.key == "presence")
    return Report(
        villages=list(villages),
        title=title,
        tables=tables,
        key_figures=_key_figures(attendance, len(initiatives)),
        need_details=_need_details(initiatives),
        comments=survey.comments(ids),
        for_outsiders=for_outsiders,
        communes_map=communes_map(villages),
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
    moments = db.session.execute(
        select(Village.day, Registration.checked_in_at)
        .join(Village, Registration.village_id == Village.id)
        .where(
            Registration.village_id.in_(ids),
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.checked_in_at.is_not(None),
        )
    )
    # A village lasts a day, and clocks change at night: one offset per village's day.
    offsets = {}
    hours = Counter()
    for day, moment in moments:
        if day not in offsets:
            offsets[day] = to_local(datetime.combine(day, time(12))).utcoffset()
        hours[(moment + offsets[day]).hour] += 1
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


def commune_marks(villages: list[Village]) -> list[Mark]:
    """One mark per commune the participants (confirmed places) come from, for the offline map;
    communes whose name and postcode name no single French commune are left out (they stay in
    the table by commune)."""
    counted: Counter = Counter()
    rows = db.session.execute(
        select(Registration.commune, Registration.postcode, func.count())
        .where(Registration.village_id.in_([v.id for v in villages]),
               Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(Registration.commune, Registration.postcode)
    )
    for commune, postcode, number in rows:
        code = departements.code_of(postcode)
        try:
            found = communes.find(f"{commune} ({code})" if code else commune)
        except communes.UnknownCommune:
            continue
        counted[(found.code, found.name, found.departement)] += number
    return [Mark(code, name, departement, count) for (code, name, departement), count in sorted(counted.items())]


def communes_map(villages: list[Village]):
    """The offline map (app/documents/initiatives_map.py) of the participants' communes, or None."""
    marks = commune_marks(villages)
    return _drawn_map(tuple((m.commune_code, m.commune_name, m.departement, m.count) for m in marks))


@lru_cache(maxsize=32)
def _drawn_map(marks: tuple):
    # Reading the départements' outlines takes a second: the same participants give the same map.
    from ..documents import initiatives_map

    return initiatives_map.build([Mark(*mark) for mark in marks], [])


def _sorted_rows(counted: dict[str, list[int]]) -> list[list]:
    """Largest first, « Non renseigné » last."""
    ordered = sorted(counted.items(), key=lambda item: (item[0] == NOT_GIVEN, -item[1][0], item[0]))
    return [[label, *counts] for label, counts in ordered]


# --- Initiatives and support needs -----------------------------------------------------------

@dataclass
class _Initiative:
    """One initiative presented at one village, as its fiche reads now."""

    initiative_id: int
    village_id: int
    day: date
    themes: list[str]
    stage: str
    publics: list[str]
    departement: str
    needs: list[str]
    details: dict[str, str]


def _departement_label(code: str | None) -> str:
    return f"{departements.NAMES[code]} ({code})" if code in departements.NAMES else departements.UNKNOWN


def _initiatives(ids: list[int]) -> list[_Initiative]:
    """The initiatives presented by porteurs with a confirmed place at these villages."""
    version = InitiativeVersion
    rows = db.session.execute(
        select(InitiativePresentation.initiative_id, InitiativePresentation.village_id, Village.day,
               version.thematiques, version.stage, version.publics, version.departement_code,
               Registration.postcode, version.support_needs, version.support_details)
        .join(Registration, InitiativePresentation.registration_id == Registration.id)
        .join(Village, InitiativePresentation.village_id == Village.id)
        # The holder's latest fiche: needs are often added or updated after registering.
        .join(Initiative, InitiativePresentation.initiative_id == Initiative.id)
        .join(version, (version.initiative_id == Initiative.id) & (version.number == Initiative.current_number))
        .where(InitiativePresentation.village_id.in_(ids), Registration.status == RegistrationStatus.CONFIRMED)
    )
    return [
        _Initiative(
            initiative_id=initiative_id, village_id=village_id, day=day,
            themes=lists.labels(lists.THEMATIQUES, themes) or [NOT_GIVEN],
            stage=lists.STAGES.get(stage or "", NOT_GIVEN),
            publics=lists.labels(lists.PUBLICS, publics) or [NOT_GIVEN],
            # Where the initiative acts; else where its holder comes from.
            departement=_departement_label(departement or departements.code_of(postcode)),
            needs=[n for n in (needs or []) if n in SUPPORT_NEEDS],
            details={k: v.strip() for k, v in (details or {}).items() if v and v.strip()},
        )
        for initiative_id, village_id, day, themes, stage, publics, departement, postcode, needs, details in rows
    ]


def _count_table(key: str, title: str, header: str, values: list[str], note: str = "") -> Table:
    counted = Counter(values)
    rows = sorted(([label, n] for label, n in counted.items()), key=lambda r: (r[0] == NOT_GIVEN, -r[1], r[0]))
    return Table(key, title, [header, "Initiatives"], rows, note=note)


SEVERAL = "Une initiative peut en avoir plusieurs."


def _initiative_tables(initiatives: list[_Initiative]) -> list[Table]:
    return [
        _count_table("thematiques", "Initiatives par thématique", "Thématique",
                     [t for i in initiatives for t in i.themes], note=SEVERAL),
        _count_table("stades", "Initiatives par stade d'avancement", "Stade", [i.stage for i in initiatives]),
        _count_table("publics", "Initiatives par public", "Public", [p for i in initiatives for p in i.publics],
                     note=SEVERAL),
        _count_table("territoires", "Initiatives par territoire", "Département",
                     [i.departement for i in initiatives],
                     note="Département de la commune où agit l'initiative, sinon celui de son porteur."),
        _new_or_known(initiatives),
    ]


def _new_or_known(initiatives: list[_Initiative]) -> Table:
    """An initiative is « déjà présentée » when it was presented at an earlier village."""
    ids = {i.initiative_id for i in initiatives}
    first_day = dict(db.session.execute(
        select(InitiativePresentation.initiative_id, func.min(Village.day))
        .join(Village, InitiativePresentation.village_id == Village.id)
        .join(Registration, InitiativePresentation.registration_id == Registration.id)
        .where(InitiativePresentation.initiative_id.in_(ids), Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(InitiativePresentation.initiative_id)
    ).all())
    known = sum(1 for i in initiatives if first_day.get(i.initiative_id, i.day) < i.day)
    return Table("nouvelles", "Initiatives nouvelles ou déjà présentées", ["Initiatives", "Nombre"],
                 [["Nouvelles", len(initiatives) - known], ["Déjà présentées à un village précédent", known]],
                 note="Une initiative est « déjà présentée » si elle est venue à un village antérieur.")


def _needs_tables(initiatives: list[_Initiative]) -> list[Table]:
    by_need = Counter(need for i in initiatives for need in i.needs)
    needs = Table("besoins", "Besoins d'appui exprimés", ["Besoin", "Initiatives"],
                  [[label, by_need.get(key, 0)] for key, label in SUPPORT_NEEDS.items()],
                  note="Nombre d'initiatives ayant exprimé chaque besoin (plusieurs besoins possibles).")
    return [needs,
            _crossed(initiatives, "besoins_thematiques", "Besoins d'appui par thématique", lambda i: i.themes,
                     "Thématique"),
            _crossed(initiatives, "besoins_departements", "Besoins d'appui par département",
                     lambda i: [i.departement], "Département")]


def _crossed(initiatives: list[_Initiative], key: str, title: str, columns_of, columns_named: str) -> Table:
    columns = sorted({c for i in initiatives if i.needs for c in columns_of(i)},
                     key=lambda c: (c in (NOT_GIVEN, departements.UNKNOWN), french_sort_key(c)))
    counted = Counter((need, column) for i in initiatives for need in i.needs for column in columns_of(i))
    rows = [[label, *(counted.get((need, column), 0) for column in columns)] for need, label in SUPPORT_NEEDS.items()]
    return Table(key, title, ["Besoin", *columns], rows, chart="heatmap",
                 note="Nombre d'initiatives exprimant le besoin (en ligne) dans chaque colonne.",
                 columns_named=columns_named)


def _uncovered_needs(initiatives: list[_Initiative], ids: list[int]) -> Table:
    """For each need expressed: who offered that support at the same village (mise en lien
    offers of participants with a confirmed place), and the initiatives left without any."""
    offered = db.session.execute(
        select(Registration.village_id, SupportOffer.category, func.count(func.distinct(Registration.id)))
        .join(Registration, SupportOffer.registration_id == Registration.id)
        .where(Registration.village_id.in_(ids), Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(Registration.village_id, SupportOffer.category)
    )
    offers = {(village_id, need): count for village_id, need, count in offered}
    rows = []
    for need, label in SUPPORT_NEEDS.items():
        expressing = [i for i in initiatives if need in i.needs]
        if not expressing:
            continue
        offering = sum(count for (_, category), count in offers.items() if category == need)
        alone = sum(1 for i in expressing if not offers.get((i.village_id, need)))
        rows.append([label, len(expressing), offering, alone])
    rows.sort(key=lambda row: (-row[3], -row[1], row[0]))
    return Table("non_couverts", "Besoins non couverts", [
        "Besoin", "Initiatives exprimant le besoin", "Participants offrant cet appui",
        "Initiatives sans aucune offre au même village"], rows,
        note="Un besoin est non couvert quand aucun participant du même village (institutionnel, élu…) n'a "
             "déclaré offrir ce type d'appui dans la mise en lien.")


def _meeting_tables(villages: list[Village]) -> list[Table]:
    ids = [v.id for v in villages]
    by_status = dict(db.session.execute(
        select(MeetingRequest.status, func.count()).where(MeetingRequest.village_id.in_(ids))
        .group_by(MeetingRequest.status)
    ).all())
    recorded = held = 0
    outcomes: Counter = Counter()
    for village in villages:
        counted = matching_profiles.outcome_counts(village)
        recorded += counted["recorded"]
        held += counted["held"]
        outcomes.update(dict(counted["outcomes"]))
    requests = [
        ["Demandes de rendez-vous", sum(by_status.values())],
        *([status.label, by_status.get(status.value, 0)] for status in RequestStatus),
        ["Rendez-vous dont le déroulement est connu", recorded],
        ["Rendez-vous tenus", held],
    ]
    return [
        Table("rendez_vous", "Mise en lien : demandes et rendez-vous", ["Étape", "Nombre"], requests,
              note="Rendez-vous tenus : au moins une des deux personnes a indiqué qu'il a eu lieu."),
        Table("suites", "Mise en lien : ce qui est sorti des rendez-vous", ["Suite", "Rendez-vous"],
              [[label, outcomes.get(label, 0)] for label in OUTCOMES.values()],
              note="Suites indiquées par les participants après les rendez-vous tenus ; plusieurs possibles."),
    ]


def _need_details(initiatives: list[_Initiative]) -> dict[str, list[str]]:
    """The holders' own words about each need they ticked."""
    details: dict[str, list[str]] = {}
    for key, label in SUPPORT_NEEDS.items():
        texts = sorted({i.details[key] for i in initiatives if key in i.needs and key in i.details})
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

