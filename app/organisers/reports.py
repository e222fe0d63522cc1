"""The report (« bilan ») of one village or of several, on screen and as PDF or spreadsheet."""
import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ..extensions import db
from ..services import audit, report as report_service, villages as village_service
from . import blueprint
from .access import role_required
from .villages import village_or_404

OUTSIDERS = "diffusion"


def wanted_report(villages) -> report_service.Report:
    return report_service.build(villages, for_outsiders=request.args.get("version") == OUTSIDERS)


def render_report(report, download_args: dict, **context):
    # reportlab draws the charts: loaded by the workers that show a report, not by every worker.
    from ..documents.charts import chart_for, to_svg
    from ..documents.report import method_note

    charts = {table.key: to_svg(chart) for table in report.tables if (chart := chart_for(report, table))}
    return render_template(
        "organisers/report.html", report=report, charts=charts, method=method_note(report),
        communes_map=report_service.communes_map(report.villages),
        download_args=download_args, outsiders=OUTSIDERS, **context,
    )


def download(report, filename: str, file_format: str):
    from ..documents.report import REPORT_FORMATS

    document = REPORT_FORMATS.get(file_format) or abort(404)
    buffer = io.BytesIO()
    document.write(report, buffer)
    buffer.seek(0)
    for village in report.villages:
        audit.record(current_user.email, "report downloaded", village, format=file_format,
                     version=OUTSIDERS if report.for_outsiders else "interne")
    db.session.commit()
    suffix = "-diffusion" if report.for_outsiders else ""
    response = send_file(buffer, mimetype=document.mimetype, as_attachment=True,
                         download_name=f"bilan-{filename}{suffix}.{file_format}")
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/villages/<int:village_id>/bilan")
@role_required("organiser")
def village_report(village_id: int):
    village = village_or_404(village_id)
    return render_report(wanted_report([village]), {"village_id": village.id}, village=village,
                         download_endpoint="organisers.village_report_file")


@blueprint.get("/villages/<int:village_id>/bilan.<file_format>")
@role_required("organiser")
def village_report_file(village_id: int, file_format: str):
    village = village_or_404(village_id)
    return download(wanted_report([village]), village.slug, file_format)


def chosen_villages():
    """The villages ticked, or those of the year chosen; (villages, year, ids)."""
    ids = request.args.getlist("village", type=int)
    year = request.args.get("annee", type=int)
    if ids:
        found = [v for v in village_service.all_villages(include_archived=True) if v.id in ids]
        return sorted(found, key=lambda v: v.day), None, ids
    if year:
        return report_service.villages_of_year(year), year, []
    return [], None, []


@blueprint.get("/bilan")
@role_required("organiser")
def consolidated_report():
    villages, year, ids = chosen_villages()
    context = dict(all_villages=sorted(village_service.all_villages(include_archived=True), key=lambda v: v.day),
                   years=report_service.years(), year=year, chosen_ids=ids,
                   download_endpoint="organisers.consolidated_report_file")
    if not villages:
        return render_template("organisers/report_choice.html", **context,
                               empty=bool(ids or year))
    download_args = {"village": ids} if ids else {"annee": year}
    return render_report(wanted_report(villages), download_args, **context)


@blueprint.get("/bilan.<file_format>")
@role_required("organiser")
def consolidated_report_file(file_format: str):
    villages, year, _ = chosen_villages()
    if not villages:
        flash("Choisissez une année ou des villages avant de télécharger le bilan.", "warning")
        return redirect(url_for("organisers.consolidated_report"))
    return download(wanted_report(villages), str(year) if year else "villages", file_format)


@blueprint.app_template_global()
def report_url(endpoint: str, download_args: dict, **args) -> str:
    return url_for(endpoint, **download_args, **args)
