"""Every page there is, at a phone's width (390 px) and a computer's (1280 px), on the demo's data:
nothing wider than the screen, no word broken across lines nor text wrapped letter by letter, no
raw placeholder, code or English word, no missing elision, no breakable space before « ? : ; ! »,
nothing axe-core (WCAG 2.1 A and AA) finds, and no file served with two charsets.

The pages are found in the application's URL map: a new page is audited without anyone adding
it here, as long as its URL's parts are among SAMPLES (a new kind of part makes the test fail,
naming it). Private links are opened as three people: an initiative's holder, an institution
with a meeting request, and someone who came to the past village.
"""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select
from werkzeug.routing import Rule

from app.extensions import db
from app.models import Initiative, Job, OrganiserRole, Registration, Role, Village
from app.demo import data as demo_data, matching as demo_matching, past as demo_past
from app.services import accounts, meeting_requests, scanner_links
from tests.fixtures_backoffice import PASSWORD, make_organiser
from tests.page_audit import LAYOUT_SCRIPT, READ_TEXT_SCRIPT, doubled_charset, text_problems

pytestmark = pytest.mark.browser

WIDTHS = (390, 1280)
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
# Who opens a page, by the start of its path.
BACK_OFFICE, PRIVATE = "/organisation", "/inscription/"
# Pages that are not pages: probes and metrics for machines, the service worker.
NOT_FOR_PEOPLE = {"monitoring.healthz", "monitoring.readyz", "monitoring.metrics", "static",
                  "checkin.service_worker", "public.offline_script"}
# The audit judges how pages read, not how fast they come (bench/ measures that): on a loaded
# machine a heavy page (the public observatory takes seconds to compute) may take longer than
# Playwright's 30 seconds, which would fail the audit without anything wrong on the page.
PATIENCE_MS = 300_000
# What a page shows only after a form was sent, audited by sending it.
ERROR_PAGES = ["/nulle-part", "/initiatives/nulle-part", "/inscription/lien-inconnu"]


class Samples:
    """The demo's data, and the values that fill each part of each URL."""

    def __init__(self):
        for load in (demo_data.load, demo_data.load_initiatives, demo_matching.load, demo_past.load,
                     demo_data.load_accounts):
            load()
        avignon = db.session.scalar(select(Village).where(Village.slug == "avignon"))
        self.village = avignon
        people = list(db.session.scalars(select(Registration).where(Registration.village_id == avignon.id)
                                         .order_by(Registration.id)))
        self.holder = next(p for p in people if p.role == Role.PORTEUR and p.initiative is not None)
        self.institution = next(p for p in people if p.role == Role.INSTITUTIONNEL)
        request = meeting_requests.ask(self.holder, self.institution, "appui", "Pourrions-nous en parler ?")
        past = db.session.scalar(select(Village).where(Village.slug == demo_past.SLUG))
        self.past_attendee = db.session.scalar(select(Registration).where(
            Registration.village_id == past.id, Registration.checked_in_at.is_not(None)).order_by(Registration.id))
        self.initiative = db.session.scalar(select(Initiative).order_by(Initiative.id))
        self.scanner_token = scanner_links.create(avignon, "Entrée", "demo")[1]
        self.job = Job(village=avignon, kind="export", params={"format": "signin"}, requested_by="demo")
        db.session.add(self.job)
        self.admin = make_organiser(OrganiserRole.ADMIN, email="audit@villages.test")
        self.other_account = accounts.find_by_email(demo_data.DEMO_ADMIN_EMAIL)
        self.reset_token = accounts.reset_token(self.other_account)
        db.session.commit()
        self.request_id = request.id
        self.tokens = [p.manage_token for p in (self.holder, self.institution, self.past_attendee)]

    def values(self, rule: Rule, manage_token: str) -> dict | None:
        """The values of the rule's parts, or None when one has no sample."""
        path = rule.rule
        known = {
            "slug": self.initiative.slug if path.startswith("/initiatives/") or "/annuaire/" in path
            else self.village.slug,
            "village_id": self.village.id,
            "registration_id": self.holder.id,
            "account_id": self.other_account.id,
            "initiative_id": self.initiative.id,
            "export_name": "csv",
            "file_format": "pdf",
            "token": (self.job.token if "/taches/" in path else self.scanner_token if path.startswith("/scan/")
                      else self.reset_token if "/mot-de-passe/" in path else manage_token),
        }
        if any(name not in known for name in rule.arguments):
            return None
        return {name: known[name] for name in rule.arguments}


