"""The scanner page and the organisers' page of scanner links."""
import base64

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from ..documents.qr import qr_png
from ..extensions import db
from ..models import OrganiserRole, Role, ScannerToken, Village, VillagePhase
from ..organisers.access import role_required
from ..services import scanner_links
from ..services.form_keys import new_send_key
from . import blueprint
from .access import remember_link, scanner_for

FRESH_LINK_KEY = "fresh_scanner_link"
INVALID_LINK = (
    "Ce lien d'accueil n'est pas ou plus valable (expiré ou révoqué). "
    "Demandez un nouveau lien à l'équipe organisatrice."
)


def village_or_404(slug: str) -> Village:
    return db.first_or_404(select(Village).where(Village.slug == slug))


def scanner_url(token: str) -> str:
    return f"{current_app.config['PUBLIC_URL']}{url_for('checkin.open_link', token=token)}"


def qr_data_uri(text: str) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(text)).decode()


def refuse(message: str):
    return render_template("error.html", code=401, message=message), 401


@blueprint.get("/scan/<token>")
def open_link(token: str):
    link = scanner_links.valid_link(token)
    if link is None:
        return refuse(INVALID_LINK)
    remember_link(link)
    return redirect(url_for("checkin.scanner", slug=link.village.slug))


@blueprint.get("/checkin/<slug>")
def scanner(slug: str):
    village = village_or_404(slug)
    token = request.args.get("token")
    if token is not None:
        link = scanner_links.valid_link(token)
        if link is None or link.village_id != village.id:
            return refuse(INVALID_LINK)
        remember_link(link)
        # Drop the token from the address bar and the browser history.
        return redirect(url_for("checkin.scanner", slug=slug))
    identity = scanner_for(village)
    if identity is None:
        if current_user.is_authenticated:
            abort(403)
        return refuse(
            "Pour accueillir les participants, ouvrez le lien d'accueil reçu de l'équipe "
            "organisatrice ou connectez-vous."
        )
    phase = village.phase()
    return render_template("checkin/scanner.html", village=village, scanner=identity, roles=list(Role),
                           is_village_day=phase is VillagePhase.DAY, phase_is_after=phase is VillagePhase.AFTER)


@blueprint.route("/checkin/<slug>/liens", methods=["GET", "POST"])
@role_required(OrganiserRole.ORGANISER)
def links(slug: str):
    village = village_or_404(slug)
    if request.method == "POST":
        try:
            _, token = scanner_links.create(village, request.form.get("label", ""), current_user.email,
                                            send_key=request.form.get("send_key"))
        except scanner_links.LinkRefused as refused:
            flash(str(refused), "error")
            return redirect(url_for("checkin.links", slug=slug))
        db.session.commit()
        # Shown once, after the redirect: only its hash is stored.
        session[FRESH_LINK_KEY] = {"village": slug, "token": token}
        return redirect(url_for("checkin.links", slug=slug))
    fresh = session.pop(FRESH_LINK_KEY, None)
    fresh_url = scanner_url(fresh["token"]) if fresh and fresh["village"] == slug else None
    return render_template(
        "checkin/links.html",
        village=village,
        links=scanner_links.links_of(village),
        fresh_url=fresh_url,
        fresh_qr=qr_data_uri(fresh_url) if fresh_url else None,
        send_key=new_send_key(),
    )


@blueprint.post("/checkin/<slug>/liens/<id:link_id>/revoquer")
@role_required(OrganiserRole.ORGANISER)
def revoke_link(slug: str, link_id: int):
    village = village_or_404(slug)
    link = db.session.get(ScannerToken, link_id)
    if link is None or link.village_id != village.id:
        abort(404)
    scanner_links.revoke(link, current_user.email)
    db.session.commit()
    flash(f"Le lien « {link.label} » est révoqué : il ne permet plus de scanner.", "success")
    return redirect(url_for("checkin.links", slug=slug))
