"""Which registrations an export lists, in which order, and what is said of each.

Registrations are loaded in batches, so that a village of 10,000 participants
is never held in memory at once.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import (
    SUPPORT_NEEDS, Initiative, InitiativePresentation, InitiativeVersion, Registration, RegistrationStatus, Village,
)
from ...timeutil import to_local

BATCH_SIZE = 500


def alphabetical(name: str) -> str:
    """A sort key for a name: case and accents ignored (« Élise » comes with « Elise »)."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return plain.replace("œ", "oe").replace("æ", "ae")


def registrations(village: Village, attending_only: bool = False) -> Iterator[Registration]:
    """The village's registrations by last name, then first name, read in batches.

    Databases disagree on how accented names sort (SQLite only folds ASCII), so the
    order is decided here on the names alone (a few dozen bytes per registration);
    the full rows are then loaded BATCH_SIZE at a time.
    """
    names = db.session.execute(
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
    for start in range(0, len(ordered_ids), BATCH_SIZE):
        batch = ordered_ids[start:start + BATCH_SIZE]
        loaded = {
            registration.id: registration
            for registration in db.session.scalars(
                select(Registration)
                .where(Registration.id.in_(batch))
                .options(selectinload(Registration.presentation)
                         .selectinload(InitiativePresentation.initiative).selectinload(Initiative.versions))
            )
        }
        # One deleted meanwhile (by the retention purge) is simply left out.
        yield from (loaded[i] for i in batch if i in loaded)


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


def local_time(moment: datetime | None) -> datetime | None:
    """A stored UTC moment as a naive wall-clock time of the village's zone, for spreadsheets."""
    return to_local(moment).replace(tzinfo=None) if moment is not None else None


@dataclass(frozen=True)
class Field:
    """One column of the tabular exports: a French header and how to read the value."""

    header: str
    value: Callable[[Registration], object]
    width: int = 18  # in characters, for the spreadsheet


def _initiative(read: Callable[[InitiativeVersion], object]) -> Callable[[Registration], object]:
    """A field of the fiche as it stands now (the initiative presented at this village)."""
    return lambda registration: read(registration.initiative.current) if registration.initiative else None


def _stand(name: str) -> Callable[[Registration], object]:
    return lambda registration: getattr(registration.presentation, name) if registration.presentation else None


FIELDS: list[Field] = [
    Field("N° d'inscription", lambda r: r.id, 10),
    Field("Statut", lambda r: r.status_label, 14),
    Field("Qualité", lambda r: r.role_label, 24),
    Field("Nom", lambda r: r.last_name, 20),
    Field("Prénom", lambda r: r.first_name, 16),
    Field("Courriel", lambda r: r.email, 28),
    Field("Téléphone", lambda r: r.phone, 16),
    Field("Commune", lambda r: r.commune, 18),
    Field("Code postal", lambda r: r.postcode, 10),
    Field("Structure", lambda r: r.organisation, 24),
    Field("Fonction, service", lambda r: r.position, 22),
    Field("Collectivité", lambda r: r.collectivity, 22),
    Field("Mandat", lambda r: r.mandate, 18),
    Field("Groupe représenté", lambda r: r.represented_group, 22),
    Field("Déjeuner", lambda r: r.lunch, 10),
    Field("Régime alimentaire", lambda r: r.dietary_needs, 22),
    Field("Besoins d'accessibilité", lambda r: r.accessibility_needs, 24),
    Field("Accord photos", lambda r: r.consent_photos, 10),
    Field("Accord annuaire des participants", lambda r: r.consent_listing, 12),
    Field("Accord actualités", lambda r: r.consent_news, 10),
    Field("Version des accords", lambda r: r.consent_version, 10),
    Field("Accords donnés le", lambda r: local_time(r.consented_at), 17),
    Field("Inscrit sur place", lambda r: r.is_walk_in, 10),
    Field("Inscrit le", lambda r: local_time(r.created_at), 17),
    Field("Confirmé le", lambda r: local_time(r.confirmed_at), 17),
    Field("Annulé le", lambda r: local_time(r.cancelled_at), 17),
    Field("Arrivé le", lambda r: local_time(r.checked_in_at), 17),
    Field("Initiative", _initiative(lambda i: i.name), 28),
    Field("Structure porteuse", _initiative(lambda i: i.structure), 24),
    Field("Résumé de l'initiative", _initiative(lambda i: i.summary), 50),
    Field("État de l'initiative", _initiative(lambda i: i.stage_label), 14),
    Field("Dimension", _initiative(lambda i: i.dimension_label), 18),
    Field("Thèmes", _initiative(lambda i: ", ".join(i.thematique_labels)), 24),
    Field("Mots-clés", _initiative(lambda i: i.keywords), 24),
    Field("Public visé", _initiative(lambda i: ", ".join(i.public_labels)), 22),
    Field("Territoire", _initiative(lambda i: i.territory_label), 22),
    Field("Code INSEE", _initiative(lambda i: i.commune_code), 10),
    Field("Partenaires", _initiative(lambda i: i.partners), 30),
    Field("Besoins d'appui", _initiative(lambda i: ", ".join(i.support_labels)), 30),
    Field("Précisions sur les besoins", _initiative(
        lambda i: " ; ".join(f"{SUPPORT_NEEDS[k]} : {v}" for k, v in i.support_details.items())), 40),
    Field("Peut partager", _initiative(lambda i: ", ".join(i.sharing_labels)), 24),
    Field("Stand souhaité", _stand("wants_stand"), 10),
    Field("Table", _stand("stand_table"), 8),
    Field("Électricité", _stand("stand_electricity"), 10),
]

HEADERS = [field.header for field in FIELDS]


def values(registration: Registration) -> list[object]:
    return [field.value(registration) for field in FIELDS]
