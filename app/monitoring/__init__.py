"""For the monitoring service: is the process up, can it serve, and a few figures.

No authentication and no personal data; never rate-limited (a monitor polls often).
"""
from flask import Blueprint

blueprint = Blueprint("monitoring", __name__)

from . import views  # noqa: E402,F401
