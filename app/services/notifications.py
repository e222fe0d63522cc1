"""The e-mails sent to participants, queued in the outbox in the caller's transaction.

Each function adds an OutboxMessage to the session and does not commit: the message is
saved if, and only if, the change it reports is saved. People registered without an
e-mail address (walk-ins) get nothing.

Confirmed people receive their documents each time: the badge PDF, its QR code shown
in the message, and the calendar invitation (a text/calendar part, which mail
applications turn into an event, and the same as invitation.ics).
"""
from datetime import date, time
from email import policy
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template

from ..documents.badge import badge_pdf
from ..documents.certificate import certificate_pdf
from ..documents.calendar import invitation, location, manage_url, village_url
from ..documents.qr import qr_png
from ..extensions import db
from ..models import OutboxMessage, Registration
from ..templating import french_date, french_time

# What village_changed can report, as Village column names.
CHANGE_LABELS = {
    "day": "Date",
    "starts_at": "Début",
    "ends_at": "Fin",
    "venue": "Lieu",
    "address": "Adresse",
    "town": "Commune",
}


def registration_confirmed(registration: Registration) -> OutboxMessage | None:
    return _queue("confirmation", registration, "Inscription confirmée", documents=True)


def registration_waitlisted(registration: Registration) -> OutboxMessage | None:
    return _queue("waitlisted", registration, "Vous êtes sur la liste d'attente")


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


def organiser_message(registration: Registration, subject: str, body: str, *, news: bool = False,
                      with_certificate: bool = False) -> OutboxMessage | None:
    """A message an organiser wrote (app/services/participant_messages.py), already personalised."""
    attachments = [(certificate_pdf(registration), "application", "pdf", "attestation-de-presence.pdf")
                   ] if with_certificate else []
    return _queue("organiser_message", registration, subject, body=body, news=news, attachments=attachments)


def meeting_requested(request) -> OutboxMessage | None:
    return _queue("meeting_requested", request.recipient, "Une demande de rendez-vous", request=request)


def meeting_accepted(request) -> OutboxMessage | None:
    return _queue("meeting_accepted", request.requester, "Votre demande de rendez-vous est acceptée",
                  request=request)


def meeting_declined(request) -> OutboxMessage | None:
    return _queue("meeting_declined", request.requester, "Votre demande de rendez-vous", request=request)


def agenda_published(registration: Registration, changes: list) -> OutboxMessage | None:
    """The person's agenda as published: the PDF, and one calendar event per meeting that is
    new, moved (same UID, higher SEQUENCE) or removed (METHOD:CANCEL)."""
    from ..documents.agenda import agenda_pdf
    from ..documents.calendar import meeting_event
    from .scheduling import agenda

    attachments = [(agenda_pdf(registration), "application", "pdf", "mes-rendez-vous.pdf")]
    for number, (meeting, method) in enumerate(changes, start=1):
        attachments.append((meeting_event(meeting, registration, method), "application", "ics",
                            f"rendez-vous-{number}.ics"))
    return _queue("agenda", registration, "Vos rendez-vous", meetings=agenda(registration),
                  changes=changes, attachments=attachments)


def suggestions(registration: Registration, found: list) -> OutboxMessage | None:
    return _queue("suggestions", registration, "Des personnes à rencontrer", suggestions=found)

def initiative_refused(initiative) -> OutboxMessage | None:
    """The organisers' reason, to the holder, through their latest registration (its private link)."""
    registrations = [p.registration for p in initiative.presentations if p.registration is not None]
    if not registrations:
        return None
    latest = max(registrations, key=lambda r: r.created_at)
    return _queue("initiative_refused", latest, "Votre fiche initiative n'a pas été publiée",
                  initiative=initiative)


def _queue(kind: str, registration: Registration, subject: str, *, documents: bool = False,
           calendar_method: str | None = None, attachments: list | None = None,
           **context) -> OutboxMessage | None:
    if not registration.email:
        return None
    # The id, badge code and private link of a new registration are given at flush.
    db.session.flush()
    village = registration.village
    calendar_method = "REQUEST" if documents else calendar_method
    subject = f"{subject} – {village.name}"
    qr_cid = make_msgid("qr", domain=_mail_domain())
    context.update(
        registration=registration,
        village=village,
        documents=documents,
        calendar_method=calendar_method,
        location=location(village),
        manage_url=manage_url(registration),
        village_url=village_url(village),
        qr_cid=qr_cid[1:-1],
        organiser_name=current_app.config["ORGANISER_NAME"],
    )

    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = formataddr((registration.full_name, registration.email))
    if village.contact_email:
        message["Reply-To"] = village.contact_email
    message["Date"] = formatdate(localtime=True)
    # Kept in the stored bytes, so a message retried after a failure is recognisably the same.
    message["Message-ID"] = make_msgid("villages", domain=_mail_domain())
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(render_template(f"mail/{kind}.txt", **context))
    message.add_alternative(render_template(f"mail/{kind}.html", **context), subtype="html")
    if documents:
        html = message.get_payload()[1]
        html.add_related(qr_png(registration.badge_code), "image", "png", cid=qr_cid,
                         filename="qr-code.png", disposition="inline")
    if calendar_method:
        ics = invitation(registration, calendar_method)
        message.add_alternative(ics.decode(), subtype="calendar", params={"method": calendar_method})
    if documents:
        message.add_attachment(badge_pdf(registration), "application", "pdf", filename="badge.pdf")
    if calendar_method:
        message.add_attachment(ics, "application", "ics", filename="invitation.ics")
    for content, maintype, subtype, filename in attachments or []:
        message.add_attachment(content, maintype, subtype, filename=filename)

    queued = OutboxMessage(
        kind=kind,
        registration=registration,
        recipient=registration.email,
        subject=subject,
        # As sent on the wire: smtplib passes bytes through, CRLF line ends included.
        message=message.as_bytes(policy=policy.SMTP),
    )
    db.session.add(queued)
    return queued


def _shown(value: Any) -> str:
    if isinstance(value, date):
        return french_date(value)
    if isinstance(value, time):
        return french_time(value)
    return "" if value is None else str(value)


def _mail_domain() -> str:
    _, address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    return address.rpartition("@")[2] or urlsplit(current_app.config["PUBLIC_URL"]).hostname or "localhost"
