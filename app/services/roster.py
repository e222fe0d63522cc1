"""Who registered to a village, as the back office reads it: searched, filtered, sorted and
paginated in SQL, so that a village of 10,000 registrations stays quick to browse."""
from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import AuditEntry, Initiative, InitiativePresentation, Registration, RegistrationStatus, Role, Village

PER_PAGE = 50
# Sort keys offered to organisers, each ending with the id so that pages never overlap.
SORTS = {
    "nom": (func.lower(Registration.last_name), func.lower(Registration.first_name), Registration.id),
    "date": (Registration.created_at, Registration.id),
    "structure": (func.lower(func.coalesce(Registration.organisation, "")), Registration.id),
    "role": (Registration.role, func.lower(Registration.last_name), Registration.id),
    "statut": (Registration.status, Registration.created_at, Registration.id),
}
SORT_LABELS = {"nom": "Nom", "date": "Date d'inscription", "structure": "Structure", "role": "Rôle", "statut": "Statut"}
YES_NO = {"oui": True, "non": False}


@dataclass
class RosterQuery:
    """What an organiser asked for in the list's search form; unknown values are ignored."""

    text: str = ""
    role: str = ""
    status: str = ""
    lunch: str = ""       # "oui", "non" or ""
    checked_in: str = ""  # "oui", "non" or ""
    sort: str = "nom"
    descending: bool = False
    page: int = 1

    def __post_init__(self):
        self.text = self.text.strip()[:100]
        self.role = self.role if self.role in set(Role) else ""
        self.status = self.status if self.status in set(RegistrationStatus) else ""
        self.lunch = self.lunch if self.lunch in YES_NO else ""
        self.checked_in = self.checked_in if self.checked_in in YES_NO else ""
        self.sort = self.sort if self.sort in SORTS else "nom"
        self.page = max(self.page, 1)


@dataclass
class Page:
    items: list[Registration]
    total: int
    page: int
    per_page: int = PER_PAGE
    waitlist_positions: dict[int, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(ceil(self.total / self.per_page), 1)

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.page * self.per_page, self.total)


def _conditions(village: Village, query: RosterQuery) -> list:
    conditions = [Registration.village_id == village.id]
    for term in query.text.split():
        conditions.append(
            or_(*(column.icontains(term, autoescape=True) for column in (
                Registration.first_name, Registration.last_name, Registration.email, Registration.organisation,
            )))
        )
    if query.role:
        conditions.append(Registration.role == query.role)
    if query.status:
        conditions.append(Registration.status == query.status)
    if query.lunch:
        conditions.append(Registration.lunch.is_(YES_NO[query.lunch]))
    if query.checked_in:
        checked = Registration.checked_in_at.is_not(None)
        conditions.append(checked if YES_NO[query.checked_in] else ~checked)
    return conditions


def search(village: Village, query: RosterQuery, per_page: int = PER_PAGE) -> Page:
    conditions = _conditions(village, query)
    total = db.session.scalar(select(func.count()).select_from(Registration).where(*conditions))
    page = min(query.page, max(ceil(total / per_page), 1))
    order = [column.desc() if query.descending else column for column in SORTS[query.sort]]
    items = list(
        db.session.scalars(
            select(Registration).where(*conditions).order_by(*order)
            .limit(per_page).offset((page - 1) * per_page)
        )
    )
    return Page(items, total, page, per_page, waitlist_positions(village, items))


def waitlist_positions(village: Village, registrations: list[Registration]) -> dict[int, int]:
    """The rank on the waiting list (1 = next to be offered a place) of the waitlisted ones shown."""
    wanted = [r.id for r in registrations if r.status == RegistrationStatus.WAITLISTED]
    if not wanted:
        return {}
    ranked = (
        select(
            Registration.id.label("id"),
            func.row_number().over(order_by=(Registration.created_at, Registration.id)).label("position"),
        )
        .where(Registration.village_id == village.id, Registration.status == RegistrationStatus.WAITLISTED)
        .subquery()
    )
    return dict(db.session.execute(select(ranked.c.id, ranked.c.position).where(ranked.c.id.in_(wanted))).all())


@dataclass
class Summary:
    by_role_status: dict[tuple[str, str], int]
    present: int
    capacity: int
    quotas: dict[str, int]

    def count(self, role: str | None = None, status: str | None = None) -> int:
        return sum(
            number for (r, s), number in self.by_role_status.items()
            if (role is None or r == role) and (status is None or s == status)
        )

    @property
    def confirmed(self) -> int:
        return self.count(status=RegistrationStatus.CONFIRMED)

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.confirmed, 0)


def summary(village: Village) -> Summary:
    return summaries([village])[village.id]


@dataclass
class Logistics:
    lunches: int
    dietary_needs: list[tuple[str, int]]
    accessibility_needs: list[Registration]
    stands: list[InitiativePresentation]
    stand_tables: int
    stand_electricity: int


NEEDS_SHOWN = 200


def logistics(village: Village) -> Logistics:
    """What to order and prepare, for confirmed participants only."""
    confirmed = and_(Registration.village_id == village.id, Registration.status == RegistrationStatus.CONFIRMED)
    lunches = db.session.scalar(
        select(func.count()).select_from(Registration).where(confirmed, Registration.lunch.is_(True))
    )
    diet = func.lower(func.trim(Registration.dietary_needs))
    dietary = db.session.execute(
        select(diet, func.count()).where(confirmed, Registration.lunch.is_(True), diet != "")
        .group_by(diet).order_by(func.count().desc(), diet)
    ).all()
    accessibility = list(db.session.scalars(
        select(Registration).where(confirmed, func.trim(Registration.accessibility_needs) != "")
        .order_by(Registration.last_name, Registration.id).limit(NEEDS_SHOWN)
    ))
    stands = sorted(db.session.scalars(
        select(InitiativePresentation).join(InitiativePresentation.registration)
        .where(confirmed, InitiativePresentation.wants_stand.is_(True))
        .options(selectinload(InitiativePresentation.initiative).selectinload(Initiative.versions))
    ), key=lambda stand: stand.initiative.name.lower())
    return Logistics(
        lunches=lunches,
        dietary_needs=[(text, number) for text, number in dietary],
        accessibility_needs=accessibility,
        stands=stands,
        stand_tables=sum(1 for s in stands if s.stand_table),
        stand_electricity=sum(1 for s in stands if s.stand_electricity),
    )


def history(registration: Registration) -> list[AuditEntry]:
    return list(db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.target_type == Registration.__tablename__, AuditEntry.target_id == registration.id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    ))


def summaries(villages: list[Village]) -> dict[int, Summary]:
    """Each village's summary in two queries, whatever the number of villages."""
    ids = [v.id for v in villages]
    counts: dict[int, dict] = {v.id: {} for v in villages}
    for village_id, role, status, number in db.session.execute(
        select(Registration.village_id, Registration.role, Registration.status, func.count())
        .where(Registration.village_id.in_(ids))
        .group_by(Registration.village_id, Registration.role, Registration.status)
    ):
        counts[village_id][(role, status)] = number
    # The report's « présents » (app/services/report.py): a cancelled place checked in earlier is not one.
    present = dict(db.session.execute(
        select(Registration.village_id, func.count())
        .where(Registration.village_id.in_(ids), Registration.is_present)
        .group_by(Registration.village_id)
    ).all())
    return {
        v.id: Summary(counts[v.id], present.get(v.id, 0), v.capacity, {q.role: q.capacity for q in v.quotas})
        for v in villages
    }
