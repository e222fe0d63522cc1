"""The organisers' « Suivi » page: threads by status across villages, filters, the threads with no
news, each porteur's timeline, a status set with a note (audited), « Relancer maintenant »."""
import html

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, OutboxMessage, ThreadStatus
from app.services import audit_log, followup
from tests.fixtures_jobs import finished_job
from tests.factories_followup import followed_village, person, thread_of

pytestmark = pytest.mark.usefixtures("app")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True)).replace("\xa0", " ")


def test_the_suivi_page_counts_threads_by_status(organiser_client):
    village = followed_village()
    page = text(organiser_client.get("/organisation/suivi"))
    assert "Suivi des besoins d'appui" in page
    # held_village: 8 needs over 5 initiatives, one oriented after a meeting.
    assert '<tfoot><tr><th scope="row">Total</th><td class="num">8</td>' in page
    assert "Épicerie solidaire du Buëch" in page and f"{village.town} {village.day.year}" in page


def test_filters_by_need_village_year_territory_and_partner(organiser_client):
    village = followed_village()
    other = followed_village(days_ago=400)
    assert "1 besoin<" in text(organiser_client.get("/organisation/suivi?besoin=communication&village="
                                                    f"{village.id}"))
    assert "1 besoin<" in text(organiser_client.get(f"/organisation/suivi?besoin=communication&annee={other.day.year}"))
    caf = person(village, 5).structure or person(village, 5).full_name
    page = text(organiser_client.get("/organisation/suivi", query_string={"partenaire": caf}))
    assert "1 besoin<" in page and "Financement" in page
    page = text(organiser_client.get("/organisation/suivi?territoire=05"))  # the Tiers-lieu, at Gap
    assert "Tiers-lieu rural" in page and "Épicerie" not in page


def test_the_threads_with_no_news(organiser_client):
    village = followed_village()
    epicerie = person(village, 0)
    followup.answer(epicerie, thread_of(epicerie, "locaux").id, followup.Given("pas_encore", None))
    db.session.commit()
    page = text(organiser_client.get("/organisation/suivi?sans_nouvelles=1"))
    assert "7 besoins sans nouvelles" in page


def test_unknown_filter_values_are_ignored_not_an_error(organiser_client):
    followed_village()
    response = organiser_client.get("/organisation/suivi?village=abc&annee=99999&besoin=rien&statut=x")
    assert response.status_code == 200
    assert "L'année 99999 n'est pas valable : toutes les années sont montrées." in text(response)


def test_an_organiser_sets_a_status_with_a_note_and_the_journal_says_it(organiser_client):
    village = followed_village()
    thread = thread_of(person(village, 2), "communication")
    response = organiser_client.post(f"/organisation/suivi/besoins/{thread.id}/statut",
                                     data={"status": "partiel", "note": "Un article dans La Provence."},
                                     follow_redirects=True)
    page = text(response)
    assert "« Communication, visibilité » est maintenant « Partiellement obtenu »." in page
    assert "Un article dans La Provence." in page  # in the timeline
    db.session.refresh(thread)
    assert thread.status == ThreadStatus.PARTLY_MET and thread.steps[-1].recorded_by == "organiser"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "followup.status_set"))
    (event,) = audit_log.events([entry])
    assert event.sentence.endswith("a passé le besoin « Communication, visibilité » de l'initiative "
                                   "« Repair café de Manosque » à « Partiellement obtenu » "
                                   "(note : « Un article dans La Provence. »).")


def test_an_unknown_status_is_refused_with_a_message(organiser_client):
    village = followed_village()
    thread = thread_of(person(village, 2), "communication")
    page = text(organiser_client.post(f"/organisation/suivi/besoins/{thread.id}/statut",
                                      data={"status": "fini"}, follow_redirects=True))
    assert "Choisissez un des statuts proposés." in page
    assert organiser_client.post("/organisation/suivi/besoins/999999/statut", data={}).status_code == 404


def test_the_timeline_follows_a_porteur_across_villages(organiser_client):
    first = followed_village(days_ago=400)
    later = followed_village(days_ago=40)
    initiative = person(later, 2).initiative
    page = text(organiser_client.get(f"/organisation/suivi/initiatives/{initiative.id}"))
    assert page.count("présentée au village de Sisteron") == 2
    assert page.index(f"{first.day.year}") < page.index(f"{later.day.year}")


def test_relancer_maintenant_sends_the_next_step_through_the_queue(organiser_client):
    village = followed_village(days_ago=10)
    page = text(organiser_client.get(f"/organisation/suivi?village={village.id}"))
    assert "Relance 1, 1 mois après le village" in page and "Relancer maintenant" in page
    state = finished_job(organiser_client, organiser_client.post(f"/organisation/villages/{village.id}/suivi/relancer"))
    assert "relance 1 (1 mois après)" in str(state), state
    assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.kind == "followup")) is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "followup.sent"))
    assert audit_log.events([entry])[0].sentence.endswith("a envoyé la relance 1 du village de Sisteron (6 e-mails).")


def test_the_schedule_of_a_village_is_set_in_months(organiser_client):
    village = followed_village(days_ago=10)
    organiser_client.get(f"/organisation/suivi?village={village.id}")
    page = text(organiser_client.post(f"/organisation/villages/{village.id}/suivi/calendrier",
                                      data={"months": "2, 4"}, follow_redirects=True))
    assert "Relance 2, 4 mois après le village" in page
    page = text(organiser_client.post(f"/organisation/villages/{village.id}/suivi/calendrier",
                                      data={"months": "bientôt"}, follow_redirects=True))
    assert "Indiquez des nombres de mois séparés par des virgules" in page
