"""The public pages at two sizes: a few dozen initiatives and registrations, then 2,000 published
initiatives and 6,000 registrations. Their cost must not grow with the data.

    .venv/bin/python bench/public_pages.py [--databases sqlite postgresql]
        [--postgresql-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_pages]

For each database and size: a fresh schema, three villages held today and in the coming weeks
(the initiatives spread over them, the registrations too, one in twenty agreeing to appear on
« Qui vient ? »), served by gunicorn (2 workers × 4 threads); on PostgreSQL the small size has a
database of its own, named after the one given with « _petit » added. Both sizes are served at
once and each page is asked REQUESTS times of each, RUN times of one size then of the other,
each first every other time: what the rest of the machine does meanwhile falls on both sizes
alike (measured one size after the other, minutes apart, pages doing the same work at both
sizes came out 0.6 to 1.6 times as slow at the big one). The server time is gunicorn's own
(access log); the processor time is that of gunicorn's workers and of PostgreSQL's connections
to the database when it runs on this machine, which the load changes far less. The open data
is asked once cold (built), then warm, then revalidated with its ETag (a 304). Prints the
medians at both sizes side by side, and the SQL statements and Python calls of each page
(counted in this process: they do not depend on the machine).
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, insert, make_url, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Initiative, InitiativePresentation, Registration, RegistrationStatus, Role  # noqa: E402
from app.models import initiative_lists as lists  # noqa: E402
from app.models.registration import email_key  # noqa: E402
from app.reference import communes  # noqa: E402
from app.services import capacity, initiatives  # noqa: E402
from bench_data import bench_village, free_port  # noqa: E402
from run import Client, compile_project, ensure_postgresql_database, environment, serve  # noqa: E402

# Its tables are dropped, and those of bench_pages_petit (the small size).
DEFAULT_POSTGRESQL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_pages"
SIZES = {"petit": (30, 60), "grand": (2_000, 6_000)}  # (published initiatives, registrations)
REQUESTS = 200  # a median of few requests moved by 20 to 60 % with the load of other processes
# Asked RUN times in a row of one size, then of the other: asked alternately one by one, each
# request found the processor's caches full of the other server's and took 30 to 45 % longer.
RUN = 20
OPEN_DATA_REQUESTS = 10
WORDS = ["jardin", "équipe", "quartier", "solidaire", "épicerie", "familles", "jeunes", "café", "numérique", "répit"]
PAGES = {
    "accueil": "/",
    "page d'un village": "/villages/bench-1",
    "annuaire /initiatives": "/initiatives",
    "page d'une initiative": "/initiatives/{slug}",
}
OPEN_DATA = {
    "données ouvertes JSON": "/initiatives/export.json",
    "données ouvertes GeoJSON": "/initiatives/export.geojson",
    "données ouvertes CSV": "/initiatives/export.csv",
}


def fill(database_url: str, published: int, registered: int) -> str:
    """The villages, initiatives and registrations; returns an initiative's slug."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False})
    rng = random.Random(9)
    roles = list(Role)
    with app.app_context():
        places = [c for d in ("04", "83", "84") for c in communes.of_departement(d)]
        db.drop_all()
        db.create_all()
        villages = [bench_village(registered, days_ahead=days, slug=f"bench-{n}", town=town)
                    for n, (days, town) in enumerate(((0, "Sisteron"), (7, "Draguignan"), (21, "Avignon")))]
        db.session.add_all(villages)
        db.session.flush()
        for n in range(published):
            commune = rng.choice(places)
            fiche = {
                "name": f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {n}",
                "structure": f"Association {rng.choice(WORDS)} {n % 97}",
                "summary": " ".join(rng.choices(WORDS, k=30)),
                "stage": rng.choice(list(lists.STAGES)),
                "thematiques": rng.sample(list(lists.THEMATIQUES), 2),
                "publics": rng.sample([p for p in lists.PUBLICS if p != "tous-publics"], 2),
                "support_needs": rng.sample(list(lists.SUPPORT_NEEDS), 2),
                "commune_code": commune.code, "commune_name": commune.name,
            }
            initiative = initiatives.create(f"porteur{n}@example.org", f"Porteur {n}", fiche, actor="bench")
            db.session.add(InitiativePresentation(initiative=initiative, village=villages[n % 3]))
            initiatives.record_consent(initiative, "public", False, actor="bench")
            initiatives.approve(initiative, actor="bench")
            if n % 200 == 199:
                db.session.flush()
        db.session.execute(insert(Registration), [
            dict(village_id=villages[n % 3].id, role=roles[n % 4], status=RegistrationStatus.CONFIRMED,
                 first_name="Camille", last_name=f"Martin-{n}", email=f"p{n}@example.org",
                 email_key=email_key(f"p{n}@example.org"), commune="Avignon", consent_listing=n % 20 == 0,
                 organisation=f"Association n° {n % 300}", badge_code=f"badge-{n:05d}-" + os.urandom(12).hex(),
                 manage_token=os.urandom(16).hex())
            for n in range(registered)
        ])
        for village in villages:
            capacity.recount(village)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                # As autovacuum leaves the tables in production (it may be off on a test server):
                # the rows each initiative's consent and approval replaced, and the publication
                # version moved at each flush, are not left for every page to step over. (SQLite
                # keeps no dead rows, and refuses VACUUM in the transaction its driver opens.)
                connection.execute(text("VACUUM"))
                connection.execute(text("ANALYZE"))
                # The bulk load's writes done now, rather than by the checkpoint while pages are timed.
                connection.execute(text("CHECKPOINT"))
        slug = db.session.scalar(select(Initiative.slug).order_by(Initiative.id).limit(1))
        db.session.remove()
        db.engine.dispose()
    return slug


