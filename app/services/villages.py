"""Villages: reading them with their places left, and managing them from the back office."""
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, func, select

from ..extensions import db
from ..models import ConfirmedCount, Registration, RegistrationStatus, Role, Village, VillagePhase, VillageRoleQuota
from ..models.registration import structure_of
from ..text import one_line
from ..timeutil import utcnow
from . import audit, capacity, notifications


def upcoming(now: datetime | None = None) -> list[Village]:
    """The villages not archived whose day has not passed (today's included), soonest first."""
    return list(
        db.session.scalars(
            select(Village)
            .where(Village.archived_at.is_(None), ~Village.after_day_clause(now))
            .order_by(Village.day, Village.starts_at)
        )
    )


def places_shown(village: Village, places_left: int, now: datetime | None = None) -> str | None:
    """What a village's page says of its places, from its phase and its places left: nothing
    once its day has passed; a full one takes people on its waiting list while it registers."""
    if village.phase(now) is VillagePhase.AFTER:
        return None
    if places_left > 0:
        return str(places_left)
    return "Complet – inscription sur liste d'attente" if village.is_registration_open(now) else "Complet"


def coming_and_past(villages: list[Village], now: datetime | None = None) -> tuple[list[Village], list[Village]]:
    """The villages whose day has not passed (today's included), then those after their day."""
    coming = [v for v in villages if v.phase(now) is not VillagePhase.AFTER]
    past = [v for v in villages if v.phase(now) is VillagePhase.AFTER]
    return coming, past


def confirmed_counts(village_ids: list[int]) -> dict[int, int]:
    """Confirmed registrations per village, as kept at each change (app/services/capacity.py)."""
    rows = db.session.execute(
        select(ConfirmedCount.village_id, func.sum(ConfirmedCount.confirmed))
        .where(ConfirmedCount.village_id.in_(village_ids))
        .group_by(ConfirmedCount.village_id)
    )
    return {village_id: confirmed or 0 for village_id, confirmed in rows}


def places_left(village: Village) -> int:
    return _left(village, confirmed_counts([village.id]).get(village.id, 0))


def by_slug_with_places_left(slug: str) -> tuple[Village | None, int]:
    """The village of this `slug` (None if there is none) and its places left, read in one
    statement: the registration form shows both, and reading the village then its places took
    a second statement and round trip at every display."""
    row = db.session.execute(_BY_SLUG_WITH_CONFIRMED, {"slug": slug}).first()
    if row is None:
        return None, 0
    village, taken = row
    return village, _left(village, taken)


# Built once: every display and submission of the registration form runs it.
_BY_SLUG_WITH_CONFIRMED = select(Village, capacity.confirmed_of(Village.id)).where(Village.slug == bindparam("slug"))


def _left(village: Village, taken: int) -> int:
    return max(village.capacity - taken, 0)


def places_left_by_village(found: list[Village]) -> dict[int, int]:
    taken = confirmed_counts([v.id for v in found])
    return {v.id: max(v.capacity - taken.get(v.id, 0), 0) for v in found}


# --- Managing villages (back office) -------------------------------------------------------

# A change to any of these reaches every confirmed participant's calendar (iCalendar SEQUENCE).
CALENDAR_FIELDS = ("day", "starts_at", "ends_at", "venue", "address")
# What a duplicate leaves for the organiser to choose again.
NOT_DUPLICATED = ("day", "registration_opens_at", "registration_closes_at")
ONE_LINE_FIELDS = frozenset({"name", "town", "venue", "address"})
EDITABLE_FIELDS = (
    "name", "slug", "town", "venue", "address", "day", "starts_at", "ends_at", "description",
    "programme", "practical_info", "capacity", "lunch_offered", "registration_opens_at",
    "registration_closes_at", "contact_email",
)


class SlugTaken(ValueError):
    """Another village already uses this short address."""


def by_id(village_id: int) -> Village | None:
    return db.session.get(Village, village_id)


def all_villages(include_archived: bool = False) -> list[Village]:
    query = select(Village).order_by(Village.day.desc(), Village.starts_at)
    if not include_archived:
        query = query.where(Village.archived_at.is_(None))
    return list(db.session.scalars(query))


def next_first(villages: list[Village], now: datetime | None = None) -> list[Village]:
    """The coming villages, soonest first, then the past ones, latest first."""
    coming, past = coming_and_past(villages, now)
    return (sorted(coming, key=lambda v: (v.day, v.starts_at))
            + sorted(past, key=lambda v: (v.day, v.starts_at), reverse=True))


def slug_taken(slug: str, except_village: Village | None = None) -> bool:
    query = select(Village.id).where(Village.slug == slug)
    if except_village is not None:
        query = query.where(Village.id != except_village.id)
    return db.session.scalar(query) is not None


def free_slug(base: str) -> str:
    """`base-2`, `base-3`… the first short address nobody uses."""
    number = 2
    while slug_taken(f"{base}-{number}"):
        number += 1
    return f"{base}-{number}"


