"""`flask --app wsgi …` commands, one module per area, imported when a command is listed or run:
a web worker, which runs none, never imports them (1.5 MB less in each)."""
import importlib

from flask import Flask
from flask.cli import AppGroup

# Command name → its module in this package.
MODULES = {
    "backup": "backup", "checkin": "checkin", "db": "migrations", "demo": "demo", "doctor": "doctor",
    "export": "export", "followup": "followup", "jobs": "jobs", "mail": "mail", "observatory": "observatory",
    "organiser": "organiser", "purge": "purge", "report": "report", "restore": "restore",
}


class LazyCommands(AppGroup):
    """The application's command group (app.cli), which imports a command's module when asked for it."""

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *MODULES})

    def get_command(self, ctx, name):
        if name in MODULES and name not in self.commands:
            self.add_command(importlib.import_module(f"{__name__}.{MODULES[name]}").command, name)
        return super().get_command(ctx, name)


def register_commands(app: Flask) -> None:
    lazy = LazyCommands(app.name)
    lazy.commands.update(app.cli.commands)
    app.cli = lazy
