"""Jobs of every kind: the schedule built in the background with its stages, one build at a time,
a refusal ending as a failed job, and a job whose worker died shown as failed and relaunched."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Job, JobStatus, MatchingSettings
from app.runtime import job_kinds, jobs
from app.services import meeting_requests, scheduling
from app.timeutil import utcnow
from tests.factories import make_registration, make_village
from tests.factories_matching import make_area, make_institution, make_porteur
from tests.fixtures_jobs import finished_job
from tests.helpers import page_text
from tests.test_backoffice_phone_layout import screenshot, sign_in


@pytest.fixture
def village_with_a_meeting(app):
    """A village whose meeting area has one accepted meeting to place, and one request unanswered."""
    village = make_village(town="Avignon")
    make_area(village)
    caf = make_institution(village)
    meeting_requests.accept(meeting_requests.ask(make_porteur(village), caf, "appui", ""), caf)
    meeting_requests.ask(make_porteur(village, email="attente@example.org"), caf, "appui", "")
    db.session.commit()
    return village


def build_url(village) -> str:
    return f"/organisation/villages/{village.id}/rendez-vous/calcul"


def test_the_schedule_is_built_by_a_job_whose_result_page_counts_the_meetings_placed(
        organiser_client, village_with_a_meeting):
    started = organiser_client.post(build_url(village_with_a_meeting))
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1
    assert "En attente" in page_text(organiser_client.get(started.headers["Location"]))

    state = finished_job(organiser_client, started)

    assert (state["status"], state["percent"]) == ("done", 100)
    assert state["summary"].startswith("Programme provisoire calculé : 1 rendez-vous placé sur 1 ; "
                                       "1 demande sans réponse a expiré")
    page = organiser_client.get(started.headers["Location"])
    assert "1 rendez-vous placé sur 1" in page_text(page)
    assert f'href="/organisation/villages/{village_with_a_meeting.id}/rendez-vous"' in page.get_data(as_text=True)


def test_while_the_solver_works_the_bar_says_the_requests_are_closed_and_moves_with_time(
        organiser_client, village_with_a_meeting, app, monkeypatch):
    app.config["SCHEDULING_TIME_LIMIT"] = 2
    seen = []
    real_solve = scheduling.solve

    def slow_solve(problem, time_limit):
        import time
        time.sleep(2.5)  # the bar ticks every second meanwhile
        with db.engine.connect() as connection:
            seen.append(connection.execute(select(Job.done, Job.total, Job.heartbeat_at)).one())
        return real_solve(problem, time_limit)

    monkeypatch.setattr(scheduling, "solve", slow_solve)
    started = organiser_client.post(build_url(village_with_a_meeting))
    finished_job(organiser_client, started)

    done, total, heartbeat = seen[0]
    assert total == job_kinds.SCHEDULE_STEPS and job_kinds.SCHEDULE_CLOSED < done < job_kinds.SCHEDULE_SOLVED
    assert utcnow() - heartbeat < timedelta(seconds=5)


def test_the_stage_is_said_in_words(organiser_client, village_with_a_meeting):
    started = organiser_client.post(build_url(village_with_a_meeting))
    url = started.headers["Location"]
    assert organiser_client.get(url + "/etat").get_json()["steps"] == "Clôture des demandes…"
    db.session.execute(update(Job).values(status=JobStatus.RUNNING, done=40, total=100, heartbeat_at=utcnow()))
    db.session.commit()
    state = organiser_client.get(url + "/etat").get_json()
    assert (state["steps"], state["percent"]) == ("Demandes closes · calcul du programme…", 40)


def test_a_second_organiser_asking_meanwhile_follows_the_build_under_way(organiser_client, village_with_a_meeting):
    first = organiser_client.post(build_url(village_with_a_meeting))

    second = organiser_client.post(build_url(village_with_a_meeting))

    assert second.headers["Location"] == first.headers["Location"]
    assert "Le programme est déjà en cours de calcul" in page_text(organiser_client.get(second.headers["Location"]))
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1
    assert jobs.run_pending() == 1


def test_once_a_build_is_over_another_may_start(organiser_client, village_with_a_meeting):
    finished_job(organiser_client, organiser_client.post(build_url(village_with_a_meeting)))

    again = organiser_client.post(build_url(village_with_a_meeting))

    assert finished_job(organiser_client, again)["status"] == "done"
    assert db.session.scalar(select(func.count()).select_from(Job)) == 2


def test_meetings_changed_during_the_build_end_it_as_a_failed_job_saying_so(
        organiser_client, village_with_a_meeting, monkeypatch):
    real_solve = scheduling.solve

    def solve_while_someone_changes_a_meeting(problem, time_limit):
        with db.engine.begin() as connection:
            connection.execute(update(MatchingSettings).values(schedule_version=MatchingSettings.schedule_version + 1))
        return real_solve(problem, time_limit)

    monkeypatch.setattr(scheduling, "solve", solve_while_someone_changes_a_meeting)

    state = finished_job(organiser_client, organiser_client.post(build_url(village_with_a_meeting)))

    assert state["status"] == "failed"
    assert state["error"] == "Des rendez-vous ont changé pendant le calcul : relancez le calcul du programme."
    assert state["summary"] is None


def export_job_running_since(village, minutes: float) -> Job:
    """An export a worker took, whose last sign of life was `minutes` ago."""
    job = jobs.start_export(village, "xlsx", "orga@villages.test")
    jobs.queue().flush()  # the worker took it off the queue…
    job.status, job.done, job.total = JobStatus.RUNNING, 3, 9
    job.heartbeat_at = utcnow() - timedelta(minutes=minutes)
    db.session.commit()
    return job


def job_url(job) -> str:
    return f"/organisation/villages/{job.village_id}/exports/taches/{job.token}"


def test_a_running_job_whose_worker_went_silent_is_shown_failed_with_a_retry_button(organiser_client, app):
    app.config["JOBS_STALE_SECONDS"] = 120
    job = export_job_running_since(make_village(), minutes=3)

    state = organiser_client.get(job_url(job) + "/etat").get_json()

    assert state["status"] == "failed" and "s'est interrompue" in state["error"]
    assert state["steps"] == ""  # the error says what happened, not the last step
    text = page_text(organiser_client.get(job_url(job)))
    assert "Échec" in text and "Relancez-la" in text and "Relancer" in text


def test_the_exports_page_lists_a_dead_job_as_failed(organiser_client, app):
    app.config["JOBS_STALE_SECONDS"] = 120
    job = export_job_running_since(make_village(), minutes=3)

    text = page_text(organiser_client.get(f"/organisation/villages/{job.village_id}/exports"))

    assert "Classeur Excel – Échec" in text


def test_a_running_job_with_a_recent_heartbeat_goes_on(organiser_client, app):
    app.config["JOBS_STALE_SECONDS"] = 120
    job = export_job_running_since(make_village(), minutes=1)

    state = organiser_client.get(job_url(job) + "/etat").get_json()

    assert (state["status"], state["error"]) == ("running", None)


def test_relaunching_a_dead_job_queues_it_again_and_it_finishes(organiser_client, app):
    app.config["JOBS_STALE_SECONDS"] = 120
    village = make_village()
    for _ in range(4):
        make_registration(village)
    job = export_job_running_since(village, minutes=10)
    organiser_client.get(job_url(job) + "/etat")

    relaunched = organiser_client.post(f"/organisation/taches/{job.token}/relancer")

    assert relaunched.headers["Location"].endswith(job_url(job))
    state = finished_job(organiser_client, relaunched)
    assert (state["status"], state["error"], state["done"], state["total"]) == ("done", None, 4, 4)
    assert organiser_client.get(state["download_url"]).headers["Content-Disposition"].endswith(".xlsx")


def test_a_dead_schedule_build_does_not_block_a_new_one(organiser_client, village_with_a_meeting, app):
    app.config["JOBS_STALE_SECONDS"] = 120
    organiser_client.post(build_url(village_with_a_meeting))
    jobs.queue().flush()
    db.session.execute(update(Job).values(status=JobStatus.RUNNING, heartbeat_at=utcnow() - timedelta(hours=1)))
    db.session.commit()

    state = finished_job(organiser_client, organiser_client.post(build_url(village_with_a_meeting)))

    assert state["status"] == "done"
    assert sorted(db.session.scalars(select(Job.status))) == ["done", "failed"]


def test_the_stale_delay_is_a_setting(app):
    assert app.config["JOBS_STALE_SECONDS"] == 120


@pytest.mark.browser
def test_an_organiser_watches_the_schedule_being_built_then_reads_the_result(page, in_app_worker, monkeypatch):
    real_solve = scheduling.solve

    def slow_solve(problem, time_limit):
        import time
        time.sleep(2.5)  # long enough to see the bar move
        return real_solve(problem, time_limit)

    monkeypatch.setattr(scheduling, "solve", slow_solve)
    village = make_village(name="Village de Carpentras")
    make_area(village)
    caf = make_institution(village)
    for index in range(3):
        porteur = make_porteur(village, email=f"porteur{index}@example.org")
        meeting_requests.accept(meeting_requests.ask(porteur, caf, "appui", ""), caf)
    sign_in(page)
    page.goto(f"/organisation/villages/{village.id}/rendez-vous")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Clore les demandes et calculer le programme").click()
    page.get_by_text("Demandes closes · calcul du programme…").wait_for(timeout=30_000)
    expect(page.locator("progress")).to_be_visible()
    screenshot(page, "schedule-job-running")
    page.get_by_text("3\u00a0rendez-vous placés sur 3").wait_for(timeout=30_000)
    assert page.locator("progress").get_attribute("value") == "100"
    assert page.get_by_role("status").inner_text().startswith("Prêt")
    screenshot(page, "schedule-job-done")
    page.set_viewport_size({"width": 1280, "height": 800})
    screenshot(page, "schedule-job-done-desktop")
    page.get_by_role("link", name="Retour aux rendez-vous").last.click()
    page.wait_for_url("**/rendez-vous")
    jobs.stop_in_app_worker()
    db.session.commit()  # a fresh reading: what the server and its worker wrote
    assert db.session.scalar(select(Job.status)) == JobStatus.DONE
