from datetime import date, time

from app.extensions import db
from app.models import OutboxMessage, Registration, RegistrationStatus, Role
from app.services import notifications
from app.services import registration as registrations
from app.timeutil import utcnow
from tests.factories import make_registration, make_village
from tests.factories_registration import registration_data
from tests.fixtures_maildocs import (
    attachment, attachment_names, calendar_part, event_of, html_body, inline_image, pdf_text,
    qr_codes, qr_codes_in_pdf, text_body,
)


def confirmed(**fields):
    village = make_village(name="Village des initiatives solidaires – Avignon", town="Avignon",
                           venue="Maison de la vie associative", address="2 rue Saint-Agricol, 84000 Avignon",
                           day=date(2030, 12, 21), starts_at=time(9, 0), ends_at=time(17, 0))
    values = dict(first_name="Éloïse", last_name="Œuvray", email="eloise@example.org",
                  role=Role.PORTEUR, organisation="Jardins partagés", confirmed_at=utcnow())
    values.update(fields)
    return make_registration(village, **values)


def notify(function, registration, *args):
    function(registration, *args)
    db.session.commit()


def test_confirmation_brings_badge_qr_code_private_link_and_invitation(app, deliver):
    registration = confirmed()
    notify(notifications.registration_confirmed, registration)
    (message,) = deliver()

    assert message["To"] == "Éloïse Œuvray <eloise@example.org>"
    assert message["Subject"] == "Inscription confirmée – Village des initiatives solidaires – Avignon"
    private_link = f"http://villages.test/inscription/{registration.manage_token}"
    assert private_link in text_body(message) and private_link in html_body(message)
    assert "samedi 21 décembre 2030, de 9\u00a0h à 17\u00a0h" in text_body(message)

    content_id, png = inline_image(message)
    assert f'src="cid:{content_id}"' in html_body(message)
    assert qr_codes(png) == [registration.badge_code]

    badge = attachment(message, "badge.pdf")
    assert "Éloïse" in pdf_text(badge) and "Porteur ou porteuse d'initiative" in pdf_text(badge)
    assert qr_codes_in_pdf(badge) == [registration.badge_code]


def test_the_confirmation_gives_a_woman_her_role_in_the_feminine(app, deliver):
    notify(notifications.registration_confirmed, confirmed(civility="madame"))
    (message,) = deliver()
    assert "Vous venez comme\u00a0: Porteuse d'initiative" in text_body(message)


def test_the_waiting_list_email_tells_a_woman_she_is_registered_in_the_feminine(app, deliver):
    registration = confirmed(civility="madame", status=RegistrationStatus.WAITLISTED, confirmed_at=None)
    notify(notifications.registration_waitlisted, registration)
    (message,) = deliver()
    assert "vous êtes inscrite sur la liste d'attente" in text_body(message)


def test_invitation_is_both_a_calendar_alternative_and_an_ics_attachment(app, deliver):
    registration = confirmed()
    notify(notifications.registration_confirmed, registration)
    (message,) = deliver()

    part = calendar_part(message)
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST" and part.get_content_charset() == "utf-8"
    assert message.get_body(("plain", "html")) is not None  # the calendar is an alternative, not the body
    calendar, event = event_of(part.get_content())
    assert calendar["METHOD"] == "REQUEST"
    assert event["ATTENDEE"].params["RSVP"] == "FALSE"
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event["LOCATION"] == "Maison de la vie associative, 2 rue Saint-Agricol, 84000 Avignon"
    assert event_of(attachment(message, "invitation.ics"))[1]["UID"] == event["UID"]


def test_waitlisted_people_get_no_badge_and_no_invitation(app, deliver):
    registration = confirmed(status=RegistrationStatus.WAITLISTED, confirmed_at=None)
    notify(notifications.registration_waitlisted, registration)
    (message,) = deliver()
    assert "liste d'attente" in text_body(message)
    assert attachment_names(message) == []
    assert not any(p.get_content_type() in ("text/calendar", "image/png") for p in message.walk())
    assert f"/inscription/{registration.manage_token}" in text_body(message)


def test_promotion_sends_the_badge_and_invitation(app, deliver):
    registration = confirmed()
    notify(notifications.registration_promoted, registration)
    (message,) = deliver()
    assert "une place s'est libérée" in text_body(message)
    assert attachment_names(message) == ["badge.pdf", "invitation.ics"]


def test_cancellation_withdraws_the_invitation_with_the_same_uid(app, deliver):
    registration = confirmed()
    notify(notifications.registration_confirmed, registration)
    registration.status = RegistrationStatus.CANCELLED
    notify(notifications.registration_cancelled, registration)
    invitation_mail, cancellation = deliver()

    part = calendar_part(cancellation)
    assert part.get_param("method") == "CANCEL"
    calendar, event = event_of(part.get_content())
    assert calendar["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED"
    assert event["UID"] == event_of(calendar_part(invitation_mail).get_content())[1]["UID"]
    assert "badge.pdf" not in attachment_names(cancellation)
    assert "annulée" in text_body(cancellation)


def test_cancelling_a_waiting_list_entry_sends_no_calendar(app, deliver):
    registration = confirmed(status=RegistrationStatus.CANCELLED, confirmed_at=None)
    notify(notifications.registration_cancelled, registration)
    (message,) = deliver()
    assert attachment_names(message) == []
    assert not any(p.get_content_type() == "text/calendar" for p in message.walk())


def test_changed_details_bring_a_new_badge(app, deliver):
    registration = confirmed()
    registration.first_name = "Dominique"
    notify(notifications.registration_changed, registration)
    (message,) = deliver()
    assert "modifiée" in text_body(message)
    assert "Dominique" in pdf_text(attachment(message, "badge.pdf"))


def test_village_change_says_what_changed_and_updates_the_calendar(app, deliver):
    registration = confirmed()
    notify(notifications.registration_confirmed, registration)
    (first,) = deliver()  # documents are written when a message leaves
    village = registration.village
    changes = {"day": (village.day, date(2030, 12, 22)), "venue": (village.venue, "Gymnase Philippe de Girard")}
    village.day, village.venue = date(2030, 12, 22), "Gymnase Philippe de Girard"
    village.calendar_sequence += 1
    notify(notifications.village_changed, registration, changes)
    _, update = deliver()

    assert "samedi 21 décembre 2030 → dimanche 22 décembre 2030" in text_body(update)
    assert "Maison de la vie associative → Gymnase Philippe de Girard" in text_body(update)
    before = event_of(calendar_part(first).get_content())[1]
    after = event_of(calendar_part(update).get_content())[1]
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after.start.date() == date(2030, 12, 22)
    assert after["LOCATION"].startswith("Gymnase Philippe de Girard")


def test_walk_ins_without_email_get_nothing(app):
    registration = confirmed(email=None, is_walk_in=True)
    notifications.registration_confirmed(registration)
    db.session.commit()
    assert db.session.query(OutboxMessage).count() == 0


def test_a_rolled_back_change_sends_no_mail(app):
    registration = confirmed()
    notifications.registration_confirmed(registration)
    db.session.rollback()
    assert db.session.query(OutboxMessage).count() == 0


def test_a_new_registration_gets_its_mail_before_being_flushed(app, deliver):
    village = make_village()
    registration = Registration(village=village, role=Role.HABITANT, first_name="Ana", last_name="Lopes",
                                email="ana@example.org", commune="Apt")
    db.session.add(registration)
    notifications.registration_confirmed(registration)
    db.session.commit()
    (message,) = deliver()
    assert event_of(attachment(message, "invitation.ics"))[1]["UID"] == f"registration-{registration.id}@villages.test"


def test_a_freed_place_reaches_the_next_person_with_the_documents(app, deliver):
    village = make_village(capacity=1)
    first = registrations.register(village, registration_data(email="first@example.org"))
    second = registrations.register(village, registration_data(email="second@example.org"))
    db.session.commit()
    registrations.cancel(first, actor="participant")
    db.session.commit()

    by_recipient = {}
    for message in deliver():
        by_recipient.setdefault(message["To"].addresses[0].addr_spec, []).append(message)
    confirmation, cancellation = by_recipient["first@example.org"]
    waitlisted, promoted = by_recipient["second@example.org"]
    assert calendar_part(cancellation).get_param("method") == "CANCEL"
    assert attachment_names(waitlisted) == []
    assert attachment_names(promoted) == ["badge.pdf", "invitation.ics"]
    assert qr_codes_in_pdf(attachment(promoted, "badge.pdf")) == [second.badge_code]
