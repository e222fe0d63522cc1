"""Suggestions, meeting requests and answers, as participants see them on their private page."""
import pytest
from sqlalchemy import func, select

from app.documents import mail as mail_document
from app.extensions import db
from app.models import MatchingProfile, MeetingRequest, OutboxMessage, Role
from app.services import meeting_requests, suggestions
from tests.factories import make_registration, make_village
from tests.factories_matching import make_area, make_institution, make_porteur
from tests.helpers import page_text


@pytest.fixture
def village(app):
    village = make_village(town="Avignon")
    make_area(village)
    return village


def ask(client, requester, recipient, intent="appui", message="Bonjour, je porte un café des parents."):
    return client.post(f"/inscription/{requester.manage_token}/rendez-vous/demander/{meeting_requests.recipient_key(recipient)}",
                       data={"intent": intent, "message": message})


def counts():
    return db.session.scalar(select(func.count()).select_from(MeetingRequest)), \
        db.session.scalar(select(func.count()).select_from(OutboxMessage))


def test_a_porteur_needing_funding_sees_the_institution_that_funds_their_thematique_with_the_reason(client, village):
    caf = make_institution(village)
    porteur = make_porteur(village)
    text = page_text(client.get(f"/inscription/{porteur.manage_token}"))
    assert "CAF de Vaucluse" in text
    assert "Vous cherchez un financement, et CAF de Vaucluse propose une subvention sur le thème « Parentalité » (Vaucluse)." in text
    assert caf.email not in text  # no contact details before both accept


def test_the_institution_sees_the_porteur_who_needs_what_it_offers(village):
    caf = make_institution(village)
    make_porteur(village)
    [first] = suggestions.for_person(caf)
    assert first.reason.startswith("Centre social La Fourmilière cherche un financement pour « Café des parents », et c'est ce que vous proposez.")


def test_someone_who_asked_me_or_meets_me_already_is_no_longer_suggested(village):
    from app.services import meeting_requests

    caf = make_institution(village)
    porteur = make_porteur(village)
    assert [s.person for s in suggestions.for_person(caf)] == [porteur]
    request = meeting_requests.ask(porteur, caf, "appui", "")
    db.session.commit()
    assert suggestions.for_person(caf) == []  # in its « Demandes reçues », not suggested again
    meeting_requests.accept(request, caf)
    db.session.commit()
    assert suggestions.for_person(caf) == [] and suggestions.for_person(porteur) == []


def test_similar_texts_alone_make_a_suggestion_that_names_the_shared_words(village):
    me = make_registration(village, role=Role.HABITANT, consent_listing=True, organisation="Conseil citoyen")
    me.matching_profile = MatchingProfile(comes_for="Je cherche des jardins partagés pour les habitants âgés")
    other = make_registration(village, role=Role.HABITANT, consent_listing=True, organisation="Amicale")
    other.matching_profile = MatchingProfile(comes_for="Nous animons un jardin partagé avec des Habitants")
    db.session.commit()
    [found] = suggestions.for_person(me)
    assert found.person == other
    assert found.reason.startswith("Vos présentations parlent des mêmes choses (")
    assert "jardin" in found.reason


def test_people_who_refused_requests_or_the_list_of_participants_are_not_suggested(village):
    caf = make_institution(village)
    make_institution(village, consent_listing=False, email="hidden@example.org")
    porteur = make_porteur(village)
    caf.matching_profile = MatchingProfile(accepts_requests=False)
    db.session.commit()
    assert suggestions.for_person(porteur) == []


def test_a_request_reaches_the_other_person_by_email_and_their_answer_gives_both_contacts(client, village):
    caf = make_institution(village)
    porteur = make_porteur(village)
    assert ask(client, porteur, caf).status_code == 302
    [request] = db.session.scalars(select(MeetingRequest))
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == caf.email)).one()
    assert "Une demande de rendez-vous" in mail.subject
    received = page_text(client.get(f"/inscription/{caf.manage_token}"))
    assert f"{porteur.full_name} cherche un appui : « Bonjour, je porte un café des parents. »" in received
    assert "Je cherche un appui" not in received

    response = client.post(f"/inscription/{caf.manage_token}/rendez-vous/demandes/{request.id}/accepter")
    assert response.status_code == 302
    accepted = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == porteur.email,
                                                              OutboxMessage.kind == "meeting_accepted")).one()
    assert "acceptée" in accepted.subject
    assert caf.email.encode() in mail_document.render(accepted)
    assert porteur.email in page_text(client.get(f"/inscription/{caf.manage_token}"))


