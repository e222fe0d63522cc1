"""Many people registering at the same moment never get more places than there are."""
import threading
import urllib.error
import urllib.parse
import urllib.request

from sqlalchemy import func, select

from app.extensions import db
from app.models import Registration, RegistrationStatus
from tests.factories import make_village

PEOPLE = 12
CAPACITY = 4


def post_registrations(url: str, emails: list[str]) -> list[int]:
    """Send one registration per e-mail, all released at the same instant; the HTTP statuses."""
    start = threading.Barrier(len(emails))
    statuses = [0] * len(emails)

    def send(index: int, email: str) -> None:
        body = urllib.parse.urlencode(dict(
            role="habitant", first_name="Dominique", last_name=f"Essai{index}", email=email,
            commune="Sisteron", lunch="non",
        )).encode()
        start.wait()
        try:
            with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=60) as response:
                statuses[index] = response.status
        except urllib.error.HTTPError as error:
            statuses[index] = error.code

    threads = [threading.Thread(target=send, args=(i, email)) for i, email in enumerate(emails)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def open_village(**fields) -> str:
    slug = make_village(**fields).slug
    db.session.commit()  # release the test's own transaction: on SQLite it would hold the write lock
    return slug


def status_counts() -> dict[str, int]:
    counts = dict(db.session.execute(select(Registration.status, func.count()).group_by(Registration.status)).all())
    db.session.commit()
    return counts


def test_simultaneous_registrations_fill_the_capacity_exactly(live_server):
    slug = open_village(capacity=CAPACITY)
    emails = [f"personne{i}@example.org" for i in range(PEOPLE)]
    statuses = post_registrations(f"{live_server}/villages/{slug}/inscription", emails)
    assert statuses == [200] * PEOPLE  # redirected to the confirmation page
    assert status_counts() == {
        RegistrationStatus.CONFIRMED: CAPACITY, RegistrationStatus.WAITLISTED: PEOPLE - CAPACITY,
    }


def test_simultaneous_registrations_with_one_email_make_one_registration(live_server):
    slug = open_village(capacity=CAPACITY)
    statuses = post_registrations(f"{live_server}/villages/{slug}/inscription", ["meme@example.org"] * 6)
    assert sorted(statuses) == [200] + [409] * 5
    assert status_counts() == {RegistrationStatus.CONFIRMED: 1}
