"""After the village, from the private link: where the person's support needs stand, answered
in one tap per need (porteurs), or whether they could support the porteurs they met (partners);
and the one link to receive no more of these e-mails."""
from flask import flash, redirect, render_template, request, url_for

from .. import routing
from ..extensions import db
from ..services import followup
from . import blueprint
from .private_link import registration_or_404


@blueprint.app_template_global()
def followup_open(registration) -> bool:
    """Whether the private page links to the follow-up page: the person has threads to see."""
    return followup.has_threads(registration)


@blueprint.route("/inscription/<token>/suivi", methods=["GET", "POST"])
def followup_page(token: str):
    found = registration_or_404(token)
    if request.method == "POST":
        thread_id = request.form.get("thread", "")
        seen = request.form.get("seen", "")
        given = followup.Given(
            answer=request.form.get("answer", ""),
            seen_steps=int(seen) if seen.isdigit() and len(seen) < 6 else None,
            towards=request.form.get("towards", ""),
            note=request.form.get("note", ""),
            correcting=request.form.get("correcting") == "1",
        )
        try:
            if not (thread_id.isdigit() and int(thread_id) <= routing.LARGEST_ID):
                raise followup.Refused("Ce besoin ne fait pas partie de ceux que nous vous avons demandés : "
                                       "rien n'a été enregistré.")
            step = followup.answer(found, int(thread_id), given)
        except followup.Refused as refused:
            db.session.rollback()
            flash(str(refused), "warning")
            return redirect(url_for("public.followup_page", token=token), code=303)
        db.session.commit()
        said = followup.answers_for(found)[followup.Answer(step.answer)]
        flash(f"Merci ! « {step.thread.category_label} » : « {said} », c'est noté.", "success")
        return redirect(url_for("public.followup_page", token=token, _anchor=f"besoin-{step.thread_id}"), code=303)
    threads = followup.threads_for(found)
    return render_template("public/followup.html", registration=found, village=found.village,
                           threads=threads, answers=followup.answers_for(found),
                           as_partner=followup.is_partner(found),
                           opted_out=followup.has_opted_out(found))


@blueprint.route("/inscription/<token>/suivi/desinscription", methods=["GET", "POST"])
def followup_opt_out(token: str):
    found = registration_or_404(token)
    if request.method == "POST":
        followup.opt_out(found)
        db.session.commit()
        flash("C'est noté : vous ne recevrez plus de demandes de nouvelles après les villages.", "success")
        return redirect(url_for("public.followup_opt_out", token=token), code=303)
    return render_template("public/followup_opt_out.html", registration=found, village=found.village,
                           opted_out=followup.has_opted_out(found))
