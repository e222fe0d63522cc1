import click
from flask.cli import with_appcontext

from ..services import demo_data, demo_matching


@click.command("demo", help="Crée les villages, les initiatives, des participants et le compte administrateur de démonstration (sans effet s'ils existent déjà).")
@with_appcontext
def command():
    for line in demo_data.load() + demo_data.load_initiatives() + demo_matching.load() + demo_data.load_accounts():
        click.echo(line)
