"""The e-mails sent to participants, queued in the outbox in the caller's transaction.

Each function adds an OutboxMessage to the session and does not commit: the message is
saved if, and only if, the change it reports is saved. The row is small and says what to
send; app/documents/mail.py writes the message when it is delivered, outside any lock a change
holds. People registered without an e-mail address (walk-ins) get nothing.
"""
import functools
import re
from datetime import date, datetime, time
from email.utils import make_msgid, parseaddr
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import insert, literal, select

from ..database import upsert_for
from ..extensions import db
from ..models import OutboxMessage, OutboxStatus, Registration
from ..templating import french_date, french_time
from ..timeutil import utcnow

# In session.info: the transaction queued mail, which the outbox may deliver once it commits.
MAIL_QUEUED = "mail_queued"
# What village_changed can report, as Village column names.
CHANGE_LABELS = {
    "day": "Date",
    "starts_at": "Début",
    "ends_at": "Fin",
    "venue": "Lieu",
    "address": "Adresse",
    "town": "Commune",
}


# The e-mail that tells a new registration its state.
_CONFIRMED = dict(kind="confirmation", subject="Inscription confirmée", documents=True)
_WAITLISTED = dict(kind="waitlisted", subject="Vous êtes sur la liste d'attente")


def registration_confirmed(registration: Registration, *, at_once: bool = False) -> OutboxMessage | None:
    return _queue(registration=registration, **_CONFIRMED, at_once=at_once)


def registration_waitlisted(registration: Registration, *, at_once: bool = False) -> OutboxMessage | None:
    return _queue(registration=registration, **_WAITLISTED, at_once=at_once)


def new_registration_messages(registration: Registration, village) -> tuple[dict, dict] | None:
    """The outbox row of registration_confirmed and that of registration_waitlisted, for a
    registration whose INSERT decides its state and writes the row that applies in the same
    statement (registration.register, on PostgreSQL), before the registration is written (so
    its `village` is given); None if it has no e-mail address."""
    if not registration.email:
        return None
    db.session.info[MAIL_QUEUED] = True
    return (_message(registration=registration, village=village, **_CONFIRMED),
            _message(registration=registration, village=village, **_WAITLISTED))


def state_told_since(registration: Registration, moment: datetime) -> bool:
    """Whether an e-mail telling the registration's state (confirmed, waiting) was queued since `moment`."""
    return db.session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.registration_id == registration.id, OutboxMessage.created_at >= moment,
        OutboxMessage.kind.in_(["confirmation", "promoted", "waitlisted"])).limit(1)) is not None


def registration_promoted(registration: Registration) -> OutboxMessage | None:
    return _queue("promoted", registration, "Une place s'est libérée : inscription confirmée",
                  documents=True)


def registration_cancelled(registration: Registration) -> OutboxMessage | None:
    # Only those who had a place received an invitation to withdraw.
    had_invitation = registration.confirmed_at is not None
    return _queue("cancellation", registration, "Inscription annulée",
                  calendar_method="CANCEL" if had_invitation else None)


def registration_changed(registration: Registration) -> OutboxMessage | None:
    """Details shown on the badge changed (name, organisation, role): new badge and invitation."""
    return _queue("update", registration, "Votre inscription a été modifiée",
                  documents=registration.is_confirmed)


def village_changed(registration: Registration, changes: dict[str, tuple[Any, Any]]) -> OutboxMessage | None:
    """The village's date, times or venue changed: `changes` maps Village column names
    (day, starts_at, ends_at, venue, address, town) to (old, new) values. The caller has
    raised village.calendar_sequence so that calendars replace the event."""
    lines = [
        (CHANGE_LABELS.get(name, name), _shown(old), _shown(new))
        for name, (old, new) in changes.items()
    ]
    return _queue("village_changed", registration, "Changement de date, d'horaire ou de lieu",
                  documents=registration.is_confirmed, changes=lines)


def reminder(registration: Registration) -> OutboxMessage | None:
    return _queue("reminder", registration, f"Rappel : c'est {french_date(registration.village.day)}",
                  documents=True)


