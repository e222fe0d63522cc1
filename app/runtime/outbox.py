"""Delivering the outbox: each queued message is written, then reaches the SMTP server once.

A sender claims one due message at a time with SELECT … FOR UPDATE SKIP LOCKED and keeps
the row locked while talking to the SMTP server, so that another sender (a second
`flask mail send --loop`, a cron run, the after-commit thread) skips it; on SQLite, where a
lock is the whole database's, the claim is a lease written in a short transaction instead
(see _claim_next). A refused or failed attempt is retried later with
an exponential backoff, until MAIL_MAX_ATTEMPTS or a permanent (5xx) refusal.
"""
from __future__ import annotations

import smtplib
import threading
from collections import Counter
from datetime import datetime, timedelta
from email.utils import parseaddr

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from ..database import is_postgresql
from ..documents import mail
from ..extensions import db
from ..models import OutboxMessage, OutboxStatus
from ..services import notifications
from ..timeutil import utcnow

FIRST_RETRY_DELAY = timedelta(minutes=1)
LONGEST_RETRY_DELAY = timedelta(hours=6)
# On SQLite, how long a message claimed by a sender stays out of the others' sight: longer
# than any SMTP conversation; a sender that dies mid-way leaves it to be sent after that.
SENDING_LEASE = timedelta(minutes=10)


