"""`flask --app wsgi db …`: Flask-Migrate's commands, loaded only when one of them runs.

Flask-Migrate imports Alembic and Mako (about 11 MB) as soon as it is imported; a web worker
never migrates, so the app registers this stand-in group and Flask-Migrate is set up on the
first `flask db` command.
"""
from __future__ import annotations

import click
from flask import Flask, current_app

from ..extensions import db
from ..paths import MIGRATIONS


def enable_migrations(app: Flask) -> None:
    """Set up Flask-Migrate on the app (its commands, and its functions such as `upgrade()`)."""
    if "migrate" not in app.extensions:
        from flask_migrate import Migrate

        Migrate(app, db, directory=str(MIGRATIONS))


@click.command(
    "db", add_help_option=False,
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    help="Migrations du schéma de la base (Alembic) : upgrade, downgrade, current… (flask db --help).",
)
@click.pass_context
def command(ctx: click.Context) -> None:
    from flask_migrate.cli import db as commands

    enable_migrations(current_app._get_current_object())
    commands.main(args=ctx.args, prog_name=ctx.command_path, obj=ctx.obj)
