"""/healthz, /readyz and /metrics, as a monitoring service reads them: no login, no personal data."""
from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage
from app.services import checkin
from app.timeutil import utcnow
from tests.factories import make_village
from tests.factories_registration import register
from tests.fixtures_hardening import free_port


def unreachable_database_app(make_app):
    return make_app(SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://villages@127.0.0.1:{free_port()}/villages")


def test_healthz_says_the_process_answers_without_a_login_or_a_cookie(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"statut": "ok"}
    assert "Set-Cookie" not in response.headers


def test_healthz_answers_even_when_the_database_does_not(make_app):
    response = unreachable_database_app(make_app).test_client().get("/healthz")

    assert response.status_code == 200


def test_readyz_is_ready_when_the_database_answers(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.get_json() == {"statut": "prêt", "base": "ok"}


def test_readyz_is_unavailable_when_the_database_does_not_answer(make_app):
    response = unreachable_database_app(make_app).test_client().get("/readyz")

    assert response.status_code == 503
    assert response.get_json() == {"statut": "indisponible", "base": "injoignable"}


def test_health_checks_are_never_rate_limited(make_app):
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    client = limited.test_client()

    statuses = {client.get(path).status_code for _ in range(30) for path in ("/healthz", "/readyz")}

    assert statuses == {200}


def test_metrics_are_off_unless_asked_for(client):
    assert client.get("/metrics").status_code == 404


def test_metrics_count_registrations_check_ins_and_the_outbox_backlog(app, client):
    app.config["METRICS_ENABLED"] = True
    village = make_village(capacity=1)
    first = register(village, email="alix@example.org")
    register(village, email="basile@example.org")  # waits
    checkin.check_in(village, first.badge_code, scanner="Accueil", scan_id="scan-1")
    oldest = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
    oldest.created_at = utcnow() - timedelta(minutes=30)
    db.session.commit()

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response.content_type.startswith("text/plain; version=")
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }
    assert samples[("villages_registrations", (("status", "confirmed"),))] == 1
    assert samples[("villages_registrations", (("status", "waitlisted"),))] == 1
    assert samples[("villages_check_ins", ())] == 1
    assert samples[("villages_outbox_messages", (("status", "pending"),))] == 2
    assert 30 * 60 <= samples[("villages_outbox_oldest_pending_age_seconds", ())] < 31 * 60
    assert "example.org" not in response.get_data(as_text=True)