def password_reset(organiser, link: str, *, minutes: int, send: bool = True) -> None:
    """The link an organiser follows to choose a new password (app/services/accounts.py).

    One INSERT … SELECT whose SELECT yields the row only if `send`: an address without an
    account runs the same statement, which writes nothing, and takes as long."""
    now = utcnow()
    values = {
        **_standalone("password_reset", organiser.email, organiser.name,
                      "Choisir un nouveau mot de passe – espace organisation",
                      {"name": organiser.name, "link": link, "minutes": minutes}),
        "status": OutboxStatus.PENDING, "attempts": 0, "next_attempt_at": now, "created_at": now,
    }
    columns = OutboxMessage.__table__.c
    db.session.execute(insert(OutboxMessage.__table__).from_select(
        list(values), select(*(literal(value, columns[name].type) for name, value in values.items()))
        .where(literal(send)),
    ))
    db.session.info[MAIL_QUEUED] = True


def organiser_message(registration: Registration, subject: str, body: str, *, once_key: str | None = None,
                      news: bool = False, with_certificate: bool = False) -> None:
    """A message an organiser wrote (app/services/participant_messages.py), already personalised;
    `once_key` names the message: a second e-mail of it to the same person is never written."""
    _queue("organiser_message", registration, subject, once_key=once_key and f"{once_key}:{registration.id}",
           context={"body": body, "news": news, "certificate": with_certificate, "greeted": greets(body)})


# How a letter may open: a message that does is not greeted a second time.
_GREETING = re.compile(r"\s*(?:bonjour|bonsoir|salut|madame|monsieur|chers?|chères?)\b", re.I)


def greets(body: str) -> bool:
    return bool(_GREETING.match(body))


def subject_line(subject: str, village) -> str:
    """An e-mail's subject names its village, once: an organiser's subject may already name it."""
    return subject if village.name in subject else f"{subject} – {village.name}"


def meeting_requested(request) -> OutboxMessage | None:
    return _queue("meeting_requested", request.recipient, "Une demande de rendez-vous",
                  context={"request_id": _id_of(request)})


def meeting_accepted(request) -> OutboxMessage | None:
    return _queue("meeting_accepted", request.requester, "Votre demande de rendez-vous est acceptée",
                  context={"request_id": _id_of(request)})


def meeting_declined(request) -> OutboxMessage | None:
    return _queue("meeting_declined", request.requester, "Votre demande de rendez-vous",
                  context={"request_id": _id_of(request)})


def meeting_withdrawn(registration: Registration, withdrawn_by: Registration, what: str, *,
                      meeting=None, calendar_method: str | None = None) -> OutboxMessage | None:
    """`withdrawn_by` cancelled their registration: their request to (or from) `registration`,
    or their meeting with them (`what`: "request", "meeting"), will not go ahead. A meeting that
    was in the person's calendar comes with its cancellation (and the agenda as it now is)."""
    context = {"withdrawn_by": _id_of(withdrawn_by), "what": what}
    if calendar_method:
        context["meeting_changes"] = [[_id_of(meeting), calendar_method]]
    subject = "Un rendez-vous annulé" if what == "meeting" else "Une demande de rendez-vous retirée"
    return _queue("meeting_withdrawn", registration, subject, context=context)


def agenda_published(registration: Registration, changes: list) -> OutboxMessage | None:
    """The person's agenda as published: the PDF, and one calendar event per meeting that is
    new, moved (same UID, higher SEQUENCE) or removed (METHOD:CANCEL)."""
    return _queue("agenda", registration, "Vos rendez-vous",
                  context={"meeting_changes": [[_id_of(meeting), method] for meeting, method in changes]})


def suggestions(registration: Registration, found: list) -> OutboxMessage | None:
    return _queue("suggestions", registration, "Des personnes à rencontrer", context={"suggestions": [
        {"name": item.person.full_name, "structure": item.person.structure, "reason": item.reason}
        for item in found
    ]})


def _holder_registration(initiative) -> Registration | None:
    """The holder's latest registration: its private link is where they edit the initiative."""
    registrations = [p.registration for p in initiative.presentations if p.registration is not None]
    return max(registrations, key=lambda r: r.created_at) if registrations else None


def initiative_refused(initiative) -> OutboxMessage | None:
    """The organisers' reason, to the holder."""
    latest = _holder_registration(initiative)
    if latest is None:
        return None
    return _queue("initiative_refused", latest, "Votre fiche initiative n'a pas été publiée",
                  context={"initiative_name": initiative.name, "reason": initiative.refusal_reason})


