"""`flask db upgrade` builds exactly the schema the models describe."""
import os
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from app.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def scratch_database_url(tmp_path, purpose: str = "migrations") -> str:
    if db.engine.dialect.name != "postgresql":
        return f"sqlite:///{tmp_path / f'{purpose}.sqlite'}"
    url = db.engine.url
    scratch = f"{url.database}_{purpose}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}"'))
        conn.execute(text(f'CREATE DATABASE "{scratch}"'))
    admin.dispose()
    return url.set(database=scratch).render_as_string(hide_password=False)


def test_migrations_build_the_schema_of_the_models(app, tmp_path):
    target = scratch_database_url(tmp_path)
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": target},
        check=True,
        capture_output=True,
    )
    engine = create_engine(target)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), db.metadata)
    engine.dispose()
    assert differences == []
