"""`flask --app wsgi …` commands, one module per area."""
from flask import Flask

from . import checkin, demo, export, jobs, mail, organiser, purge


def register_commands(app: Flask) -> None:
    for module in (checkin, demo, export, jobs, mail, organiser, purge):
        app.cli.add_command(module.command)
