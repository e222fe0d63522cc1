"""Fixtures for the check-in tests: a village with a scanner link, organiser accounts."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.extensions import db
from app.models import Organiser, OrganiserRole, Village
from app.services import scanner_links
from tests.factories import make_village


@dataclass
class ScannerLink:
    village: Village
    token: str

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}


def make_scanner_link(village: Village, label: str = "Entrée nord") -> ScannerLink:
    _, token = scanner_links.create(village, label, "organisatrice@example.org")
    db.session.commit()
    return ScannerLink(village, token)


@pytest.fixture
def door(app) -> ScannerLink:
    """A village and a valid scanner link for it."""
    return make_scanner_link(make_village(slug="sisteron", town="Sisteron"))


def make_organiser(role: str = OrganiserRole.ORGANISER, villages=(), email: str | None = None) -> Organiser:
    organiser = Organiser(
        email=email or f"{role}@example.org", name=f"Compte {role}", role=role, checkin_villages=list(villages)
    )
    organiser.set_password("un mot de passe assez long")
    db.session.add(organiser)
    db.session.commit()
    return organiser


def log_in(client, organiser: Organiser) -> None:
    response = client.post(
        "/organisation/connexion", data={"email": organiser.email, "password": "un mot de passe assez long"}
    )
    assert response.status_code == 302, "the test account could not log in"
