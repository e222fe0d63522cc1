"""Personal data (RGPD): the consents asked, what we hold about a person, erasure, and retention.

Anonymising keeps a registration's role, village, status and attendance so that counts and
the figures given to funders stay right, and removes everything that tells who the person is;
for meetings, the kinds of support offered, the requests' states and the outcomes stay, the
texts (wishes, offers' details, messages, outcome notes) go.
"""
from __future__ import annotations

import calendar
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, inspect, or_, select, update

from ..extensions import db
from ..models import (
    OUTCOMES, AuditEntry, CheckIn, MeetingRequest, MeetingSeat, OutboxMessage, Registration, Village,
)
from ..models.registration import new_secret
from ..timeutil import utcnow
from . import accounts, audit, audit_log, followup, initiatives
from . import registration as registrations

# Raise the version whenever a consent's wording changes: each registration keeps the
# version its person agreed to.
CONSENT_VERSION = "2026-1"
CONSENTS = {
    "consent_photos": (
        "J'accepte d'apparaître sur les photos et vidéos prises pendant le village, "
        "que l'association peut publier pour rendre compte de la journée."
    ),
    "consent_listing": (
        "J'accepte que mon nom, mon rôle et ma structure figurent sur la liste des participants "
        "remise aux autres participants du village."
    ),
    "consent_news": (
        "Je souhaite recevoir par e-mail les nouvelles de l'association (prochains villages, "
        "suites de la journée). Je pourrai me désinscrire à tout moment."
    ),
}

ANONYMOUS_NAME = "Anonyme"
# What tells who the person is. Role, village, status, lunch, walk-in and dates stay.
IDENTIFYING_FIELDS = (
    "civility", "email", "phone", "postcode", "organisation", "position", "collectivity", "mandate",
    "represented_group", "dietary_needs", "accessibility_needs",
)
# Never handed out in an export: they are keys, not information about the person.
SECRET_FIELDS = frozenset({"badge_code", "manage_token"})


def record_consents(registration: Registration, given: dict[str, bool]) -> None:
    """Store the optional consents ticked (the CONSENTS keys) with the wording version and moment."""
    for name in CONSENTS:
        setattr(registration, name, bool(given.get(name)))
    registration.consent_version = CONSENT_VERSION
    registration.consented_at = utcnow()


def update_consents(registration: Registration, given: dict[str, bool], actor: str) -> list[str]:
    """Give or withdraw consents (the CONSENTS keys); returns the names that changed. The caller commits.

    A change records the whole answer again under today's wording, and is kept in the audit log.
    """
    changed = [name for name in CONSENTS if bool(given.get(name)) != getattr(registration, name)]
    if changed:
        record_consents(registration, given)
        audit.record(
            actor, "registration.consents_changed", registration,
            given=[name for name in changed if given.get(name)],
            withdrawn=[name for name in changed if not given.get(name)],
        )
    return changed


# --- What we hold about a person --------------------------------------------------------------


def _jsonable(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _columns(instance, leave_out=frozenset()) -> dict:
    return {
        column.key: _jsonable(getattr(instance, column.key))
        for column in inspect(instance).mapper.column_attrs
        if column.key not in leave_out
    }


def personal_data(registration: Registration) -> dict:
    """Everything held about the person of a registration, ready for json.dumps."""
    village = registration.village
    check_ins = db.session.scalars(
        select(CheckIn).where(CheckIn.registration_id == registration.id).order_by(CheckIn.scanned_at)
    )
    messages = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.registration_id == registration.id)
        .order_by(OutboxMessage.created_at)
    )
    history = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.target_type == Registration.__tablename__, AuditEntry.target_id == registration.id)
        .order_by(AuditEntry.at)
    )
    return {
        "responsable_du_traitement": current_app.config["ORGANISER_NAME"],
        "exporte_le": _jsonable(utcnow()),
        "village": {"nom": village.name, "ville": village.town, "date": _jsonable(village.day)},
        "inscription": _columns(registration, SECRET_FIELDS | {"village_id"}),
        "fiche_initiative": _initiative_data(registration.initiative),
        "consentements": {
            "version": registration.consent_version,
            "date": _jsonable(registration.consented_at),
            "reponses": [
                {"texte": wording, "accepte": getattr(registration, name)}
                for name, wording in CONSENTS.items()
            ],
        },
        "passages_a_l_accueil": [
            {
                "scanne_le": _jsonable(c.scanned_at),
                "recu_le": _jsonable(c.received_at),
                "methode": c.method,
                "annule_le": _jsonable(c.undone_at),
            }
            for c in check_ins
        ],
        "emails": [
            {
                "objet": m.subject,
                "destinataire": m.recipient,
                "cree_le": _jsonable(m.created_at),
                "envoye_le": _jsonable(m.sent_at),
                "etat": m.status,
            }
            for m in messages
        ],
        "historique": [{"date": _jsonable(e.at), "evenement": e.sentence} for e in audit_log.events(list(history))],
        "mise_en_lien": _matching_data(registration),
        "suivi_des_besoins": _followup_data(registration),
    }


