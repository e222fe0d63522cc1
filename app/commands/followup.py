import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..models import Village
from ..runtime import outbox
from ..services import followup_asks


@click.group("followup", help="Suivi après le village : demandes de nouvelles aux porteurs et aux partenaires.")
def command():
    pass


@command.command("send", help="Envoie les demandes de nouvelles dues (à lancer chaque nuit).")
@click.option("--village", "slug", help="Un seul village (son adresse courte, par exemple manosque).")
@click.option("--now", "at_once", is_flag=True,
              help="Envoyer tout de suite la prochaine relance, même si elle n'est pas encore due "
                   "(comme « Relancer maintenant »).")
@with_appcontext
def send(slug: str | None, at_once: bool):
    village = None
    if slug:
        village = db.session.scalar(select(Village).where(Village.slug == slug))
        if village is None:
            raise click.ClickException(f"Aucun village « {slug} ».")
    elif at_once:
        raise click.ClickException("--now relance un village : précisez-le avec --village.")
    for sent in followup_asks.send_due(village=village, at_once=at_once):
        click.echo(sent.summary)
    delivered = outbox.deliver_due()
    click.echo(f"E-mails envoyés : {delivered['sent']}"
               + (f", à réessayer plus tard : {delivered['postponed']}" if delivered["postponed"] else "")
               + (f", en échec : {delivered['failed']}" if delivered["failed"] else ""))
