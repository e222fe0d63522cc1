"""Times the public directory of initiatives (/initiatives) with 2,000 published initiatives.

    .venv/bin/python bench/initiatives_directory.py            # a fresh SQLite file
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/EMPTY_DB .venv/bin/python bench/initiatives_directory.py

The database must be empty: the schema is created by the migrations. The initiatives are made
through the service (as holders and organisers would), spread over 3 villages and the communes
of 3 départements. Prints the median and slowest time of each page through the whole Flask stack.
"""
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.commands.migrations import enable_migrations  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import InitiativePresentation  # noqa: E402
from app.models import initiative_lists as lists  # noqa: E402
from app.reference import communes  # noqa: E402
from app.services import initiatives  # noqa: E402
from bench_data import bench_village, print_page_times  # noqa: E402

INITIATIVES = 2_000
RUNS = 15
WORDS = ["jardin", "équipe", "quartier", "solidaire", "épicerie", "familles", "jeunes", "café", "numérique", "répit"]


def fill(villages) -> None:
    rng = random.Random(9)
    places = [c for d in ("04", "83", "84") for c in communes.of_departement(d)]
    for n in range(INITIATIVES):
        commune = rng.choice(places)
        fiche = {
            "name": f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {n}",
            "structure": f"Association {rng.choice(WORDS)} {n % 97}",
            "summary": " ".join(rng.choices(WORDS, k=30)),
            "stage": rng.choice(list(lists.STAGES)),
            "thematiques": rng.sample(list(lists.THEMATIQUES), 2),
            "publics": rng.sample(list(lists.PUBLICS), 2),
            "support_needs": rng.sample(list(lists.SUPPORT_NEEDS), 2),
            "commune_code": commune.code, "commune_name": commune.name,
        }
        initiative = initiatives.create(f"porteur{n}@example.org", f"Porteur {n}", fiche, actor="bench")
        db.session.add(InitiativePresentation(initiative=initiative, village=rng.choice(villages)))
        initiatives.record_consent(initiative, "public", False, actor="bench")
        initiatives.approve(initiative, actor="bench")
        if n % 200 == 199:
            db.session.commit()
    db.session.commit()


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    enable_migrations(app)
    with app.app_context():
        upgrade()
        villages = [bench_village(500, slug=f"bench-{n}", town=town) for n, town in
                    enumerate(("Sisteron", "Draguignan", "Avignon"))]
        db.session.add_all(villages)
        db.session.commit()
        started = time.perf_counter()
        fill(villages)
        print(f"{db.engine.dialect.name}: {INITIATIVES} initiatives publiées en {time.perf_counter() - started:.1f} s")
        db.session.remove()

    client = app.test_client()
    pages = {
        "annuaire, page 1 (avec la carte)": "/initiatives",
        "recherche « equipe » (sans accent)": "/initiatives?q=equipe",
        "recherche « jardin quartier »": "/initiatives?q=jardin+quartier",
        "filtres village + thème + public": "/initiatives?village=bench-0&theme=sante&public=jeunes",
        "filtres département + besoin + état": "/initiatives?departement=04&besoin=financement&etat=en_cours",
        "annuaire, page 40": "/initiatives?page=40",
        "page du village (initiatives, qui vient)": "/villages/bench-1",
        "données ouvertes JSON (data·inclusion)": "/initiatives/export.json",
    }
    print_page_times(app, client, pages, RUNS)


if __name__ == "__main__":
    main()
