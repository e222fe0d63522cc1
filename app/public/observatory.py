"""The observatory for the network's funders and the public: aggregated figures only, small
counts hidden, and the same figures as open data (CSV)."""
import io

from flask import Response

from ..errors import error_response
from ..observatory_page import chosen_period, render
from ..services import observatory
from . import blueprint


@blueprint.get("/observatoire")
def observatory_page():
    return render("public/observatory.html", for_public=True)


@blueprint.get("/observatoire.csv")
def observatory_csv():
    from ..documents.observatory import write_csv

    chosen, error = chosen_period()
    if error:
        return error_response(400, error)
    if chosen is None:
        return error_response(404, observatory.NOTHING_YET)
    buffer = io.BytesIO()
    write_csv(observatory.build(chosen, for_public=True), buffer)
    response = Response(buffer.getvalue(), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="observatoire-{chosen.first}-{chosen.last}.csv"')
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
