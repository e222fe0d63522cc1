"""The same badge scanned at the same moment on several phones is admitted exactly once."""
import http.client
import json
import threading
from urllib.parse import urlsplit

from sqlalchemy import func, select

from app.extensions import db
from app.models import CheckIn
from tests.factories import make_registration

PHONES = 8


def test_simultaneous_scans_of_one_badge_admit_it_once(live_server, door):
    person = make_registration(door.village)
    address = urlsplit(live_server)
    body = json.dumps({"code": person.badge_code})
    headers = {**door.headers, "Content-Type": "application/json"}
    db.session.commit()  # reading above opened a transaction: on SQLite it holds the write lock
    start = threading.Barrier(PHONES)
    results = []

    def phone():
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        start.wait()
        connection.request("POST", "/api/checkin", body=body, headers=headers)
        results.append(json.loads(connection.getresponse().read())["result"])
        connection.close()

    threads = [threading.Thread(target=phone) for _ in range(PHONES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["already_checked_in"] * (PHONES - 1) + ["ok"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1
