"""Which registrations an export lists, in which order, and what is said of each.

Registrations are loaded in batches, so that a village of 10,000 participants
is never held in memory at once.
"""
from __future__ import annotations


from collections import namedtuple
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from operator import attrgetter
from typing import TypeVar

from sqlalchemy import ColumnElement, DateTime, Row, and_, bindparam, func, or_, select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import (
    SUPPORT_NEEDS, Initiative, InitiativePresentation, InitiativeVersion, Registration, RegistrationStatus, Village,
)
from ...models.registration import STATUS_LABELS, Role
from ...text import Civility, fold
from ...timeutil import WallClock, local_zone

BATCH_SIZE = 500
# A batch's ids are written in the SQL itself: as 500 bound parameters they cost twice as much
# (psycopg parses each placeholder of a query too long for its cache).
_BATCH = bindparam("batch", expanding=True, literal_execute=True)
_Loaded = TypeVar("_Loaded")
# Told (registrations written, registrations to write) as an export goes (a progress bar).
_progress_report: ContextVar[Callable[[int, int], None] | None] = ContextVar("progress_report", default=None)


@contextmanager
def reporting_progress(report: Callable[[int, int], None]) -> Iterator[None]:
    """Within the block, exports call `report(done, total)` after every batch of registrations."""
    token = _progress_report.set(report)
    try:
        yield
    finally:
        _progress_report.reset(token)


def alphabetical(name: str) -> str:
    """A sort key for a name: case and accents ignored (« Élise » comes with « Elise »)."""
    return fold(name).replace("œ", "oe").replace("æ", "ae")


def registrations(village: Village, attending_only: bool = False) -> Iterator[Registration]:
    """The village's registrations by last name, then first name, read in batches
    (with their initiative, for the porteurs who present one)."""
    def load(batch: list[int]) -> dict[int, Registration]:
        return {
            registration.id: registration
            for registration in db.session.scalars(
                select(Registration)
                .where(Registration.id.in_(_BATCH))
                .options(selectinload(Registration.presentation)
                         .selectinload(InitiativePresentation.initiative).selectinload(Initiative.versions)),
                {"batch": batch},
            )
        }

    return _in_order(village, attending_only, load)


def listing(village: Village, attending_only: bool = False) -> Iterator[Listed]:
    """The same registrations in the same order, as plain tuples of LISTED's columns: what the
    tabular exports show, read without building ORM objects. Moments are given as naive
    wall-clock times of the village's zone, as spreadsheets show them."""
    wall_clock = WallClock(local_zone())

    def local(row: Row) -> Listed:
        values = list(row)
        for index in _MOMENTS:
            if values[index] is not None:
                values[index] = wall_clock(values[index])
        # A named tuple's fields are read ten times faster than a SQLAlchemy Row's.
        return Listed._make(values)

    def load(batch: list[int]) -> dict[int, Listed]:
        # All at once: iterated, a result fetches its rows one by one (three Python calls each).
        batch_rows = db.session.connection().execute(LISTED.where(Registration.id.in_(_BATCH)), {"batch": batch}).all()
        return {row.id: local(row) for row in batch_rows}

    return _in_order(village, attending_only, load)


def _in_order(village: Village, attending_only: bool,
              load: Callable[[list[int]], dict[int, _Loaded]]) -> Iterator[_Loaded]:
    """Databases disagree on how accented names sort (SQLite only folds ASCII), so the
    order is decided here on the names alone (a few dozen bytes per registration);
    the full rows are then loaded BATCH_SIZE at a time. Plain columns are read through the
    session's connection: through the session itself, the ORM would process every row again."""
    names = db.session.connection().execute(
        select(Registration.id, Registration.last_name, Registration.first_name)
        .where(*_listed(village, attending_only))
        .execution_options(yield_per=BATCH_SIZE)
    )
    ordered_ids = [
        registration_id
        for *_, registration_id in sorted(
            (alphabetical(last), alphabetical(first), registration_id)
            for registration_id, last, first in names
        )
    ]
    report = _progress_report.get() or (lambda done, total: None)
    for start in range(0, len(ordered_ids), BATCH_SIZE):
        report(start, len(ordered_ids))
        batch = ordered_ids[start:start + BATCH_SIZE]
        loaded = load(batch)
        # One deleted meanwhile (by the retention purge) is simply left out.
        yield from (loaded[i] for i in batch if i in loaded)
    report(len(ordered_ids), len(ordered_ids))


