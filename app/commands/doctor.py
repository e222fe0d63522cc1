import click
from flask import current_app
from flask.cli import with_appcontext

from ..runtime import doctor
from ..templating import quantity


@click.command(
    "doctor",
    help=(
        "Vérifie les réglages de l'installation (clé secrète, HTTPS, base et migrations, SMTP, "
        "limites de débit, disque, fuseau) et dit quoi changer. Code de sortie 1 s'il y a un problème."
    ),
)
@with_appcontext
def command():
    app = current_app._get_current_object()
    mode = "exécution locale" if doctor.is_local_run(app) else "production"
    click.echo(f"Vérification de l'installation ({mode}, PUBLIC_URL={app.config['PUBLIC_URL']})")
    findings = doctor.run_checks(app)
    for finding in findings:
        mark = click.style("  OK  ", fg="green") if finding.ok else click.style("ERREUR", fg="red", bold=True)
        click.echo(f"[{mark}] {finding.topic} : {finding.message}")
    problems = sum(not finding.ok for finding in findings)
    if problems:
        click.echo(f"{quantity(problems, 'problème')} à corriger.")
        raise SystemExit(1)
    click.echo("Tout est en ordre.")
