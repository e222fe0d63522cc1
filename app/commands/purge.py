import click
from flask.cli import with_appcontext

from ..services import privacy


@click.command(
    "purge",
    help=(
        "Anonymise les inscriptions des villages passés depuis plus de RETENTION_MONTHS mois et "
        "efface le détail des passages à l'accueil au-delà de ATTENDANCE_RETENTION_MONTHS mois et "
        "les échecs de connexion de plus d'un jour. "
        "Sans effet s'il n'y a rien à faire : peut tourner chaque nuit (cron)."
    ),
)
@with_appcontext
def command():
    report = privacy.purge()
    click.echo(f"Inscriptions anonymisées : {report.registrations_anonymised}")
    click.echo(f"Passages à l'accueil effacés : {report.check_ins_deleted}")
    click.echo(f"Échecs de connexion oubliés : {report.login_failures_forgotten}")
