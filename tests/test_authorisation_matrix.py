"""Who may open what: every route of the application × every kind of visitor, against a decision
table. A new route without a decision here makes the test fail, so that someone decides."""
import pytest
from werkzeug.routing import Rule

from app.extensions import db
from app.models import Job, NeedThread, OrganiserRole
from tests.factories import make_village, present_initiative
from tests.factories_matching import make_meeting
from tests.fixtures_checkin import make_scanner_link
from tests.fixtures_backoffice import make_organiser
from tests.factories_registration import register
from tests.helpers import IsolatedClient

ANONYMOUS, PARTICIPANT, CHECKIN, ORGANISER, ADMIN = "anonyme", "participant", "accueil", "organisateur", "admin"
VISITORS = [ANONYMOUS, PARTICIPANT, CHECKIN, ORGANISER, ADMIN]
EVERYONE = set(VISITORS)
STAFF = {ORGANISER, ADMIN}
DOOR = {CHECKIN, ORGANISER, ADMIN}

# endpoint -> the visitors let in (the others must be refused: 401, 403, 404 or sent to log in).
DECISIONS = {
    "static": EVERYONE,
    "public.home": EVERYONE,
    "public.village": EVERYONE,
    "public.villages_calendar": EVERYONE,
    "public.register": EVERYONE,
    "public.resend_confirmation": EVERYONE,
    "public.personal_data_notice": EVERYONE,
    "public.accessibility_statement": EVERYONE,
    # The private link is the participant's key: nobody else has it.
    "public.registration": {PARTICIPANT},
    "public.registration_done": {PARTICIPANT},
    "public.edit_registration": {PARTICIPANT},
    "public.cancel_registration": {PARTICIPANT},
    "public.badge": {PARTICIPANT},
    "public.invitation": {PARTICIPANT},
    "public.download_personal_data": {PARTICIPANT},
    "public.erase_personal_data": {PARTICIPANT},
    "public.holder_initiative": {PARTICIPANT},
    "public.withdraw_initiative": {PARTICIPANT},
    "public.initiatives_directory": EVERYONE,
    "public.initiative_page": EVERYONE,
    "public.initiatives_json": EVERYONE,
    "public.initiatives_geojson": EVERYONE,
    "public.initiatives_csv": EVERYONE,
    "public.observatory_page": EVERYONE,
    "public.observatory_csv": EVERYONE,
    # The attendance certificate exists once the person was welcomed at the door (the world's
    # participant was not); the questionnaire sends them back to their page until then.
    "public.certificate": set(),
    "public.questionnaire": {PARTICIPANT},
    # After the village: the person's needs (or those they were asked about), and opting out.
    "public.followup_page": {PARTICIPANT},
    "public.followup_opt_out": {PARTICIPANT},
    "organisers.followup_page": STAFF,
    "organisers.followup_timeline": STAFF,
    "organisers.followup_set_status": STAFF,
    "organisers.followup_send_now": STAFF,
    "organisers.followup_schedule": STAFF,
    "organisers.village_report": STAFF,
    "organisers.village_report_file": STAFF,
    "organisers.consolidated_report": STAFF,
    "organisers.consolidated_report_file": STAFF,
    "organisers.observatory_page": STAFF,
    "organisers.observatory_file": STAFF,
    "organisers.village_messages": STAFF,
    "organisers.village_survey": STAFF,
    "organisers.initiatives_queue": STAFF,
    "organisers.initiative": STAFF,
    "organisers.approve_initiative": STAFF,
    "organisers.refuse_initiative": STAFF,
    "public.ask_meeting": {PARTICIPANT},
    "public.village_directory": {PARTICIPANT},
    "public.ask_from_directory": {PARTICIPANT},
    "public.answer_meeting": {PARTICIPANT},
    "public.meeting_preferences": {PARTICIPANT},
    "public.meeting_outcome": {PARTICIPANT},
    "public.agenda_document": {PARTICIPANT},
    "public.agenda_calendar": {PARTICIPANT},
    "public.private_service_worker": {PARTICIPANT},
    "organisers.village_meetings": STAFF,
    "organisers.build_schedule": STAFF,
    "organisers.publish_schedule": STAFF,
    "organisers.move_meeting": STAFF,
    "organisers.remove_meeting": STAFF,
    "organisers.add_meeting": STAFF,
    "organisers.table_sheets": STAFF,
    "organisers.login": EVERYONE,
    "organisers.logout": EVERYONE,
    "organisers.checkin_home": DOOR,
    "organisers.dashboard": STAFF,
    "organisers.villages": STAFF,
    "organisers.village": STAFF,
    "organisers.village_new": STAFF,
    "organisers.village_edit": STAFF,
    "organisers.village_duplicate": STAFF,
    "organisers.village_archive": STAFF,
    "organisers.village_registrations": STAFF,
    "organisers.registration": STAFF,
    "organisers.registration_action": STAFF,
    "organisers.registration_role": STAFF,
    "organisers.exceptional_entry": STAFF,
    "organisers.village_exports": STAFF,
    "organisers.download_export": STAFF,
    "organisers.start_export": STAFF,
    "organisers.export_job": STAFF,
    "organisers.export_job_state": STAFF,
    "organisers.export_job_file": STAFF,
    "organisers.job": STAFF,
    "organisers.job_state": STAFF,
    "organisers.job_file": STAFF,
    "organisers.retry_job": STAFF,
    "organisers.registration_personal_data": STAFF,
    "organisers.registration_erase": STAFF,
    "organisers.audit_log_page": {ADMIN},
    "organisers.accounts_list": {ADMIN},
    "organisers.account_new": {ADMIN},
    "organisers.account_edit": {ADMIN},
    "organisers.account_log_out_everywhere": {ADMIN},
    "organisers.account_unlock": {ADMIN},
    "organisers.two_factor": {ADMIN},
    "organisers.two_factor_off": {ADMIN},
    "organisers.forgotten_password": EVERYONE,
    # The e-mailed link is the key: nobody opens the page without a valid one.
    "organisers.password_reset": set(),
    # The scanner link (or a check-in account of the village) opens the door's screens and API.
    "checkin.open_link": {CHECKIN},
    "checkin.scanner": DOOR,
    "checkin.service_worker": EVERYONE,
    "checkin.manifest": EVERYONE,
    "checkin.links": STAFF,
    "checkin.revoke_link": STAFF,
    "checkin.conflicts": STAFF,
    "checkin.api_check_in": DOOR,
    "checkin.api_undo": DOOR,
    "checkin.api_search": DOOR,
    "checkin.api_attendance": DOOR,
    "checkin.api_walk_in": DOOR,
    "checkin.api_roster": DOOR,
    "checkin.api_sync": DOOR,
    # For a monitoring service: no personal data, no login.
    "monitoring.healthz": EVERYONE,
    "monitoring.readyz": EVERYONE,
    # Off unless METRICS_ENABLED (then served to whoever reaches it: the proxy keeps it local).
    "monitoring.metrics": set(),
}

