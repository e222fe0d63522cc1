"""Registration rules: places, role quotas, the waiting list, changes and cancellations.

Every function adds its changes (registration, audit entry, queued e-mails) to the session,
or writes them in its transaction (register), and never commits: the caller commits, so that
an e-mail is queued if and only if the change it reports is saved. Decisions about places are
taken with the village row locked (SELECT … FOR UPDATE on PostgreSQL; on SQLite every
transaction already holds the write lock), so that concurrent registrations never overbook.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Insert, Select, and_, bindparam, case, func, insert, literal, or_, select, true
from sqlalchemy.orm import make_transient_to_detached

from ..database import is_postgresql
from ..extensions import db
from ..models import (
    AuditEntry, ConfirmedCount, OutboxMessage, Registration, RegistrationStatus, Role, Village, VillagePhase,
    VillageRoleQuota,
)
from ..models.registration import email_key
from ..text import one_line
from ..timeutil import utcnow
from . import audit, capacity, initiatives, notifications, roster_version, scheduling

# The details a participant (or an organiser on their behalf) may change.
EDITABLE_FIELDS = frozenset({
    "role", "civility", "first_name", "last_name", "email", "phone", "commune", "postcode",
    "organisation", "position", "collectivity", "mandate", "represented_group",
    "lunch", "dietary_needs", "accessibility_needs",
})
# The questions asked of each role only (the others are left empty).
ROLE_FIELDS = {
    Role.PORTEUR: ("organisation",),
    Role.INSTITUTIONNEL: ("organisation", "position"),
    Role.ELU: ("collectivity", "mandate"),
    Role.HABITANT: ("represented_group",),
}
# Changes to these are printed on the badge or the invitation: the participant gets new ones.
BADGE_FIELDS = frozenset({
    "role", "civility", "first_name", "last_name", "email", "organisation", "collectivity", "represented_group",
})
# Printed on badges and in e-mail headers: a line break there is folded into a space.
ONE_LINE_FIELDS = frozenset({
    "first_name", "last_name", "email", "commune", "organisation", "position", "collectivity", "mandate",
    "represented_group",
})


class RegistrationError(Exception):
    """A registration rule refused the request; the message is meant for people."""


class RegistrationClosed(RegistrationError):
    def __init__(self, village: Village):
        super().__init__("Les inscriptions pour ce village sont fermées.")
        self.village = village


class AlreadyRegistered(RegistrationError):
    def __init__(self, existing: Registration):
        super().__init__("Une inscription existe déjà avec cette adresse e-mail pour ce village.")
        self.existing = existing


class RoleFull(RegistrationError):
    def __init__(self, role: str):
        super().__init__(f"Il n'y a plus de place pour le rôle « {Role(role).label} ».")
        self.role = role


class NotAllowed(RegistrationError):
    """The registration is not in a state that allows this change."""


@dataclass
class RegistrationData:
    """What a person tells when registering (names are those of Registration's columns)."""

    role: str
    first_name: str
    last_name: str
    email: str | None
    civility: str | None = None
    phone: str | None = None
    commune: str = ""
    postcode: str | None = None
    organisation: str | None = None
    position: str | None = None
    collectivity: str | None = None
    mandate: str | None = None
    represented_group: str | None = None
    lunch: bool = False
    dietary_needs: str | None = None
    accessibility_needs: str | None = None
    consent_photos: bool = False
    consent_listing: bool = False
    consent_news: bool = False
    consent_version: str | None = None
    is_walk_in: bool = False
    # What a project holder presents: see InitiativeChoice.
    initiative: InitiativeChoice | None = field(default=None)

    def __post_init__(self):
        for name in ONE_LINE_FIELDS:
            setattr(self, name, one_line(getattr(self, name)))


@dataclass
class InitiativeChoice:
    """A porteur's initiative at this village: a new one, or one they presented before (`reuse_id`),
    with the fiche's changes (InitiativeVersion.FICHE_FIELDS), the stand asked for and, if they
    chose, who may see it (initiatives.record_consent)."""

    fiche: dict[str, Any]
    reuse_id: int | None = None
    stand: dict[str, bool] = field(default_factory=dict)
    visibility: str | None = None
    show_holder_contact: bool = False
    consent_given: bool = False


def register(
    village: Village, data: RegistrationData, actor: str = "participant", *, even_if_closed: bool = False
) -> Registration:
    """A new registration: confirmed if a place is left for the role, else on the waiting list.

    Organisers (and walk-ins at the door) may register someone `even_if_closed`.

    The registration, its audit entry and its e-mail are written in direct SQL: the ORM's unit
    of work cost more Python than all the rest of the service. So no flush sees the new row, and
    this takes its roster version and its confirmed place itself, as the flush hooks do for
    other changes (checkin_roster, capacity). On PostgreSQL one statement writes them all
    (_register_at_once); SQLite, which answers at once, gets one statement each.
    """
    key = email_key(data.email)
    values = {**_column_defaults(), **vars(data)}  # not asdict, which copies the initiative too, deeply
    values.pop("initiative")
    now = utcnow()
    consented = any((data.consent_photos, data.consent_listing, data.consent_news, data.consent_version))
    values.update(email_key=key, consented_at=now if consented else None, village_id=village.id)
    registration = Registration(**values)
    written_at_once = is_postgresql(db.session.get_bind())
    if written_at_once:
        # What its state decides, written by the INSERT itself: ready before the village is locked.
        what_the_state_decides = _state_parameters(registration, village, actor, data)
    # What the session holds unwritten (a village's capacity or quotas, other registrations) is
    # written first: the statements below are Core, without the ORM's autoflush, and decide on it.
    db.session.flush()
    # Everything above is ready before the village is locked; from here until the commit, others
    # registering wait.
    # The busiest commit of the service: 4 to 5 ms of it were spent waiting for PostgreSQL's disk.
    village = roster_version.lock_taking_next(db.session, village.id, commit_not_waiting_for_disk=True)
    if not even_if_closed and not village.is_registration_open():
        raise RegistrationClosed(village)
    registration.roster_version = values["roster_version"] = village.roster_version  # taken with the lock
    parameters = {**values, "places": village.capacity, "now": now}
    if written_at_once:
        result = db.session.connection().execute(_register_at_once(), {**parameters, **what_the_state_decides})
    else:
        result = db.session.connection().execute(_INSERT_IF_NEW, parameters)
    written = result.one_or_none()
    if written is None:
        raise AlreadyRegistered(db.session.scalar(_first_active(village.id, key)))
    registration.id, registration.status = written
    has_place = registration.is_confirmed
    if has_place:
        registration.confirmed_at = now
    # As if read from the database: the session holds it, and no flush writes it again.
    make_transient_to_detached(registration)
    db.session.add(registration)
    if data.role == Role.PORTEUR and data.initiative:
        _present_initiative(registration, data.initiative, actor)
    if written_at_once:
        return registration
    if has_place:
        capacity.add_confirmed(db.session.connection(), village.id, data.role, 1)
    audit.record_at_once(actor, "registration.created", registration, status=registration.status,
                         role=data.role, civility=data.civility)
    if has_place:
        notifications.registration_confirmed(registration, at_once=True)
    else:
        notifications.registration_waitlisted(registration, at_once=True)
    return registration


_REGISTRATION = Registration.__table__


def _column_defaults(table=_REGISTRATION) -> dict[str, Any]:
    """The value of every column of a new row of `table` that its writer does not give (for a
    registration, the person): its default (computed now: codes, tokens, times), else NULL.
    Known before the INSERT, they need not be read back."""
    values = {}
    for column in table.c:
        if column.key == "id":
            continue
        default = column.default
        if default is None:
            values[column.key] = None
        elif default.is_callable:
            values[column.key] = default.arg(None)
        else:
            values[column.key] = default.arg
    return values


def cancellation_refusal(registration: Registration, now: datetime | None = None) -> str | None:
    """Why this registration can no longer be cancelled, if it cannot: already cancelled, the
    person came, or the village is over (its phase)."""
    if registration.status == RegistrationStatus.CANCELLED:
        return "Cette inscription est déjà annulée."
    if registration.checked_in_at is not None:
        came = registration.agreed("venu", "venue")
        return f"{registration.full_name} est {came} au village : son inscription ne s'annule plus."
    if registration.village.phase(now) is VillagePhase.AFTER:
        return "Le village a eu lieu : une inscription ne s'annule plus après le jour du village."
    return None


def cancel(registration: Registration, actor: str) -> Registration | None:
    """Cancel; the place freed goes to the first on the waiting list who fits (returned)."""
    village, registration = lock(registration)
    refusal = cancellation_refusal(registration)
    if refusal is not None:
        raise NotAllowed(refusal)
    freed_place = registration.is_confirmed
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = utcnow()
    audit.record(actor, "registration.cancelled", registration)
    notifications.registration_cancelled(registration)
    scheduling.withdraw_person(registration, actor)
    if not freed_place:
        return None
    return _promote_first_who_fits(village, actor)


def promote(registration: Registration, actor: str) -> None:
    """An organiser gives a waiting person a place, even beyond the capacity or role quota."""
    village, registration = lock(registration)
    if registration.status != RegistrationStatus.WAITLISTED:
        raise NotAllowed("Seule une personne sur liste d'attente peut être confirmée.")
    beyond_capacity = not _has_place(village, registration.role)
    _confirm(registration, actor, forced=True, beyond_capacity=beyond_capacity)


def fill_from_waiting_list(village: Village, actor: str) -> list[Registration]:
    """Give every free place to the waiting list, in order (e.g. after the capacity was raised)."""
    village = lock_village(village)
    promoted = []
    while (registration := _promote_first_who_fits(village, actor)) is not None:
        promoted.append(registration)
    return promoted


def update_details(
    registration: Registration, changes: dict[str, Any], actor: str, *, force_role: bool = False
) -> list[str]:
    """Apply the changed details; returns the names of the fields that really changed.

    `changes` uses Registration's column names (see EDITABLE_FIELDS), plus "initiative":
    an InitiativeChoice. A role change respects the new role's quota
    unless `force_role` (organisers), and may free a place for the waiting list.
    """
    changes = {name: one_line(value) if name in ONE_LINE_FIELDS else value for name, value in changes.items()}
    initiative_changes = changes.pop("initiative", None)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"champs non modifiables : {', '.join(sorted(unknown))}")
    village, registration = lock(registration)
    if registration.status == RegistrationStatus.CANCELLED:
        raise NotAllowed("Une inscription annulée ne peut plus être modifiée.")

    changed = [name for name, value in changes.items() if getattr(registration, name) != value]
    if "email" in changed and changes["email"]:
        existing = active_registration(village, changes["email"])
        if existing is not None and existing.id != registration.id:
            raise AlreadyRegistered(existing)
    role_changed = "role" in changed
    if role_changed and registration.is_confirmed and not force_role:
        if not _has_place(village, changes["role"], leaving=registration):
            raise RoleFull(changes["role"])
    for name in changed:
        setattr(registration, name, changes[name])
    changed += _update_initiative(registration, initiative_changes, actor)
    if not changed:
        return []

    audit.record(actor, "registration.updated", registration, fields=changed)
    was_waiting = registration.status == RegistrationStatus.WAITLISTED
    if role_changed:
        fill_from_waiting_list(village, actor)
    just_promoted = was_waiting and registration.is_confirmed
    if registration.is_confirmed and not just_promoted and BADGE_FIELDS.intersection(changed):
        notifications.registration_changed(registration)
    return changed


