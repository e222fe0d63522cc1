"""The demo: Manosque, the village held three weeks ago, has its porteurs' first follow-up due,
so that `flask --app wsgi followup send --village manosque --now` e-mails them."""
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import Registration, Role, Village
from app.demo import data as demo_data, matching as demo_matching, past as demo_past
from app.services import followup, followup_asks


def load_demo() -> Village:
    for load in (demo_data.load, demo_data.load_initiatives, demo_matching.load):
        load()
    demo_past.load(today=date.today())
    return db.session.scalar(select(Village).where(Village.slug == demo_past.SLUG))


def test_manosque_porteurs_get_their_first_follow_up_by_the_command(app, smtp_server):
    village = load_demo()
    porteurs = list(db.session.scalars(select(Registration).where(Registration.village_id == village.id,
                                                                  Registration.role == Role.PORTEUR)))
    assert all(followup.threads_of_porteur(p) for p in porteurs)
    result = app.test_cli_runner().invoke(args=["followup", "send", "--village", "manosque", "--now"])
    assert result.exit_code == 0, result.output
    assert "relance 1 (1 mois après)" in result.output
    for porteur in porteurs:  # (the demo's other villages send their confirmations too)
        asked = [m for m in smtp_server.to(porteur.email) if "Où en sont vos besoins d'appui ?" in m["Subject"]]
        assert len(asked) == 1 and village.name in asked[0]["Subject"]


def test_the_nightly_run_finds_manosque_first_follow_up_due(app):
    village = load_demo()
    (sent,) = [s for s in followup_asks.send_due()
               if s.village.id == village.id]
    assert sent.round is not None and sent.round.number == 1 and sent.porteurs == demo_past.PRESENTED_AGAIN
