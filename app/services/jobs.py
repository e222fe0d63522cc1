"""Background jobs: long documents written outside the web request, with their progress.

The queue is Huey's: a SQLite file by default, so that a local run needs no server (the app
then works through the queue in a thread of its own, JOBS_WORKER_IN_APP), and Redis in
production, where `flask jobs worker` runs on one or several machines. Jobs and their
files are ExportJob rows, in the application's database, so that any web server can show
a job's progress and hand out its file whichever machine wrote it.
"""
from __future__ import annotations

import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import delete, update

from ..extensions import db
from ..models import ExportJob, ExportJobStatus, Village
from ..timeutil import utcnow

# How often a progress bar moves at most, in seconds: each move is a small write.
PROGRESS_INTERVAL = 0.5
# How long the in-app worker sleeps when the queue is empty.
IDLE_POLL = 0.2

_queues: dict[str, tuple[object, object]] = {}  # JOBS_URL: (Huey queue, export task)
_apps: dict[str, Flask] = {}
_in_app_worker: tuple[threading.Thread, threading.Event] | None = None
_lock = threading.Lock()


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
    return True, f"file des tâches joignable, {waiting} tâche(s) en attente"


def start_export(village: Village, export_format: str, requested_by: str) -> ExportJob:
    """Queue an export of the village; commits, so that the worker finds the job."""
    _forget_old_jobs()
    job = ExportJob(village=village, export_format=export_format, requested_by=requested_by)
    db.session.add(job)
    db.session.commit()
    try:
        export_task = _queue_and_task()[1]
        export_task(job.id)
    except Exception:
        current_app.logger.exception("export job %s could not be queued", job.id)
        job.status = ExportJobStatus.FAILED
        job.error = "La file des tâches est injoignable : réessayez plus tard ou prévenez l'administrateur."
        db.session.commit()
    else:
        ensure_in_app_worker()
    return job


def run_export(job_id: int) -> None:
    """Write the export of a queued job, telling its progress (run by a worker)."""
    from ..documents.exports import FORMATS, rows

    job = db.session.get(ExportJob, job_id)
    if job is None or job.status != ExportJobStatus.QUEUED:
        return
    job.status = ExportJobStatus.RUNNING
    db.session.commit()
    last_report = 0.0

    def report(done: int, total: int) -> None:
        nonlocal last_report
        if done < total and time.monotonic() - last_report < PROGRESS_INTERVAL:
            return
        last_report = time.monotonic()
        # Its own short transaction: the export's reading goes on undisturbed.
        with db.engine.begin() as connection:
            connection.execute(update(ExportJob).where(ExportJob.id == job_id).values(done=done, total=total))

    try:
        with tempfile.TemporaryFile() as file, rows.reporting_progress(report):
            FORMATS[job.export_format].write(job.village, file)
            file.seek(0)
            content = file.read()
    except Exception:
        db.session.rollback()
        current_app.logger.exception("export job %s failed", job_id)
        job = db.session.get(ExportJob, job_id)
        job.status = ExportJobStatus.FAILED
        job.error = "Le document n'a pas pu être préparé. Réessayez ; si cela recommence, prévenez l'administrateur."
    else:
        job = db.session.get(ExportJob, job_id, populate_existing=True)
        job.content = content
        job.status = ExportJobStatus.DONE
    job.finished_at = utcnow()
    db.session.commit()


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
    db.session.execute(delete(ExportJob).where(ExportJob.created_at < limit))


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

    @huey.task(name="villages_export")
    def villages_export(job_id: int) -> None:
        with _apps[url].app_context():
            try:
                run_export(job_id)
            finally:
                db.session.remove()

    return huey, villages_export
