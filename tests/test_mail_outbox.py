import os
import signal
from email import message_from_bytes, policy
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, select

from app.extensions import db
from app.models import OutboxMessage, OutboxStatus, Registration
from app.runtime import outbox
from app.services import notifications
from app.timeutil import utcnow
from tests.factories import make_registration, make_village
from tests.factories_registration import register
from tests.fixtures_maildocs import at_once, attachment, pdf_text, qr_codes_in_pdf

ROOT = Path(__file__).resolve().parent.parent


def queue(count=1, **fields):
    village = make_village()
    for _ in range(count):
        notifications.registration_waitlisted(make_registration(village, **fields))
    db.session.commit()


def messages():
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_pending_mail_is_sent_once(app, smtp_server):
    queue(3)
    assert outbox.deliver_due() == {"sent": 3}
    assert outbox.deliver_due() == {}
    assert len(smtp_server.messages) == 3
    assert all(m.status == OutboxStatus.SENT and m.sent_at and m.attempts == 1 for m in messages())


def test_mail_waits_while_the_smtp_server_is_down_and_leaves_once_it_is_back(app, smtp_server, smtp_outage):
    queue(2)
    smtp_outage.stop()
    now = utcnow()
    assert outbox.deliver_due(now=now) == {"postponed": 2}
    first = messages()[0]
    assert first.status == OutboxStatus.PENDING and first.attempts == 1
    assert "ConnectionRefusedError" in first.last_error
    assert first.next_attempt_at == now + timedelta(minutes=1)

    assert outbox.deliver_due(now=now + timedelta(seconds=61)) == {"postponed": 2}
    assert messages()[0].next_attempt_at == now + timedelta(seconds=61) + timedelta(minutes=2)

    smtp_outage.restart()
    assert outbox.deliver_due(now=now + timedelta(minutes=2)) == {}  # not due yet
    assert outbox.deliver_due(now=now + timedelta(minutes=4)) == {"sent": 2}
    assert outbox.deliver_due(now=now + timedelta(hours=1)) == {}
    received = sorted(m["Message-ID"] for m in smtp_server.messages)
    assert len(received) == 2
    assert received == sorted(m.message_id for m in messages())


def test_retry_delays_double_up_to_six_hours():
    assert [outbox.retry_delay(n) for n in (1, 2, 3, 10, 30)] == [
        timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4),
        timedelta(hours=6), timedelta(hours=6),
    ]


def test_mail_fails_after_the_last_attempt(app, smtp_outage):
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    queue()
    smtp_outage.stop()
    outbox.deliver_due(now=utcnow())
    assert outbox.deliver_due(now=utcnow() + timedelta(minutes=2)) == {"failed": 1}
    (message,) = messages()
    assert message.status == OutboxStatus.FAILED and message.attempts == 2


def test_a_permanent_refusal_fails_at_once_and_others_still_leave(app, picky_smtp_server):
    queue(email="refuse-550@example.org")
    queue(email="ok@example.org")
    assert outbox.deliver_due() == {"failed": 1, "sent": 1}
    refused, sent = messages()
    assert refused.status == OutboxStatus.FAILED and refused.last_error.startswith("550")
    assert sent.status == OutboxStatus.SENT
    assert [m["To"].addresses[0].addr_spec for m in picky_smtp_server.messages] == ["ok@example.org"]


def test_a_temporary_refusal_is_retried_later(app, picky_smtp_server):
    queue(email="refuse-451@example.org")
    assert outbox.deliver_due() == {"postponed": 1}
    (message,) = messages()
    assert message.status == OutboxStatus.PENDING and message.last_error.startswith("451")


def test_concurrent_senders_deliver_each_message_exactly_once(app, smtp_server):
    queue(30)
    outcomes = at_once(app, 3, outbox.deliver_due)
    assert sum(outcome["sent"] for outcome in outcomes) == 30
    received = [m["Message-ID"] for m in smtp_server.wait_for(30)]
    assert len(received) == len(set(received)) == 30
    assert all(m.status == OutboxStatus.SENT and m.attempts == 1 for m in messages())


def test_a_message_whose_sender_died_mid_way_is_sent_later_once(app, smtp_server):
    queue()
    assert outbox._claim_next(utcnow(), (0, 1)) is not None  # claimed, then the sender is gone
    db.session.rollback()
    assert outbox.deliver_due(utcnow() + outbox.SENDING_LEASE + timedelta(minutes=1)) == {"sent": 1}
    assert len(smtp_server.wait_for(1)) == 1
    assert outbox.deliver_due(utcnow() + 2 * outbox.SENDING_LEASE) == {}


