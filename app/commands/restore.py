from pathlib import Path

import click
from flask.cli import with_appcontext

from ..runtime import backups

CONFIRMATION = "oui"


@click.command(
    "restore",
    help=(
        "Remplace toute la base par la sauvegarde FICHIER (après confirmation), puis efface de "
        "nouveau les personnes effacées depuis. Arrêtez d'abord le site et les services."
    ),
)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--yes", "confirmed", is_flag=True, help="Ne pas demander de confirmation (scripts).")
@with_appcontext
def command(file: Path, confirmed: bool):
    if not confirmed:
        click.echo(
            f"Toutes les données actuelles vont être remplacées par celles de {file.name}.\n"
            "Une copie de l'état actuel sera d'abord écrite dans le dossier des sauvegardes."
        )
        answer = click.prompt(f"Tapez « {CONFIRMATION} » pour continuer", default="", show_default=False)
        if answer.strip().lower() != CONFIRMATION:
            raise click.ClickException("Restauration annulée : rien n'a changé.")
    try:
        erased_again = backups.restore(file)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Base restaurée depuis {file.name}.")
    click.echo(f"Personnes effacées de nouveau (journal des effacements) : {erased_again}")
    click.echo("Vérifiez avec « flask --app wsgi doctor », puis relancez le site et les services.")
