"""Who may open which back-office page. Every view checks the role on the server."""
from functools import wraps

from flask import abort
from flask_login import current_user

from ..extensions import login_manager
from ..models import OrganiserRole

login_manager.login_view = "organisers.login"
login_manager.login_message = "Identifiez-vous pour accéder à cette page."
login_manager.login_message_category = "warning"
# A stolen session cookie used from another browser is dropped.
login_manager.session_protection = "strong"


def role_required(*roles: OrganiserRole):
    """Let through logged-in accounts holding one of `roles` (an admin always passes).

    Anonymous visitors are sent to the login page; other accounts get a 403 page.
    """

    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorator
