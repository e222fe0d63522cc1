"""iCalendar documents: a participant's invitation, and the public feed of the villages.

icalendar (and the time zone data it loads) is imported where a calendar is written, so
that the web workers and commands that write none start faster and stay smaller.
"""
from __future__ import annotations

from datetime import date, timedelta, timezone
from email.utils import parseaddr
from urllib.parse import urlsplit

from flask import current_app

from ..models import Registration, Village
from ..timeutil import local_datetime, utcnow

PRODID = "-//Villages des initiatives solidaires//Inscriptions//FR"


def invitation(registration: Registration, method: str = "REQUEST") -> bytes:
    """The invitation for one participant's calendar (METHOD:REQUEST), or its
    withdrawal (METHOD:CANCEL). Same UID for the whole life of the registration,
    so that calendars update or remove the event instead of adding another one."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method!r}")
    village = registration.village
    # A cancellation outranks the last invitation sent, so that every calendar (Outlook
    # included) applies it rather than ignoring it as stale.
    sequence = village.calendar_sequence + (1 if method == "CANCEL" else 0)
    event = _village_event(village, uid=f"registration-{registration.id}@{_host()}", sequence=sequence)
    event.add("description", _invitation_description(registration))
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("organizer", _organiser())
    from icalendar import vCalAddress, vText

    attendee = vCalAddress(f"mailto:{registration.email}")
    attendee.params.update(
        cn=vText(registration.full_name),
        cutype="INDIVIDUAL",
        role="REQ-PARTICIPANT",
        # They registered, so they accepted; no reply is expected from their calendar.
        partstat="ACCEPTED" if registration.is_confirmed else "NEEDS-ACTION",
        rsvp="FALSE",
    )
    event.add("attendee", attendee)
    return _calendar(method, [event], [village.day]).to_ical()


def meeting_event(meeting, registration: Registration, method: str = "REQUEST") -> bytes:
    """One meeting in one participant's calendar. Its UID stays the same for the meeting's
    life; SEQUENCE (meeting.calendar_sequence, raised at each publication that moved it)
    makes calendars move it, and METHOD:CANCEL removes it."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method!r}")
    from icalendar import Event

    village = registration.village
    other = meeting.other(registration)
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@{_host()}")
    event.add("dtstamp", utcnow().replace(tzinfo=timezone.utc))
    starts_at = meeting.starts_at or meeting.announced_starts_at or village.starts_at
    ends_at = meeting.ends_at or starts_at
    event.add("dtstart", local_datetime(village.day, starts_at))
    event.add("dtend", local_datetime(village.day, ends_at))
    event.add("summary", f"Rendez-vous avec {other.full_name}" + (f" ({other.structure})" if other.structure else ""))
    table = meeting.table.name if meeting.table else meeting.announced_table or ""
    event.add("location", ", ".join(filter(None, [table, location(village)])))
    event.add("description", f"Votre programme de rendez-vous : {manage_url(registration)}#rendez-vous")
    event.add("sequence", meeting.calendar_sequence)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("organizer", _organiser())
    return _calendar(method, [event], [village.day]).to_ical()


def meetings_calendar(registration: Registration, meetings: list) -> bytes:
    """Every placed meeting of a person, to import into a calendar (METHOD:PUBLISH)."""
    from icalendar import Calendar

    events = []
    for meeting in meetings:
        if not meeting.is_placed:
            continue
        calendar = Calendar.from_ical(meeting_event(meeting, registration))
        events.extend(calendar.walk("VEVENT"))
    return _calendar("PUBLISH", events, [registration.village.day]).to_ical()


def villages_feed(villages: list[Village]) -> bytes:
    """A public calendar to subscribe to: every village, without anybody's details."""
    events = []
    for village in villages:
        event = _village_event(village, uid=f"village-{village.id}@{_host()}", sequence=village.calendar_sequence)
        event.add("description", _feed_description(village))
        event.add("url", village_url(village))
        event.add("status", "CONFIRMED")
        events.append(event)
    calendar = _calendar("PUBLISH", events, [v.day for v in villages])
    calendar.add("name", "Villages des initiatives solidaires")
    calendar.add("x-wr-calname", "Villages des initiatives solidaires")
    calendar.add("refresh-interval", timedelta(hours=12), parameters={"value": "DURATION"})
    calendar.add("x-published-ttl", "PT12H")
    return calendar.to_ical()


def manage_url(registration: Registration) -> str:
    """The participant's private page, built without a request (mails are written anywhere)."""
    return f"{current_app.config['PUBLIC_URL']}/inscription/{registration.manage_token}"


def village_url(village: Village) -> str:
    return f"{current_app.config['PUBLIC_URL']}/villages/{village.slug}"


def location(village: Village) -> str:
    return f"{village.venue}, {village.address}"


def _village_event(village: Village, uid: str, sequence: int) -> Event:
    from icalendar import Event

    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", utcnow().replace(tzinfo=timezone.utc))
    event.add("dtstart", village.starts)
    event.add("dtend", village.ends)
    event.add("summary", village.name)
    event.add("location", location(village))
    event.add("sequence", sequence)
    return event


def _calendar(method: str, events: list[Event], days: list[date]) -> Calendar:
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    for event in events:
        calendar.add_component(event)
    if days:
        # A VTIMEZONE covering only the years concerned keeps the file small.
        calendar.add_missing_timezones(
            first_date=date(min(days).year - 1, 1, 1), last_date=date(max(days).year + 2, 1, 1)
        )
        # The time-zone data's comment is in English and tells calendars nothing.
        for zone in calendar.walk("VTIMEZONE"):
            zone.pop("COMMENT", None)
    return calendar


def _invitation_description(registration: Registration) -> str:
    practical = (registration.village.practical_info or "").strip()
    link = f"Votre inscription (voir, modifier ou annuler) : {manage_url(registration)}"
    return "\n\n".join(filter(None, [practical, link]))


def _feed_description(village: Village) -> str:
    about = (village.description or "").strip()
    return "\n\n".join(filter(None, [about, f"Programme et inscription : {village_url(village)}"]))


def _organiser() -> vCalAddress:
    from icalendar import vCalAddress, vText

    _, address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    organiser = vCalAddress(f"mailto:{address}")
    organiser.params["cn"] = vText(current_app.config["ORGANISER_NAME"])
    return organiser


def _host() -> str:
    return urlsplit(current_app.config["PUBLIC_URL"]).hostname or "localhost"
