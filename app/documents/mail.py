"""The e-mail of a queued outbox row, as sent on the wire (app/services/notifications.py queues
the rows; app/runtime/outbox.py delivers them).

Confirmed people receive their documents each time: the badge PDF, its QR code shown
in the message, and the calendar invitation (a text/calendar part, which mail
applications turn into an event, and the same as invitation.ics).
"""
from datetime import timezone
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from flask import current_app, render_template

from ..extensions import db
from ..models import FollowupAsk, Meeting, MeetingRequest, OutboxMessage, Registration, VillagePhase
from ..templating import html_typography, typography, village_contact
from ..text import one_line
from .calendar import invitation, location, manage_url, meeting_event, village_url


def _text(kind: str, **context) -> str:
    """A message's plain text, with French typography as its HTML and the pages have."""
    return typography(render_template(f"mail/{kind}.txt", **context))


def render(queued: OutboxMessage) -> bytes:
    """The message of a queued row as sent on the wire, with the registration's current
    badge and invitation. The same Message-ID and Date on every attempt: a message retried
    after a failure is recognisably the same."""
    if queued.details.get("standalone"):
        message = _headed(queued, queued.details.get("to_name", ""))
        message.set_content(_text(queued.kind, **queued.details.get("context", {}),
                                  organiser_name=current_app.config["ORGANISER_NAME"]))
        return message.as_bytes(policy=policy.SMTP)

    # reportlab and the QR encoder: loaded by the processes that deliver mail, not by every web worker.
    from .badge import badge_pdf
    from .qr import QrCode

    registration = queued.registration
    village = registration.village
    documents = queued.details.get("documents", False)
    calendar_method = queued.details.get("calendar_method")
    qr_cid = f"qr.{queued.message_id.strip('<>')}"
    extras, attachments = _delivered_with(queued.details.get("context", {}), registration)
    context = dict(
        extras,
        registration=registration,
        village=village,
        documents=documents,
        calendar_method=calendar_method,
        changes=extras.get("changes", queued.details.get("changes", [])),
        location=location(village),
        manage_url=manage_url(registration),
        # Read at delivery: after the day, the link is to see one's registration, no longer to cancel it.
        village_over=village.phase() is VillagePhase.AFTER,
        village_url=village_url(village),
        qr_cid=qr_cid,
        organiser_name=current_app.config["ORGANISER_NAME"],
        contact_email=village_contact(village),
    )

    message = _headed(queued, registration.full_name, reply_to=village.contact_email)
    message.set_content(_text(queued.kind, **context))
    message.add_alternative(html_typography(render_template(f"mail/{queued.kind}.html", **context)), subtype="html")
    if documents:
        # One QR code for the picture in the message and the badge PDF.
        qr = QrCode(registration.badge_code)
        html = message.get_payload()[1]
        html.add_related(qr.png(), "image", "png", cid=f"<{qr_cid}>",
                         filename="qr-code.png", disposition="inline")
    if calendar_method:
        ics = invitation(registration, calendar_method)
        message.add_alternative(ics.decode(), subtype="calendar", params={"method": calendar_method})
    if documents:
        message.add_attachment(badge_pdf(registration, qr), "application", "pdf", filename="badge.pdf")
    if calendar_method:
        message.add_attachment(ics, "application", "ics", filename="invitation.ics")
    for content, maintype, subtype, filename in attachments:
        message.add_attachment(content, maintype, subtype, filename=filename)
    # As sent on the wire: smtplib passes bytes through, CRLF line ends included.
    return message.as_bytes(policy=policy.SMTP)


def _delivered_with(context: dict, registration: Registration) -> tuple[dict, list]:
    """The template values and attachments a message's stored context stands for, read at
    delivery: a meeting request, the meetings of an agenda, an attendance certificate."""
    extras, attachments = dict(context), []
    if "request_id" in context:
        extras["request"] = db.session.get(MeetingRequest, context["request_id"])
    if "ask_id" in context:  # a follow-up after the village: its needs, and the two links
        extras["ask"] = db.session.get(FollowupAsk, context["ask_id"])
        extras["followup_url"] = f"{manage_url(registration)}/suivi"
        extras["opt_out_url"] = f"{manage_url(registration)}/suivi/desinscription"
    if "withdrawn_by" in context:
        extras["withdrawn_by"] = db.session.get(Registration, context["withdrawn_by"])
    if context.get("certificate"):
        from .certificate import certificate_pdf

        attachments.append((certificate_pdf(registration), "application", "pdf", "attestation-de-presence.pdf"))
    if "meeting_changes" in context:
        from .agenda import agenda_pdf

        changes = [(db.session.get(Meeting, meeting_id), method) for meeting_id, method in context["meeting_changes"]]
        meetings = list(db.session.scalars(Meeting.agenda_of(registration)).unique())
        extras.update(changes=changes, meetings=meetings)
        attachments.append((agenda_pdf(registration, meetings), "application", "pdf", "mes-rendez-vous.pdf"))
        for number, (meeting, method) in enumerate(changes, start=1):
            attachments.append((meeting_event(meeting, registration, method), "application", "ics",
                                f"rendez-vous-{number}.ics"))
    return extras, attachments


def _headed(queued: OutboxMessage, name: str, reply_to: str | None = None) -> EmailMessage:
    """The headers every e-mail of the service carries. Headers take one line: a name stored
    with a line break must not make the message unbuildable."""
    message = EmailMessage()
    message["Subject"] = one_line(queued.subject)
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = formataddr((one_line(name), one_line(queued.recipient)))
    message["Reply-To"] = one_line(reply_to or current_app.config["MAIL_REPLY_TO"])
    message["Date"] = format_datetime(queued.created_at.replace(tzinfo=timezone.utc))
    message["Message-ID"] = queued.message_id
    message["Auto-Submitted"] = "auto-generated"
    return message
