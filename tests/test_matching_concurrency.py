"""Meetings under concurrent requests: caps hold, nobody is booked twice, whatever the timing."""
import http.cookiejar
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter

from sqlalchemy import func, select

from app.extensions import db
from app.models import Job, JobStatus, Meeting, MeetingRequest, MeetingSeat, MeetingTable, RequestStatus
from app.runtime import jobs
from app.services import meeting_requests
from tests.factories import make_registration, make_village
from tests.factories_matching import make_area, make_institution, make_porteur
from tests.fixtures_backoffice import PASSWORD, make_organiser

ROUNDS = 5


def at_once(calls) -> list[int]:
    """Run the calls (each returning an HTTP status) released at the same instant."""
    start = threading.Barrier(len(calls))
    statuses = [0] * len(calls)

    def run(index, call):
        start.wait()
        statuses[index] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def post(url: str, data: dict | None = None, opener=None):
    def call() -> int:
        body = urllib.parse.urlencode(data or {}, doseq=True).encode()
        try:
            with (opener or urllib.request.build_opener()).open(urllib.request.Request(url, data=body),
                                                                 timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
    return call


def release() -> None:
    """End the test's own transaction: on SQLite it would hold the write lock the server waits for."""
    db.session.commit()


def organiser_session(base_url: str, email: str):
    make_organiser("organiser", email=email)
    release()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    assert post(f"{base_url}/organisation/connexion", {"email": email, "password": PASSWORD}, opener)() == 200
    return opener


def no_double_booking() -> None:
    seats = db.session.execute(select(MeetingSeat.registration_id, MeetingSeat.starts_at)
                               .where(MeetingSeat.starts_at.is_not(None))).all()
    tables = db.session.execute(select(Meeting.table_id, Meeting.starts_at)
                                .where(Meeting.starts_at.is_not(None))).all()
    db.session.commit()
    assert max(Counter(seats).values(), default=1) == 1
    assert max(Counter(tables).values(), default=1) == 1


def test_simultaneous_requests_to_one_person_never_exceed_the_cap(live_server):
    for _ in range(ROUNDS):
        village = make_village()
        make_area(village, max_requests_received=3)
        caf = make_institution(village)
        askers = [make_porteur(village, email=f"porteur{i}-{village.id}@example.org") for i in range(8)]
        calls = [post(f"{live_server}/inscription/{p.manage_token}/rendez-vous/demander/{meeting_requests.recipient_key(caf)}", {"intent": "appui"})
                 for p in askers]
        caf_id = caf.id
        release()
        statuses = at_once(calls)
        assert sorted(statuses) == [200] * 3 + [422] * 5  # 200: redirected to the private page
        assert db.session.scalar(select(func.count()).select_from(MeetingRequest)
                                 .where(MeetingRequest.recipient_id == caf_id)) == 3
        db.session.commit()


def wait_for_jobs_to_finish(timeout: float = 60) -> None:
    """Until the server's own worker thread finished every job (then it is stopped)."""
    deadline = time.monotonic() + timeout
    try:
        while db.session.scalar(select(func.count()).select_from(Job).where(
                Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))):
            db.session.commit()
            assert time.monotonic() < deadline, "jobs still running"
            time.sleep(0.2)
    finally:
        db.session.commit()
        jobs.stop_in_app_worker()


