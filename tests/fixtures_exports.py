"""A village with a varied set of registrations to export."""
from datetime import datetime

import pytest

from app.models import RegistrationStatus, Role
from tests.factories import make_registration, make_village, present_initiative


@pytest.fixture
def export_village(app):
    """Avignon with one registration of each kind an export must show."""
    village = make_village(slug="avignon", name="Village des initiatives solidaires – Avignon",
                           town="Avignon", venue="Maison des associations")
    holder = make_registration(
        village, role=Role.PORTEUR, civility="madame", first_name="Hélène", last_name="Durand", commune="Cavaillon",
        organisation="Jardins partagés du Luberon", lunch=True, dietary_needs="Végétarienne",
        consent_photos=True, created_at=datetime(2026, 3, 2, 8, 15),  # 9 h 15 à Paris (UTC+1)
    )
    present_initiative(
        holder, name="Les jardins du lien", summary="Un jardin partagé\nouvert aux familles.",
        stage="en_cours", thematiques=["alimentation"], keywords="jardin; lien social",
        publics=["familles"], territory_detail="Luberon", partners="Mairie de Cavaillon",
        support_needs=["financement", "mise_en_reseau"], support_details={"mise_en_reseau": "Trouver un local"},
        stand={"wants_stand": True, "stand_table": True, "stand_electricity": False},
    )
    make_registration(village, role=Role.ELU, civility="monsieur", first_name="Éric", last_name="Élan",
                      collectivity="Commune d'Apt", mandate="Adjoint aux solidarités")
    make_registration(village, role=Role.INSTITUTIONNEL, first_name="Zoé", last_name="Abadie",
                      organisation="=HYPERLINK(\"http://mal.example\")", position="Conseillère")
    make_registration(village, role=Role.HABITANT, first_name="Marc", last_name="Zidane",
                      represented_group="Conseil citoyen", is_walk_in=True, email=None,
                      checked_in_at=datetime(2026, 7, 10, 7, 5))  # 9 h 05 à Paris (UTC+2)
    make_registration(village, role=Role.HABITANT, first_name="Paul", last_name="Bernard",
                      status=RegistrationStatus.CANCELLED)
    make_registration(village, role=Role.INSTITUTIONNEL, first_name="Inès", last_name="Caron",
                      status=RegistrationStatus.WAITLISTED)
    return village


@pytest.fixture
def prepared_export():
    """Asks for a document in the back office as an organiser would, lets the worker write
    it, and returns the download's response."""
    from app.extensions import db
    from app.runtime import jobs

    def prepare(client, village, format_name: str):
        jobs.queue().flush()  # only this document is written
        started = client.post(f"/organisation/villages/{village.id}/exports/{format_name}/preparer")
        assert started.status_code == 303, started.status_code
        jobs.run_pending()
        db.session.commit()  # the test's own reading ends: it sees what the worker wrote
        return client.get(started.headers["Location"] + "/fichier")

    return prepare
