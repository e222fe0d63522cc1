"""Background jobs: long work done outside the web request, with its progress.

The queue is Huey's: a SQLite file by default, so that a local run needs no server (the app
then works through the queue in a thread of its own, JOBS_WORKER_IN_APP), and Redis in
production, where `flask jobs worker` runs on one or several machines. Jobs and their
results are Job rows, in the application's database, so that any web server can show a
job's progress and hand out its result whichever machine did the work.

A job has a kind (app/runtime/job_kinds.py: an export, a report document, the meeting
schedule, an organiser's message) and its parameters. Each kind is one function given the
job and a Progress to tell; it returns an Outcome (a file, or a short French summary) or
raises Refused with a French message for the organiser. Every move of the progress is also
the job's heartbeat: a running job whose heartbeat stopped for JOBS_STALE_SECONDS lost its
worker, and is shown as failed, to be queued again (retry).
"""
from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Job, JobStatus, Organiser, Village
from ..templating import quantity
from ..timeutil import utcnow

# How often a progress bar moves at most, in seconds: each move is a small write.
PROGRESS_INTERVAL = 0.5
# How long the in-app worker sleeps when the queue is empty.
IDLE_POLL = 0.2

UNREACHABLE = "La file des tâches est injoignable : réessayez plus tard ou prévenez la personne qui gère le service."
FAILED = "La tâche n'a pas abouti. Relancez-la ; si cela recommence, prévenez la personne qui gère le service."
STALE = ("La tâche s'est interrompue : le processus qui la menait ne répond plus "
         "(arrêté ou redémarré). Relancez-la.")

_queues: dict[str, tuple[object, object]] = {}  # JOBS_URL: (Huey queue, job task)
_apps: dict[str, Flask] = {}
_in_app_worker: tuple[threading.Thread, threading.Event] | None = None
_lock = threading.Lock()


class Refused(Exception):
    """The job cannot be done, for a reason the organiser reads (in French)."""


class AlreadyRunning(Exception):
    """A job of this kind is already under way for the village: `job`, to follow instead."""

    def __init__(self, job: Job):
        super().__init__(job.token)
        self.job = job


@dataclass
class Outcome:
    content: bytes | None = None  # a file to download
    summary: str | None = None  # or a short French sentence


@dataclass(frozen=True)
class Kind:
    run: Callable[[Job, Progress], Outcome]
    # At most one such job at a time per village (two schedule builds would undo each other).
    exclusive: bool = False


# Filled by app/runtime/job_kinds.py, which the app factory imports: the kinds import the
# services they run, and the queue knows none of them.
KINDS: dict[str, Kind] = {}


def kind(name: str, exclusive: bool = False):
    """Registers a function as the work of a kind of job."""
    def register(run):
        KINDS[name] = Kind(run, exclusive)
        return run
    return register