# Pages of a job, named by its token.
JOB_PAGES = {"organisers.job", "organisers.job_state", "organisers.job_file", "organisers.retry_job"}


def test_every_route_has_a_decision(app):
    undecided = {rule.endpoint for rule in app.url_map.iter_rules()} - set(DECISIONS)
    assert not undecided, f"routes without an access decision: {sorted(undecided)}"


class World:
    """A village with a registration and a scanner link; a visitor of one kind, as a test client."""

    def __init__(self, app, visitor: str):
        self.village = make_village(slug="sisteron", town="Sisteron")
        self.registration = register(self.village)
        self.initiative = present_initiative(self.registration, visibility="public", approve=True)
        self.meeting = make_meeting(self.village, self.registration)
        self.link = make_scanner_link(self.village)
        self.thread = NeedThread(initiative=self.initiative, category="financement")
        self.other_account = make_organiser(OrganiserRole.ORGANISER, email="autre@villages.test")
        self.export_job = Job(village=self.village, kind="export", params={"format": "signin"},
                              requested_by="autre@villages.test")
        db.session.add_all([self.export_job, self.thread])
        db.session.commit()
        self.visitor = visitor
        self.client = IsolatedClient(app, app.response_class, use_cookies=True)
        self.headers = {}
        role = {CHECKIN: OrganiserRole.CHECKIN, ORGANISER: OrganiserRole.ORGANISER, ADMIN: OrganiserRole.ADMIN}
        if visitor in role:
            account = make_organiser(role[visitor], email=f"{visitor}@villages.test")
            if visitor == CHECKIN:
                account.checkin_villages.append(self.village)
                db.session.commit()
                self.headers = self.link.headers
            response = self.client.post("/organisation/connexion",
                                        data={"email": account.email, "password": "mot-de-passe-solide"})
            assert response.status_code == 302

    def url_for(self, rule: Rule) -> str:
        return rule.build(self.values_for(rule), append_unknown=False)[1]

    def values_for(self, rule: Rule) -> dict:
        """A valid value, in this world, for each argument of the rule's address."""
        values = {
            "slug": self.initiative.slug if rule.endpoint == "public.initiative_page" else self.village.slug,
            "initiative_id": self.initiative.id,
            "token": self._token(rule),
            "registration_id": self.registration.id,
            "village_id": self.village.id,
            "account_id": self.other_account.id,
            "link_id": 1,
            "action": "renvoyer",
            "filename": "css/site.css",
            "export_name": "csv",
            "file_format": "pdf",
            "recipient_key": "1.signature-inconnue",
            "request_id": self.meeting.request_id,
            "answer": "decliner",
            "meeting_id": self.meeting.id,
            "thread_id": self.thread.id,
        }
        return {name: values[name] for name in rule.arguments}

    def _token(self, rule: Rule) -> str:
        if rule.endpoint.startswith("organisers.export_job") or rule.endpoint in JOB_PAGES:
            return self.export_job.token
        if rule.endpoint == "checkin.open_link":
            return self.link.token if self.visitor == CHECKIN else "lien-inconnu"
        return self.registration.manage_token if self.visitor == PARTICIPANT else "lien-inconnu"


