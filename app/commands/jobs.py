import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from ..runtime import jobs


@click.group("jobs", help="Tâches de fond : documents longs, bilans, calcul du programme, messages aux participants.")
def command():
    pass


@command.command("worker", help="Exécute les tâches de fond jusqu'à l'arrêt (Ctrl+C, SIGTERM).")
@click.option("--workers", default=2, show_default=True, help="Tâches menées en même temps.")
@with_appcontext
def worker(workers: int):
    click.echo(f"Tâches de fond : {current_app.config['JOBS_URL']}, {workers} à la fois (Ctrl+C pour arrêter).")
    # Beside the consumer: the jobs of a worker that died, on this machine or another, taken up again.
    stopping = threading.Event()
    threading.Thread(target=jobs.watch_for_stale_jobs, args=(current_app._get_current_object(), stopping),
                     name="stale-jobs", daemon=True).start()
    try:
        jobs.queue().create_consumer(workers=workers, worker_type="thread").run()
    finally:
        stopping.set()


@command.command("status", help="Dit si la file des tâches est joignable.")
@with_appcontext
def status():
    reachable, detail = jobs.queue_reachable()
    click.echo(detail)
    if not reachable:
        raise SystemExit(1)