class Progress:
    """Tells a job's progress (and so its heartbeat) in short transactions of its own, so that
    the job's own reading and writing go on undisturbed; at most every PROGRESS_INTERVAL."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self._engine = db.engine  # also used from the ticking thread, outside the app context
        self._last = 0.0

    def __call__(self, done: int, total: int, *, now: bool = False) -> None:
        if not now and done < total and time.monotonic() - self._last < PROGRESS_INTERVAL:
            return
        self._last = time.monotonic()
        with self._engine.begin() as connection:
            connection.execute(update(Job).where(Job.id == self.job_id)
                               .values(done=done, total=total, heartbeat_at=utcnow()))

    @contextmanager
    def ticking(self, start: int, end: int, total: int, seconds: float) -> Iterator[None]:
        """For a step that says nothing while it works but whose length is known (a solver's
        time limit): the bar moves from `start` towards `end` with the time, every second."""
        stopping = threading.Event()
        began = time.monotonic()

        def tick():
            while not stopping.wait(1.0):
                share = min((time.monotonic() - began) / max(seconds, 0.1), 0.99)
                try:
                    self(start + int((end - start) * share), total, now=True)
                except Exception:  # a moment of unavailable storage: the next tick tries again
                    pass

        self(start, total, now=True)
        thread = threading.Thread(target=tick, name=f"job-{self.job_id}-ticking", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stopping.set()
            thread.join()


def queue():
    """The Huey queue of JOBS_URL (sqlite:///path or redis://…)."""
    return _queue_and_task()[0]


def _queue_and_task():
    url = current_app.config["JOBS_URL"]
    _apps.setdefault(url, current_app._get_current_object())
    with _lock:
        if url not in _queues:
            _queues[url] = _open(url)
        return _queues[url]


def queue_reachable() -> tuple[bool, str]:
    """Whether jobs can be queued, and what was found (for `flask doctor`)."""
    try:
        waiting = queue().pending_count()
    except Exception as error:  # any failure of the storage means the same to the operator
        return False, f"file des tâches injoignable ({current_app.config['JOBS_URL']}) : {error.__class__.__name__}"
    return True, f"file des tâches joignable, {quantity(waiting, 'tâche')} en attente"


def start(kind_name: str, params: dict, requested_by: str, village: Village | None = None,
          request_key: str | None = None) -> Job:
    """Queue a job; commits, so that the worker finds it. AlreadyRunning for an exclusive kind
    already under way for the village. With the `request_key` of a form already posted (a double
    click, two tabs, a retry, even at the same instant), the job that post started is returned
    and nothing new is queued: the key is unique in the table. Without a key, the same job (kind,
    village, parameters) that the same person asked for and that is still under way is returned:
    a document asked twice is prepared once, and asked again once ready, it is prepared afresh."""
    if request_key is not None and (started := _started_by(request_key)) is not None:
        return started
    _forget_old_jobs()
    if KINDS[kind_name].exclusive:
        _refuse_twin(kind_name, village)
    elif request_key is None and (same := _same_under_way(kind_name, params, requested_by, village)) is not None:
        db.session.commit()
        return same
    job = Job(kind=kind_name, params=params, village=village, requested_by=requested_by, request_key=request_key)
    db.session.add(job)
    try:
        db.session.commit()
    except IntegrityError:  # the same form's other post committed its job first
        db.session.rollback()
        if request_key is None or (started := _started_by(request_key)) is None:
            raise
        return started
    _enqueue(job)
    return job


def _started_by(request_key: str) -> Job | None:
    return db.session.scalar(select(Job).where(Job.request_key == request_key))


def _same_under_way(kind_name: str, params: dict, requested_by: str, village: Village | None) -> Job | None:
    # The asker's row, locked, serialises their posts of one form at the same instant: the second
    # sees the first's job.
    db.session.execute(select(Organiser.id).where(Organiser.email == requested_by).with_for_update(key_share=True))
    under_way = db.session.scalars(select(Job).where(
        Job.kind == kind_name, Job.requested_by == requested_by,
        Job.village_id == village.id if village is not None else Job.village_id.is_(None),
        Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]),
    ).order_by(Job.id)).all()
    return next((job for job in under_way if job.params == params and not fail_if_stale(job)), None)


def start_export(village: Village, export_format: str, requested_by: str) -> Job:
    return start("export", {"format": export_format}, requested_by, village)


def retry(job: Job) -> Job:
    """Queue a failed job again (its worker died, the queue was unreachable, a refusal that a
    new try may pass); commits. A job no longer failed is left as it is (a double click)."""
    if KINDS[job.kind].exclusive:
        _refuse_twin(job.kind, job.village, besides=job)
    job = db.session.scalar(select(Job).where(Job.id == job.id).with_for_update()
                            .execution_options(populate_existing=True))
    if job.status != JobStatus.FAILED:
        db.session.commit()
        return job
    job.status, job.error, job.summary, job.finished_at, job.heartbeat_at = JobStatus.QUEUED, None, None, None, None
    db.session.commit()
    _enqueue(job)
    return job


