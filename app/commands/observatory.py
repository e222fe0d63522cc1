from pathlib import Path

import click
from flask.cli import with_appcontext

from ..services import observatory, report


@click.command("observatory", help="Écrit l'observatoire des initiatives sur plusieurs années (PDF ou classeur Excel).")
@click.option("--from", "first", metavar="ANNÉE", help="Première année (par défaut : celle du premier village).")
@click.option("--to", "last", metavar="ANNÉE", help="Dernière année (par défaut : celle du dernier village tenu).")
@click.option("--format", "file_format", type=click.Choice(sorted(report.FILE_FORMATS)), required=True,
              help="pdf : document à envoyer ; xlsx : une feuille par tableau.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True,
              help="Fichier à écrire.")
@with_appcontext
def command(first: str | None, last: str | None, file_format: str, output: Path):
    try:
        chosen = observatory.period(first, last)
    except observatory.BadPeriod as bad:
        raise click.ClickException(str(bad)) from bad
    if chosen is None:
        raise click.ClickException(observatory.NOTHING_YET)
    from ..documents.observatory import FORMATS  # reportlab and the XLSX writer: only for this command

    built = observatory.build(chosen)
    with output.open("wb") as file:
        FORMATS[file_format](built, file)
    click.echo(f"Observatoire {chosen.label} écrit dans {output}")