# Sent to log in, or a check-in account sent back to its own page.
REFUSAL_REDIRECTS = ("/organisation/connexion", "/organisation/accueil")
# Requests after which the world is not the same (archived village, erased or cancelled
# registration, logged out): sent last.
LAST = ("organisers.village_archive", "public.withdraw_initiative", "public.cancel_registration",
        "public.erase_personal_data",
        "organisers.registration_erase", "organisers.logout")


def refused(rule: Rule, response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    # Logging in or out sends people on to a page: that is their answer, not a refusal.
    return (response.status_code == 302 and rule.endpoint not in ("organisers.login", "organisers.logout")
            and response.headers.get("Location", "").startswith(REFUSAL_REDIRECTS))


def request_order(rule: Rule) -> tuple:
    return (rule.endpoint in LAST, LAST.index(rule.endpoint) if rule.endpoint in LAST else 0, rule.endpoint)


@pytest.mark.parametrize("visitor", VISITORS)
def test_each_visitor_reaches_exactly_what_the_table_allows(app, visitor):
    world = World(app, visitor)
    db.session.rollback()
    requests = sorted(
        ((method, rule) for rule in app.url_map.iter_rules() for method in ("GET", "POST") if method in rule.methods),
        key=lambda request: (request[0] == "POST" and request[1].endpoint in LAST, request[0], request_order(request[1])),
    )
    wrong = []
    for method, rule in requests:
        body = {} if rule.rule.startswith("/api/") and method == "POST" else None
        response = world.client.open(world.url_for(rule), method=method, headers=world.headers, json=body)
        allowed = visitor in DECISIONS[rule.endpoint]
        if refused(rule, response) == allowed:
            wrong.append(f"{method} {rule.rule}: HTTP {response.status_code}, {'refusé' if allowed else 'ouvert'} à tort")
        db.session.rollback()
    assert wrong == [], "\n".join(wrong)