def _set_quotas(village: Village, quotas: dict[str, int | None]) -> dict:
    """Replace the per-role caps; returns {role: [before, after]} for what changed."""
    before = {q.role: q.capacity for q in village.quotas}
    wanted = {role: cap for role, cap in quotas.items() if cap is not None}
    village.quotas = [q for q in village.quotas if q.role in wanted]
    for quota in village.quotas:
        quota.capacity = wanted[quota.role]
    present = {q.role for q in village.quotas}
    village.quotas.extend(
        VillageRoleQuota(role=role, capacity=cap) for role, cap in wanted.items() if role not in present
    )
    return {
        role: [before.get(role), wanted.get(role)]
        for role in set(before) | set(wanted)
        if before.get(role) != wanted.get(role)
    }


def _one_line_places(fields: dict) -> dict:
    """Names and places go into e-mail subjects and badges: a line break becomes a space."""
    return {name: one_line(value) if name in ONE_LINE_FIELDS else value for name, value in fields.items()}


def create(fields: dict, quotas: dict[str, int | None], actor: str) -> Village:
    """A new village from the form's values (the caller commits)."""
    fields = _one_line_places(fields)
    if slug_taken(fields["slug"]):
        raise SlugTaken(fields["slug"])
    village = Village(**{name: fields[name] for name in EDITABLE_FIELDS})
    _set_quotas(village, quotas)
    db.session.add(village)
    audit.record(actor, "village.created", village, slug=village.slug)
    return village


def update(village: Village, fields: dict, quotas: dict[str, int | None], actor: str) -> dict:
    """Apply the form's values; returns what changed as {field: [before, after]}.

    When the day, times or place change, the calendar SEQUENCE is raised and every
    confirmed participant is sent the updated invitation. The caller commits.
    """
    fields = _one_line_places(fields)
    if slug_taken(fields["slug"], except_village=village):
        raise SlugTaken(fields["slug"])
    changes = {
        name: [getattr(village, name), fields[name]]
        for name in EDITABLE_FIELDS
        if getattr(village, name) != fields[name]
    }
    for name, (_before, after) in changes.items():
        setattr(village, name, after)
    quota_changes = _set_quotas(village, quotas)
    if quota_changes:
        changes["quotas"] = quota_changes
    if not changes:
        return changes
    calendar_changes = {name: changes[name] for name in CALENDAR_FIELDS if name in changes}
    if calendar_changes:
        village.calendar_sequence += 1
        for registration in confirmed_registrations(village):
            notifications.village_changed(registration, calendar_changes)
    audit.record(actor, "village.updated", village, **changes)
    return changes


def confirmed_registrations(village: Village):
    return db.session.scalars(
        select(Registration)
        .where(Registration.village_id == village.id, Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(Registration.id)
    )


# « Qui vient ? » shows this many names, by name, and counts the others: the page of a village
# of thousands costs about what a small village's does (each name shown is some 55 Python calls).
COMING_SHOWN = 20


def _listed(village: Village):
    return (Registration.village_id == village.id, Registration.consent_listing.is_(True),
            Registration.status == RegistrationStatus.CONFIRMED, Registration.anonymised_at.is_(None))


class ListedPerson(NamedTuple):
    full_name: str
    structure: str
    role_label: str


def who_is_coming(village: Village, limit: int = COMING_SHOWN) -> list[ListedPerson]:
    """Confirmed participants who agreed to appear on the participants' list, by name (the first
    `limit`): what the list shows of them, read as rows rather than whole registrations."""
    rows = db.session.execute(
        select(Registration.first_name, Registration.last_name, Registration.role, Registration.civility,
               Registration.organisation,
               Registration.collectivity, Registration.represented_group)
        .where(*_listed(village)).order_by(Registration.last_name, Registration.first_name).limit(limit)
    )
    return [ListedPerson(f"{row.first_name} {row.last_name}", structure_of(row), Role(row.role).of(row.civility))
            for row in rows]


def listed_count(village: Village) -> int:
    """How many agreed to appear on the participants' list (who_is_coming shows the first ones)."""
    return db.session.scalar(select(func.count()).select_from(Registration).where(*_listed(village)))


def duplicate_fields(village: Village) -> tuple[dict, dict[str, int]]:
    """The values and quotas of a new village prepared from `village`: same everything,
    but a free short address and no date nor registration period."""
    fields = {name: getattr(village, name) for name in EDITABLE_FIELDS if name not in NOT_DUPLICATED}
    fields["slug"] = free_slug(village.slug)
    return fields, {q.role: q.capacity for q in village.quotas}


def archive(village: Village, actor: str) -> None:
    village.archived_at = utcnow()
    audit.record(actor, "village.archived", village)


def unarchive(village: Village, actor: str) -> None:
    village.archived_at = None
    audit.record(actor, "village.unarchived", village)
