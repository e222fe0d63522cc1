from flask import abort, current_app, jsonify

from ..extensions import limiter
from ..runtime import monitoring
from . import blueprint


@blueprint.get("/healthz")
@limiter.exempt
def healthz():
    """The process answers; touches nothing else."""
    return jsonify(statut="ok")


@blueprint.get("/readyz")
@limiter.exempt
def readyz():
    """Ready to serve: the database and the queue of background jobs answer."""
    dependencies = monitoring.dependencies()
    ready = all(dependencies.values())
    return (
        jsonify(statut="prêt" if ready else "indisponible",
                **{name: "ok" if up else "injoignable" for name, up in dependencies.items()}),
        200 if ready else 503,
    )


@blueprint.get("/metrics")
@limiter.exempt
def metrics():
    if not current_app.config["METRICS_ENABLED"]:
        abort(404)
    from .metrics import CONTENT_TYPE_LATEST, latest_figures  # prometheus_client: only where scraped

    return latest_figures(), 200, {"Content-Type": CONTENT_TYPE_LATEST}
