"""Organiser accounts: creation, and logging in with throttling after repeated failures."""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import Organiser, OrganiserRole, Village
from ..timeutil import utcnow
from . import audit

MAX_FAILED_LOGINS = 5
LOCK_DURATION = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10

# Checked against when the e-mail is unknown, so that a wrong e-mail takes as long as a wrong password.
_UNKNOWN_ACCOUNT_HASH = generate_password_hash("unknown-account-placeholder")


class AccountError(ValueError):
    """A French message explaining why an account cannot be created or changed."""


@dataclass
class AccountChanges:
    name: str
    role: str
    active: bool
    village_ids: list[int]
    password: str = ""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> Organiser | None:
    return db.session.scalar(select(Organiser).where(Organiser.email == normalise_email(email)))


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères.")


def create(email: str, role: str, password: str, actor: str, name: str = "") -> Organiser:
    """Add a new account to the session (the caller commits)."""
    email = normalise_email(email)
    if role not in set(OrganiserRole):
        raise AccountError("Ce rôle n'existe pas.")
    if find_by_email(email) is not None:
        raise AccountError("Un compte existe déjà avec cette adresse e-mail.")
    check_password_strength(password)
    organiser = Organiser(email=email, name=name.strip(), role=role, active=True)
    organiser.set_password(password)
    audit.record(actor, "account.created", organiser, email=email, role=role)
    return organiser


def update(organiser: Organiser, changes: AccountChanges, actor: Organiser) -> None:
    """Apply an admin's changes to an account (the caller commits)."""
    if organiser.id == actor.id and (not changes.active or changes.role != OrganiserRole.ADMIN):
        raise AccountError("Vous ne pouvez ni désactiver votre propre compte ni lui retirer le rôle administrateur.")
    if changes.password:
        check_password_strength(changes.password)
        organiser.set_password(changes.password)
    before = {"role": organiser.role, "active": organiser.active,
              "villages": sorted(v.id for v in organiser.checkin_villages)}
    organiser.name = changes.name.strip()
    organiser.role = changes.role
    organiser.active = changes.active
    organiser.checkin_villages = (
        list(db.session.scalars(select(Village).where(Village.id.in_(changes.village_ids))))
        if changes.role == OrganiserRole.CHECKIN else []
    )
    after = {"role": organiser.role, "active": organiser.active,
             "villages": sorted(v.id for v in organiser.checkin_villages)}
    changed = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if changes.password:
        changed["password"] = "modifié"
    if changed:
        audit.record(actor.email, "account.updated", organiser, **changed)


def authenticate(email: str, password: str) -> Organiser | None:
    """The account if the credentials are right and it is neither locked nor deactivated.

    Failures are counted per account; after MAX_FAILED_LOGINS the account is locked for
    LOCK_DURATION, even to the right password. The caller commits and shows the same message
    whatever the reason, so that nobody learns whether an address has an account.
    """
    organiser = find_by_email(email)
    if organiser is None:
        check_password_hash(_UNKNOWN_ACCOUNT_HASH, password)
        return None
    now = utcnow()
    if organiser.locked_until is not None and organiser.locked_until > now:
        return None
    if not organiser.check_password(password) or not organiser.active:
        organiser.failed_logins += 1
        if organiser.failed_logins >= MAX_FAILED_LOGINS:
            organiser.locked_until = now + LOCK_DURATION
            organiser.failed_logins = 0
            audit.record("system", "account.locked", organiser)
        return None
    organiser.failed_logins = 0
    organiser.locked_until = None
    organiser.last_login_at = now
    return organiser


def all_accounts() -> list[Organiser]:
    return list(db.session.scalars(select(Organiser).order_by(func.lower(Organiser.email))))
