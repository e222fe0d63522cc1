"""The report (« bilan ») of one village or of several, on screen and as PDF or spreadsheet."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import routing
from ..models import OrganiserRole
from ..runtime import jobs
from ..services import report as report_service, villages as village_service
from . import blueprint, jobs as job_pages
from .access import role_required
from .villages import village_or_404

OUTSIDERS = "diffusion"


def wanted_report(villages) -> report_service.Report:
    return report_service.build(villages, for_outsiders=request.args.get("version") == OUTSIDERS)


def render_report(report, download_args: dict, **context):
    # reportlab draws the charts: loaded by the workers that show a report, not by every worker.
    from ..documents.charts import chart_for, to_svg
    from ..documents.report import method_note

    charts = {table.key: to_svg(chart) for table in report.tables if (chart := chart_for(table))}
    return render_template(
        "organisers/report.html", report=report, charts=charts, method=method_note(report),
        download_args=download_args, outsiders=OUTSIDERS, **context,
    )


def download(villages, name: str, file_format: str, village=None, choice: dict | None = None):
    """Start preparing the report document as a background job; the organiser follows it on the
    job's page, and its download is audited there (app/organisers/jobs.py)."""
    if file_format not in report_service.FILE_FORMATS:
        abort(404)
    for_outsiders = request.args.get("version") == OUTSIDERS
    suffix = "-diffusion" if for_outsiders else ""
    job = jobs.start("report", {
        "villages": [v.id for v in villages], "for_outsiders": for_outsiders, "format": file_format,
        "version": OUTSIDERS if for_outsiders else "interne", "filename": f"bilan-{name}{suffix}.{file_format}",
        "choice": choice or {},  # how the consolidated report was chosen: its link back
    }, current_user.email, village)
    return redirect(job_pages.job_url(job), 303)


@blueprint.get("/villages/<id:village_id>/bilan")
@role_required(OrganiserRole.ORGANISER)
def village_report(village_id: int):
    village = village_or_404(village_id)
    return render_report(wanted_report([village]), {"village_id": village.id}, village=village,
                         download_endpoint="organisers.village_report_file")


@blueprint.post("/villages/<id:village_id>/bilan.<file_format>")
@role_required(OrganiserRole.ORGANISER)
def village_report_file(village_id: int, file_format: str):
    village = village_or_404(village_id)
    return download([village], village.slug, file_format, village=village)


def chosen_villages():
    """The villages ticked, or those of the year chosen; (villages, year, ids)."""
    ids = request.args.getlist("village", type=routing.database_id)
    year = request.args.get("annee", type=routing.year)
    if ids:
        found = [v for v in village_service.all_villages(include_archived=True) if v.id in ids]
        return sorted(found, key=lambda v: v.day), None, ids
    if year:
        return report_service.villages_of_year(year), year, []
    return [], None, []


@blueprint.get("/bilan")
@role_required(OrganiserRole.ORGANISER)
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


@blueprint.post("/bilan.<file_format>")
@role_required(OrganiserRole.ORGANISER)
def consolidated_report_file(file_format: str):
    villages, year, ids = chosen_villages()
    if not villages:
        flash("Choisissez une année ou des villages avant de télécharger le bilan.", "warning")
        return redirect(url_for("organisers.consolidated_report"))
    return download(villages, str(year) if year else "villages", file_format,
                    choice={"village": ids} if ids else {"annee": year})


@blueprint.app_template_global()
def report_url(endpoint: str, download_args: dict, **args) -> str:
    return url_for(endpoint, **download_args, **args)