def _followup_data(registration: Registration) -> list[dict]:
    """The needs followed after the villages that this person sees on their link, step by step."""
    return [{
        "besoin": thread.category_label,
        "statut": thread.status_label,
        "vers": thread.oriented_to,
        "etapes": [{"date": _jsonable(step.at), "statut": step.status_label, "note_par": step.recorder_label,
                    "vers": step.oriented_to, "note": step.note} for step in thread.steps],
    } for thread in followup.threads_for(registration)]


def _matching_data(registration: Registration) -> dict:
    """What the person stated for meetings, the requests sent and received, the meetings and
    what the person recorded after them."""
    profile = registration.matching_profile
    requests = db.session.scalars(
        select(MeetingRequest)
        .where(or_(MeetingRequest.requester_id == registration.id, MeetingRequest.recipient_id == registration.id))
        .order_by(MeetingRequest.created_at, MeetingRequest.id)
    )
    seats = db.session.scalars(
        select(MeetingSeat).where(MeetingSeat.registration_id == registration.id).order_by(MeetingSeat.id)
    )

    def request_data(request: MeetingRequest, other: Registration) -> dict:
        return {"avec": other.full_name, "attente": request.intent_label, "message": request.message,
                "etat": request.status_label, "envoyee_le": _jsonable(request.created_at),
                "repondue_le": _jsonable(request.answered_at)}

    def meeting_data(seat: MeetingSeat) -> dict:
        meeting = seat.meeting
        return {
            "avec": meeting.other(registration).full_name,
            "heure": meeting.starts_at.strftime("%H:%M") if meeting.starts_at else None,
            "table": meeting.table.name if meeting.table else None,
            "supprime_le": _jsonable(meeting.cancelled_at),
            "a_eu_lieu": seat.took_place,
            "suites": [OUTCOMES[key] for key in seat.outcomes or [] if key in OUTCOMES],
            "precisions": seat.outcome_note,
            "suite_notee_le": _jsonable(seat.recorded_at),
        }

    requests = list(requests)
    return {
        "preferences": None if profile is None else {
            "accepte_les_demandes": profile.accepts_requests, "ce_que_je_viens_chercher": profile.comes_for,
            "disponible_de": profile.available_from.strftime("%H:%M") if profile.available_from else None,
            "disponible_jusqu_a": profile.available_until.strftime("%H:%M") if profile.available_until else None,
        },
        "appuis_proposes": [_columns(offer, {"id", "registration_id"}) for offer in registration.support_offers],
        "demandes_envoyees": [request_data(r, r.recipient) for r in requests if r.requester_id == registration.id],
        "demandes_recues": [request_data(r, r.requester) for r in requests if r.recipient_id == registration.id],
        "rendez_vous": [meeting_data(seat) for seat in seats],
    }


def _initiative_data(initiative) -> dict | None:
    if initiative is None:
        return None
    return {
        "consentement": {
            "visibilite": initiative.visibility, "coordonnees_visibles": initiative.show_holder_contact,
            "version": initiative.consent_version, "date": _jsonable(initiative.consented_at),
        },
        "versions": [_columns(version, {"id", "initiative_id", "search_text"}) for version in initiative.versions],
    }


# --- Erasure --------------------------------------------------------------------------------


def _anonymise(registration: Registration, now: datetime) -> None:
    registration.first_name = registration.last_name = ANONYMOUS_NAME
    registration.commune = ""
    for name in IDENTIFYING_FIELDS:
        setattr(registration, name, None)
    for name in CONSENTS:
        setattr(registration, name, False)
    # The old badge and private link stop working.
    registration.badge_code = new_secret()
    registration.manage_token = new_secret()
    registration.anonymised_at = now
    if registration.initiative is not None and registration.initiative.anonymised_at is None:
        initiatives.anonymise(registration.initiative, actor="participant")
    _forget_matching_texts(registration)
    followup.forget_texts(registration)
    # Messages hold names and addresses; those not yet sent must not go out any more.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.registration_id == registration.id))
    # Audit details may quote former values (an old address…); who did what, and when, stays.
    db.session.execute(
        update(AuditEntry)
        .where(AuditEntry.target_type == Registration.__tablename__, AuditEntry.target_id == registration.id)
        .values(details={})
    )