def fail_if_stale(job: Job) -> bool:
    """A running job whose heartbeat stopped JOBS_STALE_SECONDS ago lost its worker: it is
    marked failed, to be retried. Whether it was; the caller commits."""
    if job.status != JobStatus.RUNNING:
        return False
    limit = utcnow() - timedelta(seconds=current_app.config["JOBS_STALE_SECONDS"])
    if (job.heartbeat_at or job.created_at) >= limit:
        return False
    job.status, job.error, job.finished_at = JobStatus.FAILED, STALE, utcnow()
    return True


def active(kind_name: str, village: Village) -> Job | None:
    """The job of this kind under way for the village, if any (a stale one is failed here)."""
    found = db.session.scalars(select(Job).where(
        Job.kind == kind_name, Job.village_id == village.id,
        Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]),
    ).order_by(Job.id.desc())).all()
    return next((job for job in found if not fail_if_stale(job)), None)


def _refuse_twin(kind_name: str, village: Village | None, besides: Job | None = None) -> None:
    # The village's row, locked, serialises two organisers starting at the same moment: the
    # second sees the first's job. NO KEY UPDATE: registrations' KEY SHARE locks go on.
    db.session.execute(select(Village.id).where(Village.id == village.id).with_for_update(key_share=True))
    twin = active(kind_name, village)
    if twin is not None and twin is not besides:
        db.session.commit()
        raise AlreadyRunning(twin)


def _enqueue(job: Job) -> None:
    try:
        _queue_and_task()[1](job.id)
    except Exception:
        current_app.logger.exception("job %s could not be queued", job.id)
        job.status, job.error, job.finished_at = JobStatus.FAILED, UNREACHABLE, utcnow()
        db.session.commit()
    else:
        ensure_in_app_worker()


def run(job_id: int) -> None:
    """Do the work of a queued job, telling its progress (run by a worker)."""
    job = db.session.get(Job, job_id)
    if job is None or job.status != JobStatus.QUEUED:
        return
    job.status, job.heartbeat_at, job.attempts = JobStatus.RUNNING, utcnow(), job.attempts + 1
    job.worker = f"{socket.gethostname()}:{os.getpid()}"[:120]
    db.session.commit()
    error, outcome = None, None
    try:
        with _beating(job_id):
            outcome = KINDS[job.kind].run(job, Progress(job_id))
    except Refused as refused:
        db.session.rollback()
        error = str(refused)
    except Exception:
        db.session.rollback()
        current_app.logger.exception("job %s (%s) failed", job_id, job.kind)
        error = FAILED
    job = db.session.get(Job, job_id, populate_existing=True)
    if error is None:
        job.status, job.content, job.summary = JobStatus.DONE, outcome.content, outcome.summary
    else:
        job.status, job.error = JobStatus.FAILED, error
    job.finished_at = utcnow()
    db.session.commit()


