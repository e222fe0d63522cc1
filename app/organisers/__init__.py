"""The back office of the association's team."""
from flask import Blueprint

blueprint = Blueprint("organisers", __name__)

from . import auth, exports, followup, initiatives, jobs, meetings, messages, observatory, personal_data, registrations, reports, team, views, villages  # noqa: E402,F401
