"""Every state-changing form and JSON call of the application, sent twice at the same instant (a
double click, two tabs, a retry): never a server error, and the same effect as sent once.

The calls are the POST routes of the URL map, each with a sample body from BODIES; a new POST
route without an entry there makes the first test fail, so that it is covered too. The effect is
what the database holds afterwards, counted table by table, against the same call sent once in
a fresh world. Through real concurrent HTTP requests (tests/test_security_races.py): on
PostgreSQL (TEST_DATABASE_URL) real row races.
"""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.timeutil import local_today
from tests.conftest import empty_all_tables
from tests.fixtures_backoffice import PASSWORD
from tests.test_authorisation_matrix import ADMIN, ANONYMOUS, CHECKIN, DECISIONS, ORGANISER, PARTICIPANT, World
from tests.test_initiatives_flow import PORTEUR_FORM
from tests.test_security_races import Call, at_once, live_session

JSON = "json"
# endpoint -> the body sent (a form, or (JSON, a JSON object)), given the world (World) it is sent in.
BODIES = {
    "checkin.api_check_in": lambda w: (JSON, {"code": w.registration.badge_code, "scan_id": "scan-double"}),
    "checkin.api_sync": lambda w: (JSON, {"events": [{"type": "check_in", "code": w.registration.badge_code,
                                                      "scan_id": "hors-ligne-1"}]}),
    "checkin.api_undo": lambda w: (JSON, {"code": w.registration.badge_code, "reason": "erreur"}),
    "checkin.api_walk_in": lambda w: (JSON, {"first_name": "Nadia", "last_name": "Benali", "role": "habitant",
                                             "commune": "Sisteron", "scan_id": "arrivee-double"}),
    "checkin.links": lambda w: {"label": "Entrée sud", "send_key": "cle-du-double-lien-1"},
    "checkin.revoke_link": lambda w: {},
    "organisers.account_edit": lambda w: {"name": "Autre", "role": "organiser", "active": "y"},
    "organisers.account_log_out_everywhere": lambda w: {},
    "organisers.account_new": lambda w: {"email": "nouveau@villages.test", "name": "Nouveau", "role": "organiser",
                                         "password": "un-mot-de-passe-long", "confirmation": "un-mot-de-passe-long"},
    "organisers.account_unlock": lambda w: {},
    "organisers.add_meeting": lambda w: {},
    "organisers.approve_initiative": lambda w: {},
    "organisers.build_schedule": lambda w: {},
    "organisers.consolidated_report_file": lambda w: {},
    "organisers.exceptional_entry": lambda w: {"reason": "Badge oublié, venue la veille pour installer"},
    "organisers.followup_schedule": lambda w: {"months": "1 3 6"},
    "organisers.followup_send_now": lambda w: {},
    "organisers.followup_set_status": lambda w: {"status": "obtenu", "note": "Subvention accordée"},
    "organisers.observatory_file": lambda w: {},
    "organisers.forgotten_password": lambda w: {"email": "organisateur@villages.test"},
    "organisers.initiative": lambda w: {},
    "organisers.login": lambda w: {"email": "organisateur@villages.test", "password": "pas-le-bon"},
    "organisers.logout": lambda w: {},
    "organisers.move_meeting": lambda w: {},
    "organisers.password_reset": lambda w: {"password": "un-tout-nouveau-mot", "confirmation": "un-tout-nouveau-mot"},
    "organisers.publish_schedule": lambda w: {},
    "organisers.refuse_initiative": lambda w: {"reason": "Merci de préciser le public."},
    "organisers.registration": lambda w: {},
    "organisers.registration_action": lambda w: {},
    "organisers.registration_erase": lambda w: {},
    "organisers.registration_role": lambda w: {"role": "elu"},
    "organisers.remove_meeting": lambda w: {},
    "organisers.retry_job": lambda w: {},
    "organisers.start_export": lambda w: {},
    "organisers.two_factor": lambda w: {"code": "000000"},
    "organisers.two_factor_off": lambda w: {"code": "000000"},
    "organisers.village_archive": lambda w: {},
    "organisers.village_duplicate": lambda w: {},
    "organisers.village_edit": lambda w: {},
    "organisers.village_meetings": lambda w: {},
    "organisers.village_messages": lambda w: {"status": "confirmed", "purpose": "service", "subject": "Bonjour",
                                              "body": "À bientôt", "send_key": "cle-du-double-envoi-1",
                                              "action": "envoyer"},
    "organisers.village_new": lambda w: {},
    "organisers.village_report_file": lambda w: {},
    "organisers.village_survey": lambda w: {"ratings": "Accueil ?", "open_questions": ""},
    "public.answer_meeting": lambda w: {},
    "public.ask_from_directory": lambda w: {"intent": "appui", "message": "Bonjour"},
    "public.ask_meeting": lambda w: {"intent": "appui", "message": "Bonjour"},
    "public.cancel_registration": lambda w: {},
    "public.edit_registration": lambda w: {},
    "public.erase_personal_data": lambda w: {"confirm": "y"},
    "public.followup_opt_out": lambda w: {},
    "public.followup_page": lambda w: {"thread": str(w.thread.id), "answer": "obtenu", "seen": "0"},
    "public.holder_initiative": lambda w: {},
    "public.meeting_outcome": lambda w: {"took_place": "oui", "outcomes": ["contact"]},
    "public.meeting_preferences": lambda w: {"accepts_requests": "y", "comes_for": "Rencontrer des élus"},
    "public.questionnaire": lambda w: {},
    "public.register": lambda w: PORTEUR_FORM,
    "public.resend_confirmation": lambda w: {"email": w.registration.email},
    "public.withdraw_initiative": lambda w: {},
}


