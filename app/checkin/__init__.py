"""Check-in at the door: the scanner page and the JSON API it uses."""
from flask import Blueprint

blueprint = Blueprint("checkin", __name__)

from . import api, offline, views  # noqa: E402,F401
