"""Filters and globals shared by every template, and the French wording they stand on."""
from datetime import date, datetime, time

from urllib.parse import quote

from flask import Flask, current_app

from .models import Role, RegistrationStatus, VillagePhase
from .models import initiative_lists
from .timeutil import to_local

# A space that never breaks a line: "17 h" stays together, and so does "n° 3".
NBSP = "\u00a0"

# Written out rather than read from Babel's CLDR data: formatting a date with Babel loads the
# whole French locale (4.7 MB in every process) for these nineteen words.
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")

_VOWELS = "aeiouyàâäéèêëîïôöûüÿæœ"
# Town names whose h is aspirated, so not elided ("de Honfleur").
_ASPIRATED_H = frozenset({"hayange", "hazebrouck", "honfleur", "hautmont", "hirson"})
# A town named with its article contracts with "de" and "à": "du Pontet", "au Pontet".
_ARTICLES = {"le ": ("du ", "au "), "les ": ("des ", "aux ")}


def _elides(word: str) -> bool:
    lowered = word.lower()
    if not lowered:
        return False
    if lowered[0] == "h":
        return lowered.split()[0].split("-")[0] not in _ASPIRATED_H
    return lowered[0] in _VOWELS


def of_place(name: str) -> str:
    """"de" before a place name, as French writes it: d'Avignon, de Sisteron, du Pontet, d'Hyères."""
    for article, (contracted, _) in _ARTICLES.items():
        if name.lower().startswith(article):
            return contracted + name[len(article):]
    return f"d'{name}" if _elides(name) else f"de {name}"


def in_place(name: str) -> str:
    """"à" before a place name: à Avignon, au Pontet, aux Mées."""
    for article, (_, contracted) in _ARTICLES.items():
        if name.lower().startswith(article):
            return contracted + name[len(article):]
    return f"à {name}"


def _day_month_year(value: date) -> str:
    """"1er décembre 2026": the first of the month is an ordinal in French."""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def french_date(value: date) -> str:
    """"mardi 1er décembre 2026"."""
    return f"{WEEKDAYS[value.weekday()]} {_day_month_year(value)}"


def french_time(value: time) -> str:
    """As written in French: 9 h, 9 h 30, 14 h, never broken over two lines."""
    if value.minute == 0:
        return f"{value.hour}{NBSP}h"
    return f"{value.hour}{NBSP}h{NBSP}{value.minute:02d}"


def french_datetime(value: datetime | None) -> str:
    """A stored naive-UTC moment, shown in local time."""
    if value is None:
        return ""
    local = to_local(value)
    return f"{_day_month_year(local)} à {local:%H:%M}"


def with_colon(label: str) -> str:
    """A label introducing what follows: "Nom :", but "Déjeunerez-vous sur place ?" keeps its own mark."""
    label = str(label).rstrip()
    return label if label[-1:] in "?!:" else f"{label} :"


def plural(count: int, singular: str, several: str | None = None) -> str:
    """French agreement: 0 and 1 take the singular ("1 place restante", "0 déjeuner")."""
    return singular if abs(count) < 2 else (several or singular + "s")


def village_contact(village) -> str:
    """Whom participants write to about a village: its own contact, else the organisers'."""
    return village.contact_email or current_app.config["ORGANISER_EMAIL"]


def directions_url(village) -> str:
    """A route to the venue on OpenStreetMap, from wherever the person is (a link, not a call)."""
    return "https://www.openstreetmap.org/directions?to=" + quote(f"{village.venue}, {village.address}")


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        french_date=french_date, french_time=french_time, french_datetime=french_datetime,
        of_place=of_place, in_place=in_place, with_colon=with_colon, plural=plural,
    )
    app.jinja_env.globals.update(
        Role=Role, RegistrationStatus=RegistrationStatus, VillagePhase=VillagePhase, village_contact=village_contact,
        directions_url=directions_url, support_needs_list=initiative_lists.SUPPORT_NEEDS,
    )
