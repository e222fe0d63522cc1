"""Asking after the day: each past village's porteurs, and the institutions and élus who met
them, are e-mailed on the village's schedule (1, 3 and 6 months), at most once per step."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import FollowupAsk, OutboxMessage
from app.services import followup, followup_asks, privacy
from tests.factories import make_village
from tests.factories_followup import days_after, followed_village, person, thread_of
from tests.fixtures_maildocs import html_body, text_body

pytestmark = pytest.mark.usefixtures("app")
PORTEURS = 5  # held_village's porteurs, each with needs
PARTNERS = 1  # the institution that met the first porteur


def asked(village) -> list[tuple[str, str]]:
    return sorted(db.session.execute(
        select(OutboxMessage.recipient, OutboxMessage.kind).where(OutboxMessage.kind == "followup")).all())


def test_nothing_is_asked_before_the_first_step_is_due():
    village = followed_village(days_ago=20)
    (sent,) = followup_asks.send_due(days_after(village, 20))
    assert sent.round is None and "prochaine relance le" in sent.summary
    assert asked(village) == []


def test_at_one_month_porteurs_and_the_partners_who_met_them_are_e_mailed(deliver):
    village = followed_village(days_ago=40)
    (sent,) = followup_asks.send_due(days_after(village, 32))
    assert (sent.round.number, sent.porteurs, sent.partners) == (1, PORTEURS, PARTNERS)
    messages = deliver()
    assert len(messages) == PORTEURS + PARTNERS
    epicerie = next(m for m in messages if person(village, 0).email in m["To"])
    assert epicerie["Subject"] == f"Où en sont vos besoins d'appui ? – {village.name}"
    body = text_body(epicerie).replace("\xa0", " ")
    assert f"/inscription/{person(village, 0).manage_token}/suivi" in body
    assert f"/inscription/{person(village, 0).manage_token}/suivi/desinscription" in body
    assert "Financement : orienté (vers" in body and "Locaux, matériel : exprimé" in body
    caf = next(m for m in messages if person(village, 5).email in m["To"])
    assert caf["Subject"].startswith("Avez-vous pu appuyer les initiatives rencontrées ?")
    assert "Épicerie solidaire du Buëch" in html_body(caf)


def test_a_second_run_sends_nobody_the_same_step_twice():
    village = followed_village(days_ago=40)
    followup_asks.send_due(days_after(village, 32))
    (again,) = followup_asks.send_due(days_after(village, 33))
    assert again.round is None
    assert len(asked(village)) == PORTEURS + PARTNERS
    assert db.session.scalar(select(func.count()).select_from(FollowupAsk)) == PORTEURS + PARTNERS


def test_the_next_step_follows_at_three_months():
    village = followed_village(days_ago=100)
    followup_asks.send_due(days_after(village, 32))
    (sent,) = followup_asks.send_due(days_after(village, 93))
    assert (sent.round.number, sent.round.months_after) == (2, 3)
    assert len(asked(village)) == 2 * (PORTEURS + PARTNERS)


def test_now_sends_the_next_step_at_once_and_says_when_all_have_gone():
    village = followed_village(days_ago=5)
    numbers = [followup_asks.send(village, at_once=True).round.number for _ in range(3)]
    db.session.commit()
    assert numbers == [1, 2, 3]
    assert followup_asks.send(village, at_once=True).summary.endswith("toutes les relances prévues sont parties.")


def test_nothing_is_asked_before_the_village_has_taken_place():
    village = make_village()
    sent = followup_asks.send(village, at_once=True)
    assert sent.round is None and "pas encore eu lieu" in sent.reason


def test_a_person_whose_needs_are_all_closed_is_not_asked():
    village = followed_village(days_ago=40)
    repair_cafe = person(village, 2)
    followup.answer(repair_cafe, thread_of(repair_cafe, "communication").id, followup.Given("obtenu", None))
    db.session.commit()
    followup_asks.send_due(days_after(village, 32))
    assert repair_cafe.email not in [recipient for recipient, _ in asked(village)]
    assert len(asked(village)) == PORTEURS + PARTNERS - 1


def test_nobody_is_asked_after_opting_out_or_being_erased():
    village = followed_village(days_ago=40)
    followup.opt_out(person(village, 1))
    erased_email = person(village, 2).email
    privacy.erase(person(village, 2), actor="participant")
    db.session.commit()
    followup_asks.send_due(days_after(village, 32))
    recipients = [recipient for recipient, _ in asked(village)]
    assert len(recipients) == PORTEURS + PARTNERS - 2
    assert person(village, 1).email not in recipients and erased_email not in recipients


def test_a_village_schedule_can_be_changed_before_its_steps_are_sent():
    village = followed_village(days_ago=40)
    followup_asks.set_schedule(village, [2, 12])
    db.session.commit()
    assert [(r.number, r.months_after) for r in followup_asks.schedule(village)] == [(1, 2), (2, 12)]
    with pytest.raises(followup.Refused, match="entre 1 et 36 mois"):
        followup_asks.set_schedule(village, [0])


def test_the_command_sends_one_village_at_once_and_the_e_mails_leave(app, smtp_server):
    village = followed_village(days_ago=10)
    result = app.test_cli_runner().invoke(args=["followup", "send", "--village", village.slug, "--now"])
    assert result.exit_code == 0, result.output
    assert "relance 1 (1 mois après)" in result.output and f"E-mails envoyés : {PORTEURS + PARTNERS}" in result.output
    assert len(smtp_server.messages) == PORTEURS + PARTNERS


def test_the_command_refuses_an_unknown_village(app):
    result = app.test_cli_runner().invoke(args=["followup", "send", "--village", "nulle-part", "--now"])
    assert result.exit_code != 0 and "Aucun village « nulle-part »" in result.output