def initiative_published(initiative) -> OutboxMessage | None:
    """The holder learns that their initiative was read and is shown, and to whom."""
    latest = _holder_registration(initiative)
    if latest is None:
        return None
    public_url = (current_app.config["PUBLIC_URL"] + f"/initiatives/{initiative.slug}"
                  if initiative.visibility == "public" else None)
    return _queue("initiative_published", latest, "Votre initiative est publiée",
                  context={"initiative_name": initiative.name, "visibility": initiative.visibility,
                           "public_url": public_url})


def followup_asked(registration: Registration, ask) -> OutboxMessage | None:
    """A follow-up after the village (app/services/followup_asks.py): a porteur asked where their
    needs stand, or a partner whether they could support the porteurs they met."""
    subject = ("Où en sont vos besoins d'appui ?" if ask.asked_as == "porteur"
               else "Avez-vous pu appuyer les initiatives rencontrées ?")
    return _queue("followup", registration, subject, context={"ask_id": _id_of(ask)})


def _queue(kind: str, registration: Registration, subject: str, *, documents: bool = False,
           calendar_method: str | None = None, changes: list | None = None,
           context: dict | None = None, at_once: bool = False, once_key: str | None = None) -> OutboxMessage | None:
    """A small row saying what to send; nothing is rendered here (app/documents/mail.py). `context`
    holds the values, fixed now, that the message's template shows besides the registration.

    `at_once`: the row is inserted now in direct SQL rather than added to the session, for a
    registration written so (registration.register); nothing is returned then. So is one with a
    `once_key`, unless a row of that key exists (the database decides, under concurrency too)."""
    if not registration.email:
        return None
    values = _message(kind, registration, subject, registration.village, documents=documents,
                      calendar_method=calendar_method, changes=changes, context=context)
    if once_key is not None:
        db.session.execute(upsert_for(db.session, OutboxMessage.__table__).on_conflict_do_nothing(
                           index_elements=["once_key"]),
                           {**values, "registration_id": registration.id, "once_key": once_key})
        db.session.info[MAIL_QUEUED] = True
        return None
    if at_once:
        db.session.connection().execute(_INSERT_MESSAGE, {**values, "registration_id": registration.id})
        db.session.info[MAIL_QUEUED] = True
        return None
    queued = OutboxMessage(registration=registration, **values)
    db.session.add(queued)
    return queued


def _message(kind: str, registration: Registration, subject: str, village, *, documents: bool = False,
             calendar_method: str | None = None, changes: list | None = None, context: dict | None = None) -> dict:
    return dict(
        kind=kind,
        recipient=registration.email,
        subject=subject_line(subject, village),
        message_id=make_msgid("villages", domain=_mail_domain()),
        details={
            "documents": documents,
            "calendar_method": "REQUEST" if documents else calendar_method,
            **({"changes": changes} if changes else {}),
            **({"context": context} if context else {}),
        },
    )


# Built once, as every registration on SQLite runs it (on PostgreSQL the registration's INSERT
# writes its message, with new_registration_messages). Inline, as audit's: no RETURNING of the new id.
_INSERT_MESSAGE = insert(OutboxMessage.__table__).inline()


def _queue_standalone(kind: str, recipient: str, name: str | None, subject: str, context: dict) -> OutboxMessage:
    """A message about no registration (to an organiser account, say): plain text from
    mail/<kind>.txt with `context`."""
    queued = OutboxMessage(**_standalone(kind, recipient, name, subject, context))
    db.session.add(queued)
    return queued


def _standalone(kind: str, recipient: str, name: str | None, subject: str, context: dict) -> dict:
    return dict(kind=kind, recipient=recipient, subject=subject,
                message_id=make_msgid("villages", domain=_mail_domain()),
                details={"standalone": True, "to_name": name or "", "context": context})



def _id_of(row) -> int:
    """A new row's id, given at flush, for a message that reads the row when it is delivered."""
    if row.id is None:
        db.session.flush()
    return row.id


def _shown(value: Any) -> str:
    if isinstance(value, date):
        return french_date(value)
    if isinstance(value, time):
        return french_time(value)
    return "" if value is None else str(value)


def _mail_domain() -> str:
    return _domain(current_app.config["MAIL_DEFAULT_SENDER"], current_app.config["PUBLIC_URL"])


@functools.cache  # parsing the sender's address took 200 Python calls for every message queued
def _domain(sender: str, public_url: str) -> str:
    _, address = parseaddr(sender)
    return address.rpartition("@")[2] or urlsplit(public_url).hostname or "localhost"
