"""From the private link, a porteur answers per open need in one tap, a partner says whether
they could support the porteurs they met; bad input gets a French message and writes nothing."""
import html

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import NeedThreadStep, ThreadStatus
from app.services import followup, followup_asks, privacy
from tests.factories_followup import days_after, followed_village, person, thread_of

pytestmark = pytest.mark.usefixtures("app")


def steps() -> int:
    return db.session.scalar(select(func.count()).select_from(NeedThreadStep))


class Page:
    """A response's text as a reader sees it (entities unescaped)."""

    def __init__(self, response):
        self.status_code = response.status_code
        self.text = html.unescape(response.get_data(as_text=True)).replace("\xa0", " ")


def get(client, url):
    return Page(client.get(url))


def post(client, url, **kwargs):
    return Page(client.post(url, follow_redirects=True, **kwargs))


def answer(client, registration, thread, value, **extra):
    return post(client, f"/inscription/{registration.manage_token}/suivi", data={
        "thread": thread.id, "seen": len(thread.steps), "answer": value, **extra})


def test_the_porteur_sees_each_open_need_with_four_answers(client):
    village = followed_village()
    epicerie = person(village, 0)
    page = get(client, f"/inscription/{epicerie.manage_token}/suivi").text
    assert "Où en sont vos besoins d'appui ?" in page and "Épicerie solidaire du Buëch" in page
    assert "Financement" in page and "Locaux, matériel" in page
    for label in ("Obtenu", "En cours", "Pas encore", "Plus besoin"):
        assert f">{label}</button>" in page
    assert "Ne plus recevoir ces demandes de nouvelles" in page


def test_the_private_page_leads_to_the_follow_up(client):
    village = followed_village()
    page = get(client, f"/inscription/{person(village, 0).manage_token}").text
    assert "Donner des nouvelles" in page


def test_obtenu_closes_the_need_with_whom_and_a_comment(client):
    village = followed_village()
    epicerie = person(village, 0)
    thread = thread_of(epicerie, "locaux")
    page = answer(client, epicerie, thread, "obtenu", towards="Mairie de Laragne", note="Un local prêté.")
    assert "« Locaux, matériel » : « Obtenu », c'est noté." in page.text
    db.session.refresh(thread)
    assert thread.status == ThreadStatus.MET and thread.oriented_to == "Mairie de Laragne"
    assert (thread.steps[-1].recorded_by, thread.steps[-1].note) == ("porteur", "Un local prêté.")


def test_pas_encore_keeps_the_status_and_counts_as_news(client):
    village = followed_village()
    epicerie = person(village, 0)
    thread = thread_of(epicerie, "financement")
    answer(client, epicerie, thread, "pas_encore")
    db.session.refresh(thread)
    assert thread.status == ThreadStatus.ORIENTED and thread.last_news_at is not None


def test_a_double_submit_writes_once_and_says_so(client):
    village = followed_village()
    epicerie = person(village, 0)
    thread = thread_of(epicerie, "locaux")
    seen = len(thread.steps)
    form = {"thread": thread.id, "seen": seen, "answer": "en_cours"}
    client.post(f"/inscription/{epicerie.manage_token}/suivi", data=form)
    before = steps()
    page = post(client, f"/inscription/{epicerie.manage_token}/suivi", data=form)
    assert "Cette réponse était déjà enregistrée : rien n'a été ajouté." in page.text
    assert steps() == before


def test_an_answer_on_a_closed_need_is_refused(client):
    village = followed_village()
    repair_cafe = person(village, 2)
    thread = thread_of(repair_cafe, "communication")
    answer(client, repair_cafe, thread, "plus_besoin")
    db.session.refresh(thread)
    before = steps()
    page = answer(client, repair_cafe, thread, "obtenu").text
    assert "Ce besoin est déjà clos (« Plus d'actualité ») : rien n'a été enregistré." in page
    assert steps() == before


def test_the_porteur_corrects_a_closed_need(client):
    village = followed_village()
    repair_cafe = person(village, 2)
    thread = thread_of(repair_cafe, "communication")
    answer(client, repair_cafe, thread, "plus_besoin")
    db.session.refresh(thread)
    answer(client, repair_cafe, thread, "obtenu", correcting="1")
    db.session.refresh(thread)
    assert thread.status == ThreadStatus.MET


