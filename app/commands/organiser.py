import click
from flask.cli import with_appcontext

from ..extensions import db
from ..models import OrganiserRole
from ..services import accounts

command = click.Group("organiser", help="Gère les comptes de l'équipe d'organisation.")


@command.command("create", help="Crée un compte (le mot de passe est demandé s'il n'est pas donné).")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in OrganiserRole]), required=True,
              help="admin : tout ; organiser : villages et inscriptions ; checkin : accueil seulement.")
@click.option("--name", default="", help="Nom affiché.")
@click.option("--password", prompt="Mot de passe", hide_input=True, confirmation_prompt=True,
              help=f"Au moins {accounts.MIN_PASSWORD_LENGTH} caractères.")
@with_appcontext
def create(email: str, role: str, name: str, password: str):
    try:
        organiser = accounts.create(email, role, password, actor="cli", name=name)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Compte {organiser.email} créé, accès : {OrganiserRole(role).label.lower()}.")
