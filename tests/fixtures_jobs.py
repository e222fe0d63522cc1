"""Following a background job an organiser started, as the progress page does."""
import pytest

from app.extensions import db
from app.runtime import jobs


def finished_job(client, started) -> dict:
    """The state of the job a request started (its 303 to the job's page), once a worker ran it;
    its sentences with plain spaces (their typography is tested in test_templating)."""
    assert started.status_code == 303, started.status_code
    jobs.run_pending()
    db.session.commit()  # the test's own reading ends: it sees what the worker wrote
    state = client.get(started.headers["Location"] + "/etat").get_json()
    return {key: value.replace("\u00a0", " ") if isinstance(value, str) else value for key, value in state.items()}


@pytest.fixture
def in_app_worker(app):
    """The served app works through the queue in a thread of its own, as in a local run."""
    app.config["JOBS_WORKER_IN_APP"] = True
    yield
    jobs.stop_in_app_worker()
