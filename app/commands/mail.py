import signal
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import DBAPIError

from ..extensions import db
from ..runtime import outbox
from ..services import reminders, suggestions
from ..templating import quantity


@click.group("mail", help="Envoi des e-mails en attente et des rappels.")
def command():
    pass


@command.command("send", help="Envoie les e-mails en attente (avec --loop : en continu).")
@click.option("--loop", is_flag=True, help="Continuer à envoyer jusqu'à l'arrêt (Ctrl+C, SIGTERM).")
@click.option("--interval", default=5.0, show_default=True, help="Secondes entre deux passages.")
@click.option("--senders", default=1, show_default=True, type=click.IntRange(1, 32),
              help="Sans --loop : processus qui écrivent et envoient en même temps (un par cœur au plus).")
@with_appcontext
def send(loop: bool, interval: float, senders: int):
    if not loop:
        started = time.perf_counter()
        outcome = outbox.deliver_in_parallel(current_app._get_current_object(), senders)
        _report(outcome, time.perf_counter() - started)
        return
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    click.echo(f"Envoi en continu, toutes les {interval:g} s (Ctrl+C pour arrêter).")
    try:
        while not stopping:
            try:
                outcome = outbox.deliver_due()
            except DBAPIError as error:  # the database restarts: try again at the next pass
                db.session.rollback()
                current_app.logger.warning("mail send: database unavailable (%s)", error.__class__.__name__)
            else:
                if outcome:
                    _report(outcome)
            finally:
                db.session.remove()
            time.sleep(interval)
    except KeyboardInterrupt:
        pass
    click.echo("Arrêt de l'envoi.")


@command.command("reminders", help="Met en file les rappels des villages proches (à lancer chaque heure).")
@with_appcontext
def reminders_command():
    click.echo(f"{quantity(reminders.queue_due(), 'rappel')} mis en file d'envoi.")


@command.command("suggestions",
                 help="Envoie une fois à chaque participant les personnes à rencontrer, quelques jours avant "
                      "son village (réglage du village ; à lancer chaque jour).")
@with_appcontext
def suggestions_command():
    count = suggestions.send_due()
    db.session.commit()
    click.echo(f"{quantity(count, 'e-mail')} de suggestions mis en file d'envoi.")


def _report(outcome, seconds: float | None = None) -> None:
    pace = ""
    if seconds and outcome["sent"]:
        duration = f"{seconds:.1f}".replace(".", ",")
        pace = f" Durée : {duration} s, soit {outcome['sent'] / seconds:.0f} e-mails par seconde."
    click.echo(
        f"{quantity(outcome['sent'], 'envoyé')}, {quantity(outcome['postponed'], 'reporté')}, "
        f"{outcome['failed']} en échec.{pace}"
    )