class _Refused(Exception):
    """The SMTP server answered with an error code."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{code} {reason}")
        self.code = code

    @property
    def permanent(self) -> bool:
        return 500 <= self.code < 600


class _RegistrationGone(Exception):
    """The registration the message was about no longer exists."""


def deliver_due(now: datetime | None = None, share: tuple[int, int] = (0, 1)) -> Counter:
    """Send every message due at `now`; returns how many were sent, postponed and failed.

    `share` (index, count): this sender takes only the messages whose id is index modulo
    count, so that senders started together never write the same message twice.
    """
    outcome = Counter()
    with _Transport() as transport:
        while (claimed := _claim_next(now or utcnow(), share)) is not None:
            message, written = claimed
            outcome[_attempt(message, written, transport, now or utcnow())] += 1
            db.session.commit()
    return outcome


def retry_delay(attempts: int) -> timedelta:
    """1 minute after the first failure, then doubling, at most 6 hours."""
    return min(FIRST_RETRY_DELAY * 2 ** (attempts - 1), LONGEST_RETRY_DELAY)


def deliver_in_parallel(app: Flask, senders: int) -> Counter:
    """`deliver_due` in `senders` processes at once, each with its share of the messages:
    writing a message (badge PDF, QR code, invitation) takes the processor, so one sender
    per core delivers that many times faster. Returns the outcomes added up."""
    if senders <= 1:
        return deliver_due()
    import multiprocessing

    global _forked_app
    _forked_app = app
    db.session.remove()
    db.engine.dispose()  # each process opens its own connections
    with multiprocessing.get_context("fork").Pool(senders) as pool:
        outcomes = pool.map(_deliver_share, [(index, senders) for index in range(senders)])
    return sum(outcomes, Counter())


_forked_app: Flask | None = None


def _deliver_share(share: tuple[int, int]) -> Counter:
    with _forked_app.app_context():
        try:
            return deliver_due(share=share)
        finally:
            db.session.remove()


def _due(now: datetime, share: tuple[int, int]):
    index, count = share
    query = select(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now
    )
    if count > 1:
        query = query.where(OutboxMessage.id % count == index)
    return query.order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(1)


def _claim_next(now: datetime, share: tuple[int, int]) -> tuple[OutboxMessage, bytes | Exception] | None:
    """The next due message, claimed, with its rendering (or why it could not be written).

    On PostgreSQL the row lock (SKIP LOCKED) only keeps other senders off this message, so
    the message is written and sent under it. On SQLite a lock is the database's write lock,
    which registrations and scans wait for: the message is written first, in a plain read,
    then claimed for SENDING_LEASE by a short write that succeeds only if no other sender
    has claimed or attempted it meanwhile; the SMTP conversation happens outside any lock.
    """
    while True:
        if is_postgresql(db.engine):
            message = db.session.scalar(
                _due(now, share).with_for_update(skip_locked=True).execution_options(populate_existing=True)
            )
            if message is None:
                db.session.commit()
                return None
            return message, _written(message)
        candidate = db.session.scalar(_due(now, share))
        if candidate is None:
            db.session.commit()
            return None
        written = _written(candidate)
        claimed = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == candidate.id, OutboxMessage.status == OutboxStatus.PENDING,
                   OutboxMessage.attempts == candidate.attempts, OutboxMessage.next_attempt_at <= now)
            .values(next_attempt_at=now + SENDING_LEASE)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        if claimed:
            return candidate, written


def _written(message: OutboxMessage) -> bytes | Exception:
    if message.registration is None and not message.details.get("standalone"):
        return _RegistrationGone("registration deleted")
    try:
        return mail.render(message)
    except Exception as error:  # a message that cannot be written must not stop the others
        current_app.logger.exception("mail %s could not be written", message.id)
        return error


def _attempt(message: OutboxMessage, written: bytes | Exception, transport: _Transport, now: datetime) -> str:
    message.attempts += 1
    try:
        if isinstance(written, Exception):
            raise written
        transport.send(message.recipient, written)
    except _RegistrationGone as gone:
        message.last_error = str(gone)
        message.status = OutboxStatus.FAILED
        return "failed"
    except _Refused as refusal:
        message.last_error = str(refusal)[:2000]
        if refusal.permanent:
            message.status = OutboxStatus.FAILED
            return "failed"
    except Exception as error:  # the SMTP server is unreachable, or the message could not be written
        message.last_error = f"{error.__class__.__name__}: {error}"[:2000]
    else:
        message.status = OutboxStatus.SENT
        message.sent_at = utcnow()
        message.last_error = None
        return "sent"
    if message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        message.status = OutboxStatus.FAILED
        return "failed"
    message.next_attempt_at = now + retry_delay(message.attempts)
    # The error may quote the recipient's address: it stays in the outbox row, out of the logs.
    current_app.logger.warning("mail %s postponed after attempt %s", message.id, message.attempts)
    return "postponed"


class _Transport:
    """One SMTP connection for a delivery run, opened at the first message.

    Once the server could not be reached, the remaining messages of the run fail at once
    (each counts an attempt) rather than each waiting for its own connection timeout.
    """

    def __init__(self) -> None:
        self.config = current_app.config
        self.smtp: smtplib.SMTP | None = None
        self.broken: Exception | None = None

    def __enter__(self) -> _Transport:
        return self

    def __exit__(self, *exc_info) -> None:
        self._close()

    def send(self, recipient: str, message: bytes) -> None:
        if self.broken is not None:
            raise self.broken
        try:
            if self.smtp is None:
                self.smtp = self._connect()
            self.smtp.sendmail(self._envelope_sender(), [recipient], message)
        except smtplib.SMTPRecipientsRefused as error:
            code, reason = next(iter(error.recipients.values()))
            raise _Refused(code, _text(reason)) from error
        except smtplib.SMTPResponseException as error:
            if error.smtp_code in (-1, 421):  # the server closes the connection
                self._give_up(error)
            raise _Refused(error.smtp_code, _text(error.smtp_error)) from error
        except (OSError, smtplib.SMTPException) as error:
            self._give_up(error)
            raise

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        timeout = config["MAIL_TIMEOUT"]
        if config["MAIL_USE_SSL"]:
            smtp = smtplib.SMTP_SSL(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
        else:
            smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"] and config["MAIL_PASSWORD"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        return smtp

    def _envelope_sender(self) -> str:
        return parseaddr(self.config["MAIL_DEFAULT_SENDER"])[1]

    def _give_up(self, error: Exception) -> None:
        self.broken = error
        self._close()

    def _close(self) -> None:
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            self.smtp.close()
        self.smtp = None


def _text(reason: bytes | str) -> str:
    return reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)


def init_app(app: Flask) -> None:
    """With MAIL_DELIVER_AFTER_COMMIT, a commit that queued mail starts its delivery at once
    (in a thread: the request does not wait for the SMTP server)."""
    if not event.contains(db.session, "after_commit", _deliver_queued_mail):
        event.listen(db.session, "after_flush", _note_queued_mail)
        event.listen(db.session, "after_commit", _deliver_queued_mail)
        event.listen(db.session, "after_rollback", _forget_queued_mail)


def _note_queued_mail(session: Session, _flush_context) -> None:
    if any(isinstance(instance, OutboxMessage) for instance in session.new):
        session.info[notifications.MAIL_QUEUED] = True


def _deliver_queued_mail(session: Session) -> None:
    if not session.info.pop(notifications.MAIL_QUEUED, False) or not has_app_context():
        return
    if current_app.config["MAIL_DELIVER_AFTER_COMMIT"]:
        app = current_app._get_current_object()
        threading.Thread(target=_deliver_in_background, args=(app,), daemon=True).start()


def _forget_queued_mail(session: Session) -> None:
    session.info.pop(notifications.MAIL_QUEUED, None)


def _deliver_in_background(app: Flask) -> None:
    with app.app_context():
        try:
            deliver_due()
        except Exception:  # the messages stay queued for the next run
            app.logger.exception("delivering mail after commit failed")
        finally:
            db.session.remove()
