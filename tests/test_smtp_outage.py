"""While the mail server is down, registrations keep succeeding and the outbox keeps every
message; once it is back, each message is delivered exactly once."""
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage, OutboxStatus, Registration
from app.runtime import outbox
from app.timeutil import utcnow
from tests.factories import make_village

PEOPLE = [f"personne{n}@example.org" for n in range(3)]


def register_everyone(client, village) -> list[int]:
    return [
        client.post(f"/villages/{village.slug}/inscription", data=dict(
            role="habitant", first_name="Camille", last_name=f"Essai{n}", email=email, commune="Sisteron",
            lunch="non")).status_code
        for n, email in enumerate(PEOPLE)
    ]


def statuses() -> Counter:
    return Counter(db.session.scalars(select(OutboxMessage.status)))


def test_an_smtp_outage_loses_no_registration_and_no_e_mail(app, client, restartable_smtp_server, caplog):
    village = make_village()
    restartable_smtp_server.stop()

    assert register_everyone(client, village) == [302] * len(PEOPLE)
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0 and "3\u00a0reportés" in result.output
    assert len(db.session.scalars(select(Registration)).all()) == len(PEOPLE)
    assert statuses() == {OutboxStatus.PENDING: len(PEOPLE)}

    # A second pass during the outage changes nothing either.
    outbox.deliver_due(now=utcnow() + timedelta(minutes=5))
    assert statuses() == {OutboxStatus.PENDING: len(PEOPLE)}

    restartable_smtp_server.start()
    an_hour_later = utcnow() + timedelta(hours=1)
    assert outbox.deliver_due(now=an_hour_later)["sent"] == len(PEOPLE)
    assert outbox.deliver_due(now=an_hour_later + timedelta(hours=1)) == Counter()

    received = restartable_smtp_server.mailbox.wait_for(len(PEOPLE))
    assert sorted(m["To"].addresses[0].addr_spec for m in received) == sorted(PEOPLE)
    assert statuses() == {OutboxStatus.SENT: len(PEOPLE)}
    # Neither addresses nor private links in the logs of the outage.
    tokens = db.session.scalars(select(Registration.manage_token)).all()
    assert not [secret for secret in PEOPLE + tokens if secret in caplog.text]
