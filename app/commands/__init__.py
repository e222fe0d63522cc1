"""`flask --app wsgi …` commands, one module per area."""
from flask import Flask

from . import checkin, demo, export, mail, organiser, purge, report


def register_commands(app: Flask) -> None:
    for module in (checkin, demo, export, mail, organiser, purge, report):
        app.cli.add_command(module.command)
