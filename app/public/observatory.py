"""The observatory for the network's funders and the public: aggregated figures only, small
counts hidden, and the same figures as open data (CSV)."""
import io

from flask import Response

from ..errors import error_response
from ..observatory_page import chosen_period, render
from ..documents.observatory_figures import Observatory
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
    # Before the first village, the file says what its columns are and holds no figure yet.
    found = observatory.build(chosen, for_public=True) if chosen else Observatory(None, [], [], [], True)
    buffer = io.BytesIO()
    write_csv(found, buffer)
    response = Response(buffer.getvalue(), mimetype="text/csv")
    name = f"observatoire-{chosen.first}-{chosen.last}.csv" if chosen else "observatoire.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
