"""`flask --app wsgi …` commands, one module per area."""
from flask import Flask

from . import demo, export


def register_commands(app: Flask) -> None:
    for module in (demo, export):
        app.cli.add_command(module.command)
