"""Long documents prepared in the background: a job, its progress, and the file when ready."""
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.extensions import db
from app.models import Job, JobStatus
from app.runtime import jobs
from tests.factories import make_registration, make_village
from tests.fixtures_maildocs import qr_codes_in_pdf
from tests.test_backoffice_phone_layout import screenshot, sign_in


@pytest.fixture(autouse=True)
def empty_queue(app):
    """The queue's file lasts the whole test session: each test starts with it empty."""
    jobs.queue().flush()


def exports_url(village) -> str:
    return f"/organisation/villages/{village.id}/exports"


def start(client, village, format_name: str) -> str:
    response = client.post(f"{exports_url(village)}/{format_name}/preparer")
    assert response.status_code == 303
    return response.headers["Location"]


def test_a_job_waits_in_the_queue_then_tells_its_progress_and_offers_its_file(organiser_client, app):
    village = make_village()
    registrations = [make_registration(village) for _ in range(9)]
    job_url = start(organiser_client, village, "badges")

    waiting = organiser_client.get(job_url + "/etat").get_json()
    assert (waiting["status"], waiting["percent"], waiting["download_url"]) == ("queued", 0, None)
    assert "En attente" in organiser_client.get(job_url).get_data(as_text=True)

    assert jobs.run_pending() == 1
    db.session.commit()
    done = organiser_client.get(job_url + "/etat").get_json()
    assert (done["status"], done["percent"], done["done"], done["total"]) == ("done", 100, 9, 9)
    download = organiser_client.get(done["download_url"])
    assert download.headers["Content-Disposition"].endswith("-badges.pdf")
    assert sorted(qr_codes_in_pdf(download.get_data())) == sorted(r.badge_code for r in registrations)


def test_a_document_asked_again_while_it_is_prepared_is_the_same_job(organiser_client):
    village = make_village()
    assert start(organiser_client, village, "badges") == start(organiser_client, village, "badges")
    assert start(organiser_client, village, "signin") != start(organiser_client, village, "badges")
    assert db.session.scalar(select(func.count()).select_from(Job)) == 2


def test_a_document_asked_again_once_ready_is_prepared_afresh(organiser_client):
    village = make_village()
    first = start(organiser_client, village, "badges")
    jobs.run_pending()
    db.session.commit()
    assert start(organiser_client, village, "badges") != first


def test_the_exports_page_lists_recent_jobs(organiser_client):
    village = make_village()
    start(organiser_client, village, "signin")

    text = organiser_client.get(exports_url(village)).get_data(as_text=True)

    assert "Documents préparés récemment" in text and "En attente" in text


def test_long_documents_are_no_longer_written_in_the_request(organiser_client):
    village = make_village()

    response = organiser_client.get(f"{exports_url(village)}/badges")

    assert response.status_code == 303 and response.headers["Location"].endswith(exports_url(village))


def test_a_file_not_ready_sends_back_to_the_progress_page(organiser_client):
    job_url = start(organiser_client, make_village(), "xlsx")

    response = organiser_client.get(job_url + "/fichier")

    assert response.status_code == 303 and response.headers["Location"].endswith(job_url)


def test_jobs_of_another_village_or_unknown_are_not_found(organiser_client):
    job_url = start(organiser_client, make_village(slug="avignon"), "xlsx")
    other = make_village(slug="sisteron")
    token = job_url.rsplit("/", 1)[1]

    assert organiser_client.get(f"{exports_url(other)}/taches/{token}").status_code == 404
    assert organiser_client.get(f"{exports_url(other)}/taches/inconnu/etat").status_code == 404


def test_an_unreachable_queue_is_said_plainly(organiser_client, app):
    app.config["JOBS_URL"] = "redis://127.0.0.1:1/12"

    assert jobs.queue_reachable()[0] is False
    job_url = start(organiser_client, make_village(), "badges")

    state = organiser_client.get(job_url + "/etat").get_json()
    assert state["status"] == "failed" and "injoignable" in state["error"]


def test_the_local_queue_is_reachable(app):
    reachable, detail = jobs.queue_reachable()

    assert reachable and "joignable" in detail


def test_finished_jobs_are_forgotten_after_a_while(organiser_client, app):
    village = make_village()
    start(organiser_client, village, "xlsx")
    app.config["JOBS_KEEP_HOURS"] = -1  # everything is old

    start(organiser_client, village, "signin")

    assert [job.params["format"] for job in db.session.scalars(select(Job))] == ["signin"]


@pytest.mark.browser
def test_an_organiser_watches_the_badge_sheets_being_prepared_and_downloads_them(page, app):
    app.config["JOBS_WORKER_IN_APP"] = True
    village = make_village(name="Village de Draguignan")
    for _ in range(30):
        make_registration(village)
    sign_in(page)
    try:
        page.goto(exports_url(village))
        page.get_by_role("button", name="Préparer Planches de badges").click()
        page.get_by_role("link", name="Télécharger").wait_for(timeout=30_000)
        assert page.locator("progress").get_attribute("value") == "100"
        screenshot(page, "export-job-done")
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Télécharger").click()
        pdf = PdfReader(download_info.value.path())
        assert len(pdf.pages) == 4
    finally:
        jobs.stop_in_app_worker()
    db.session.commit()  # a fresh reading: what the server and its worker wrote
    assert db.session.scalar(select(Job.status)) == JobStatus.DONE