def counts_per_page(database_url: str, urls: dict[str, str]) -> dict[str, str]:
    """The SQL statements and Python calls of each page once warm, through Flask's test client
    (about 700 of the calls are the test client's)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False})
    counted = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *args: counted.append(1))
    client = app.test_client()
    figures = {}
    for label, url in urls.items():
        client.get(url)
        counted.clear()
        profile = cProfile.Profile()
        profile.runcall(client.get, url)
        calls = f"{pstats.Stats(profile).total_calls:_}".replace("_", " ")
        figures[label] = f"{len(counted)} requêtes SQL, {calls} appels Python"
    with app.app_context():
        db.engine.dispose()
    return figures


def logged_times(access_log: Path) -> list[tuple[int, float]]:
    """(status, server time in ms) of the requests logged so far (gunicorn's, in µs); empties the log."""
    time.sleep(0.2)  # gunicorn logs a request once its response is sent
    lines = access_log.read_text().splitlines()
    access_log.write_text("")
    return [(int(line.split()[2]), float(line.split()[3]) / 1000) for line in lines]


def bench(database_urls: dict[str, str]) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, float]],
                                                  dict[str, dict[str, float]]]:
    """The figures of each page at each size (`database_urls` by size); its median server time
    (ms), or for the open data its median once built (infinite when revalidation does not answer
    a 304 with Last-Modified); and the processor time of each page per request (ms)."""
    slugs = {size: fill(url, *SIZES[size]) for size, url in database_urls.items()}
    pages = {size: {label: url.format(slug=slugs[size]) for label, url in PAGES.items()} for size in database_urls}
    figures = {size: {} for size in database_urls}
    medians = {size: {} for size in database_urls}
    processor_ms = {size: {} for size in database_urls}
    with ExitStack() as stack:
        access_logs, clients, processors = {}, {}, {}
        for size, database_url in database_urls.items():
            folder = stack.enter_context(tempfile.TemporaryDirectory())
            access_logs[size] = Path(folder) / "access.log"
            port = free_port()
            server = serve(environment(database_url, folder), port, access_logs[size])
            stack.callback(server.wait)
            stack.callback(server.terminate)
            clients[size] = Client(port)
            processors[size] = Processor(server, database_url)
            stack.callback(processors[size].close)
        for label in PAGES:
            for size, client in clients.items():
                for _ in range(5):  # each worker's first request (templates compiled, mappers set up)
                    client.request("GET", pages[size][label])
                logged_times(access_logs[size])
            used = {size: processor.seconds() for size, processor in processors.items()}
            for n in range(REQUESTS // RUN):
                # Each size asked first every other time: the one asked second shares the processor
                # with what the first server does after answering (its log line, its connection).
                for size in sorted(clients, reverse=n % 2 == 1):
                    for _ in range(RUN):
                        clients[size].request("GET", pages[size][label])
            for size in clients:
                times = logged_times(access_logs[size])
                assert all(status == 200 for status, _ in times), (pages[size][label], times[:3])
                medians[size][label] = statistics.median(t for _, t in times)
                processor_ms[size][label] = (processors[size].seconds() - used[size]) * 1000 / REQUESTS
                figures[size][label] = f"{medians[size][label]:.2f} ms, processeur {processor_ms[size][label]:.2f} ms"
        for size, client in clients.items():
            open_data(client, access_logs[size], figures[size], medians[size])
    for size, database_url in database_urls.items():
        for label, counts in counts_per_page(database_url, pages[size]).items():
            figures[size][label] += f", {counts}"
    return figures, medians, processor_ms


class Processor:
    """The processor time used by a server: its workers' and, on PostgreSQL on this machine, that
    of the connections to its database. Per request, it hardly depends on what else the machine
    does, unlike the server's time (Linux's /proc)."""

    def __init__(self, server: subprocess.Popen, database_url: str) -> None:
        self.server = server
        on_postgresql = make_url(database_url).get_backend_name() == "postgresql"
        self.database = create_engine(database_url) if on_postgresql else None

    def seconds(self) -> float:
        pids = Path(f"/proc/{self.server.pid}/task/{self.server.pid}/children").read_text().split()
        if self.database is not None:
            with self.database.connect() as connection:
                pids += [str(pid) for pid in connection.scalars(text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"))]
        ticks = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:  # a connection closed meanwhile; or PostgreSQL on another machine
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        if self.database is not None:
            self.database.dispose()


def open_data(client: Client, access_log: Path, figures: dict[str, str], medians: dict[str, float]) -> None:
    for label, url in OPEN_DATA.items():
        cold = client.request("GET", url)
        for _ in range(OPEN_DATA_REQUESTS):
            client.request("GET", url)
        times = [t for _, t in logged_times(access_log)]
        etag, modified = cold.getheader("ETag"), cold.getheader("Last-Modified")
        revalidated = client.request("GET", url, headers={"If-None-Match": etag} if etag else {})
        again = [t for _, t in logged_times(access_log)]
        free = revalidated.status == 304 and modified is not None
        medians[label] = statistics.median(times[1:]) if free else float("inf")
        figures[label] = (f"{times[0]:.0f} ms froid, {statistics.median(times[1:]):.1f} ms ensuite, "
                          f"revalidé : {revalidated.status} en {again[0]:.1f} ms "
                          f"({len(cold.body) // 1024} Ko, Last-Modified {'oui' if modified else 'non'})")


def verdicts(medians: dict[str, dict[str, float]], processor_ms: dict[str, dict[str, float]]) -> dict[str, str]:
    """Each page's target, held or not: median ≤ 5 ms at both sizes and the big one within 25 %
    of the small one; the open data ≤ 50 ms once built, revalidated by a 304 with Last-Modified.
    The pages' processor time, big to small, is given beside."""
    small_size, big_size = SIZES
    small, big = medians[small_size], medians[big_size]
    held = {label: max(small[label], big[label]) <= 5 and big[label] <= 1.25 * small[label] for label in PAGES}
    held.update({label: max(small[label], big[label]) <= 50 for label in OPEN_DATA})
    processor = {label: processor_ms[big_size][label] / processor_ms[small_size][label] for label in PAGES}
    return {label: ("tenu" if ok else "NON TENU") +
            (f" ({big[label] / small[label]:.2f} fois le petit ; processeur {processor[label]:.2f} fois)"
             if label in PAGES else "")
            for label, ok in held.items()}


def postgresql_urls(given: str) -> dict[str, str]:
    """The biggest size in the database given, each other in its own, named after it."""
    *smaller, biggest = SIZES
    url = make_url(given)
    return {**{size: url.set(database=f"{url.database}_{size}").render_as_string(hide_password=False)
               for size in smaller}, biggest: given}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--postgresql-url", default=DEFAULT_POSTGRESQL)
    options = parser.parse_args()
    compile_project()
    for name in options.databases:
        with tempfile.TemporaryDirectory() as folder:
            if name == "sqlite":
                urls = {size: f"sqlite:///{folder}/{size}.sqlite" for size in SIZES}
            else:
                urls = postgresql_urls(options.postgresql_url)
                for url in urls.values():
                    ensure_postgresql_database(url)
            results, medians, processor_ms = bench(urls)
        held = verdicts(medians, processor_ms)
        print(f"\n{name}, charge moyenne {os.getloadavg()[0]:.1f} — objectif : médiane serveur ≤ 5 ms "
              "et à 25 % près aux deux tailles ; données ouvertes ≤ 50 ms, revalidées par un 304\n")
        print("| page | " + " | ".join(f"{size} ({p} initiatives, {r} inscriptions)"
                                         for size, (p, r) in SIZES.items()) + " | objectif |")
        print("|---|" + "---|" * (len(SIZES) + 1))
        for label in [*PAGES, *OPEN_DATA]:
            print(f"| {label} | " + " | ".join(results[size][label] for size in SIZES) + f" | {held[label]} |")
        missed = [label for label, text in held.items() if text.startswith("NON")]
        print(f"\nObjectifs tenus : {len(held) - len(missed)} sur {len(held)}" +
              (f" ; non tenus : {', '.join(missed)}" if missed else "") + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
