import click
from flask.cli import with_appcontext

from ..demo import data as demo_data, last_year as demo_last_year, matching as demo_matching, past as demo_past


@click.command("demo", help="Crée les villages (dont deux villages passés, l'un il y a un an avec le suivi de ses besoins), les initiatives, des participants et le compte administrateur de démonstration (sans effet s'ils existent déjà).")
@with_appcontext
def command():
    loaders = [demo_data.load, demo_data.load_initiatives, demo_matching.load, demo_last_year.load, demo_past.load,
               demo_data.silence,
               demo_data.load_accounts]
    for line in (line for load in loaders for line in load()):
        click.echo(line)
