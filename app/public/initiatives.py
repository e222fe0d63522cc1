"""The initiatives' public pages (directory, map, one page each, open data) and the holder's own page."""
import json
from urllib.parse import quote_plus, urlencode

from flask import Response, abort, flash, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.http import is_resource_modified

from ..documents import initiatives_map
from ..errors import error_response
from ..extensions import db
from ..forms_initiative import HolderFicheForm, fiche_answers
from ..models import Village
from ..models import initiative_lists as lists
from ..services import directory, initiatives, publication
from ..services import villages as village_service
from ..templating import page_with_fragments, typeset
from . import blueprint
from .private_link import registration_or_404


def directory_query() -> directory.DirectoryQuery:
    args = request.args
    return directory.DirectoryQuery(
        village=args.get("village", ""), theme=args.get("theme", ""), public=args.get("public", ""),
        departement=args.get("departement", ""), besoin=args.get("besoin", ""), etat=args.get("etat", ""),
        text=args.get("q", "").strip(), page=args.get("page", 1, type=int) or 1, commune=args.get("commune", ""),
    )


def open_villages() -> list[Village]:
    return list(db.session.scalars(select(Village).where(Village.archived_at.is_(None)).order_by(Village.day)))


@blueprint.get("/initiatives")
def initiatives_directory():
    query = directory_query()
    villages = open_villages()
    try:
        query.check({v.slug for v in villages})
    except directory.BadFilter as bad:
        return error_response(400, str(bad))
    version = publication.current()
    departements = json.loads(publication.snapshot(
        "departements", version, lambda: json.dumps(directory.departements_shown()).encode()))
    if query.args(page=1) or query.page > KEPT_PAGES:
        results = directory_results(query, departements).encode()
    else:  # the same for everybody until the next moderation
        results = publication.snapshot(
            f"annuaire:{query.page}", version, lambda: directory_results(query, departements).encode())
    page = page_with_fragments(
        "public/initiatives.html", {"results": results}, query=query, lists=lists,
        village_options=[(v.slug, v.town) for v in villages],
        departement_options=[(code, code) for code in departements],
    )
    db.session.commit()  # what was built
    return page


# The directory's pages without filters kept per publication version (24 initiatives a page):
# any further page is built at each request, and nobody can fill the database with page numbers.
KEPT_PAGES = 200


def directory_results(query: directory.DirectoryQuery, departements: list[str]) -> Markup:
    found_map = initiatives_map.build_frames(directory.marks(query))
    return typeset(render_template("public/_directory_results.html", query=query, found=directory.search(query),
                                   map=found_map, mark_links=mark_links(found_map, query)))


def mark_links(found_map, query: directory.DirectoryQuery) -> dict[str, str]:
    """Each mark's link to the directory filtered on its commune, by its INSEE code (a word search
    for « Arras » also found Achicourt's initiatives); built as text: there are hundreds."""
    kept = urlencode(query.args(page=1, commune=""))
    base = url_for("public.initiatives_directory") + "?" + (f"{kept}&" if kept else "")
    return {placed.mark.commune_code: f"{base}commune={quote_plus(placed.mark.commune_code)}"
            for frame in found_map for placed in frame.marks}


@blueprint.get("/initiatives/<slug>")
def initiative_page(slug: str):
    initiative = initiatives.public_initiative(slug[:120])
    if initiative is None:
        abort(404)
    coming, past = village_service.coming_and_past(directory.villages_of([initiative.id]).get(initiative.id, []))
    return render_template(
        "public/initiative.html", initiative=initiative, version=initiative.published,
        coming_villages=coming, past_villages=past,
    )


@blueprint.get("/initiatives/export.json")
def initiatives_json():
    return open_data_response("data_inclusion_json", "application/json")


@blueprint.get("/initiatives/export.geojson")
def initiatives_geojson():
    return open_data_response("geojson", "application/geo+json")


@blueprint.get("/initiatives/export.csv")
def initiatives_csv():
    response = open_data_response("csv_for_excel", "text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="initiatives.csv"'
    return response


def open_data_response(writer: str, mimetype: str) -> Response:
    """Built once per change of what is published; a client or proxy that has it already is
    told so (304) for the price of reading the publication version. Never served without asking
    (no-cache): a withdrawn initiative must not linger in a cache."""
    version = publication.current()
    response = Response(mimetype=mimetype)
    response.set_etag(version.etag)
    response.last_modified = version.changed_at
    response.headers["Cache-Control"] = "public, no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"
    if not is_resource_modified(request.environ, etag=version.etag, last_modified=version.changed_at):
        response.status_code = 304
        return response
    response.set_data(publication.snapshot(f"open-data:{writer}", version, lambda: _open_data(writer)))
    db.session.commit()
    return response


def _open_data(writer: str) -> bytes:
    # The data·inclusion models (pydantic) are loaded by the workers that build the open data.
    from ..documents import open_data

    return getattr(open_data, writer)(directory.public_versions())


@blueprint.route("/inscription/<token>/initiative", methods=["GET", "POST"])
def holder_initiative(token: str):
    """The holder edits the whole fiche and chooses who may see it, from their private link."""
    registration = registration_or_404(token)
    initiative = registration.initiative
    if initiative is None:
        abort(404)
    answers = {**fiche_answers(initiative.current), "visibility": initiative.visibility,
               "show_holder_contact": initiative.show_holder_contact}
    form = HolderFicheForm(data=answers)
    if form.validate_on_submit():
        try:
            changed = initiatives.edit(initiative, form.fiche(), actor="participant")
        except initiatives.FicheError as wrong:
            form.initiative_name.errors.append(str(wrong))
        else:
            visibility = form.visibility.data or None
            consent_changed = (visibility, bool(form.show_holder_contact.data)) != (
                initiative.visibility, initiative.show_holder_contact)
            if consent_changed:
                initiatives.record_consent(initiative, visibility, bool(form.show_holder_contact.data),
                                           actor="participant")
            db.session.commit()
            flash(_saved_message(initiative, bool(changed), consent_changed), "success")
            return redirect(url_for("public.registration", token=token))
    return render_template("public/holder_initiative.html", registration=registration, village=registration.village,
                           initiative=initiative, form=form), 422 if form.errors else 200


@blueprint.post("/inscription/<token>/initiative/retirer")
def withdraw_initiative(token: str):
    registration = registration_or_404(token)
    if registration.initiative is None:
        abort(404)
    initiatives.withdraw_consent(registration.initiative, actor="participant")
    db.session.commit()
    flash("Votre initiative n'est plus montrée nulle part : seuls les organisateurs la voient.", "success")
    return redirect(url_for("public.registration", token=token))


def _saved_message(initiative, fiche_changed: bool, consent_changed: bool) -> str:
    if not fiche_changed and not consent_changed:
        return "Aucune modification à enregistrer."
    if fiche_changed and initiative.published_number is not None:
        return ("Vos modifications sont enregistrées. La fiche publiée reste celle d'avant "
                "jusqu'à ce que les organisateurs les valident.")
    return "Vos modifications sont enregistrées."
