"""Organiser accounts: creation, logging in (throttled per address, optional TOTP), sessions
ended everywhere, and a forgotten password reset by e-mail link."""
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import pyotp
from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import delete, func, or_, select
from sqlalchemy import update as update_rows  # this module has its own update() of an account
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import upsert_for
from ..extensions import db
from ..models import LoginThrottle, Organiser, OrganiserRole, Village
from ..timeutil import utcnow
from . import audit, notifications

# Wrong passwords an address may send for one e-mail before it has to wait, then how long it waits.
FREE_FAILURES = 3
FIRST_DELAY = timedelta(seconds=5)
LONGEST_DELAY = timedelta(minutes=15)
FAILURES_KEPT = timedelta(days=1)
MIN_PASSWORD_LENGTH = 10
RESET_LINK_LIFETIME = timedelta(minutes=30)
TOTP_ISSUER = "Villages des initiatives solidaires"


@cache
def _unknown_account_hash() -> str:
    """Checked against when the e-mail is unknown, so that a wrong e-mail takes as long as a
    wrong password. Made at the first login, not at import: scrypt takes 0.15 s and 32 MB."""
    return generate_password_hash("unknown-account-placeholder")


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
        raise AccountError("Vous ne pouvez ni désactiver votre propre compte ni lui retirer l'accès d'administration.")
    if changes.password:
        check_password_strength(changes.password)
        organiser.set_password(changes.password)
        organiser.end_sessions()
    if organiser.active and not changes.active:
        organiser.end_sessions()
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


class TooManyFailures(Exception):
    """This address sent too many wrong passwords for this e-mail: it must wait `wait`."""

    def __init__(self, wait: timedelta):
        super().__init__(wait)
        self.wait = wait


def authenticate(email: str, password: str, address: str, code: str = "") -> Organiser | None:
    """The account if the credentials (and its TOTP code, if it has one) are right and it is active.

    Failures are counted per address and e-mail, known or not: after FREE_FAILURES, that
    address waits before its next try for that e-mail, twice as long after each new failure
    (TooManyFailures). The owner logging in from elsewhere is not slowed down, and an admin
    may lift every wait of an account (unlock). The caller commits and shows the same message
    whatever the reason, so that nobody learns whether an address has an account.
    """
    email, address = normalise_email(email)[:254], address[:64]
    now = utcnow()
    pair = (LoginThrottle.email == email, LoginThrottle.address == address)
    blocked_until = db.session.scalar(select(LoginThrottle.blocked_until).where(*pair))
    if blocked_until is not None and blocked_until > now:
        raise TooManyFailures(blocked_until - now)
    organiser = find_by_email(email)
    if organiser is None:
        check_password_hash(_unknown_account_hash(), password)
    elif organiser.check_password(password) and organiser.active and code_is_right(organiser, code):
        # Statements, not the ORM's unit of work: a failure counted at the same instant changes
        # or adds the row, which must not turn this login into an error.
        db.session.execute(delete(LoginThrottle).where(*pair))
        db.session.execute(update_rows(Organiser).where(Organiser.id == organiser.id).values(last_login_at=now))
        return organiser
    failures = _count_failure(email, address, now)
    if failures >= FREE_FAILURES:
        until = now + min(FIRST_DELAY * 2 ** (failures - FREE_FAILURES), LONGEST_DELAY)
        # Failures counted at once end their waits in any order: the longest wins.
        db.session.execute(update_rows(LoginThrottle).where(
            *pair, or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until < until),
        ).values(blocked_until=until))
        if organiser is not None and failures == FREE_FAILURES:
            audit.record("system", "account.throttled", organiser, address=address)
    return None


def _count_failure(email: str, address: str, now: datetime) -> int:
    """One more failure for this e-mail from this address, counted in one statement (an insert, or
    an increment where the pair has a row): eight wrong passwords sent at once count eight.
    Returns the count with this one."""
    return db.session.scalar(
        upsert_for(db.session, LoginThrottle).values(email=email, address=address, failures=1, last_failure_at=now)
        .on_conflict_do_update(index_elements=["email", "address"],
                               set_={"failures": LoginThrottle.failures + 1, "last_failure_at": now})
        .returning(LoginThrottle.failures)
    )


def forget_old_login_failures(now=None) -> int:
    """Failed logins are kept, with the address they came from, only as long as they slow
    anyone down: a day after the last one and once no wait is running. How many were forgotten."""
    now = now or utcnow()
    return db.session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.last_failure_at < now - FAILURES_KEPT,
            (LoginThrottle.blocked_until.is_(None)) | (LoginThrottle.blocked_until < now),
        )
    ).rowcount


