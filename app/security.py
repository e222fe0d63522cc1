"""Protections every response and every public entry point gets: security headers,
HTTPS-only cookies, client addresses seen through the reverse proxy, and rate limits.

The limits are named objects that the views wear as decorators:

    @blueprint.post("/villages/<slug>/inscription")
    @registration_limit
    def register(slug): ...
"""

from flask import Flask, abort, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

from .extensions import limiter

# The check-in scanner decodes QR codes with WebAssembly, which needs 'wasm-unsafe-eval'
# (it allows compiling WebAssembly, not JavaScript's eval).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "manifest-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Private links carry their secret in the URL: never tell another site where a visitor came from.
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=(), payment=()",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

# Header names are case-insensitive: each one lower-cased once, to compare.
_SECURITY_HEADERS_BY_KEY = [(name.lower(), name, value) for name, value in SECURITY_HEADERS.items()]

STRICT_TRANSPORT_SECURITY = "max-age=31536000"


def served_over_https() -> bool:
    return request.is_secure or current_app.config["PUBLIC_URL"].startswith("https://")


def add_security_headers(response):
    """Each security header a view has not set itself."""
    headers = response.headers
    # The response's headers read once rather than searched for each of ours (Headers.setdefault):
    # 190 Python calls per response before, 45 now, more than a statement of a scan costs.
    present = set(headers.keys(lower=True))
    for key, name, value in _SECURITY_HEADERS_BY_KEY:
        if key not in present:
            headers.add(name, value)
    if served_over_https():
        headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    return response


# --- Rate limits -----------------------------------------------------------------------------
# The amounts are settings (RATELIMIT_REGISTRATION…), read at each request so that an
# organiser can loosen them without a code change. The check-in's limit, counted per scanner,
# is app/checkin/access.py's.


def configured_limit(name: str):
    """The amount of a rate limit, read from its setting at each request."""
    return lambda: current_app.config[name]


registration_limit = limiter.shared_limit(
    configured_limit("RATELIMIT_REGISTRATION"), scope="registration", methods=["POST"]
)
login_limit = limiter.shared_limit(configured_limit("RATELIMIT_LOGIN"), scope="login", methods=["POST"])


class SharedLimitStorageRequired(RuntimeError):
    """Several processes would each count the limits on their own."""


def check_limit_storage(workers: int, enabled: bool, storage_uri: str) -> None:
    """Refuse to serve with several worker processes that each keep their own counts: with the
    in-memory storage, 4 gunicorn workers would let through 4 times each limit."""
    if workers > 1 and enabled and storage_uri.startswith("memory://"):
        raise SharedLimitStorageRequired(
            f"{workers} processus comptent chacun les limites de débit en mémoire : chaque limite serait "
            f"{workers} fois trop large. Réglez RATELIMIT_STORAGE_URI sur un stockage partagé, par exemple "
            "RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0, ou lancez un seul processus (-w 1)."
        )


@limiter.request_filter
def _limits_switched_off() -> bool:
    # One Limiter object serves every app of the process (tests build several):
    # each app's own RATELIMIT_ENABLED decides, not the last one initialised.
    return not current_app.config["RATELIMIT_ENABLED"]


def refuse_nul_characters():
    """No text typed by a person contains NUL; PostgreSQL refuses it and SQLite would keep it.

    JSON bodies are left to their views, which read them under their own size limit (a NUL
    there ends as a 400 from the database error handler, or as an unknown code).
    """
    sent = list(request.args.values())
    # Reading any other body here would bypass the size limits views set for their own bodies.
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        sent += request.form.values()
    if any("\x00" in value for value in sent):
        abort(400)


def init_app(app: Flask) -> None:
    if app.config["PROXY_COUNT"]:
        # Behind a reverse proxy, the client's address and scheme come from its X-Forwarded-* headers;
        # trusting them without a proxy would let anyone pick the address the limits count.
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    if app.config["PUBLIC_URL"].startswith("https://"):
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)

    switched_on = app.config["RATELIMIT_ENABLED"]
    # The limiter only installs its hooks when enabled; it is always installed and
    # _limits_switched_off reads the app's own setting at each request.
    app.config["RATELIMIT_ENABLED"] = True
    limiter.init_app(app)
    app.config["RATELIMIT_ENABLED"] = switched_on

    app.before_request(refuse_nul_characters)
    app.after_request(add_security_headers)
