from datetime import date, time, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage, RegistrationStatus
from app.services import reminders
from app.timeutil import local_datetime, to_utc_naive
from tests.factories import make_registration, make_village
from tests.fixtures_maildocs import at_once, attachment_names, text_body

VILLAGE_DAY = date(2030, 12, 21)
# Three days before, in the morning, Paris time (REMINDER_DAYS_BEFORE is 3).
THREE_DAYS_BEFORE = to_utc_naive(local_datetime(VILLAGE_DAY - timedelta(days=3), time(8, 0)))


def reminded_ids() -> list[int]:
    return list(db.session.scalars(
        select(OutboxMessage.registration_id).where(OutboxMessage.kind == "reminder").order_by(OutboxMessage.registration_id)
    ))


def test_confirmed_participants_of_a_village_within_three_days_are_reminded_once(app, deliver):
    village = make_village(day=VILLAGE_DAY)
    coming = make_registration(village)
    make_registration(village, status=RegistrationStatus.WAITLISTED)
    make_registration(village, status=RegistrationStatus.CANCELLED)
    make_registration(village, email=None, is_walk_in=True)

    assert reminders.queue_due(now=THREE_DAYS_BEFORE) == 1
    assert reminders.queue_due(now=THREE_DAYS_BEFORE + timedelta(hours=1)) == 0
    assert reminded_ids() == [coming.id]
    assert coming.reminder_sent_at is not None

    (message,) = deliver()
    assert message["Subject"].startswith("Rappel : c'est samedi 21 décembre 2030")
    assert attachment_names(message) == ["badge.pdf", "invitation.ics"]
    assert f"/inscription/{coming.manage_token}" in text_body(message)


def test_villages_further_away_are_not_reminded_yet(app):
    make_registration(make_village(day=VILLAGE_DAY))
    assert reminders.queue_due(now=THREE_DAYS_BEFORE - timedelta(days=1)) == 0


def test_no_reminder_once_the_village_is_over_or_archived(app):
    make_registration(make_village(day=VILLAGE_DAY, ends_at=time(17, 0)))
    make_registration(make_village(day=VILLAGE_DAY, archived_at=THREE_DAYS_BEFORE))
    evening = to_utc_naive(local_datetime(VILLAGE_DAY, time(17, 30)))
    assert reminders.queue_due(now=evening) == 0
    assert reminders.queue_due(now=evening + timedelta(days=1)) == 0


def test_someone_registering_the_day_before_is_reminded(app):
    village = make_village(day=VILLAGE_DAY)
    reminders.queue_due(now=THREE_DAYS_BEFORE)
    late = make_registration(village)
    assert reminders.queue_due(now=THREE_DAYS_BEFORE + timedelta(days=2)) == 1
    assert reminded_ids() == [late.id]


def test_concurrent_runs_remind_each_person_once(app):
    village = make_village(day=VILLAGE_DAY)
    for _ in range(12):
        make_registration(village)
    at_once(app, 2, lambda: reminders.queue_due(now=THREE_DAYS_BEFORE))
    assert len(reminded_ids()) == len(set(reminded_ids())) == 12


def test_reminders_command(app):
    make_registration(make_village(day=date.today() + timedelta(days=1)))
    result = app.test_cli_runner().invoke(args=["mail", "reminders"])
    assert result.exit_code == 0 and "1\u00a0rappel mis en file d'envoi." in result.output
