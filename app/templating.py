"""Filters and globals shared by every template, and the French wording they stand on."""
import math
import re
from collections.abc import Callable
from datetime import date, datetime, time
from typing import AnyStr
from urllib.parse import quote

from flask import Flask, current_app, render_template
from markupsafe import Markup

from .models import Role, RegistrationStatus, VillagePhase
from .models import initiative_lists
from .text import fold
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


# Words that lose their vowel before one: "d'Élodie", "qu'Élodie", "l'Agglomération", "jusqu'à".
_ELIDED = {"de": "d'", "que": "qu'", "le": "l'", "la": "l'", "jusque": "jusqu'", "je": "j'", "ne": "n'"}


def _elides(word: str) -> bool:
    lowered = word.lstrip("«\u00a0 ").lower()
    if not lowered:
        return False
    if lowered[0] == "h":
        return lowered.split()[0].split("-")[0] not in _ASPIRATED_H
    if lowered[0] == "y":  # a vowel in « d'Yves », a consonant in « de Yanis »
        return lowered[1:2] not in _VOWELS
    return lowered[0] in _VOWELS


def elide(word: str, following: str) -> str:
    """A short word before another, elided before a vowel or a mute h, for names too:
    elide("de", "Élodie") is "d'Élodie", elide("que", "Élodie") "qu'Élodie", elide("de", "Sisteron")
    "de Sisteron"."""
    following = str(following)
    if word.lower() in _ELIDED and _elides(following):
        elided = _ELIDED[word.lower()]
        return (elided[0].upper() + elided[1:] if word[:1].isupper() else elided) + following
    return f"{word} {following}"


def of_name(name: str) -> str:
    """"de" before a person's or an organisation's name: « d'Élodie Lefèvre », « de Camille »."""
    return elide("de", name)


def that_name(name: str) -> str:
    """"que" before a name: « atteste qu'Élodie Lefèvre », « que Camille »."""
    return elide("que", name)


def of_place(name: str) -> str:
    """"de" before a place name, as French writes it: d'Avignon, de Sisteron, du Pontet, d'Hyères."""
    for article, (contracted, _) in _ARTICLES.items():
        if name.lower().startswith(article):
            return contracted + name[len(article):]
    return of_name(name)


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
    return f"{_day_month_year(local)} à {french_time(local.time())}"


def with_colon(label: str) -> str:
    """A label introducing what follows: "Nom :", but "Déjeunerez-vous sur place ?" keeps its own mark."""
    label = str(label).rstrip()
    return label if label[-1:] in "?!:" else f"{label} :"


def plural(count: int, singular: str, several: str | None = None) -> str:
    """French agreement: 0 and 1 take the singular ("1 place restante", "0 déjeuner")."""
    return singular if abs(count) < 2 else (several or singular + "s")


def quantity(count: int, singular: str, several: str | None = None) -> str:
    """A count and its noun, agreed and kept on one line: "0 initiative", "1 rendez-vous", "3 places"."""
    return f"{count}{NBSP}{plural(count, singular, several)}"


def duration(seconds: int) -> str:
    """A wait in words, rounded up to what people count in: « 40 secondes », « 2 minutes », « 1 heure »."""
    if seconds >= 3600:
        return quantity(math.ceil(seconds / 3600), "heure")
    if seconds >= 60:
        return quantity(math.ceil(seconds / 60), "minute")
    return quantity(seconds, "seconde")