@contextmanager
def _beating(job_id: int) -> Iterator[None]:
    """The job's heartbeat while its worker lives, even through a long step that tells no
    progress: only a worker that died (killed, machine gone) leaves its job without one."""
    stopping = threading.Event()
    engine, interval = db.engine, current_app.config["JOBS_STALE_SECONDS"] / 4

    def beat():
        while not stopping.wait(interval):
            try:
                with engine.begin() as connection:
                    connection.execute(update(Job).where(Job.id == job_id).values(heartbeat_at=utcnow()))
            except Exception:  # a moment of unavailable storage: the next beat tries again
                pass

    thread = threading.Thread(target=beat, name=f"job-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stopping.set()
        thread.join()


def take_over_stale() -> list[int]:
    """Queue again the running jobs whose worker died (no heartbeat for JOBS_STALE_SECONDS), for
    any worker to take up, without anyone asking; at most JOBS_ATTEMPTS in all, then failed.
    Several workers may look at once: each job is taken over by one (a conditional UPDATE).
    What the job does happens once: its file is written with its end, and a message goes on
    after the batches already queued (job_kinds.message). Returns the ids queued again."""
    limit = utcnow() - timedelta(seconds=current_app.config["JOBS_STALE_SECONDS"])
    stale = (Job.status == JobStatus.RUNNING, func.coalesce(Job.heartbeat_at, Job.created_at) < limit)
    taken = []
    for job_id, attempts in db.session.execute(select(Job.id, Job.attempts).where(*stale)).all():
        if attempts >= current_app.config["JOBS_ATTEMPTS"]:
            db.session.execute(update(Job).where(Job.id == job_id, *stale).values(
                status=JobStatus.FAILED, error=STALE, finished_at=utcnow()))
        elif db.session.execute(update(Job).where(Job.id == job_id, *stale).values(
                status=JobStatus.QUEUED, heartbeat_at=None)).rowcount:
            taken.append(job_id)
        db.session.commit()
    for job_id in taken:
        current_app.logger.warning("job %s lost its worker: queued again", job_id)
        _queue_and_task()[1](job_id)
    return taken


def watch_for_stale_jobs(app: Flask, stopping: threading.Event) -> None:
    """A worker's watch (a thread of `flask jobs worker`): every quarter of JOBS_STALE_SECONDS,
    takes over the jobs of workers that died."""
    while not stopping.wait(app.config["JOBS_STALE_SECONDS"] / 4):
        with app.app_context():
            try:
                take_over_stale()
            except Exception:  # the database or the queue unavailable for a moment: next round
                app.logger.exception("looking for stale jobs failed")
            finally:
                db.session.remove()


def run_pending() -> int:
    """Run the jobs waiting in the queue, here and now; how many ran (tests, `flask jobs run`)."""
    huey, ran = queue(), 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran


def ensure_in_app_worker() -> None:
    """With JOBS_WORKER_IN_APP, a thread of this process works through the queue."""
    global _in_app_worker
    if not current_app.config["JOBS_WORKER_IN_APP"]:
        return
    huey = queue()
    with _lock:
        if _in_app_worker is not None and _in_app_worker[0].is_alive():
            return
        stopping = threading.Event()
        thread = threading.Thread(target=_work, args=(huey, stopping), name="jobs-worker", daemon=True)
        _in_app_worker = thread, stopping
    thread.start()


def stop_in_app_worker() -> None:
    global _in_app_worker
    with _lock:
        worker, _in_app_worker = _in_app_worker, None
    if worker is not None:
        worker[1].set()
        worker[0].join(timeout=30)


def _work(huey, stopping: threading.Event) -> None:
    while not stopping.is_set():
        try:
            task = huey.dequeue()
        except Exception:  # the queue's storage is unavailable for a moment
            task = None
        if task is None:
            stopping.wait(IDLE_POLL)
        else:
            huey.execute(task)


def _forget_old_jobs() -> None:
    """Finished documents hold personal data: they are kept only JOBS_KEEP_HOURS."""
    limit = utcnow() - timedelta(hours=current_app.config["JOBS_KEEP_HOURS"])
    db.session.execute(delete(Job).where(Job.created_at < limit))


def _open(url: str):
    from huey import RedisHuey, SqliteHuey

    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(name="villages", filename=str(path), results=False)
    elif url.startswith(("redis://", "rediss://", "unix://")):
        huey = RedisHuey(name="villages", url=url, results=False)
    else:
        raise ValueError(f"JOBS_URL non pris en charge : {url} (sqlite:///… ou redis://…)")

    def work(job_id: int) -> None:
        with _apps[url].app_context():
            try:
                run(job_id)
            finally:
                db.session.remove()

    villages_job = huey.task(name="villages_job")(work)
    # The name of the task when jobs were only exports: tasks queued before an upgrade still run.
    huey.task(name="villages_export")(work)
    return huey, villages_job
