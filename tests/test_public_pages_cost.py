"""The public pages cost the same with a few dozen initiatives and registrations as with thousands:
counts come from what is kept, lists are bounded, and what changes only on moderation is built
once per change, kept in the database for every worker of every server; proxies may keep the
pages anybody sees alike, never a private one."""
import json

from sqlalchemy import event, select, update

from app.extensions import db
from app.models import Initiative, InitiativeVersion, PublicSnapshot
from app.services import initiatives, publication
from tests.conftest import empty_all_tables
from tests.factories import make_registration, make_village, present_initiative
from tests.helpers import page_text

OPEN_DATA = ("/initiatives/export.json", "/initiatives/export.geojson", "/initiatives/export.csv")


def published(village, count: int, start: int = 0) -> list[Initiative]:
    found = []
    for n in range(start, start + count):
        holder = make_registration(village, role="porteur", email=f"porteur{n}@example.org")
        present_initiative(holder, visibility="public", approve=True, name=f"Jardin partagé numéro {n}",
                           commune_code="04209", commune_name="Sisteron")
        found.append(holder.initiative)
    return found


def statements(client, url: str) -> int:
    client.get(url)  # built once
    counted = []

    def count(*_args):
        counted.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(counted)


def public_pages(village, initiative) -> list[str]:
    return ["/", f"/villages/{village.slug}", "/initiatives", f"/initiatives/{initiative.slug}"]


def test_the_public_pages_run_as_many_statements_with_thousands_of_registrations_as_with_a_few(client, app):
    village = make_village()
    first = published(village, 3)[0]
    for n in range(5):
        make_registration(village, consent_listing=n % 2 == 0)
    few = [statements(client, url) for url in public_pages(village, first)]
    published(village, 30, start=3)
    for n in range(80):
        make_registration(village, consent_listing=n % 2 == 0)
    many = [statements(client, url) for url in public_pages(village, first)]
    assert many == few


def test_a_moderation_shows_on_the_directory_at_once_and_nothing_else_rebuilds_it(client, app):
    village = make_village()
    initiative, = published(village, 1)
    assert "Jardin partagé numéro 0" in page_text(client.get("/initiatives"))
    assert "Jardin partagé numéro 0" in page_text(client.get(f"/villages/{village.slug}"))
    # Changed behind the application's back: the page kept is served as it was built.
    db.session.execute(update(InitiativeVersion).values(name="Renommé en douce"))
    db.session.commit()
    assert "Renommé en douce" not in page_text(client.get("/initiatives"))
    assert "Renommé en douce" not in page_text(client.get(f"/villages/{village.slug}"))

    initiatives.withdraw_consent(initiative, actor="test")
    db.session.commit()
    assert "1 initiative" not in page_text(client.get("/initiatives"))
    assert "Renommé en douce" not in page_text(client.get(f"/villages/{village.slug}"))
    assert "Les initiatives apparaissent ici" in page_text(client.get(f"/villages/{village.slug}"))


def test_the_pages_kept_are_in_the_database_for_every_worker_of_every_server(client, app):
    village = make_village()
    published(village, 1)
    client.get("/initiatives")
    client.get(f"/villages/{village.slug}")
    client.get("/initiatives/export.json")
    kept = db.session.scalars(select(PublicSnapshot.name)).all()
    assert {name.split(":", 1)[1] for name in kept} == {
        "departements", "annuaire:1", f"village:{village.id}:initiatives", "open-data:data_inclusion_json"}


def snapshots_read(client, url: str) -> list[str]:
    """The statements of one GET that read or write a kept page."""
    seen = []

    def note(_connection, _cursor, statement, *_args):
        if "public_snapshot" in statement:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return seen


def test_a_worker_holds_what_it_served_and_reads_only_the_version_until_the_next_moderation(client, app):
    village = make_village()
    initiative, = published(village, 1)
    urls = ["/initiatives", f"/villages/{village.slug}"]
    for url in urls:
        client.get(url)
        assert snapshots_read(client, url) == [], url
    initiatives.withdraw_consent(initiative, actor="test")
    db.session.commit()
    assert snapshots_read(client, "/initiatives") != []
    assert "Jardin partagé numéro 0" not in page_text(client.get("/initiatives"))
    assert "Les initiatives apparaissent ici" in page_text(client.get(f"/villages/{village.slug}"))


def test_a_database_emptied_and_filled_again_never_shows_what_a_worker_held_before(client, app):
    published(make_village(), 1)
    assert "Jardin partagé numéro 0" in page_text(client.get("/initiatives"))
    held_at = publication.current().number
    db.session.remove()
    empty_all_tables()  # the publication version starts again
    published(make_village(), 1, start=7)
    assert publication.current().number == held_at
    page = page_text(client.get("/initiatives"))
    assert "Jardin partagé numéro 7" in page and "Jardin partagé numéro 0" not in page


def test_a_filtered_search_is_built_at_each_request_and_kept_nowhere(client, app):
    village = make_village()
    published(village, 2)
    found = client.get("/initiatives?q=numero+1").get_data(as_text=True)
    assert ">Jardin partagé numéro 1</a>" in found and "&lt;" not in found
    kept = db.session.scalars(select(PublicSnapshot.name)).all()
    assert not any("annuaire" in name for name in kept)


def test_open_data_is_revalidated_for_free_and_changes_with_a_moderation(client, app):
    village = make_village()
    initiative, = published(village, 1)
    for url in OPEN_DATA:
        first = client.get(url)
        assert first.status_code == 200 and first.headers["ETag"] and first.headers["Last-Modified"]
        assert first.headers["Cache-Control"] == "public, no-cache"
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""
        since = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
        assert since.status_code == 304
    before = client.get(OPEN_DATA[0])
    initiatives.withdraw_consent(initiative, actor="test")
    db.session.commit()
    after = client.get(OPEN_DATA[0], headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert json.loads(after.data)["services"] == []


def test_pages_anybody_sees_alike_may_be_kept_briefly_by_a_proxy(client, app):
    village = make_village()
    initiative, = published(village, 1)
    for url in public_pages(village, initiative):
        response = client.get(url)
        assert response.headers["Cache-Control"] == "public, max-age=30, s-maxage=30", url
        assert "Cookie" in response.headers["Vary"], url


def test_private_and_form_pages_are_never_kept_by_a_proxy(client, app):
    village = make_village()
    registration = make_registration(village)
    for url in (f"/inscription/{registration.manage_token}", f"/villages/{village.slug}/inscription"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "private, no-cache", url


def test_a_visitor_with_a_session_gets_a_page_of_their_own(client, app, csrf_enabled):
    village = make_village()
    client.get(f"/villages/{village.slug}/inscription")  # a form under way: a session
    response = client.get(f"/villages/{village.slug}")
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_who_is_coming_shows_the_first_names_and_counts_the_others(client, app):
    village = make_village(capacity=200)
    for n in range(25):
        make_registration(village, first_name="Alma", last_name=f"Listée{n:03d}", consent_listing=True)
    make_registration(village, first_name="Basile", last_name="Discret", consent_listing=False)
    reader = make_registration(village, first_name="Chloé", last_name="Lectrice", consent_listing=False)
    # The list is for the village's participants, on their private pages (their consent says so).
    page = page_text(client.get(f"/inscription/{reader.manage_token}"))
    assert "Alma Listée000" in page and "Alma Listée019" in page and "Alma Listée020" not in page
    assert "Et 5 autres participants." in page and "Basile Discret" not in page
