"""Organisers write to part of a village's participants: chosen by filters, previewed with a real
participant's values, sent through the outbox, kept and audited, news only to those who agreed."""
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, ParticipantMessage, Role
from app.services import outbox, participant_messages as messages
from tests.factories_report import held_village

BODY = "Merci d'être venu·e, {prénom} ! Le compte rendu de la journée sera bientôt en ligne."


def message_form(**fields) -> dict:
    values = {"status": "confirmed", "presence": "", "need": "", "lunch": "", "purpose": "service",
              "subject": "Merci pour le {village}", "body": BODY}
    values.update(fields)
    return values


def test_a_message_to_the_present_porteurs_arrives(organiser_client, smtp_server):
    village = held_village()
    response = organiser_client.post(f"/organisation/villages/{village.id}/messages", data=message_form(
        roles=[Role.PORTEUR.value], presence="present", action="envoyer"))
    assert response.status_code == 302
    outbox.deliver_due()
    received = smtp_server.wait_for(4)
    # Porteurs 0, 1, 2 and the walk-in 4 came; porteur 3 did not.
    assert sorted(m["To"].addresses[0].username for m in received) == [
        "personne0." + village.slug, "personne1." + village.slug, "personne2." + village.slug,
        "personne4." + village.slug]
    first = smtp_server.to(f"personne0.{village.slug}@example.org")[0]
    assert first["Subject"] == f"Merci pour le {village.name} – {village.name}"
    assert "Merci d'être venu·e, Prénom0 !" in first.get_body(("plain",)).get_content()


def test_the_preview_shows_a_real_participant_and_the_number_of_recipients(organiser_client):
    village = held_village()
    html = organiser_client.post(f"/organisation/villages/{village.id}/messages", data=message_form(
        roles=[Role.PORTEUR.value], presence="present", action="apercu")).get_data(as_text=True)
    assert "<strong>4</strong> destinataire(s)" in html
    assert "Merci d&#39;être venu·e, Prénom0 !" in html
    assert "Envoyer à 4 personne(s)" in html
    assert db.session.scalar(select(ParticipantMessage)) is None  # nothing sent by a preview


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
    organiser_client.post(f"/organisation/villages/{village.id}/messages", data=message_form(
        purpose="news", action="envoyer"))
    kept = db.session.scalar(select(ParticipantMessage))
    assert (kept.recipient_count, kept.purpose, kept.sent_by) == (5, "news", organiser_client.organiser.email)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "message.sent"))
    assert entry.details["recipients"] == 5 and entry.village_id == village.id
    html = organiser_client.get(f"/organisation/villages/{village.id}/messages").get_data(as_text=True)
    assert "« Merci pour le {village} » à 5 personne(s)" in html


def test_nobody_matching_is_said_plainly(organiser_client):
    village = held_village()
    response = organiser_client.post(f"/organisation/villages/{village.id}/messages", data=message_form(
        need="evaluation", action="envoyer"), follow_redirects=True)
    assert "Aucun participant ne correspond à ces critères" in response.get_data(as_text=True)
    assert db.session.scalar(select(ParticipantMessage)) is None


def test_a_message_without_subject_is_refused_next_to_the_field(organiser_client):
    village = held_village()
    response = organiser_client.post(f"/organisation/villages/{village.id}/messages",
                                     data=message_form(subject="", action="envoyer"))
    assert response.status_code == 422
    assert "Ce champ est obligatoire." in response.get_data(as_text=True)


def test_the_certificate_can_be_sent_to_those_who_came(organiser_client, smtp_server):
    village = held_village()
    organiser_client.post(f"/organisation/villages/{village.id}/messages", data=message_form(
        roles=[Role.INSTITUTIONNEL.value], with_certificate="y", action="envoyer"))
    outbox.deliver_due()
    received = smtp_server.wait_for(2)
    assert len(received) == 2  # the absent institutionnel gets nothing
    attachment = next(received[0].iter_attachments())
    assert attachment.get_filename() == "attestation-de-presence.pdf"
    assert attachment.get_content().startswith(b"%PDF")
