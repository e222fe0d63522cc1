"""Every error ends in a French page for people and a JSON body for the API: never a traceback."""
import math
import time

from flask import Flask, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from werkzeug.exceptions import BadRequest, Conflict, HTTPException, InternalServerError, ServiceUnavailable

from .extensions import db, login_manager
from .templating import duration

MESSAGES = {
    400: "La demande n'a pas pu être comprise.",
    401: "Vous devez vous identifier pour accéder à cette page.",
    403: "Vous n'avez pas accès à cette page.",
    404: "Cette page n'existe pas ou plus.",
    405: "Cette action n'est pas possible ici.",
    409: "Cette action est en conflit avec une autre modification.",
    410: "Ce lien n'est plus valable.",
    413: "Les données envoyées sont trop volumineuses.",
    429: "Trop de tentatives : merci de patienter avant de réessayer.",
    500: "Une erreur inattendue s'est produite. Elle a été enregistrée ; merci de réessayer.",
    503: "Le service est momentanément indisponible. Merci de réessayer dans quelques instants.",
}


def too_many_attempts() -> str:
    """How long to wait, as the limit that refused the request says."""
    from .extensions import limiter

    current = limiter.current_limit
    if current is None:
        return MESSAGES[429]
    wait = max(1, math.ceil(current.reset_at - time.time()))
    return f"Trop de tentatives : vous pourrez réessayer dans {duration(wait)}."


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(code: int, message: str | None = None):
    message = message or MESSAGES.get(code, MESSAGES[500])
    if wants_json():
        return jsonify(error=message, status=code), code
    return render_template("error.html", code=code, message=message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_response(
            400, "Le formulaire a expiré ou n'est pas valide. Rechargez la page et recommencez."
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code in (301, 302, 303, 307, 308) or error.code is None:
            return error
        if error.code == 429:
            return error_response(429, too_many_attempts())
        return error_response(error.code, MESSAGES.get(error.code) if error.code in MESSAGES else None)

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def database_unavailable(error):
        # The database went away (restart, network): roll back whatever was half done, and
        # answer without touching it again, not even to know who is logged in (Flask-Login's
        # per-request cache).
        db.session.rollback()
        g._login_user = login_manager.anonymous_user()
        app.logger.warning("database unavailable: %s", error.__class__.__name__)
        return error_response(ServiceUnavailable.code)

    @app.errorhandler(DataError)
    def value_refused_by_the_database(error):
        # A value the forms let through but the database refuses (e.g. PostgreSQL and NUL characters).
        db.session.rollback()
        app.logger.warning("data error: %s", error.orig.__class__.__name__)
        return error_response(BadRequest.code)

    @app.errorhandler(IntegrityError)
    def conflicting_write(error):
        # Two requests raced for the same unique value (the views check before writing).
        db.session.rollback()
        app.logger.warning("integrity error: %s", error.orig.__class__.__name__)
        return error_response(Conflict.code)

    @app.errorhandler(InternalServerError)
    def internal_error(error):
        db.session.rollback()
        return error_response(500)
