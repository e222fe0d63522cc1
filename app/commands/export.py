from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..documents.exports import FORMATS
from ..extensions import db
from ..models import Village


@click.command("export", help="Exporte les inscriptions d'un village dans un fichier.")
@click.argument("village_slug")
@click.option(
    "--format", "export_format", type=click.Choice(sorted(FORMATS)), required=True,
    help="csv, xlsx : tableau des inscriptions ; signin : feuille d'émargement ; badges : planches de badges ; livret : livret des initiatives.",
)
@click.option("--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True,
              help="Fichier à écrire.")
@with_appcontext
def command(village_slug: str, export_format: str, output: Path):
    village = db.session.scalar(select(Village).where(Village.slug == village_slug))
    if village is None:
        raise click.ClickException(f"Aucun village « {village_slug} ».")
    with output.open("wb") as file:
        FORMATS[export_format].write(village, file)
    click.echo(f"{FORMATS[export_format].label} de {village.name} écrit dans {output}")
