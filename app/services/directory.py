"""The public directory of initiatives: filters, word search, pages, and what the map marks.

Only initiatives shown publicly are ever read here (Initiative.is_shown_to), in their
approved version. Searching ignores accents and case: the words are folded like each
version's `search_text`. List filters match the JSON lists' text ('"sante"'), which works
alike on SQLite and PostgreSQL.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from math import ceil

from sqlalchemy import String, and_, cast, exists, func, select

from ..extensions import db
from ..models import (
    Initiative, InitiativePresentation, InitiativeVersion, Registration, RegistrationStatus, Village, Visibility,
)
from ..documents.initiatives_map import Mark
from ..models import initiative_lists as lists
from .initiatives import fold
from .villages import coming_and_past

PAGE_SIZE = 24
FILTERS = {  # URL parameter: its label
    "village": "Village",
    "theme": "Thème",
    "public": "Public",
    "departement": "Département",
    "besoin": "Besoin d'appui",
    "etat": "Où en est-elle",
}


class BadFilter(ValueError):
    """A filter value outside its list; the message is meant for people."""


@dataclass
class DirectoryQuery:
    village: str = ""
    theme: str = ""
    public: str = ""
    departement: str = ""
    besoin: str = ""
    etat: str = ""
    text: str = ""
    page: int = 1
    commune: str = ""  # INSEE code: a mark of the map leads to exactly its commune's initiatives

    def check(self, village_slugs: set[str]) -> None:
        allowed = {
            "village": village_slugs, "theme": lists.THEMATIQUES, "public": lists.PUBLICS,
            "besoin": lists.SUPPORT_NEEDS, "etat": lists.STAGES,
        }
        for name, values in allowed.items():
            value = getattr(self, name)
            if value and value not in values:
                raise BadFilter(f"Ce filtre n'existe pas ({FILTERS[name].lower()} : « {value[:40]} »).")
        if self.departement and not (len(self.departement) in (2, 3) and self.departement.isalnum()):
            raise BadFilter("Ce département n'existe pas : indiquez son numéro, par exemple 04.")
        if len(self.text) > 200:
            raise BadFilter("La recherche est limitée à 200 caractères.")
        if self.commune and not (len(self.commune) == 5 and self.commune.isalnum()):
            raise BadFilter("Cette commune n'existe pas : indiquez son code INSEE, par exemple 04209.")

    def args(self, **overrides) -> dict:
        values = {"village": self.village, "theme": self.theme, "public": self.public,
                  "departement": self.departement, "besoin": self.besoin, "etat": self.etat,
                  "q": self.text, "page": self.page, "commune": self.commune}
        values.update(overrides)
        return {key: value for key, value in values.items() if value and not (key == "page" and value == 1)}


@dataclass
class Card:
    slug: str
    name: str
    structure: str
    territory: str
    thematiques: list[str]
    publics: list[str]
    stage: str
    villages: list[Village] = field(default_factory=list)
    is_public: bool = True  # else shown to the village's participants only: no public page

    @property
    def coming_villages(self) -> list[Village]:
        """Where to meet it (« À rencontrer »): the villages whose day has not passed."""
        return coming_and_past(self.villages)[0]

    @property
    def past_villages(self) -> list[Village]:
        """Where it was presented (« Présentée à »): the villages after their day."""
        return coming_and_past(self.villages)[1]


@dataclass
class DirectoryPage:
    cards: list[Card]
    total: int
    page: int
    pages: int


def _like(words: str) -> str:
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(query: DirectoryQuery, *columns, audience: str = Visibility.PUBLIC):
    statement = Initiative.shown_versions(audience).with_only_columns(*columns)
    if query.etat:
        statement = statement.where(InitiativeVersion.stage == query.etat)
    if query.departement:
        statement = statement.where(InitiativeVersion.departement_code == query.departement.upper())
    if query.commune:
        statement = statement.where(InitiativeVersion.commune_code == query.commune.upper())
    for column, value in ((InitiativeVersion.thematiques, query.theme), (InitiativeVersion.publics, query.public),
                          (InitiativeVersion.support_needs, query.besoin)):
        if value:
            statement = statement.where(cast(column, String).like(f'%"{value}"%'))
    if query.village:
        statement = statement.where(exists(
            select(InitiativePresentation.id)
            .join(Village, Village.id == InitiativePresentation.village_id)
            .where(InitiativePresentation.initiative_id == Initiative.id, Village.slug == query.village)
        ))
    for word in fold(query.text).split():
        statement = statement.where(InitiativeVersion.search_text.like(_like(word), escape="\\"))
    return statement


def search(query: DirectoryQuery, *, for_participants: bool = False) -> DirectoryPage:
    """A page of cards; `for_participants` of the query's village adds what holders showed to them only."""
    audience = Visibility.PARTICIPANTS if for_participants else Visibility.PUBLIC
    total = db.session.scalar(_filtered(query, func.count(Initiative.id), audience=audience)) or 0
    pages = max(1, ceil(total / PAGE_SIZE))
    page = min(max(query.page, 1), pages)
    rows = db.session.execute(
        _filtered(query, Initiative.id, Initiative.slug, InitiativeVersion.name, InitiativeVersion.structure,
                  InitiativeVersion.commune_name, InitiativeVersion.departement_code,
                  InitiativeVersion.territory_detail, InitiativeVersion.territory_scale,
                  InitiativeVersion.thematiques, InitiativeVersion.publics, InitiativeVersion.stage,
                  Initiative.visibility, audience=audience)
        .order_by(func.lower(InitiativeVersion.name), Initiative.id)
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    villages = villages_of([row.id for row in rows])
    cards = [
        Card(
            slug=row.slug, name=row.name, structure=row.structure,
            territory=_territory(row.commune_name, row.departement_code, row.territory_detail, row.territory_scale),
            thematiques=lists.labels(lists.THEMATIQUES, row.thematiques),
            publics=lists.labels(lists.PUBLICS, row.publics),
            stage=lists.STAGES.get(row.stage or "", ""),
            villages=villages.get(row.id, []),
            is_public=row.visibility == Visibility.PUBLIC,
        )
        for row in rows
    ]
    return DirectoryPage(cards=cards, total=total, page=page, pages=pages)


def _territory(commune: str | None, departement: str | None, detail: str | None, scale: str | None) -> str:
    if commune:
        return f"{commune} ({departement})" if departement else commune
    return detail or lists.TERRITORY_SCALES.get(scale or "", "")


def villages_of(initiative_ids: list[int]) -> dict[int, list[Village]]:
    """The villages (not archived) where each initiative is presented, by date."""
    if not initiative_ids:
        return {}
    found: dict[int, list[Village]] = defaultdict(list)
    rows = db.session.execute(
        select(InitiativePresentation.initiative_id, Village)
        .join(Village, Village.id == InitiativePresentation.village_id)
        .where(InitiativePresentation.initiative_id.in_(initiative_ids), Village.archived_at.is_(None))
        .order_by(Village.day)
    ).all()
    for initiative_id, village in rows:
        found[initiative_id].append(village)
    return found


def holders_to_meet(village: Village, slugs: list[str]) -> dict[str, Registration]:
    """{initiative slug: its holder} for the initiatives shown to the village's participants whose
    holder has a place there and agreed to appear on its list of participants (as suggestions
    require): those a participant may ask for a meeting from the directory."""
    if not slugs:
        return {}
    rows = db.session.execute(
        select(Initiative.slug, Registration)
        .join(InitiativePresentation, InitiativePresentation.initiative_id == Initiative.id)
        .join(Registration, Registration.id == InitiativePresentation.registration_id)
        .where(InitiativePresentation.village_id == village.id, Initiative.slug.in_(slugs),
               Initiative.is_shown_to(Visibility.PARTICIPANTS),
               Registration.status == RegistrationStatus.CONFIRMED, Registration.consent_listing.is_(True),
               Registration.anonymised_at.is_(None))
    ).all()
    return {slug: holder for slug, holder in rows}


def marks(query: DirectoryQuery) -> list[Mark]:
    """One mark per commune with initiatives matching the query."""
    code, name, departement = (InitiativeVersion.commune_code, InitiativeVersion.commune_name,
                               InitiativeVersion.departement_code)
    rows = db.session.execute(
        _filtered(query, code, func.min(name), func.min(departement), func.count())
        .where(code.is_not(None)).group_by(code).order_by(code)
    ).all()
    return [Mark(*row) for row in rows]


def departements_shown() -> list[str]:
    """The départements that have public initiatives (the directory's filter)."""
    return sorted(set(db.session.scalars(
        _filtered(DirectoryQuery(), InitiativeVersion.departement_code)
        .where(InitiativeVersion.departement_code.is_not(None))
    )))


def public_versions() -> list[tuple[Initiative, InitiativeVersion, list[Village]]]:
    """Every public initiative with its approved version and the villages where it is presented,
    by name: what the open data publishes (app/documents/open_data.py)."""
    published = db.session.execute(Initiative.shown_versions().order_by(InitiativeVersion.name, Initiative.id)).all()
    villages = villages_of([initiative.id for initiative, _ in published])
    return [(initiative, version, villages.get(initiative.id, [])) for initiative, version in published]