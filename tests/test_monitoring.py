"""/healthz, /readyz and /metrics, as a monitoring service reads them: no login, no personal data."""
from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage
from app.runtime import jobs
from app.services import checkin
from app.timeutil import local_today, utcnow
from tests.factories import make_village
from tests.factories_registration import register
from tests.fixtures_hardening import free_port


def unreachable_database_app(app, make_app):
    return make_app(SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://villages@127.0.0.1:{free_port()}/villages",
                    JOBS_URL=app.config["JOBS_URL"])


def unreachable_queue(app):
    app.config["JOBS_URL"] = f"redis://127.0.0.1:{free_port()}/12"


def read_samples(response) -> dict:
    """(name, labels) -> value, as Prometheus parses the page."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }


def test_healthz_says_the_process_answers_without_a_login_or_a_cookie(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"statut": "ok"}
    assert "Set-Cookie" not in response.headers


def test_healthz_answers_even_when_the_database_does_not(app, make_app):
    response = unreachable_database_app(app, make_app).test_client().get("/healthz")

    assert response.status_code == 200


def test_readyz_is_ready_when_the_database_and_the_job_queue_answer(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.get_json() == {"statut": "prêt", "base": "ok", "taches": "ok"}


def test_readyz_is_unavailable_when_the_database_does_not_answer(app, make_app):
    response = unreachable_database_app(app, make_app).test_client().get("/readyz")

    assert response.status_code == 503
    assert response.get_json() == {"statut": "indisponible", "base": "injoignable", "taches": "ok"}


def test_readyz_is_unavailable_when_the_job_queue_does_not_answer(app, client):
    unreachable_queue(app)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.get_json() == {"statut": "indisponible", "base": "ok", "taches": "injoignable"}


def test_health_checks_are_never_rate_limited(app, make_app):
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", JOBS_URL=app.config["JOBS_URL"])
    client = limited.test_client()

    statuses = {client.get(path).status_code for _ in range(30) for path in ("/healthz", "/readyz")}

    assert statuses == {200}


def test_metrics_are_off_unless_asked_for(client):
    assert client.get("/metrics").status_code == 404


def test_metrics_count_registrations_check_ins_and_the_outbox_backlog(app, client):
    app.config["METRICS_ENABLED"] = True
    village = make_village(capacity=1, day=local_today())  # the door opens on the village's day
    first = register(village, email="alix@example.org")
    register(village, email="basile@example.org")  # waits
    checkin.check_in(village, first.badge_code, scanner="Accueil", scan_id="scan-1")
    oldest = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
    oldest.created_at = utcnow() - timedelta(minutes=30)
    db.session.commit()

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response.content_type.startswith("text/plain; version=")
    samples = read_samples(response)
    assert samples[("villages_registrations", (("status", "confirmed"),))] == 1
    assert samples[("villages_registrations", (("status", "waitlisted"),))] == 1
    assert samples[("villages_check_ins", ())] == 1
    assert samples[("villages_outbox_messages", (("status", "pending"),))] == 2
    assert 30 * 60 <= samples[("villages_outbox_oldest_pending_age_seconds", ())] < 31 * 60
    assert samples[("villages_jobs_queue_up", ())] == 1
    assert samples[("villages_jobs_waiting", ())] == 0
    assert samples[("villages_export_jobs", (("status", "queued"),))] == 0
    assert "example.org" not in response.get_data(as_text=True)


def test_metrics_count_the_export_jobs_waiting_in_the_queue(app, client):
    app.config["METRICS_ENABLED"] = True
    village = make_village()
    jobs.start_export(village, "csv", requested_by="orga@villages.test")

    samples = read_samples(client.get("/metrics"))

    assert samples[("villages_jobs_waiting", ())] == 1
    assert samples[("villages_export_jobs", (("status", "queued"),))] == 1
    jobs.run_pending()


def test_metrics_say_when_the_job_queue_does_not_answer(app, client):
    app.config["METRICS_ENABLED"] = True
    unreachable_queue(app)

    body = client.get("/metrics").get_data(as_text=True)

    assert "villages_jobs_queue_up 0.0" in body
    assert "villages_jobs_waiting" not in body
