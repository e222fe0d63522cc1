"""`flask --app wsgi …` commands, one module per area."""
from flask import Flask

from . import backup, checkin, demo, doctor, export, jobs, mail, migrations, organiser, purge, report, restore


def register_commands(app: Flask) -> None:
    for module in (backup, checkin, demo, doctor, export, jobs, mail, migrations, organiser, purge, report, restore):
        app.cli.add_command(module.command)
