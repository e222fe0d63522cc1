"""Organisers write to part of a village's participants: chosen by filters, previewed with a real
participant's values, sent through the outbox, kept and audited, news only to those who agreed."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, OutboxMessage, ParticipantMessage, Role
from app.runtime import job_kinds, outbox
from app.services import form_keys, participant_messages as messages
from tests.factories import make_registration, make_village
from tests.factories_report import held_village
from tests.fixtures_jobs import finished_job
from tests.helpers import page_text

BODY = "Merci d'être venu·e, {prénom} ! Le compte rendu de la journée sera bientôt en ligne."


def message_form(**fields) -> dict:
    values = {"status": "confirmed", "presence": "", "need": "", "lunch": "", "purpose": "service",
              "subject": "Merci pour le {village}", "body": BODY, "send_key": form_keys.new_send_key()}
    values.update(fields)
    return values


def test_a_message_to_the_present_porteurs_arrives(organiser_client, smtp_server):
    village = held_village()
    started = organiser_client.post(f"/organisation/villages/{village.id}/messages", data=message_form(
        roles=[Role.PORTEUR.value], presence="present", action="envoyer"))
    state = finished_job(organiser_client, started)
    assert state["summary"] == "Message envoyé à 4 personnes : il part dans les minutes qui viennent."
    outbox.deliver_due()
    received = smtp_server.wait_for(4)
    # Porteurs 0, 1, 2 and the walk-in 4 came; porteur 3 did not.
    assert sorted(m["To"].addresses[0].username for m in received) == [
        "personne0." + village.slug, "personne1." + village.slug, "personne2." + village.slug,
        "personne4." + village.slug]
    first = smtp_server.to(f"personne0.{village.slug}@example.org")[0]
    assert first["Subject"] == f"Merci pour le {village.name}"
    assert "Merci d'être venu·e, Prénom0\u00a0!" in first.get_body(("plain",)).get_content()


def test_the_preview_shows_a_real_participant_and_the_number_of_recipients(organiser_client):
    village = held_village()
    html = organiser_client.post(f"/organisation/villages/{village.id}/messages", data=message_form(
        roles=[Role.PORTEUR.value], presence="present", action="apercu")).get_data(as_text=True)
    assert "<strong>4</strong> destinataires." in html
    assert "Merci d&#39;être venu·e, Prénom0\u00a0!" in html
    assert "Envoyer à 4\u00a0personnes" in html
    assert db.session.scalar(select(ParticipantMessage)) is None  # nothing sent by a preview


@pytest.mark.parametrize("civility, read", [
    ("madame", "Merci d'être venue"), ("monsieur", "Merci d'être venu"), (None, "Merci d'être venu ou venue"),
])
def test_a_word_written_in_both_forms_reads_as_each_person_asked(app, civility, read):
    person = make_registration(make_village(), civility=civility)
    assert messages.personalised("Merci d'être {venu/venue}", person) == read


def test_the_preview_shows_the_subject_and_the_greeting_as_the_e_mail_has_them(organiser_client):
    village = held_village()
    text = page_text(organiser_client.post(f"/organisation/villages/{village.id}/messages", data=message_form(
        roles=[Role.PORTEUR.value], presence="present", action="apercu", body="Bonjour {prénom},\n\n" + BODY)))
    assert "Aperçu avec les informations de Prénom0 Nom0" in text
    # The subject already names the village, the message already greets: neither is said twice.
    assert f"Objet : Merci pour le {village.name} Bonjour Prénom0, Merci d'être venu·e, Prénom0 !" in text


def test_news_go_only_to_those_who_agreed(app):
    village = held_village()
    chosen = messages.recipients(village, messages.Audience(purpose="news"))
    assert [r.first_name for r in chosen] == ["Prénom0", "Prénom2", "Prénom3", "Prénom5", "Prénom8"]
    assert all(r.consent_news for r in chosen)


def test_filters_by_support_need_lunch_and_absence(app):
    village = held_village()
    assert [r.first_name for r in messages.recipients(village, messages.Audience(need="financement"))] == [
        "Prénom0", "Prénom1", "Prénom3"]
    assert [r.first_name for r in messages.recipients(village, messages.Audience(presence="absent"))] == [
        "Prénom3", "Prénom7"]
    lunch = messages.recipients(village, messages.Audience(lunch="oui", roles=[Role.INSTITUTIONNEL.value]))
    assert [r.first_name for r in lunch] == ["Prénom5", "Prénom6"]
    waiting = messages.recipients(village, messages.Audience(status="waitlisted"))
    assert [r.first_name for r in waiting] == ["Prénom9"]


def test_a_sent_message_is_kept_and_audited(organiser_client):
    village = held_village()
    finished_job(organiser_client, organiser_client.post(f"/organisation/villages/{village.id}/messages",
                                                         data=message_form(purpose="news", action="envoyer")))
    kept = db.session.scalar(select(ParticipantMessage))
    assert (kept.recipient_count, kept.purpose, kept.sent_by) == (5, "news", organiser_client.organiser.email)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "message.sent"))
    assert entry.details["recipients"] == 5 and entry.village_id == village.id
    html = organiser_client.get(f"/organisation/villages/{village.id}/messages").get_data(as_text=True)
    assert f"«\u00a0Merci pour le {village.name}\u00a0» à 5\u00a0personnes" in html


def test_nobody_matching_is_said_plainly(organiser_client):
    village = held_village()
    response = organiser_client.post(f"/organisation/villages/{village.id}/messages", data=message_form(
        need="evaluation", action="envoyer"), follow_redirects=True)
    assert "Aucun participant ne correspond à ces critères" in response.get_data(as_text=True)
    assert db.session.scalar(select(ParticipantMessage)) is None


def test_sending_is_queued_in_the_background_and_nothing_leaves_before_the_job_runs(organiser_client):
    village = held_village()
    started = organiser_client.post(f"/organisation/villages/{village.id}/messages",
                                    data=message_form(action="envoyer"))
    assert started.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "organiser_message")) == 0
    assert "En attente" in page_text(organiser_client.get(started.headers["Location"]))

    state = finished_job(organiser_client, started)

    assert (state["status"], state["done"], state["total"], state["percent"]) == ("done", 10, 10, 100)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "organiser_message")) == 10
    text = page_text(organiser_client.get(started.headers["Location"]))
    assert "Message envoyé à 10 personnes" in text and "Retour aux messages" in text


def test_a_message_job_that_dies_midway_goes_on_after_those_already_queued(organiser_client, app, monkeypatch):
    village = held_village()
    monkeypatch.setattr(job_kinds, "MESSAGE_BATCH", 3)
    calls = []
    real_queue_to = messages.queue_to

    def dying_after_two_batches(registrations, *args, **kwargs):
        calls.append(len(registrations))
        if len(calls) == 3:
            raise RuntimeError("the worker's machine stops")
        real_queue_to(registrations, *args, **kwargs)

    monkeypatch.setattr(messages, "queue_to", dying_after_two_batches)
    started = organiser_client.post(f"/organisation/villages/{village.id}/messages",
                                    data=message_form(action="envoyer"))
    state = finished_job(organiser_client, started)
    assert (state["status"], state["done"], state["total"]) == ("failed", 6, 10)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "organiser_message")) == 6

    monkeypatch.setattr(messages, "queue_to", real_queue_to)
    state = finished_job(organiser_client, organiser_client.post(started.headers["Location"] + "/relancer"))

    assert (state["status"], state["done"], state["total"]) == ("done", 10, 10)
    recipients = db.session.scalars(select(OutboxMessage.recipient)
                                    .where(OutboxMessage.kind == "organiser_message")).all()
    assert len(recipients) == len(set(recipients)) == 10  # nobody twice
    assert db.session.scalar(select(ParticipantMessage.recipient_count)) == 10


def test_a_message_without_subject_is_refused_next_to_the_field(organiser_client):
    village = held_village()
    response = organiser_client.post(f"/organisation/villages/{village.id}/messages",
                                     data=message_form(subject="", action="envoyer"))
    assert response.status_code == 422
    assert "Ce champ est obligatoire." in response.get_data(as_text=True)


def test_the_certificate_can_be_sent_to_those_who_came(organiser_client, smtp_server):
    village = held_village()
    finished_job(organiser_client, organiser_client.post(f"/organisation/villages/{village.id}/messages", data=message_form(
        roles=[Role.INSTITUTIONNEL.value], with_certificate="y", action="envoyer")))
    outbox.deliver_due()
    received = smtp_server.wait_for(2)
    assert len(received) == 2  # the absent institutionnel gets nothing
    attachment = next(received[0].iter_attachments())
    assert attachment.get_filename() == "attestation-de-presence.pdf"
    assert attachment.get_content().startswith(b"%PDF")


def organiser_messages(kind: str = "organiser_message") -> list[str]:
    return db.session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.kind == kind)).all()


def test_the_same_message_form_posted_twice_is_sent_once_to_each_person(organiser_client):
    """A double click, a second tab, a retry after a lost answer: the form's key is the same."""
    village = held_village()
    form = message_form(action="envoyer")
    first = organiser_client.post(f"/organisation/villages/{village.id}/messages", data=form)
    second = organiser_client.post(f"/organisation/villages/{village.id}/messages", data=form)
    assert second.headers["Location"] == first.headers["Location"]  # the page of the same sending
    finished_job(organiser_client, second)
    recipients = organiser_messages()
    assert len(recipients) == len(set(recipients)) == 10
    assert db.session.scalar(select(func.count()).select_from(ParticipantMessage)) == 1


