import click
from flask.cli import with_appcontext

from ..runtime import backups


@click.command(
    "backup",
    help=(
        "Écrit une copie datée de la base dans BACKUP_DIR et garde les BACKUP_KEEP plus récentes "
        "(à lancer chaque nuit)."
    ),
)
@with_appcontext
def command():
    try:
        path = backups.take_backup()
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Sauvegarde écrite : {path} ({path.stat().st_size // 1024} Ko)")