def test_accepting_while_the_schedule_is_built_never_double_books(live_server, app):
    app.config["JOBS_WORKER_IN_APP"] = True  # the build runs in the server's worker, amid the accepts
    for round_number in range(ROUNDS):
        village = make_village()
        make_area(village, tables=1)
        caf = make_institution(village)
        porteurs = [make_porteur(village, email=f"p{i}-{village.id}@example.org") for i in range(6)]
        requests = [meeting_requests.ask(p, caf, "appui", "") for p in porteurs]
        for request in requests[:3]:
            meeting_requests.accept(request, caf)
        db.session.commit()
        village_id = village.id
        calls = [post(f"{live_server}/inscription/{caf.manage_token}/rendez-vous/demandes/{r.id}/accepter")
                 for r in requests[3:]]
        opener = organiser_session(live_server, f"org{round_number}@villages.test")
        calls.append(post(f"{live_server}/organisation/villages/{village_id}/rendez-vous/calcul", opener=opener))
        release()
        assert at_once(calls) == [200] * 4
        wait_for_jobs_to_finish()
        no_double_booking()
        # Every accepted request has its meeting; those answered too late expired.
        statuses = Counter(db.session.scalars(select(MeetingRequest.status)
                                              .where(MeetingRequest.village_id == village_id)))
        meetings = db.session.scalar(select(func.count()).select_from(Meeting).where(Meeting.village_id == village_id))
        db.session.commit()
        assert statuses[RequestStatus.ACCEPTED] == meetings
        assert statuses[RequestStatus.PENDING] == 0


def test_two_organisers_building_the_schedule_at_once_start_one_build(live_server):
    village = make_village()
    make_area(village, tables=1)
    caf = make_institution(village)
    meeting_requests.accept(meeting_requests.ask(make_porteur(village), caf, "appui", ""), caf)
    village_id = village.id
    openers = [organiser_session(live_server, f"org{i}@villages.test") for i in range(2)]
    url = f"{live_server}/organisation/villages/{village_id}/rendez-vous/calcul"
    release()

    assert at_once([post(url, opener=opener) for opener in openers]) == [200, 200]

    assert db.session.scalar(select(func.count()).select_from(Job).where(Job.kind == "schedule")) == 1
    db.session.commit()


def test_two_organisers_moving_meetings_to_one_place_at_once_never_double_book(live_server):
    village = make_village()
    make_area(village, tables=2)
    caf, other = make_institution(village), make_institution(village, email="other@example.org")
    meetings = [meeting_requests.add_meeting(make_registration(village), person, "o") for person in (caf, other)]
    db.session.commit()
    table_id = db.session.scalar(select(MeetingTable.id).where(MeetingTable.village_id == village.id))
    urls = [f"{live_server}/organisation/villages/{village.id}/rendez-vous/{m.id}/deplacer" for m in meetings]
    openers = [organiser_session(live_server, f"org{i}@villages.test") for i in range(2)]
    failures = 0
    for round_number in range(ROUNDS * 2):
        # Both out of the schedule, then raced into the same place.
        db.session.execute(MeetingSeat.__table__.update().values(starts_at=None))
        db.session.execute(Meeting.__table__.update().values(starts_at=None, table_id=None))
        release()
        starts = ["10:00", "10:20", "10:40"][round_number % 3]
        statuses = at_once([post(url, {"place": f"{table_id}@{starts}"}, opener) for url, opener in zip(urls, openers)])
        assert statuses == [200, 200]
        no_double_booking()
        placed = db.session.scalar(select(func.count()).select_from(Meeting).where(Meeting.table_id == table_id))
        db.session.commit()
        failures += placed != 1
    assert failures == 0


def test_two_organisers_moving_the_same_meeting_leave_it_in_one_place(live_server):
    village = make_village()
    make_area(village, tables=2)
    meeting = meeting_requests.add_meeting(make_institution(village), make_porteur(village), "o")
    db.session.commit()
    table_ids = list(db.session.scalars(select(MeetingTable.id).where(MeetingTable.village_id == village.id)))
    url, meeting_id = f"{live_server}/organisation/villages/{village.id}/rendez-vous/{meeting.id}/deplacer", meeting.id
    openers = [organiser_session(live_server, f"org{i}@villages.test") for i in range(2)]
    for _ in range(ROUNDS * 2):
        statuses = at_once([post(url, {"place": f"{table_id}@{starts}"}, opener)
                            for table_id, starts, opener in zip(table_ids, ("10:00", "10:20"), openers)])
        assert statuses == [200, 200]
        no_double_booking()
        found = db.session.get(Meeting, meeting_id)
        db.session.refresh(found)
        assert {seat.starts_at for seat in found.seats} == {found.starts_at}
        db.session.commit()
