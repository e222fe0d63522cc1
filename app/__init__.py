"""Villages: registration and logistics for the Villages des initiatives solidaires."""
import gc

from flask import Flask, request
from flask_login import current_user

from .extensions import babel, csrf, db, login_manager, mail
from .paths import ROOT


class Villages(Flask):
    def log_exception(self, exc_info) -> None:
        # Flask logs the path, which may be a private link or a scanner link: log the route's
        # pattern instead (/inscription/<token>/modifier).
        route = request.url_rule.rule if request.url_rule else "(aucune route)"
        self.logger.error("Exception on %s [%s]", route, request.method, exc_info=exc_info)


def create_app(overrides: dict | None = None) -> Flask:
    app = Villages(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object("config.Config")
    if overrides:
        app.config.update(overrides)

    db.init_app(app)
    csrf.init_app(app)
    mail.init_app(app)
    babel.init_app(app, locale_selector=lambda: "fr")
    # Flask-Login's own context processor loads the user at every template rendered, public
    # pages included; with its "strong" protection, a visitor's session holding only a CSRF token
    # was then marked changed and sent again, with an erased remember-me cookie, on every page.
    # Templates get the lazy proxy instead: the user is loaded where a template asks for it.
    login_manager.init_app(app, add_context_processor=False)
    app.context_processor(lambda: {"current_user": current_user})

    from . import database, errors, routing, security, templating
    from .checkin import blueprint as checkin_blueprint
    from .commands import register_commands
    from .monitoring import blueprint as monitoring_blueprint
    from .services import capacity, checkin_roster, publication
    from .organisers import blueprint as organisers_blueprint
    from .public import blueprint as public_blueprint
    from .runtime import job_kinds, outbox  # noqa: F401  (job_kinds registers the kinds of background job)

    with app.app_context():
        database.configure_engine(db.engine)
    outbox.init_app(app)
    templating.init_app(app)
    checkin_roster.watch_changes()
    capacity.watch_confirmations()
    publication.watch_changes()
    errors.init_app(app)
    security.init_app(app)
    routing.init_app(app)
    app.register_blueprint(public_blueprint)
    app.register_blueprint(organisers_blueprint, url_prefix="/organisation")
    app.register_blueprint(checkin_blueprint)
    app.register_blueprint(monitoring_blueprint)
    register_commands(app)
    # What startup built (modules, classes, the app: about 100,000 objects, none of them
    # garbage) lives as long as the process; frozen, it is no longer walked by each full
    # collection of the garbage collector, the first of which came in the process's first
    # request or export (36 ms, a fifth of the first CSV export of 5,000 registrations).
    gc.freeze()
    return app
