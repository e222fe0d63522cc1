"""Asking for a meeting, and answering: every rule checked before anything is written.

Functions add their changes (and the e-mails reporting them) to the session and never
commit. Each starts by locking the village's matching settings (meeting_area.lock_settings),
so that the cap on requests received holds under concurrent requests, and an answer cannot
slip in while the schedule is being built.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, Signer
from sqlalchemy import func, or_, select

from ..extensions import db
from ..models import (
    INTENTS,
    Meeting,
    MeetingRequest,
    MeetingSeat,
    Registration,
    RequestStatus,
    Role,
    Village,
    VillagePhase,
)
from ..timeutil import utcnow
from . import audit, meeting_area, notifications

MESSAGE_MAX_LENGTH = 500
# Requests that still count against the recipient's cap.
OPEN_STATUSES = (RequestStatus.PENDING, RequestStatus.ACCEPTED)


# One answer whoever the person asked is not (unknown, oneself, at another village, not on the
# list of participants, refusing requests): a refusal must not tell which people exist.
NOT_ASKABLE = "Vous ne pouvez pas demander de rendez-vous à cette personne."


class RequestRefused(Exception):
    """The request or answer breaks a rule; the message says which, in French."""


def may_be_suggested(person: Registration) -> bool:
    """Whether `person` may be shown to the other participants as someone to meet, and so be
    asked: a confirmed place, their agreement to appear on the list of participants, and
    requests not refused."""
    return (person.is_confirmed and person.anonymised_at is None and person.consent_listing
            and accepts_requests(person))


def recipient_key(person: Registration) -> str:
    """How a person to ask is named in addresses: their id signed with the application's secret,
    so that nobody can walk through the ids of a village (« 12.Xa3… »)."""
    return _signer().sign(str(person.id)).decode()


def askable(requester: Registration, key: str) -> Registration | None:
    """The person `key` names if `requester` may ask them for a meeting, else None, with no
    difference between a forged key, an unknown person and one who may not be asked."""
    try:
        person_id = int(_signer().unsign(key))
    except (BadSignature, ValueError):
        return None
    person = db.session.get(Registration, person_id)
    if (person is None or person.id == requester.id or person.village_id != requester.village_id
            or not may_be_suggested(person)):
        return None
    return person


def _signer() -> Signer:
    return Signer(current_app.secret_key, salt="meeting-recipient")


def ask(requester: Registration, recipient: Registration | None, intent: str, message: str,
        now: datetime | None = None) -> MeetingRequest:
    """A request from `requester` to `recipient` (`now`: when it is made, default now)."""
    message = (message or "").strip()
    if intent not in INTENTS:
        raise RequestRefused("Choisissez ce que vous attendez de ce rendez-vous.")
    if len(message) > MESSAGE_MAX_LENGTH:
        raise RequestRefused(f"Votre message est trop long : {MESSAGE_MAX_LENGTH} caractères au plus.")
    settings = meeting_area.lock_settings(requester.village)
    _check_open(settings, requester.village, now)  # about the village: tells nothing of the person
    if (recipient is None or recipient.id == requester.id or recipient.village_id != requester.village_id
            or not may_be_suggested(recipient)):
        raise RequestRefused(NOT_ASKABLE)
    if not requester.is_confirmed:
        raise RequestRefused("Seules les personnes dont l'inscription est confirmée peuvent demander un rendez-vous.")
    if not meeting_area.may_ask(settings, requester.role, recipient.role):
        raise RequestRefused(
            f"Dans ce village, les {Role(requester.role).several.lower()} ne peuvent pas demander de "
            f"rendez-vous aux {Role(recipient.role).several.lower()}."
        )
    existing = between(requester, recipient)
    if existing is not None:
        if existing.requester_id == requester.id:
            raise RequestRefused("Vous avez déjà demandé un rendez-vous à cette personne.")
        raise RequestRefused("Cette personne vous a déjà demandé un rendez-vous : répondez à sa demande.")
    if received_count(recipient) >= settings.max_requests_received:
        raise RequestRefused(
            f"Cette personne a déjà reçu le nombre maximal de demandes ({settings.max_requests_received}). "
            "Vous pourrez la rencontrer librement pendant le village."
        )
    request = MeetingRequest(
        village_id=requester.village_id, requester=requester, recipient=recipient,
        intent=intent, message=message,
    )
    db.session.add(request)
    db.session.flush()
    notifications.meeting_requested(request)
    audit.record("participant", "meeting_requested", request, recipient_id=recipient.id, intent=intent)
    return request


def accept(request: MeetingRequest, recipient: Registration, now: datetime | None = None) -> Meeting:
    _answerable(request, recipient, now)
    request.status = RequestStatus.ACCEPTED
    request.answered_at = utcnow()
    meeting = _new_meeting(request.requester, request.recipient, request.intent, request=request)
    notifications.meeting_accepted(request)
    audit.record("participant", "meeting_accepted", request)
    return meeting


def decline(request: MeetingRequest, recipient: Registration, now: datetime | None = None) -> None:
    _answerable(request, recipient, now)
    request.status = RequestStatus.DECLINED
    request.answered_at = utcnow()
    notifications.meeting_declined(request)
    audit.record("participant", "meeting_declined", request)


def add_meeting(first: Registration, second: Registration, actor: str) -> Meeting:
    """An organiser adds a meeting between two people, with or without a request."""
    if first.id == second.id:
        raise RequestRefused("Choisissez deux personnes différentes.")
    if first.village_id != second.village_id:
        raise RequestRefused("Ces deux personnes ne participent pas au même village.")
    settings = meeting_area.lock_settings(first.village)
    if meeting_of(first, second) is not None:
        raise RequestRefused("Ces deux personnes ont déjà un rendez-vous.")
    meeting = _new_meeting(first, second, "")
    settings.schedule_version += 1
    audit.record(actor, "meeting_added", meeting, people=[first.id, second.id])
    return meeting


def between(first: Registration, second: Registration) -> MeetingRequest | None:
    return db.session.scalar(select(MeetingRequest).where(or_(
        (MeetingRequest.requester_id == first.id) & (MeetingRequest.recipient_id == second.id),
        (MeetingRequest.requester_id == second.id) & (MeetingRequest.recipient_id == first.id),
    )))


def meeting_of(first: Registration, second: Registration) -> Meeting | None:
    """The active meeting of two people, if any."""
    mine = select(MeetingSeat.meeting_id).where(MeetingSeat.registration_id == first.id)
    return db.session.scalar(
        select(Meeting).join(MeetingSeat)
        .where(Meeting.id.in_(mine), MeetingSeat.registration_id == second.id, Meeting.cancelled_at.is_(None))
    )


def received_count(recipient: Registration) -> int:
    return db.session.scalar(
        select(func.count()).select_from(MeetingRequest)
        .where(MeetingRequest.recipient_id == recipient.id, MeetingRequest.status.in_(OPEN_STATUSES))
    )


def accepts_requests(registration: Registration) -> bool:
    profile = registration.matching_profile
    return profile is None or profile.accepts_requests


def received(registration: Registration) -> list[MeetingRequest]:
    return _requests(MeetingRequest.recipient_id == registration.id)


def sent(registration: Registration) -> list[MeetingRequest]:
    return _requests(MeetingRequest.requester_id == registration.id)


def _requests(condition) -> list[MeetingRequest]:
    return list(db.session.scalars(
        select(MeetingRequest).where(condition).order_by(MeetingRequest.created_at.desc(), MeetingRequest.id.desc())
    ))


def _answerable(request: MeetingRequest, recipient: Registration, now: datetime | None = None) -> None:
    if request.recipient_id != recipient.id:
        raise RequestRefused("Cette demande ne vous est pas adressée.")
    settings = meeting_area.lock_settings(recipient.village)
    db.session.refresh(request)  # read afresh under the lock: answered meanwhile?
    _check_open(settings, recipient.village, now)
    if request.status != RequestStatus.PENDING:
        raise RequestRefused(f"Cette demande a déjà reçu une réponse ({request.status_label.lower()}).")
    settings.schedule_version += 1


def closed_because(settings, village: Village, now: datetime | None = None) -> str | None:
    """Why meeting requests are closed in this village, if they are: the schedule was built, or
    the village's day has passed."""
    if village.phase(now) is VillagePhase.AFTER:
        return "Le village a eu lieu : les demandes de rendez-vous sont closes."
    if settings.requests_closed_at is not None:
        return ("Les demandes de rendez-vous sont closes : le programme des rendez-vous a été établi. "
                "Vous pourrez vous rencontrer librement pendant le village.")
    return None


def _check_open(settings, village: Village, now: datetime | None = None) -> None:
    refusal = closed_because(settings, village, now)
    if refusal is not None:
        raise RequestRefused(refusal)


def _new_meeting(first: Registration, second: Registration, intent: str,
                 request: MeetingRequest | None = None) -> Meeting:
    meeting = Meeting(village_id=first.village_id, request=request, intent=intent)
    meeting.seats = [MeetingSeat(registration=first), MeetingSeat(registration=second)]
    db.session.add(meeting)
    db.session.flush()
    return meeting
