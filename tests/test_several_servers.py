"""Several servers, as docs/deploy.md (« Plusieurs serveurs ») describes them, started on loopback:
two application servers (gunicorn) and two job workers (`flask jobs worker`) sharing one
PostgreSQL database and one Redis, and two mail senders.

It needs PostgreSQL and Redis whatever database the suite runs on: it uses a database of its own
on the PostgreSQL server (SEVERAL_SERVERS_POSTGRESQL, default the local one) and a Redis database
of its own (SEVERAL_SERVERS_REDIS, default number 9, the only one it empties).
"""
from __future__ import annotations

import hashlib
import json
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, time as time_of_day, timezone
from pathlib import Path
from urllib.parse import urlencode, urlparse

import pytest
import redis
from sqlalchemy import create_engine, func, insert, select, text

from app import create_app
from app.extensions import db
from app.models import ConfirmedCount, Job, JobStatus, OutboxMessage, Registration, RegistrationStatus, Role, Village
from app.models.registration import email_key
from app.runtime import jobs
from app.services import capacity
from app.timeutil import local_today
from tests.fixtures_backoffice import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
POSTGRESQL = os.environ.get("SEVERAL_SERVERS_POSTGRESQL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("SEVERAL_SERVERS_REDIS", "redis://127.0.0.1:6379/9")
CAPACITY = 20
REGISTERING = 50
PARTICIPANTS = 1500  # the message's recipients: its job lasts long enough to kill its worker midway
STALE_SECONDS = 2


def own_database() -> str:
    """A database of this checkout's own (suites of other checkouts may run at the same time)."""
    name = "several_servers_" + hashlib.sha1(str(ROOT).encode()).hexdigest()[:10]
    admin = create_engine(POSTGRESQL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return create_engine(POSTGRESQL).url.set(database=name).render_as_string(hide_password=False)


def a_zone_where_it_is_midday() -> str:
    """The servers' time zone: one where it is about noon now, so the village's day (today, until
    23:59) lasts the whole test whatever the hour the suite runs at. In Europe/Paris a run late in
    the evening found the village begun, or already the day before."""
    offset = 12 - datetime.now(timezone.utc).hour  # hours east of UTC; from -11 to +12
    return f"Etc/GMT{-offset:+d}"  # the Etc zones count west as positive


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"pas dans les {seconds} s : {what}")


class Browser:
    """One person's browser on one server: its cookies, its CSRF token."""

    def __init__(self, port: int, cookies: dict | None = None) -> None:
        self.port, self.cookies = port, dict(cookies or {})

    def request(self, method: str, path: str, fields: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if fields is not None:
            body, headers["Content-Type"] = urlencode(fields, doseq=True), "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.body = response.read()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, value = cookie.split(";")[0].split("=", 1)
            self.cookies[name] = value
        connection.close()
        return response

    def token(self, path: str) -> str:
        page = self.request("GET", path).body.decode()
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


@pytest.fixture
def servers(tmp_path):
    """The set-up, started: {"urls": …, "ports": [a, b], "workers": [Popen, Popen], "env": …}."""
    database_url = own_database()
    queue = redis.Redis.from_url(REDIS)
    queue.flushdb()
    env = {**os.environ, "DATABASE_URL": database_url, "JOBS_URL": REDIS, "JOBS_WORKER_IN_APP": "0",
           "RATELIMIT_STORAGE_URI": REDIS, "RATELIMIT_REGISTRATION": "1000 per minute",
           "SECRET_KEY": "la-meme-sur-chaque-serveur", "JOBS_STALE_SECONDS": str(STALE_SECONDS),
           "MAIL_DELIVER_AFTER_COMMIT": "0", "PUBLIC_URL": "http://127.0.0.1", "TIMEZONE": a_zone_where_it_is_midday()}
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    started = []
    ports = [free_port(), free_port()]
    try:
        for port in ports:
            started.append(subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-w", "1", "-k", "gthread", "--threads", "4",
                 "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        worker = [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker", "--workers", "1"]
        workers = [subprocess.Popen(worker, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                   for _ in range(2)]
        started += workers
        for port in ports:
            wait_for(lambda: _answers(port), 120, f"le serveur du port {port} répond")
        cluster = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "JOBS_URL": REDIS,
                              "JOBS_WORKER_IN_APP": False, "TIMEZONE": env["TIMEZONE"]})
        yield {"app": cluster, "ports": ports, "workers": workers, "env": env}
    finally:
        for process in started:
            if process.poll() is None:
                process.terminate()
        for process in started:
            process.wait(timeout=30)
        queue.flushdb()
        jobs._queues.pop(REDIS, None)


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def a_village(capacity_: int = CAPACITY, **fields) -> Village:
    """Held today (check-in is on the day), registrations open until its last minute."""
    village = Village(slug=fields.pop("slug", "sisteron"), name="Village des initiatives solidaires – Sisteron",
                      town="Sisteron", venue="Salle des fêtes", address="Place de la République, 04200 Sisteron",
                      day=local_today(), starts_at=time_of_day(23, 58), ends_at=time_of_day(23, 59),
                      capacity=capacity_, **fields)
    db.session.add(village)
    db.session.commit()
    return village


def test_registrations_through_both_servers_respect_the_capacity_exactly(servers):
    with servers["app"].app_context():
        a_village()
    outcomes, lock = [], threading.Lock()

    def register(number: int) -> None:
        # The form from one server, sent to the other: the session (signed cookie) is good on both.
        first, second = servers["ports"][number % 2], servers["ports"][1 - number % 2]
        browser = Browser(first)
        csrf = browser.token("/villages/sisteron/inscription")
        sent = Browser(second, browser.cookies).request("POST", "/villages/sisteron/inscription", {
            "csrf_token": csrf, "role": "habitant", "first_name": "Camille", "last_name": f"Essai{number}",
            "email": f"camille.essai{number}@example.org", "commune": "Sisteron", "lunch": "oui", "website": ""})
        with lock:
            outcomes.append(sent.status)

    threads = [threading.Thread(target=register, args=(n,)) for n in range(REGISTERING)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == [302] * REGISTERING
    with servers["app"].app_context():
        statuses = dict(db.session.execute(
            select(Registration.status, func.count()).group_by(Registration.status)).all())
        kept = db.session.scalar(select(func.sum(ConfirmedCount.confirmed)))
        db.session.remove()
    assert statuses == {RegistrationStatus.CONFIRMED: CAPACITY, RegistrationStatus.WAITLISTED: REGISTERING - CAPACITY}
    assert kept == CAPACITY


def test_a_job_asked_on_one_server_is_done_by_a_worker_and_downloaded_from_the_other(servers):
    with servers["app"].app_context():
        from tests.fixtures_backoffice import make_organiser

        village_id = a_village().id
        make_organiser("organiser")
        db.session.remove()
    first, second = servers["ports"]
    organiser = Browser(first)
    signed_in = organiser.request("POST", "/organisation/connexion", {
        "csrf_token": organiser.token("/organisation/connexion"), "email": "organiser@villages.test",
        "password": PASSWORD})
    assert signed_in.status == 302
    exports = f"/organisation/villages/{village_id}/exports"
    asked = organiser.request("POST", f"{exports}/signin/preparer", {"csrf_token": organiser.token(exports)})
    assert asked.status == 303
    job_page = urlparse(asked.getheader("Location")).path
    elsewhere = Browser(second, organiser.cookies)
    state = wait_for(lambda: (json.loads(elsewhere.request("GET", f"{job_page}/etat").body)["status"]
                              not in (JobStatus.QUEUED, JobStatus.RUNNING)) and True, 60, "la tâche est finie")
    assert state and json.loads(elsewhere.request("GET", f"{job_page}/etat").body)["status"] == JobStatus.DONE
    document = elsewhere.request("GET", f"{job_page}/fichier")
    assert document.status == 200 and document.body.startswith(b"%PDF")


def test_a_worker_killed_midway_is_replaced_by_the_other_and_its_job_happens_once(servers):
    with servers["app"].app_context():
        village = a_village(PARTICIPANTS)
        db.session.execute(insert(Registration), [
            dict(village_id=village.id, role=Role.HABITANT, status=RegistrationStatus.CONFIRMED,
                 first_name="Camille", last_name=f"Martin{n}", email=f"p{n}@example.org",
                 email_key=email_key(f"p{n}@example.org"), commune="Sisteron",
                 badge_code=f"badge-{n:05d}-{os.urandom(8).hex()}", manage_token=os.urandom(16).hex())
            for n in range(PARTICIPANTS)])
        capacity.recount(village)
        db.session.commit()
        job = jobs.start("message", {
            "audience": {"roles": [], "status": "confirmed", "presence": "", "need": "", "lunch": "",
                         "purpose": "service"},
            "subject": "Changement de salle", "body": "Rendez-vous salle B.", "with_certificate": False,
        }, "organiser@villages.test", village)
        job_id = job.id
        db.session.remove()

        def midway() -> str | None:
            found = db.session.get(Job, job_id, populate_existing=True)
            db.session.commit()
            return found.worker if found.status == JobStatus.RUNNING and found.params.get("sent") else None

        first_worker = wait_for(midway, 60, "la tâche est en cours")
        pid = int(first_worker.split(":")[1])
        killed, = [w for w in servers["workers"] if w.pid == pid]
        os.kill(pid, signal.SIGKILL)
        killed.wait()

        def finished() -> Job | None:
            found = db.session.get(Job, job_id, populate_existing=True)
            db.session.commit()
            return found if found.status in (JobStatus.DONE, JobStatus.FAILED) else None

        done = wait_for(finished, 60 + STALE_SECONDS, "une autre tâche de fond la reprend et la finit")
        assert done.status == JobStatus.DONE and done.attempts == 2 and done.worker != first_worker
        sent = db.session.execute(select(OutboxMessage.registration_id, func.count())
                                  .group_by(OutboxMessage.registration_id)).all()
        db.session.remove()
    assert len(sent) == PARTICIPANTS and {count for _, count in sent} == {1}


def test_two_mail_senders_never_send_one_email_twice(servers, smtp_server):
    with servers["app"].app_context():
        village = a_village(200)
        for n in range(120):
            db.session.add(Registration(village=village, role=Role.HABITANT, status=RegistrationStatus.CONFIRMED,
                                        first_name="Camille", last_name=f"Martin{n}", email=f"p{n}@example.org",
                                        email_key=email_key(f"p{n}@example.org"), commune="Sisteron",
                                        badge_code=f"badge-{n:05d}", manage_token=os.urandom(16).hex()))
        db.session.flush()
        from app.services import notifications

        for registration in db.session.scalars(select(Registration)):
            notifications.village_changed(registration, {"venue": ["Salle A", "Salle B"]})
        db.session.commit()
        queued = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        db.session.remove()
    env = {**servers["env"], "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_server.port)}
    senders = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "mail", "send"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL) for _ in range(2)]
    for sender in senders:
        assert sender.wait(timeout=120) == 0
    received = smtp_server.wait_for(queued)
    assert queued == 120 and len(received) == queued
    assert len({message["Message-ID"] for message in received}) == queued
    recipients = sorted(address for envelope in smtp_server.envelopes for address in envelope.rcpt_tos)
    assert recipients == sorted(f"p{n}@example.org" for n in range(120))
