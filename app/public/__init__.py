"""Pages for participants: the villages, pre-registration, and the private registration page."""
from flask import Blueprint

blueprint = Blueprint("public", __name__)

from . import after_village, caching, feeds, followup, initiatives, legal, meetings, observatory, offline, views  # noqa: E402,F401  (routes attach to the blueprint)
