from pathlib import Path

import click
from flask.cli import with_appcontext

from ..services import report


@click.command("report", help="Écrit le bilan d'un ou plusieurs villages (PDF ou classeur Excel).")
@click.argument("village_slugs", nargs=-1, required=True)
@click.option("--format", "file_format", type=click.Choice(sorted(report.FILE_FORMATS)), required=True,
              help="pdf : rapport à envoyer ; xlsx : une feuille par tableau.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True,
              help="Fichier à écrire.")
@click.option("--diffusion", is_flag=True,
              help="Version à diffuser hors de l'équipe : les effectifs inférieurs à 3, et ceux qui permettraient "
                   "de les retrouver, sont masqués.")
@with_appcontext
def command(village_slugs: tuple[str, ...], file_format: str, output: Path, diffusion: bool):
    villages, unknown = report.villages_by_slug(list(village_slugs))
    if unknown:
        raise click.ClickException(f"Aucun village « {', '.join(unknown)} ».")
    from ..documents.report import REPORT_FORMATS  # reportlab and the XLSX writer: only for this command

    built = report.build(villages, for_outsiders=diffusion)
    with output.open("wb") as file:
        REPORT_FORMATS[file_format].write(built, file)
    click.echo(f"Bilan de {', '.join(v.town for v in villages)} écrit dans {output}")
