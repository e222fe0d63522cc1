"""A web worker starts without the libraries only some requests or commands need: they are
imported where a document is written, a migration run or a figure scraped."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LOADED_WHEN_USED = [
    "alembic", "mako", "flask_migrate",  # flask db
    "reportlab", "openpyxl", "rvgsrust_xlsxwriter", "PIL", "zxingcpp", "numpy",  # documents
    "pydantic", "data_inclusion",  # the open-data export
    "prometheus_client",  # /metrics
    "sklearn", "scipy", "ortools", "huey",  # suggestions, scheduling, background jobs
    "snowballstemmer",  # suggestions
]


def test_importing_the_web_application_loads_none_of_the_heavy_libraries(tmp_path):
    loaded = subprocess.run(
        [sys.executable, "-c", "import json, sys, wsgi; print(json.dumps(sorted(sys.modules)))"],
        cwd=ROOT, capture_output=True, text=True, check=True,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path}/weight.sqlite"},
    ).stdout
    top_level = {name.split(".")[0] for name in json.loads(loaded.splitlines()[-1])}
    assert [name for name in LOADED_WHEN_USED if name in top_level] == []