def attending_count(village: Village) -> int:
    return db.session.scalar(select(func.count()).where(*_listed(village, attending_only=True)))


def _listed(village: Village, attending_only: bool) -> list[ColumnElement[bool]]:
    """`attending_only` keeps those expected at the door: confirmed ones and walk-ins.
    Anonymised registrations hold no personal data any more and are always left out."""
    conditions = [Registration.village_id == village.id, Registration.anonymised_at.is_(None)]
    if attending_only:
        conditions.append(
            or_(Registration.status == RegistrationStatus.CONFIRMED, Registration.is_walk_in)
        )
    return conditions


# What the tabular exports show of a registration: its own columns, its stand, and the current
# version of the initiative it presents, whose columns keep their names (see Field.of_initiative).
LISTED = (
    select(
        Registration.id, Registration.status, Registration.role, Registration.civility, Registration.last_name,
        Registration.first_name, Registration.email, Registration.phone, Registration.commune,
        Registration.postcode, Registration.organisation, Registration.position, Registration.collectivity,
        Registration.mandate, Registration.represented_group, Registration.lunch, Registration.dietary_needs,
        Registration.accessibility_needs, Registration.consent_photos, Registration.consent_listing,
        Registration.consent_news, Registration.consent_version, Registration.consented_at,
        Registration.is_walk_in, Registration.created_at, Registration.confirmed_at,
        Registration.cancelled_at, Registration.checked_in_at,
        InitiativePresentation.wants_stand, InitiativePresentation.stand_table,
        InitiativePresentation.stand_electricity,
        InitiativeVersion.id.label("version_id"), InitiativeVersion.name, InitiativeVersion.structure,
        InitiativeVersion.summary, InitiativeVersion.stage, InitiativeVersion.dimension,
        InitiativeVersion.thematiques, InitiativeVersion.keywords, InitiativeVersion.publics,
        InitiativeVersion.commune_name, InitiativeVersion.commune_code, InitiativeVersion.departement_code,
        InitiativeVersion.territory_detail, InitiativeVersion.territory_scale, InitiativeVersion.partners,
        InitiativeVersion.support_needs, InitiativeVersion.support_details, InitiativeVersion.sharing_offers,
    )
    .outerjoin(InitiativePresentation, InitiativePresentation.registration_id == Registration.id)
    .outerjoin(Initiative, Initiative.id == InitiativePresentation.initiative_id)
    .outerjoin(InitiativeVersion, and_(InitiativeVersion.initiative_id == Initiative.id,
                                       InitiativeVersion.number == Initiative.current_number))
)
Listed = namedtuple("Listed", LISTED.selected_columns.keys())
_MOMENTS = [index for index, column in enumerate(LISTED.selected_columns) if isinstance(column.type, DateTime)]


@dataclass(frozen=True)
class Field:
    """One column of the tabular exports: a French header and how to read the value from a
    row of `listing`."""

    header: str
    value: Callable[[Listed], object]
    width: int = 18  # in characters, for the spreadsheet
    # A field of the fiche as it stands now (the initiative presented at this village), empty
    # for those who present none. The row holds the version's columns under their own names,
    # so InitiativeVersion's labels read it.
    of_initiative: bool = False


def _column(name: str) -> Callable[[Listed], object]:
    """The row's column, shown as stored (read by a C function: no Python call per cell)."""
    return attrgetter(name)


# Booleans as the tabular exports show them; a stand's, for one who presents no initiative, is
# None and stays an empty cell.
YES_NO = {True: "Oui", False: "Non", None: None}


def _yes_no(name: str) -> Callable[[Listed], str | None]:
    """The row's boolean column as « Oui » or « Non », said here for both the CSV and the XLSX:
    one call per value, where each export's own conversion made two (8 of the 44 columns)."""
    read = attrgetter(name)
    return lambda row: YES_NO[read(row)]


