import click
from flask import current_app, url_for
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..models import Village
from ..services import scanner_links


@click.group("checkin", help="Accueil le jour J.")
def command():
    pass


@command.command("token", help="Crée un lien d'accueil pour un village et l'affiche (une seule fois).")
@click.argument("village_slug")
@click.option("--label", default="Accueil", show_default=True, help="Nom du poste ou du bénévole.")
@with_appcontext
def token(village_slug: str, label: str):
    village = db.session.scalar(select(Village).where(Village.slug == village_slug))
    if village is None:
        raise click.ClickException(f"Aucun village « {village_slug} ».")
    try:
        link, secret = scanner_links.create(village, label, "cli")
    except scanner_links.LinkRefused as refused:
        raise click.ClickException(str(refused))
    db.session.commit()
    base = current_app.config["PUBLIC_URL"]
    with current_app.test_request_context():
        path = url_for("checkin.open_link", token=secret)
    click.echo(f"Jeton : {secret}")
    click.echo(f"Lien : {base}{path}")
    click.echo(f"Valable jusqu'au {link.expires_at:%Y-%m-%d %H:%M} UTC ; poste « {link.label} ».")
