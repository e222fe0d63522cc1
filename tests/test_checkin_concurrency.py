"""Several phones acting at the same moment: decisions stay exact."""
import http.client
import json
import threading
from urllib.parse import urlsplit

from sqlalchemy import func, select

from app.extensions import db
from app.models import CheckIn, Registration
from tests.factories import make_registration

PHONES = 8


def post_at_once(live_server, path: str, bodies: list[dict], headers: dict) -> list[tuple[int, dict]]:
    """Sends each body from its own thread and HTTP connection, all released together."""
    address = urlsplit(live_server)
    headers = {**headers, "Content-Type": "application/json"}
    db.session.commit()  # end the test's read transaction: on SQLite it holds the write lock
    start = threading.Barrier(len(bodies))
    answers = []

    def phone(body):
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        start.wait()
        connection.request("POST", path, body=json.dumps(body), headers=headers)
        response = connection.getresponse()
        answers.append((response.status, json.loads(response.read())))
        connection.close()

    threads = [threading.Thread(target=phone, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    return answers


def test_simultaneous_scans_of_one_badge_admit_it_once(live_server, door):
    person = make_registration(door.village)
    answers = post_at_once(live_server, "/api/checkin", [{"code": person.badge_code}] * PHONES, door.headers)
    assert sorted(body["result"] for _, body in answers) == ["already_checked_in"] * (PHONES - 1) + ["ok"]
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1


def test_simultaneous_scans_of_one_badge_take_one_roster_version(live_server, door):
    person = make_registration(door.village)
    db.session.refresh(door.village)
    before = door.village.roster_version
    post_at_once(live_server, "/api/checkin", [{"code": person.badge_code}] * PHONES, door.headers)
    db.session.refresh(door.village)
    assert door.village.roster_version == before + 1
    assert db.session.get(Registration, person.id).roster_version == before + 1


def test_simultaneous_walk_ins_for_the_last_place_admit_one(live_server, door):
    door.village.capacity = 1
    db.session.commit()
    bodies = [
        {"first_name": f"Personne {n}", "last_name": "Sur place", "role": "habitant", "commune": "Sisteron"}
        for n in range(4)
    ]
    answers = post_at_once(live_server, f"/api/checkin/{door.village.slug}/walk-in", bodies, door.headers)
    assert sorted(status for status, _ in answers) == [200, 409, 409, 409]
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