def test_a_need_that_is_not_the_persons_is_refused(client):
    village = followed_village()
    other_thread = thread_of(person(village, 2), "communication")
    before = steps()
    page = answer(client, person(village, 0), other_thread, "obtenu").text
    assert "Ce besoin ne fait pas partie de ceux que nous vous avons demandés" in page
    page = post(client, f"/inscription/{person(village, 0).manage_token}/suivi",
                data={"thread": "abc", "answer": "obtenu"}).text
    assert "Ce besoin ne fait pas partie de ceux que nous vous avons demandés" in page
    assert steps() == before


def test_an_unknown_answer_is_refused(client):
    village = followed_village()
    epicerie = person(village, 0)
    page = answer(client, epicerie, thread_of(epicerie, "locaux"), "peut-etre").text
    assert "Choisissez une des réponses proposées." in page


def test_a_stale_or_erased_link_says_the_page_no_longer_exists(client):
    village = followed_village()
    epicerie = person(village, 0)
    token = epicerie.manage_token
    privacy.erase(epicerie, actor="participant")
    db.session.commit()
    for response in (get(client, f"/inscription/{token}/suivi"),
                     Page(client.post(f"/inscription/{token}/suivi", data={"thread": 1, "answer": "obtenu"})),
                     get(client, "/inscription/pas-un-lien/suivi")):
        assert response.status_code == 404
        assert "Cette page n'existe pas ou plus." in response.text


def test_a_partner_sees_only_the_needs_they_were_asked_about_and_answers_them(client):
    village = followed_village()
    caf, epicerie = person(village, 5), person(village, 0)
    assert "Aucun besoin d'appui à suivre" in get(client, f"/inscription/{caf.manage_token}/suivi").text
    followup_asks.send_due(days_after(village, 32))
    page = get(client, f"/inscription/{caf.manage_token}/suivi").text
    assert "Avez-vous pu appuyer les initiatives rencontrées ?" in page and "Épicerie solidaire du Buëch" in page
    assert "Repair café" not in page and ">Plus besoin</button>" not in page
    thread = thread_of(epicerie, "financement")
    answer(client, caf, thread, "obtenu")
    db.session.refresh(thread)
    assert thread.status == ThreadStatus.MET and thread.steps[-1].recorded_by == "partner"
    assert thread.partner_role == "institutionnel"
    # Another porteur's need, never asked of this partner.
    page = answer(client, caf, thread_of(person(village, 2), "communication"), "obtenu").text
    assert "ne fait pas partie de ceux que nous vous avons demandés" in page


def test_opting_out_from_the_link_in_the_e_mail(client):
    village = followed_village()
    epicerie = person(village, 0)
    page = get(client, f"/inscription/{epicerie.manage_token}/suivi/desinscription").text
    assert "Ne plus recevoir ces demandes" in page
    response = post(client, f"/inscription/{epicerie.manage_token}/suivi/desinscription")
    assert "vous ne recevrez plus de demandes de nouvelles" in response.text
    assert followup.has_opted_out(epicerie)
    client.post(f"/inscription/{epicerie.manage_token}/suivi/desinscription")  # twice: nothing breaks


def test_erasure_blanks_the_texts_and_keeps_the_counts():
    village = followed_village()
    epicerie = person(village, 0)
    thread = thread_of(epicerie, "financement")
    followup.answer(epicerie, thread.id, followup.Given("obtenu", None, towards="Caf 05", note="Merci Anne !"))
    db.session.commit()
    privacy.erase(epicerie, actor="participant")
    db.session.commit()
    db.session.refresh(thread)
    assert thread.status == ThreadStatus.MET and (thread.detail, thread.oriented_to) == ("", "")
    assert all(step.note == "" and step.oriented_to == "" for step in thread.steps)


def test_the_personal_data_export_holds_the_persons_threads():
    import json

    village = followed_village()
    epicerie = person(village, 0)
    followup.answer(epicerie, thread_of(epicerie, "locaux").id, followup.Given("obtenu", None, note="Un local."))
    db.session.commit()
    data = json.loads(json.dumps(privacy.personal_data(epicerie)))
    followed = {item["besoin"]: item for item in data["suivi_des_besoins"]}
    assert followed["Locaux, matériel"]["statut"] == "Obtenu"
    assert followed["Locaux, matériel"]["etapes"][-1]["note"] == "Un local."