def test_local_runs_deliver_right_after_the_commit(app, smtp_server):
    app.config["MAIL_DELIVER_AFTER_COMMIT"] = True
    queue()
    (message,) = smtp_server.wait_for(1)
    assert "liste d'attente" in message["Subject"].lower()


def test_a_registration_is_delivered_right_after_its_commit(app, smtp_server):
    app.config["MAIL_DELIVER_AFTER_COMMIT"] = True
    register(make_village())  # its e-mail written in direct SQL, which no flush sees
    (message,) = smtp_server.wait_for(1)
    assert "inscription confirmée" in message["Subject"].lower()


def test_mail_send_command_reports_what_it_did(app, smtp_server):
    queue(2)
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0
    assert "2\u00a0envoyés, 0\u00a0reporté, 0 en échec." in result.output
    assert len(smtp_server.messages) == 2


def test_mail_send_with_several_senders_delivers_each_message_once(app, smtp_server):
    queue(12)
    result = app.test_cli_runner().invoke(args=["mail", "send", "--senders", "3"])
    assert result.exit_code == 0, result.output
    assert "12\u00a0envoyés, 0\u00a0reporté, 0 en échec." in result.output
    received = [m["Message-ID"] for m in smtp_server.wait_for(12)]
    assert len(received) == len(set(received)) == 12
    assert all(m.status == OutboxStatus.SENT and m.attempts == 1 for m in messages())


def test_mail_send_loop_keeps_delivering_until_stopped(app, smtp_server):
    env = {
        **os.environ,
        "DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_server.port),
    }
    sender = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "mail", "send", "--loop", "--interval", "0.2"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        queue()
        assert len(smtp_server.wait_for(1, timeout=30)) == 1
        queue()
        assert len(smtp_server.wait_for(2, timeout=30)) == 2
    finally:
        sender.send_signal(signal.SIGTERM)
        output, _ = sender.communicate(timeout=30)
    assert sender.returncode == 0
    assert "Arrêt de l'envoi." in output


def test_a_queued_message_is_a_small_row_and_its_documents_are_written_at_delivery(app, smtp_server):
    registration = make_registration(make_village(), first_name="Hélène", last_name="Durand")
    notifications.registration_confirmed(registration)
    db.session.commit()
    (queued,) = messages()
    row_size = sum(len(str(getattr(queued, column.key) or "")) for column in OutboxMessage.__table__.columns)
    assert row_size < 1024  # was about 70 KB with the rendered message

    registration.last_name = "Durand-Martin"  # changed before the message leaves
    db.session.commit()
    assert outbox.deliver_due() == {"sent": 1}

    (sent,) = smtp_server.messages
    assert sent["Message-ID"] == queued.message_id
    badge = attachment(sent, "badge.pdf")
    assert "Durand-Martin" in pdf_text(badge)
    assert qr_codes_in_pdf(badge) == [registration.badge_code]


def test_every_attempt_sends_the_same_message_id_and_date(app, smtp_server):
    attempts = []

    async def handle_DATA(server, session, envelope):
        attempts.append(envelope.original_content)
        return "451 4.3.0 Try again later" if len(attempts) == 1 else "250 OK"

    smtp_server.handle_DATA = handle_DATA
    queue()
    now = utcnow()
    assert outbox.deliver_due(now=now) == {"postponed": 1}
    assert outbox.deliver_due(now=now + timedelta(minutes=2)) == {"sent": 1}

    first, second = (message_from_bytes(content, policy=policy.default) for content in attempts)
    (stored,) = messages()
    assert first["Message-ID"] == second["Message-ID"] == stored.message_id
    assert first["Date"] == second["Date"]
    assert stored.status == OutboxStatus.SENT and stored.attempts == 2


def test_a_message_whose_registration_was_deleted_fails_without_being_sent(app, smtp_server):
    queue()
    db.session.execute(delete(Registration))
    db.session.commit()

    assert outbox.deliver_due() == {"failed": 1}
    assert smtp_server.messages == []
    (message,) = messages()
    assert message.status == OutboxStatus.FAILED and "registration deleted" in message.last_error


def test_concurrent_senders_deliver_confirmations_with_documents_exactly_once(app, smtp_server):
    village = make_village()
    for _ in range(12):
        notifications.registration_confirmed(make_registration(village))
    db.session.commit()

    outcomes = at_once(app, 3, outbox.deliver_due)

    assert sum(outcome["sent"] for outcome in outcomes) == 12
    received = smtp_server.wait_for(12)
    assert len({m["Message-ID"] for m in received}) == len(received) == 12
    assert all(attachment(m, "badge.pdf").startswith(b"%PDF") for m in received)