def unlock(organiser: Organiser, actor: str) -> None:
    """Lift every wait on the account, whatever address caused it (the caller commits)."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.email == organiser.email))
    audit.record(actor, "account.unlocked", organiser)


def log_out_everywhere(organiser: Organiser, actor: str) -> None:
    organiser.end_sessions()
    audit.record(actor, "account.logged_out_everywhere", organiser)


# --- Two-factor authentication (TOTP, RFC 6238) --------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(organiser: Organiser, secret: str) -> str:
    """What an authenticator app scans to add the account."""
    return pyotp.TOTP(secret).provisioning_uri(name=organiser.email, issuer_name=TOTP_ISSUER)


def _step_of(secret: str, code: str) -> int | None:
    """The time step whose code this is; one step of tolerance either way (phones' clocks drift)."""
    totp, code = pyotp.TOTP(secret), "".join(str(code or "").split())
    now = totp.timecode(datetime.now())
    return next((step for step in (now - 1, now, now + 1) if hmac.compare_digest(totp.generate_otp(step), code)),
                None)


def _use_code(organiser: Organiser, secret: str, code: str) -> bool:
    """Whether the code is right and not used before; it is then used. One statement, so that two
    logins sending the same code at the same moment cannot both get in."""
    step = _step_of(secret, code)
    if step is None:
        return False
    return db.session.execute(
        update_rows(Organiser)
        .where(Organiser.id == organiser.id,
               or_(Organiser.totp_last_step.is_(None), Organiser.totp_last_step < step))
        .values(totp_last_step=step)
    ).rowcount == 1


def code_is_right(organiser: Organiser, code: str) -> bool:
    return organiser.totp_secret is None or _use_code(organiser, organiser.totp_secret, code)


def enable_totp(organiser: Organiser, secret: str, code: str) -> None:
    """Turn on TOTP once the person proves their app gives the right codes (the caller commits)."""
    if not _use_code(organiser, secret, code):
        raise AccountError("Ce code ne correspond pas : vérifiez l'heure du téléphone et recopiez le code affiché.")
    organiser.totp_secret = secret
    audit.record(organiser.email, "account.totp_enabled", organiser)


def disable_totp(organiser: Organiser, code: str) -> None:
    if organiser.totp_secret is None or not _use_code(organiser, organiser.totp_secret, code):
        raise AccountError("Ce code ne correspond pas.")
    organiser.totp_secret = None
    audit.record(organiser.email, "account.totp_disabled", organiser)


# --- Forgotten password ---------------------------------------------------------------------------


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="password-reset")


def _password_fingerprint(password_hash: str) -> str:
    # Changes with the password: a link stops working once used (or once the password changed otherwise).
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def reset_token(organiser: Organiser) -> str:
    return _reset_serializer().dumps({"id": organiser.id, "password": _password_fingerprint(organiser.password_hash)})


def account_for_reset(token: str) -> Organiser | None:
    """The active account a reset link was made for, if the link is still valid and unused."""
    try:
        claims = _reset_serializer().loads(token, max_age=int(RESET_LINK_LIFETIME.total_seconds()))
        organiser = db.session.get(Organiser, int(claims["id"]))
        fingerprint = str(claims["password"])
    except (BadData, KeyError, TypeError, ValueError):
        return None
    if organiser is None or not organiser.active:
        return None
    return organiser if hmac.compare_digest(fingerprint, _password_fingerprint(organiser.password_hash)) else None


@cache
def _no_account() -> Organiser:
    """Stands for the account of an address that has none, so that asking for its reset does the
    same work. Made at the first reset, not at import: building a model instance sets up every
    mapper, 0.1 s of each command's start (`flask --help` included)."""
    return Organiser(id=0, email="", name="", password_hash="aucun-compte")


def request_reset(email: str, link_for) -> None:
    """Mail a reset link (link_for(token) -> URL) if an active account has this address (the caller commits).

    Nothing tells the caller whether one has, neither the page nor the time it takes: either way
    a link is signed, the outbox's statement runs (writing the e-mail only for an account, see
    notifications.password_reset), an entry is written to the audit trail and the transaction
    commits.
    """
    organiser = find_by_email(email)
    known = organiser is not None and organiser.active
    account = organiser if known else _no_account()
    notifications.password_reset(account, link_for(reset_token(account)),
                                 minutes=int(RESET_LINK_LIFETIME.total_seconds() // 60), send=known)
    if known:
        audit.record("system", "account.reset_requested", organiser)
    else:
        audit.record("system", "account.reset_unknown", None)


def reset_password(organiser: Organiser, password: str) -> None:
    """Set the password chosen through a reset link; every open session ends (the caller commits)."""
    check_password_strength(password)
    organiser.set_password(password)
    organiser.end_sessions()
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.email == organiser.email))
    audit.record(organiser.email, "account.password_reset", organiser)


def all_accounts() -> list[Organiser]:
    return list(db.session.scalars(select(Organiser).order_by(func.lower(Organiser.email))))