def change_role(registration: Registration, role: str, actor: str, *, force: bool = False) -> list[str]:
    return update_details(registration, {"role": Role(role).value}, actor, force_role=force)


# Asked again within this time (a double click, two tabs, a retry), the e-mail is not sent twice.
RESEND_PAUSE = timedelta(minutes=1)


def resend_confirmation(registration: Registration, actor: str = "participant") -> None:
    """Send again the e-mail that matches the registration's state, unless an e-mail telling it
    was queued less than RESEND_PAUSE ago: decided under the registration's lock, so that two
    asks at the same instant send it once too."""
    registration = db.session.scalar(select(Registration).where(Registration.id == registration.id)
                                     .with_for_update(key_share=True).execution_options(populate_existing=True))
    if registration.status == RegistrationStatus.CANCELLED:
        raise NotAllowed("Cette inscription est annulée.")
    if notifications.state_told_since(registration, utcnow() - RESEND_PAUSE):
        return
    if registration.is_confirmed:
        notifications.registration_confirmed(registration)
    else:
        notifications.registration_waitlisted(registration)
    audit.record(actor, "registration.confirmation_resent", registration)


def active_registration(village: Village, email: str) -> Registration | None:
    """The registration (confirmed or waiting) made with this e-mail, whatever its case."""
    return db.session.scalar(_first_active(village.id, email_key(email)))