def post_routes(app) -> list:
    return sorted((rule for rule in app.url_map.iter_rules() if "POST" in rule.methods), key=lambda r: r.endpoint)


def test_every_post_route_has_a_sample_body(app):
    missing = {rule.endpoint for rule in post_routes(app)} - set(BODIES)
    assert not missing, f"routes POST sans corps d'essai dans BODIES : {sorted(missing)}"


def visitor_for(endpoint: str) -> str:
    return next((v for v in (PARTICIPANT, CHECKIN, ORGANISER, ADMIN) if v in DECISIONS[endpoint]), ANONYMOUS)


def rows() -> dict[str, int]:
    found = {table.name: db.session.scalar(select(func.count()).select_from(table))
             for table in db.metadata.sorted_tables}
    db.session.commit()
    return found


def sent(app, live_server, rule, times: int) -> tuple[list[int], dict[str, int]]:
    """The statuses of the call sent `times` at once in a fresh world, and the rows afterwards."""
    db.session.remove()
    empty_all_tables()
    visitor = visitor_for(rule.endpoint)
    world = World(app, visitor)
    if rule.endpoint.startswith("checkin."):  # the door admits on the village's day only
        world.village.day = local_today()
        db.session.commit()
    headers = dict(world.headers)
    if visitor in (ORGANISER, ADMIN):
        headers.update(live_session(live_server, f"{visitor}@villages.test", PASSWORD))
    body = BODIES[rule.endpoint](world)
    url = world.url_for(rule)
    call = Call(url, json_body=body[1], headers=headers) if isinstance(body, tuple) else Call(url, form=body,
                                                                                             headers=headers)
    return at_once(live_server, [call] * times), rows()


# The journal records each request that did something or tried to: two entries for two posts.
JOURNALED_PER_REQUEST = {"audit_entry"}


@pytest.mark.parametrize("endpoint", sorted(BODIES))
def test_a_post_route_sent_twice_at_once_never_fails_and_does_what_once_does(app, live_server, endpoint):
    [rule] = [rule for rule in post_routes(app) if rule.endpoint == endpoint]
    once_statuses, once = sent(app, live_server, rule, 1)
    twice_statuses, twice = sent(app, live_server, rule, 2)
    assert all(status < 500 for status in twice_statuses), twice_statuses
    changed = {table: (once[table], twice[table]) for table in once
               if once[table] != twice[table] and table not in JOURNALED_PER_REQUEST}
    assert changed == {}, f"lignes (une fois, deux fois) : {changed}"
