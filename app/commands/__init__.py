"""`flask --app wsgi …` commands, one module per area."""
from flask import Flask

from . import demo, mail


def register_commands(app: Flask) -> None:
    for module in (demo, mail):
        app.cli.add_command(module.command)
