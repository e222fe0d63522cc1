"""The e-mails sent to participants, queued in the outbox in the caller's transaction.

Each function adds an OutboxMessage to the session and does not commit: the message is
saved if, and only if, the change it reports is saved.
"""
from email.message import EmailMessage

from flask import current_app

from ..extensions import db
from ..models import OutboxMessage, Registration


def _queue(kind: str, registration: Registration, subject: str, body: str) -> OutboxMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = registration.email
    message["Subject"] = subject
    message.set_content(body)
    queued = OutboxMessage(
        kind=kind,
        registration=registration,
        recipient=registration.email,
        subject=subject,
        message=message.as_bytes(),
    )
    db.session.add(queued)
    return queued


def registration_confirmed(registration: Registration) -> None:
    _queue("confirmation", registration, f"Inscription confirmée – {registration.village.name}",
           "Votre inscription est confirmée.")


def registration_waitlisted(registration: Registration) -> None:
    _queue("waitlisted", registration, f"Liste d'attente – {registration.village.name}",
           "Le village est complet : vous êtes inscrit(e) sur la liste d'attente.")


def registration_promoted(registration: Registration) -> None:
    _queue("promoted", registration, f"Une place s'est libérée – {registration.village.name}",
           "Une place s'est libérée : votre inscription est confirmée.")


def registration_cancelled(registration: Registration) -> None:
    _queue("cancellation", registration, f"Inscription annulée – {registration.village.name}",
           "Votre inscription est annulée.")


def registration_changed(registration: Registration) -> None:
    _queue("update", registration, f"Inscription modifiée – {registration.village.name}",
           "Votre inscription a été modifiée.")
