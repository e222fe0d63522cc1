"""Follow-up under concurrent requests: a double submit sent twice at the same instant writes
one step and answers both without an error; two runs of the nightly send at once ask nobody twice."""
import threading
from collections import Counter

from sqlalchemy import func, select

from app.extensions import db
from app.models import FollowupAsk, NeedThreadStep, OutboxMessage
from app.services import followup_asks
from tests.factories_followup import days_after, followed_village, person, thread_of
from tests.test_matching_concurrency import at_once, post, release

ROUNDS = 5


def test_a_double_submit_at_the_same_instant_writes_one_step(app, live_server):
    village = followed_village()
    epicerie = person(village, 0)
    token = epicerie.manage_token
    failures = Counter()
    for _ in range(ROUNDS):
        thread = thread_of(epicerie, "locaux")
        if not thread.is_open:
            break
        before = db.session.scalar(select(func.count()).select_from(NeedThreadStep))
        form = {"thread": thread.id, "seen": len(thread.steps), "answer": "en_cours"}
        release()
        statuses = at_once([post(f"{live_server}/inscription/{token}/suivi", form) for _ in range(2)])
        failures.update(status for status in statuses if status >= 500)
        after = db.session.scalar(select(func.count()).select_from(NeedThreadStep))
        assert after - before == 1, statuses
        release()
    assert failures == Counter()


def test_two_nightly_runs_at_once_ask_each_person_once(app):
    errors = []

    def run(now):
        with app.app_context():
            try:
                followup_asks.send_due(now)
            except Exception as error:  # counted: a run must not fail because another runs
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    for tries in range(1, ROUNDS + 1):
        village = followed_village(days_ago=40)
        now = days_after(village, 32)
        release()
        start = threading.Barrier(2)
        threads = [threading.Thread(target=lambda: (start.wait(), run(now))) for _ in range(2)]
        for each in threads:
            each.start()
        for each in threads:
            each.join()
        assert errors == []
        # Six people per village (five porteurs, the institution met), each asked once.
        assert db.session.scalar(select(func.count()).select_from(FollowupAsk)) == 6 * tries
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.kind == "followup")) == 6 * tries
        release()
