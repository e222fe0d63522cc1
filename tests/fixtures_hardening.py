"""Fixtures of the hardening tests: apps built with other settings than the shared test app."""
from __future__ import annotations

import pytest

from app import create_app
from app.extensions import db


@pytest.fixture
def make_app(_app):
    """Build fresh apps with the shared test app's settings plus `overrides` (e.g. limits switched on)."""
    built = []

    def build(**overrides):
        settings = {
            key: _app.config[key]
            for key in ("TESTING", "SQLALCHEMY_DATABASE_URI", "WTF_CSRF_ENABLED", "PUBLIC_URL")
        }
        settings.update(overrides)
        fresh = create_app(settings)
        built.append(fresh)
        return fresh

    yield build
    for fresh in built:
        with fresh.app_context():
            db.engine.dispose()
