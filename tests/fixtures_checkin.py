"""Fixtures for the check-in tests: a village with a scanner link."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.extensions import db
from app.models import Village
from app.services import scanner_links
from app.timeutil import local_today
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
    """A village held today, and a valid scanner link for it: the door is open."""
    return make_scanner_link(make_village(slug="sisteron", town="Sisteron", day=local_today()))
