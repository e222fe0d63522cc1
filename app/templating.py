"""Filters and globals shared by every template."""
from datetime import date, datetime, time

from flask import Flask
from flask_babel import format_date, format_datetime

from .models import Role, RegistrationStatus
from .models import initiative_lists


def french_date(value: date) -> str:
    return format_date(value, "EEEE d MMMM y")


def french_time(value: time) -> str:
    """As written in French: 9 h, 9 h 30, 14 h."""
    return f"{value.hour} h" if value.minute == 0 else f"{value.hour} h {value.minute:02d}"


def french_datetime(value: datetime | None) -> str:
    """A stored naive-UTC moment, shown in local time."""
    if value is None:
        return ""
    # Flask-Babel reads naive datetimes as UTC and shows them in BABEL_DEFAULT_TIMEZONE.
    return format_datetime(value, "d MMMM y 'à' HH:mm")


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        french_date=french_date, french_time=french_time, french_datetime=french_datetime
    )
    app.jinja_env.globals.update(Role=Role, RegistrationStatus=RegistrationStatus,
                                 support_needs_list=initiative_lists.SUPPORT_NEEDS)