def _first_active(village_id, key) -> Select:
    """The village's first registration, confirmed or waiting, made with the e-mail of this `key`."""
    return (
        select(Registration)
        .where(
            Registration.village_id == village_id,
            Registration.email_key == key,
            Registration.status != RegistrationStatus.CANCELLED,
        )
        .order_by(Registration.created_at)
        .limit(1)
    )


def waiting_position(registration: Registration) -> int | None:
    """1 for the first on the village's waiting list; None when not waiting."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.village_id == registration.village_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            (Registration.created_at < registration.created_at)
            | ((Registration.created_at == registration.created_at) & (Registration.id < registration.id)),
        )
    )
    return ahead + 1


def lock_village(village: Village) -> Village:
    """The village row, locked until the end of the transaction and read afresh.

    FOR NO KEY UPDATE: it serialises decisions about places, yet never waits for (nor blocks)
    the KEY SHARE lock that PostgreSQL takes on the village when a scan inserts its CheckIn row.
    """
    return db.session.scalar(_LOCK_VILLAGE, {"village_id": village.id})


# Built once: a registration, a scan and a cancellation each lock the village.
_LOCK_VILLAGE = (
    select(Village)
    .where(Village.id == bindparam("village_id"))
    .with_for_update(key_share=True)
    .execution_options(populate_existing=True)
)


def lock(registration: Registration) -> tuple[Village, Registration]:
    """The registration's village, then the registration, locked in this order and read afresh.

    Every path that locks both takes them in this order (the scan too: taking the roster
    version locks the village, then its conditional update the registration), so that two of
    them never wait for each other; and every state change decides on the state read under its lock.
    """
    village = lock_village(registration.village)
    registration = db.session.scalar(
        select(Registration)
        .where(Registration.id == registration.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return village, registration


def _has_place(village: Village, role: str, leaving: Registration | None = None) -> bool:
    """Whether one more confirmed person of `role` fits (`leaving` gives up their place)."""
    freed = leaving is not None and leaving.is_confirmed
    return db.session.scalar(_HAS_PLACE, {
        "village_id": village.id, "places": village.capacity, "role": role,
        "freed": int(freed), "freed_in_role": int(freed and leaving.role == role),
    })


def _place_fits() -> ColumnElement[bool]:
    """Whether one more confirmed `role` fits in the village's `places` and its quota for the
    role, once `freed` places (`freed_in_role` of them of the role) are given up: the one rule
    of places, as SQL, so that a new registration decides its status in its INSERT."""
    village_id, role = bindparam("village_id"), bindparam("role")
    quota = (
        select(VillageRoleQuota.capacity)
        .where(VillageRoleQuota.village_id == village_id, VillageRoleQuota.role == role)
        .scalar_subquery()
    )
    return and_(
        capacity.confirmed_of(village_id) - bindparam("freed", 0) < bindparam("places"),
        or_(quota.is_(None), capacity.confirmed_of(village_id, role) - bindparam("freed_in_role", 0) < quota),
    )


# Built once, as the statements below.
_PLACE_FITS = _place_fits()
_HAS_PLACE = select(_PLACE_FITS)


def _insert_if_new() -> Insert:
    """The INSERT of a new registration, with its status (confirmed if a place fits, else on the
    waiting list) and confirmed_at decided in it, that inserts nothing if the village has an
    active registration of the same e-mail key; it reads back the new id and status.

    Run with the village locked: its SELECT reads the places as the last registration committed
    them. Deciding in the INSERT saves the statement and the round trip that read the places
    before it, while the village is locked (not in the locking statement itself: on PostgreSQL
    a statement that waited for the lock still reads the other tables as they were when it began)."""
    fits = select(_PLACE_FITS.label("fits")).subquery()  # decided once for both columns
    decided = {
        "status": case((fits.c.fits, RegistrationStatus.CONFIRMED.value), else_=RegistrationStatus.WAITLISTED.value),
        "confirmed_at": case((fits.c.fits, bindparam("now", type_=_REGISTRATION.c.confirmed_at.type))),
    }
    columns = [column for column in _REGISTRATION.c if column.key != "id"]
    same_email = _first_active(bindparam("village_id"), bindparam("email_key")).with_only_columns(Registration.id)
    row = select(*(
        decided[column.key].label(column.key) if column.key in decided
        else bindparam(column.key, type_=column.type).label(column.key)
        for column in columns
    )).select_from(fits).where(~same_email.exists())
    return insert(_REGISTRATION).from_select(columns, row, include_defaults=False).returning(
        _REGISTRATION.c.id, _REGISTRATION.c.status)


_INSERT_IF_NEW = _insert_if_new()

# On PostgreSQL, what a new registration's state decides goes in the statement of its INSERT: its
# place counted, its audit entry and the e-mail that tells it its state, whose columns differ
# with the state (each given twice, as <name>_if_confirmed and <name>_if_waiting). The village
# is locked from the INSERT until the commit: 3 round trips under the lock instead of 4.
_AUDIT, _OUTBOX = AuditEntry.__table__, OutboxMessage.__table__
_DIFFERING = {_AUDIT: ("details",), _OUTBOX: ("kind", "subject", "message_id", "details")}
_PREFIX = {_AUDIT: "audit_", _OUTBOX: "mail_"}
_REGISTRATION_ID = {_AUDIT: "target_id", _OUTBOX: "registration_id"}


@functools.cache  # built at the first registration: a web worker on SQLite loads no PostgreSQL dialect
def _register_at_once() -> Select:
    from sqlalchemy.dialects import postgresql

    registered = _INSERT_IF_NEW.cte("registered")
    confirmed = registered.c.status == RegistrationStatus.CONFIRMED.value

    def from_registered(table, condition=true()) -> Insert:
        prefix = _PREFIX[table]
        decided = {key: case((confirmed, bindparam(f"{prefix}{key}_if_confirmed", type_=table.c[key].type)),
                             else_=bindparam(f"{prefix}{key}_if_waiting", type_=table.c[key].type))
                   for key in _DIFFERING[table]}
        decided[_REGISTRATION_ID[table]] = registered.c.id
        columns = [column for column in table.c if column.key != "id"]
        row = select(*(decided.get(column.key, bindparam(f"{prefix}{column.key}", type_=column.type))
                       for column in columns)).select_from(registered).where(condition)
        return insert(table).from_select(columns, row, include_defaults=False)

    counted = capacity.adding_to_the_count(postgresql.insert(ConfirmedCount.__table__).from_select(
        ["village_id", "role", "confirmed"],
        select(bindparam("village_id"), bindparam("role"), literal(1)).select_from(registered).where(confirmed)))
    return select(registered.c.id, registered.c.status).add_cte(
        counted.cte("counted"), from_registered(_AUDIT).cte("audited"),
        from_registered(_OUTBOX, bindparam("mail_wanted")).cte("told"))


def _state_parameters(registration: Registration, village: Village, actor: str, data: RegistrationData) -> dict:
    """_register_at_once's parameters for the audit entry and the e-mail of `registration`."""
    details = {"role": data.role, "civility": data.civility}
    entries = [audit.entry_values(actor, "registration.created", registration, status=status, **details)
               for status in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)]
    messages = notifications.new_registration_messages(registration, village)
    return {**_rows_parameters(_AUDIT, *entries), **_rows_parameters(_OUTBOX, *(messages or ({}, {}))),
            "mail_wanted": messages is not None}


