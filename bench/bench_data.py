"""The village every benchmark fills, and how benchmarks time a page."""
import socket
import statistics
import subprocess
import threading
import time as clock
from datetime import time, timedelta

from sqlalchemy import create_engine, text

from app.models import Village
from app.timeutil import local_today


def bench_village(capacity: int, days_ahead: int = 30, **fields) -> Village:
    values = dict(
        slug="bench",
        name="Village des initiatives solidaires – Banc d'essai",
        town="Avignon",
        venue="Maison des associations",
        address="2 rue Saint-Jean le Vieux, 84000 Avignon",
        # The villages' day as the application counts days (Paris): from 23:00 UTC, the machine's
        # date made a village « held today » yesterday's, and two fills either side of midnight differ.
        day=local_today() + timedelta(days=days_ahead),
        starts_at=time(9),
        ends_at=time(17),
        capacity=capacity,
    )
    values.update(fields)
    return Village(**values)


def open_the_door(database_url: str) -> None:
    """Move the bench village to today: the door opens on the village's day only, and its
    registrations, measured first, close on the day."""
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE village SET day = :today WHERE slug = 'bench'"), {"today": local_today()})
    engine.dispose()


def measure(client, url: str, runs: int) -> tuple[float, float]:
    """The median and slowest of `runs` GETs of `url`, in milliseconds, through the whole Flask stack."""
    timings = []
    for _ in range(runs):
        started = clock.perf_counter()
        response = client.get(url)
        timings.append((clock.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings), max(timings)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answering(server: subprocess.Popen, port: int, seconds: float) -> subprocess.Popen:
    """`server` once its port accepts connections; stopped, and the benchmark ended, if it never does."""
    deadline = clock.monotonic() + seconds
    while clock.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            clock.sleep(0.1)
    server.terminate()
    raise SystemExit(f"le serveur du port {port} ne répond pas")


def print_page_times(app, client, pages: dict[str, str], runs: int) -> None:
    """One line per page: the median and slowest of `runs` requests."""
    width = max(len(label) for label in pages)
    print(f"{'page':{width}} {'médiane':>9} {'pire':>9}   ({runs} requêtes chacune)")
    for label, page_url in pages.items():
        with app.app_context():
            median, worst = measure(client, page_url, runs)
        print(f"{label:{width}} {median:7.1f} ms {worst:7.1f} ms")


def timed_at_once(count: int, work) -> float:
    """Seconds taken by `count` threads, each running work(number, ready) and calling ready()
    once set up (its connection opened): the clock starts when all of them are ready."""
    start = threading.Barrier(count + 1)
    threads = [threading.Thread(target=work, args=(number, start.wait)) for number in range(count)]
    for thread in threads:
        thread.start()
    start.wait()
    started = clock.perf_counter()
    for thread in threads:
        thread.join()
    return clock.perf_counter() - started
