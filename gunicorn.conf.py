"""gunicorn's settings, read from the folder it starts in (`gunicorn wsgi:app`).

Before any worker starts, the server checks that the rate limits will hold as configured
(the number of workers comes from -w or WEB_CONCURRENCY, as gunicorn reads them).
"""


def on_starting(server):
    from app.security import check_limit_storage
    from config import Config

    check_limit_storage(server.cfg.workers, Config.RATELIMIT_ENABLED, Config.RATELIMIT_STORAGE_URI)