def _joined(labels: property) -> Callable[[Listed], str]:
    return lambda row: ", ".join(labels.fget(row))


# Each person's role as they asked to be addressed (Registration.role_label), looked up rather
# than worked out again for each of thousands of rows.
_ROLE_OF = {(role.value, civility): role.of(civility) for role in Role for civility in (None, *Civility)}

FIELDS: list[Field] = [
    Field("N° d'inscription", _column("id"), 10),
    Field("Statut", lambda r: STATUS_LABELS[r.status], 14),
    Field("Qualité", lambda r: _ROLE_OF[r.role, r.civility], 24),
    Field("Nom", _column("last_name"), 20),
    Field("Prénom", _column("first_name"), 16),
    Field("Courriel", _column("email"), 28),
    Field("Téléphone", _column("phone"), 16),
    Field("Commune", _column("commune"), 18),
    Field("Code postal", _column("postcode"), 10),
    Field("Structure", _column("organisation"), 24),
    Field("Fonction, service", _column("position"), 22),
    Field("Collectivité", _column("collectivity"), 22),
    Field("Mandat", _column("mandate"), 18),
    Field("Groupe représenté", _column("represented_group"), 22),
    Field("Déjeuner", _yes_no("lunch"), 10),
    Field("Régime alimentaire", _column("dietary_needs"), 22),
    Field("Besoins d'accessibilité", _column("accessibility_needs"), 24),
    Field("Accord photos", _yes_no("consent_photos"), 10),
    Field("Accord annuaire des participants", _yes_no("consent_listing"), 12),
    Field("Accord actualités", _yes_no("consent_news"), 10),
    Field("Version des accords", _column("consent_version"), 10),
    Field("Accords donnés le", _column("consented_at"), 17),
    Field("Inscription sur place", _yes_no("is_walk_in"), 10),
    Field("Date d'inscription", _column("created_at"), 17),
    Field("Date de confirmation", _column("confirmed_at"), 17),
    Field("Date d'annulation", _column("cancelled_at"), 17),
    Field("Date d'arrivée", _column("checked_in_at"), 17),
    Field("Initiative", _column("name"), 28, of_initiative=True),
    Field("Structure porteuse", _column("structure"), 24, of_initiative=True),
    Field("Résumé de l'initiative", _column("summary"), 50, of_initiative=True),
    Field("État de l'initiative", InitiativeVersion.stage_label.fget, 14, of_initiative=True),
    Field("Dimension", InitiativeVersion.dimension_label.fget, 18, of_initiative=True),
    Field("Thèmes", _joined(InitiativeVersion.thematique_labels), 24, of_initiative=True),
    Field("Mots-clés", _column("keywords"), 24, of_initiative=True),
    Field("Public visé", _joined(InitiativeVersion.public_labels), 22, of_initiative=True),
    Field("Territoire", InitiativeVersion.territory_label.fget, 22, of_initiative=True),
    Field("Code INSEE", _column("commune_code"), 10, of_initiative=True),
    Field("Partenaires", _column("partners"), 30, of_initiative=True),
    Field("Besoins d'appui", _joined(InitiativeVersion.support_labels), 30, of_initiative=True),
    Field("Précisions sur les besoins",
          lambda i: " ; ".join(f"{SUPPORT_NEEDS[k]} : {v}" for k, v in i.support_details.items()), 40,
          of_initiative=True),
    Field("Peut partager", _joined(InitiativeVersion.sharing_labels), 24, of_initiative=True),
    # Left empty (None) for those who present no initiative here.
    Field("Stand souhaité", _yes_no("wants_stand"), 10),
    Field("Table", _yes_no("stand_table"), 8),
    Field("Électricité", _yes_no("stand_electricity"), 10),
]

HEADERS = [field.header for field in FIELDS]


_READERS = [field.value for field in FIELDS]
# Most participants present no initiative: their fiche fields are not even read.
_READERS_WITHOUT_INITIATIVE = [None if field.of_initiative else field.value for field in FIELDS]


def values(row: Listed) -> list[object]:
    if row.version_id is None:
        return [read(row) if read is not None else None for read in _READERS_WITHOUT_INITIATIVE]
    return [read(row) for read in _READERS]