def test_a_declined_request_is_reported_to_the_person_who_asked(client, village):
    caf, porteur = make_institution(village), make_porteur(village)
    request = meeting_requests.ask(porteur, caf, "appui", "")
    db.session.commit()
    client.post(f"/inscription/{caf.manage_token}/rendez-vous/demandes/{request.id}/decliner")
    assert db.session.get(MeetingRequest, request.id).status == "declined"
    assert db.session.scalar(select(OutboxMessage.subject).where(
        OutboxMessage.recipient == porteur.email, OutboxMessage.kind == "meeting_declined")) \
        .startswith("Votre demande de rendez-vous")


def test_only_the_recipient_can_answer_a_request(client, village):
    caf, porteur = make_institution(village), make_porteur(village)
    request = meeting_requests.ask(porteur, caf, "appui", "")
    db.session.commit()
    client.post(f"/inscription/{porteur.manage_token}/rendez-vous/demandes/{request.id}/accepter",
                follow_redirects=True)
    assert db.session.get(MeetingRequest, request.id).status == "pending"


@pytest.mark.parametrize("case, message", [
    ("self", meeting_requests.NOT_ASKABLE),
    ("twice", "Vous avez déjà demandé un rendez-vous à cette personne."),
    ("reverse", "Cette personne vous a déjà demandé un rendez-vous : répondez à sa demande."),
    ("cap", "Cette personne a déjà reçu le nombre maximal de demandes (1)."),
    ("other_village", meeting_requests.NOT_ASKABLE),
    ("refused_contact", meeting_requests.NOT_ASKABLE),
    ("rule", "ne peuvent pas demander de rendez-vous aux institutionnels et institutionnelles"),
    ("closed", "Les demandes de rendez-vous sont closes"),
])
def test_a_request_breaking_a_rule_gets_a_french_message_and_writes_nothing(client, village, case, message):
    caf, porteur = make_institution(village), make_porteur(village)
    requester, recipient = porteur, caf
    settings = village.matching_settings
    if case == "self":
        recipient = porteur
    elif case == "twice":
        meeting_requests.ask(porteur, caf, "appui", "")
    elif case == "reverse":
        meeting_requests.ask(caf, porteur, "partage", "")
    elif case == "cap":
        settings.max_requests_received = 1
        meeting_requests.ask(make_porteur(village, email="autre@example.org"), caf, "appui", "")
    elif case == "other_village":
        recipient = make_institution(make_village(), email="ailleurs@example.org")
    elif case == "refused_contact":
        caf.matching_profile = MatchingProfile(accepts_requests=False)
    elif case == "rule":
        settings.ask_rules = {**settings.ask_rules, "porteur": ["porteur"]}
    elif case == "closed":
        from app.timeutil import utcnow
        settings.requests_closed_at = utcnow()
    db.session.commit()
    before = counts()
    response = ask(client, requester, recipient)
    assert response.status_code == 422
    assert message in page_text(response)
    assert counts() == before


def test_a_message_too_long_is_refused_next_to_the_field(client, village):
    caf, porteur = make_institution(village), make_porteur(village)
    before = counts()
    response = ask(client, porteur, caf, message="x" * 501)
    assert response.status_code == 422
    assert "500 caractères au maximum." in page_text(response)
    assert counts() == before