def french_sort_key(text) -> tuple[str, str]:
    """Sorts as a French dictionary does: accents and case only break ties, so « Équipe mobile »
    comes among the E, and « œ » reads as « oe »."""
    text = str(text or "")
    return fold(text.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")), text


def french_sorted(items, key=None) -> list:
    """The items in French order, of themselves or of `key(item)`."""
    return sorted(items, key=lambda item: french_sort_key(key(item) if key else item))


# Between labels which may hold commas themselves (« Communication, visibilité »).
LABEL_SEPARATOR = " · "


def labels(items) -> str:
    """Labels in a line, separated so that each reads as it is: « Financement · Communication, visibilité »."""
    items = [str(item) for item in items if item]
    return (LABEL_SEPARATOR if any("," in item for item in items) else ", ").join(items)


# French typography: a non-breaking space before « ? ! ; : » and « » », after « « », and inside
# times (« 9 h », « 17 h 30 »), so that none of them starts a line alone.
_SPACE_BEFORE_MARK = re.compile(r"[ \t]+([?!;:»])")
_SPACE_AFTER_QUOTE = re.compile(r"«[ \t]+")
_HOUR = re.compile(r"\b(\d{1,2})[ \t]+h(?:[ \t]+(\d\d))?(?![\w'’])")
# What is code, not prose, in a page: left as it is; and what was corrected already (typeset).
_NOT_PROSE = re.compile(r"(<(script|style|textarea|pre)\b.*?</\2>|<[^>]*>)", re.S | re.I)
_TYPESET = ("<!--typeset-->", "<!--/typeset-->")
_NUL = "\0"


def typography(text: str) -> str:
    """A text with the non-breaking spaces French typography wants."""
    text = _SPACE_BEFORE_MARK.sub(NBSP + r"\1", text)
    text = _SPACE_AFTER_QUOTE.sub("«" + NBSP, text)
    return _HOUR.sub(lambda m: f"{m[1]}{NBSP}h" + (f"{NBSP}{m[2]}" if m[2] else ""), text)


def html_typography(html: str) -> str:
    """The same, in an HTML document's text only (not in tags, scripts, styles or what people type),
    leaving alone the fragments corrected already (typeset)."""
    return _outside_typeset(html.replace(_NUL, ""), *_TYPESET, _prose_typography)


def _utf8_html_typography(body: bytes) -> bytes:
    """html_typography of a UTF-8 document: its typeset fragments are copied, never decoded."""
    return _outside_typeset(body.replace(b"\0", b""), *(mark.encode() for mark in _TYPESET),
                            lambda part: _prose_typography(part.decode()).encode())


def _outside_typeset(html: AnyStr, opening: AnyStr, closing: AnyStr, correct: Callable[[AnyStr], AnyStr]) -> AnyStr:
    # Found by find(), not by _NOT_PROSE: a regular expression steps through 400 KB slowly.
    out = []
    position = 0
    while (start := html.find(opening, position)) >= 0:
        end = html.find(closing, start)
        end = len(html) if end < 0 else end + len(closing)
        out += (correct(html[position:start]), html[start:end])
        position = end
    out.append(correct(html[position:]))
    return html[:0].join(out)


def _prose_typography(html: str) -> str:
    # split() gives: text, whole match, tag name of a block, text, … The texts are corrected
    # together, joined by a NUL (which none of the rules crosses and html_typography took out of
    # the document: browsers drop it from a page's text anyway), rather than one by one: a form
    # has some 1,000 of them, and a call per text cost as much as rendering the page.
    parts = _NOT_PROSE.split(html)
    parts[0::3] = typography(_NUL.join(parts[0::3])).split(_NUL)
    parts[2::3] = [""] * len(parts[2::3])
    return "".join(parts)


def typeset(html: str) -> Markup:
    """An HTML fragment with French typography, marked so that the page it is put in does not
    correct it again: for a fragment built once and shown at every request (the directory's
    map of 2,000 initiatives is 400 KB, whose correction cost four times the rest of its page)."""
    opening, closing = _TYPESET
    return Markup(f"{opening}{html_typography(html)}{closing}")


def page_with_fragments(template: str, fragments: dict[str, bytes], **context) -> bytes:
    """The page `template` renders, with each of `fragments` (UTF-8 HTML kept typeset, by the name
    the template shows it by) put in as bytes: a kept fragment of hundreds of KB (the directory's
    map) is neither decoded nor encoded again at each request (1 ms each way)."""
    marks = {name: f"<!--fragment:{name}-->" for name in fragments}
    page = render_template(template, **context, **{name: Markup(mark) for name, mark in marks.items()}).encode()
    for name, fragment in fragments.items():
        page = page.replace(marks[name].encode(), fragment, 1)
    return page


def field_errors(form):
    """(the id to point at, the question, its first message) of each answer to correct, fields
    within lists and sub-forms included: never a dict of errors nor a field's code name."""
    for field in form:
        if not field.errors:
            continue
        if field.type in ("FieldList", "FormField"):
            yield from field_errors(field)
        else:
            first_of_group = field.type in ("RadioField", "MultiCheckboxField")
            yield f"{field.id}-0" if first_of_group else field.id, field.label.text, _first_message(field.errors)


def _first_message(errors) -> str:
    while isinstance(errors, (list, tuple, dict)):
        errors = next(iter(errors.values() if isinstance(errors, dict) else errors), "")
    return str(errors)


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
        of_name=of_name, that_name=that_name, quantity=quantity, labels=labels, typography=typography,
        french_sort=lambda items, attribute=None: french_sorted(
            items, key=(lambda item: _attribute(item, attribute)) if attribute else None),
    )
    app.jinja_env.globals.update(
        Role=Role, RegistrationStatus=RegistrationStatus, VillagePhase=VillagePhase, village_contact=village_contact,
        directions_url=directions_url, support_needs_list=initiative_lists.SUPPORT_NEEDS,
        field_errors=field_errors,
    )
    app.after_request(_french_typography)


def _attribute(item, name: str):
    return item[name] if isinstance(item, dict) else getattr(item, name)


def _french_typography(response):
    """Every HTML page gets French typography, whatever template or view wrote its words."""
    if response.mimetype == "text/html" and not response.direct_passthrough and not response.is_streamed:
        response.set_data(_utf8_html_typography(response.get_data()))
    return response
