"""Two people acting on one registration at the same moment, through real concurrent HTTP requests.

On PostgreSQL these are real row-lock races (a wrong lock order deadlocks, and one request ends in
a 503); on SQLite every write transaction is already serialised. Each race is tried TRIES times
and every failure is counted: the figures in docs/security.md come from these tests.
"""
import http.client
import json
import threading
import urllib.parse
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, OutboxMessage, Registration, RegistrationStatus
from tests.factories_registration import register

TRIES = 40


@dataclass
class Call:
    path: str
    json_body: dict | None = None
    form: dict | None = None
    headers: dict | None = None


def at_once(live_server: str, calls: list[Call]) -> list[int]:
    """Sends every call from its own thread and connection, released together; their HTTP statuses."""
    address = urlsplit(live_server)
    db.session.commit()  # end the test's read transaction: on SQLite it holds the write lock
    start = threading.Barrier(len(calls))
    statuses = [0] * len(calls)

    def send(index: int, call: Call) -> None:
        headers = dict(call.headers or {})
        if call.json_body is not None:
            body, headers["Content-Type"] = json.dumps(call.json_body), "application/json"
        else:
            body = urllib.parse.urlencode(call.form or {})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        start.wait()
        connection.request("POST", call.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        statuses[index] = response.status
        connection.close()

    threads = [threading.Thread(target=send, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    return statuses


def live_session(live_server: str, email: str, password: str = "mot-de-passe-solide") -> dict:
    """The headers of an organiser logged in on the served app, as the calls of `at_once` send them
    (the session is bound to the browser that opened it: no test client's cookie will do)."""
    address = urlsplit(live_server)
    db.session.commit()
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    connection.request("POST", "/organisation/connexion", body=urllib.parse.urlencode(
        {"email": email, "password": password}), headers={"Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 302, response.status
    return {"Cookie": response.getheader("Set-Cookie").split(";")[0]}


def count_where(model, *conditions) -> int:
    found = db.session.scalar(select(func.count()).select_from(model).where(*conditions))
    db.session.commit()
    return found


def test_a_scan_and_a_cancellation_of_the_same_person_never_fail(live_server, door):
    failures = 0
    for _ in range(TRIES):
        person = register(door.village)
        statuses = at_once(live_server, [
            Call("/api/checkin", json_body={"code": person.badge_code}, headers=door.headers),
            Call(f"/inscription/{person.manage_token}/annuler"),
        ])
        failures += statuses != [200, 302]
    assert failures == 0, f"{failures} échecs sur {TRIES} essais"


def test_two_cancellations_at_once_send_one_email_and_write_one_entry(live_server, door):
    failures = 0
    for _ in range(TRIES):
        person = register(door.village)
        statuses = at_once(live_server, [Call(f"/inscription/{person.manage_token}/annuler")] * 2)
        mails = count_where(OutboxMessage, OutboxMessage.registration_id == person.id,
                            OutboxMessage.kind == "cancellation")
        entries = count_where(AuditEntry, AuditEntry.target_id == person.id,
                              AuditEntry.action == "registration.cancelled")
        failures += (statuses, mails, entries) != ([302, 302], 1, 1)
    assert failures == 0, f"{failures} échecs sur {TRIES} essais"


def test_a_scan_and_an_erasure_of_the_same_person_never_fail(live_server, door):
    failures = 0
    for _ in range(TRIES):
        person = register(door.village)
        statuses = at_once(live_server, [
            Call("/api/checkin", json_body={"code": person.badge_code}, headers=door.headers),
            Call(f"/inscription/{person.manage_token}/effacer", form={"confirm": "y"}),
        ])
        failures += statuses[0] != 200 or statuses[1] >= 400
    assert failures == 0, f"{failures} échecs sur {TRIES} essais"


def test_a_cancellation_and_a_promotion_by_an_organiser_never_fail(live_server, door):
    """The organiser confirms the one waiting while the last confirmed person cancels."""
    from tests.fixtures_backoffice import make_organiser

    door.village.capacity = 1
    db.session.commit()
    headers = live_session(live_server, make_organiser("organiser").email)
    failures = 0
    for _ in range(TRIES):
        seated = register(door.village)
        waiting = register(door.village)
        assert waiting.status == RegistrationStatus.WAITLISTED
        statuses = at_once(live_server, [
            Call(f"/inscription/{seated.manage_token}/annuler"),
            Call(f"/organisation/inscriptions/{waiting.id}/confirmer", headers=headers),
        ])
        promoted_mails = count_where(OutboxMessage, OutboxMessage.registration_id == waiting.id,
                                     OutboxMessage.kind == "promoted")
        failures += statuses[0] != 302 or statuses[1] >= 400 or promoted_mails != 1
        db.session.get(Registration, waiting.id).status = RegistrationStatus.CANCELLED
        db.session.commit()
    assert failures == 0, f"{failures} échecs sur {TRIES} essais"


def test_a_message_form_posted_several_times_at_once_is_sent_once_to_each_person(live_server, app):
    """A double click or two tabs sending the same message form at the same instant."""
    from app.models import Job
    from app.runtime import jobs
    from tests.factories_report import held_village
    from tests.test_participant_messages import message_form, organiser_messages

    from tests.fixtures_backoffice import make_organiser

    village = held_village()
    headers = live_session(live_server, make_organiser("organiser").email)
    tries, failures = TRIES // 4, 0
    for _ in range(tries):
        form = message_form(action="envoyer")
        statuses = at_once(live_server, [Call(f"/organisation/villages/{village.id}/messages", form=form,
                                              headers=headers)] * 3)
        started = count_where(Job, Job.request_key == form["send_key"])
        failures += statuses != [303] * 3 or started != 1
    jobs.run_pending()
    db.session.commit()
    recipients = organiser_messages()
    assert failures == 0, f"{failures} échecs sur {tries} essais"
    assert len(recipients) == 10 * tries and len(set(recipients)) == 10
    assert {recipients.count(address) for address in recipients} == {tries}