def _forget_matching_texts(registration: Registration) -> None:
    """Texts written for meetings may name people: they go. What was offered (categories),
    requests' states and meetings' outcomes stay, as counts for the funders' report."""
    if registration.matching_profile is not None:
        registration.matching_profile.comes_for = ""
    for offer in registration.support_offers:
        offer.details = ""
    # Both ways: a message received may name the person as well as one sent.
    db.session.execute(
        update(MeetingRequest)
        .where(or_(MeetingRequest.requester_id == registration.id, MeetingRequest.recipient_id == registration.id))
        .values(message="")
    )
    db.session.execute(
        update(MeetingSeat).where(MeetingSeat.registration_id == registration.id).values(outcome_note="")
    )


def erase(registration: Registration, actor: str) -> Registration | None:
    """Anonymise one registration at its person's request; the caller commits.

    Before the village, an anonymous person could not come any more: the registration is
    cancelled first and its place goes to the waiting list (the one promoted is returned).
    """
    _, registration = registrations.lock(registration)
    if registration.anonymised_at is not None:
        return None
    _log_erasure(registration)
    return _erase(registration, actor)


def _erase(registration: Registration, actor: str) -> Registration | None:
    now = utcnow()
    promoted = None
    # Before the village, the place is given back (unless its holder already came in).
    if not registration.village.has_begun(now) and registrations.cancellation_refusal(registration, now) is None:
        promoted = registrations.cancel(registration, actor)
    _anonymise(registration, now)
    audit.record(actor, "registration.anonymised", registration)
    return promoted


# --- Erasure log -----------------------------------------------------------------------------
# A backup taken before an erasure still holds the person. Each erasure is also appended to a
# file outside the database (ERASURE_LOG), which `flask restore` replays after putting a backup
# back. The log names no one: the registration's number and a digest of its private link as it
# was, so that a registration created later under a reused number is never mistaken for it.


def _link_digest(registration: Registration) -> str:
    return hashlib.sha256(registration.manage_token.encode()).hexdigest()


def _log_erasure(registration: Registration) -> None:
    # Written before the commit: if the commit then fails, replaying only erases a person who
    # asked for it.
    path = Path(current_app.config["ERASURE_LOG"])
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = {"registration": registration.id, "link_digest": _link_digest(registration),
             "erased_at": utcnow().isoformat(timespec="seconds")}
    with path.open("a", encoding="utf-8") as log:
        log.write(json.dumps(entry) + "\n")
        log.flush()
        os.fsync(log.fileno())


def replay_erasures() -> int:
    """Erase again the people of the erasure log that a restored backup brought back; commits.

    Returns how many were erased again.
    """
    path = Path(current_app.config["ERASURE_LOG"])
    if not path.exists():
        return 0
    erased_again = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        registration = db.session.get(Registration, entry["registration"])
        if (registration is None or registration.anonymised_at is not None
                or not hmac.compare_digest(_link_digest(registration), entry["link_digest"])):
            continue
        _erase(registration, actor="restauration")
        erased_again += 1
    db.session.commit()
    return erased_again


# --- Retention --------------------------------------------------------------------------------


def months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass
class PurgeReport:
    registrations_anonymised: int = 0
    check_ins_deleted: int = 0
    login_failures_forgotten: int = 0


def purge(now: datetime | None = None) -> PurgeReport:
    """Anonymise the registrations of villages past their retention, and forget the details of
    old check-ins (the checked-in mark of each registration stays, so attendance counts remain).

    Commits once per village: safe to run again at any time, e.g. every night from cron.
    """
    now = now or utcnow()
    config = current_app.config
    report = PurgeReport()

    registrations_limit = months_before(now.date(), config["RETENTION_MONTHS"])
    expired = db.session.scalars(select(Village).where(Village.day < registrations_limit).order_by(Village.day))
    for village in expired.all():
        pending = db.session.scalars(
            select(Registration).where(Registration.village_id == village.id, Registration.anonymised_at.is_(None))
        ).all()
        if not pending:
            continue
        for registration in pending:
            _anonymise(registration, now)
        audit.record("system", "village.registrations_anonymised", village, count=len(pending))
        db.session.commit()
        report.registrations_anonymised += len(pending)

    attendance_limit = months_before(now.date(), config["ATTENDANCE_RETENTION_MONTHS"])
    old_villages = select(Village.id).where(Village.day < attendance_limit)
    old_check_ins = CheckIn.village_id.in_(old_villages)
    # A check-in may point at the one it conflicted with: unlink before deleting.
    db.session.execute(update(CheckIn).where(old_check_ins).values(conflict_with_id=None))
    report.check_ins_deleted = db.session.execute(delete(CheckIn).where(old_check_ins)).rowcount
    report.login_failures_forgotten = accounts.forget_old_login_failures(now)
    db.session.commit()
    return report