def pages(app, samples: Samples) -> tuple[list[str], list[str]]:
    """Every page reached by GET, once per private link for those under /inscription/; and the
    rules no sample fills."""
    found, unfilled = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in NOT_FOR_PEOPLE:
            continue
        for token in samples.tokens if rule.rule.startswith(PRIVATE) else samples.tokens[:1]:
            values = samples.values(rule, token)
            if values is None:
                unfilled.append(f"{rule.rule} : aucune valeur d'exemple pour {sorted(rule.arguments)}")
                break
            found.append(rule.build(values, append_unknown=False)[1])
    return list(dict.fromkeys(found)) + ERROR_PAGES, unfilled


def served(page, url: str) -> tuple[bool, list[str]]:
    """Whether `url` is a page (HTML), and what is wrong with how it is served, files included."""
    response = page.request.get(url, max_redirects=5, timeout=PATIENCE_MS)
    content_type = response.headers.get("content-type", "")
    problems = []
    if doubled_charset(content_type):
        problems.append(f"{url} : servi avec deux charsets ({content_type})")
    if response.status >= 500:
        problems.append(f"{url} : statut HTTP {response.status}")
    # A file or page refused to this person (no certificate before the day…) shows the error
    # page, audited at its own addresses.
    return content_type.startswith("text/html") and (response.ok or url in ERROR_PAGES), problems


def audit(page, axe, url: str, width: int) -> list[str]:
    page.goto(url)
    problems = page.evaluate(LAYOUT_SCRIPT) + text_problems(page.evaluate(READ_TEXT_SCRIPT))
    # axe-core's rules hardly depend on the width: run once, on the phone (it is most of the time).
    for violation in axe.run(page, options=WCAG_AA).response["violations"] if width == WIDTHS[0] else []:
        targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        problems.append(f"axe {violation['id']} : {violation['help']} ({targets})")
    return [f"{url} à {width} px : {p}" for p in problems]


def test_every_page_reads_right_on_a_phone_and_a_computer(app, browser, live_server):
    samples = Samples()
    urls, unfilled = pages(app, samples)
    assert unfilled == [], "Pages que l'audit ne sait pas ouvrir :\n" + "\n".join(unfilled)
    # Each page as the server sends it: a private link's service worker would show its kept copy
    # (offline banner, forms disabled) whenever the server answers slower than its patience.
    context = browser.new_context(base_url=live_server, locale="fr-FR", service_workers="block")
    context.set_default_timeout(PATIENCE_MS)
    page = context.new_page()
    page.goto("/organisation/connexion")
    page.get_by_label("Adresse e-mail").fill(samples.admin.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    # Logged in once the login page is left: « **/organisation/** » matched the login page itself,
    # so the audit could go on while the login was still being checked (slow on a loaded machine),
    # and its first visit cancel it: the back office would then be audited as its login page.
    page.wait_for_url(lambda url: "/organisation/connexion" not in url)
    axe = Axe()
    problems, html = [], []
    for url in urls:
        is_page, wrong = served(page, url)
        problems += wrong
        html += [url] if is_page else []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for url in html:
            problems += audit(page, axe, url, width)
    context.close()
    assert problems == [], f"{len(problems)} problèmes sur {len(urls)} pages :\n" + "\n".join(problems)