def _rows_parameters(table, if_confirmed: dict, if_waiting: dict) -> dict:
    prefix, differing = _PREFIX[table], _DIFFERING[table]
    parameters = {f"{prefix}{key}": value for key, value in {**_column_defaults(table), **if_confirmed}.items()
                  if key not in differing}
    for key in differing:
        parameters[f"{prefix}{key}_if_confirmed"] = if_confirmed.get(key)
        parameters[f"{prefix}{key}_if_waiting"] = if_waiting.get(key)
    return parameters


def _promote_first_who_fits(village: Village, actor: str) -> Registration | None:
    waiting = db.session.scalars(
        select(Registration)
        .where(Registration.village_id == village.id, Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.created_at, Registration.id)
        .execution_options(populate_existing=True)
    ).all()
    for registration in waiting:
        if _has_place(village, registration.role):
            _confirm(registration, actor)
            return registration
    return None


def _confirm(registration: Registration, actor: str, **details) -> None:
    registration.status = RegistrationStatus.CONFIRMED
    registration.confirmed_at = utcnow()
    audit.record(actor, "registration.promoted", registration, **details)
    notifications.registration_promoted(registration)


def _present_initiative(registration: Registration, choice: InitiativeChoice, actor: str) -> list[str]:
    """Present the porteur's initiative (theirs by e-mail, or a new one); what changed."""
    owned = initiatives.holder_initiatives(registration.email)
    initiative = registration.initiative or next(
        # The one they chose, else the one of the same name: presenting it again, not a copy.
        (i for i in owned if i.id == choice.reuse_id
         or (choice.reuse_id is None and initiatives.fold(i.name) == initiatives.fold(choice.fiche.get("name") or ""))),
        None,
    )
    if initiative is None:
        initiative = initiatives.create(registration.email or "", registration.full_name, choice.fiche, actor,
                                        holder_phone=registration.phone)
        changed = ["initiative"]
    else:
        changed = [f"initiative.{name}" for name in initiatives.edit(initiative, choice.fiche, actor)]
    initiatives.present(initiative, registration, choice.stand)
    if choice.consent_given and (choice.visibility, choice.show_holder_contact) != (
            initiative.visibility, initiative.show_holder_contact):
        initiatives.record_consent(initiative, choice.visibility, choice.show_holder_contact, actor)
    return changed


def _update_initiative(registration: Registration, choice: InitiativeChoice | None, actor: str) -> list[str]:
    """Project holders present an initiative; others do not (it stays with its holder)."""
    if registration.role != Role.PORTEUR:
        if registration.presentation is None:
            return []
        db.session.delete(registration.presentation)
        return ["initiative"]
    if choice is None:
        return []
    return _present_initiative(registration, choice, actor)