def test_two_forms_of_the_same_text_are_two_messages(organiser_client):
    """Sending a message again on purpose is a new form, with a new key."""
    village = held_village()
    for _ in range(2):
        finished_job(organiser_client, organiser_client.post(f"/organisation/villages/{village.id}/messages",
                                                             data=message_form(action="envoyer")))
    assert len(organiser_messages()) == 20


def test_a_message_form_without_its_key_is_not_sent_and_gets_a_new_one(organiser_client):
    village = held_village()
    response = organiser_client.post(f"/organisation/villages/{village.id}/messages",
                                     data=message_form(action="envoyer", send_key=""))
    assert response.status_code == 422
    assert "Ce formulaire a expiré : relisez le message puis envoyez-le à nouveau." in page_text(response)
    assert 'name="send_key" type="hidden" value="' in response.get_data(as_text=True)
    assert organiser_messages() == []


def test_the_outbox_holds_one_email_of_a_message_per_person_whatever_queues_it(app):
    village = held_village()
    people = messages.chosen(village, messages.Audience())
    for _ in range(2):
        messages.queue_to(people, messages.Audience(), "Objet", "Texte", "cle-du-message")
        db.session.commit()
    assert len(organiser_messages()) == len(people)


def test_a_message_that_greets_is_not_greeted_twice_and_its_job_page_names_the_village(organiser_client, smtp_server):
    village = held_village()
    started = organiser_client.post(f"/organisation/villages/{village.id}/messages", data=message_form(
        roles=[Role.PORTEUR.value], presence="present", action="envoyer", body="Bonjour {prénom},\n\n" + BODY))
    job_page = page_text(organiser_client.get(started.headers["Location"]))
    finished_job(organiser_client, started)
    outbox.deliver_due()
    text = smtp_server.wait_for(4)[0].get_body(("plain",)).get_content()
    assert text.count("Bonjour") == 1
    assert f"Envoi du message « Merci pour le {village.name} »" in job_page and "{village}" not in job_page
