"""The observatory across villages and years (app/services/observatory.py), on screen and as PDF
or spreadsheet prepared in the background."""
from flask import abort, redirect, render_template, request
from flask_login import current_user

from ..services import jobs, observatory
from ..services.report import FILE_FORMATS
from . import blueprint, jobs as job_pages
from .access import role_required


def chosen_period():
    """(period or None, the error in French or "") from the « de » and « à » years asked."""
    try:
        return observatory.period(request.args.get("de", ""), request.args.get("a", "")), ""
    except observatory.BadPeriod as bad:
        return None, str(bad)


def render_observatory(template: str, for_public: bool, **context):
    # reportlab draws the charts: loaded by the workers that show them, not by every worker.
    from ..documents.charts import chart_for, to_svg

    chosen, error = chosen_period()
    found = observatory.build(chosen, for_public=for_public) if chosen else None
    charts = {t.key: to_svg(chart) for t in found.tables if (chart := chart_for(found, t))} if found else {}
    return render_template(
        template, observatory=found, charts=charts, error=error, years=observatory.held_years(),
        asked={"de": request.args.get("de", "")[:20], "a": request.args.get("a", "")[:20]}, **context,
    ), 400 if error else 200


@blueprint.get("/observatoire")
@role_required("organiser")
def observatory_page():
    return render_observatory("organisers/observatory.html", for_public=False)


@blueprint.post("/observatoire.<file_format>")
@role_required("organiser")
def observatory_file(file_format: str):
    if file_format not in FILE_FORMATS:
        abort(404)
    chosen, error = chosen_period()
    if chosen is None:
        return render_observatory("organisers/observatory.html", for_public=False)
    job = jobs.start("observatory", {
        "first": chosen.first, "last": chosen.last, "format": file_format,
        "filename": f"observatoire-{chosen.first}-{chosen.last}.{file_format}",
    }, current_user.email, None)
    return redirect(job_pages.job_url(job), 303)
