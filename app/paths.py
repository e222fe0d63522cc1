"""Where the application's own files are: the checkout, its templates, static files and migrations."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "migrations"