def test_an_institution_states_its_offers_from_its_private_link(client, village):
    elu = make_registration(village, role=Role.ELU, collectivity="Ville d'Avignon", consent_listing=True)
    response = client.post(f"/inscription/{elu.manage_token}/rendez-vous/preferences", data={
        "accepts_requests": "y", "comes_for": "", "available_from": "10:20", "available_until": "",
        "offers-0-category": "locaux", "offers-0-kind": "mise_a_disposition",
        "offers-0-thematiques": ["alimentation"], "offers-0-departements": "84, 13",
        "offers-0-details": "Salles municipales le soir",
    })
    assert response.status_code == 302
    [offer] = elu.support_offers
    assert (offer.category, offer.kind, offer.thematiques, offer.departements) == \
        ("locaux", "mise_a_disposition", ["alimentation"], ["84", "13"])
    assert str(elu.matching_profile.available_from) == "10:20:00"


def test_an_offer_without_its_kind_is_refused_next_to_the_field(client, village):
    elu = make_registration(village, role=Role.ELU)
    response = client.post(f"/inscription/{elu.manage_token}/rendez-vous/preferences", data={
        "offers-0-category": "locaux", "offers-0-departements": "Vaucluse"})
    assert response.status_code == 422
    text = page_text(response)
    assert "Indiquez sous quelle forme vous apportez cet appui." in text
    assert "Écrivez des numéros de département séparés par des virgules" in text
    assert elu.support_offers == []


def test_suggestions_are_emailed_once_some_days_before_the_village(village):
    from datetime import timedelta

    from app.timeutil import utcnow
    caf, porteur = make_institution(village), make_porteur(village)
    too_early = utcnow().replace(year=village.day.year, month=village.day.month, day=village.day.day) - timedelta(days=8)
    assert suggestions.send_due(too_early) == 0
    due = too_early + timedelta(days=2)
    assert suggestions.send_due(due) == 2
    db.session.commit()
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == porteur.email,
                                                          OutboxMessage.kind == "suggestions")).one()
    assert mail.subject.startswith("Des personnes à rencontrer")
    from email import message_from_bytes, policy
    body = message_from_bytes(mail_document.render(mail), policy=policy.default).get_body(("plain",)).get_content()
    assert "Vous cherchez un financement, et CAF de Vaucluse propose une subvention" in body.replace("\u00a0", " ")
    assert suggestions.send_due(due) == 0  # once only


def test_every_person_who_may_not_be_asked_gets_the_same_answer_and_no_mail(client, village):
    """Unknown, forged or sequential keys, oneself, another village's participant, someone off the
    list of participants or refusing requests: one page, word for word, and nobody is told."""
    porteur = make_porteur(village)
    hidden = make_institution(village, consent_listing=False, email="hidden@example.org")
    refusing = make_institution(village, email="refusing@example.org")
    refusing.matching_profile = MatchingProfile(accepts_requests=False)
    elsewhere = make_institution(make_village(), email="ailleurs@example.org")
    db.session.commit()
    before = counts()
    keys = {
        "inconnu": meeting_requests._signer().sign("999999").decode(),
        "id seul": str(hidden.id),
        "signature fausse": f"{hidden.id}.AAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "soi-même": meeting_requests.recipient_key(porteur),
        "hors liste": meeting_requests.recipient_key(hidden),
        "refuse les demandes": meeting_requests.recipient_key(refusing),
        "autre village": meeting_requests.recipient_key(elsewhere),
    }
    answers = {}
    for case, key in keys.items():
        response = client.post(f"/inscription/{porteur.manage_token}/rendez-vous/demander/{key}",
                               data={"intent": "appui", "message": "Bonjour"})
        answers[case] = (response.status_code, page_text(response))
    assert {status for status, _ in answers.values()} == {422}
    assert len({text for _, text in answers.values()}) == 1, "les refus diffèrent"
    assert meeting_requests.NOT_ASKABLE in answers["inconnu"][1]
    assert hidden.full_name not in answers["hors liste"][1]
    assert counts() == before == (0, before[1])


def test_the_people_to_ask_are_named_by_signed_keys_not_by_their_ids(client, village):
    caf, porteur = make_institution(village), make_porteur(village)
    html = client.get(f"/inscription/{porteur.manage_token}").get_data(as_text=True)
    assert f"/rendez-vous/demander/{meeting_requests.recipient_key(caf)}\"" in html
    assert f"/rendez-vous/demander/{caf.id}\"" not in html
