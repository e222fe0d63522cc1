"""What addresses may carry: a database id is a whole number from 1 to 2^63 - 1.

Rows are numbered by 64-bit signed integers on both engines: a larger number in an address
names nothing, and must give « page introuvable » (404), not an error of the database's
driver (SQLite's overflows at 2^63). Every route names its ids with `<id:…>`; a test
(tests/test_route_walk.py) checks that no route uses another converter for numbers. Numbers
in query strings are read with the types below, which leave out what is out of range.
"""
from datetime import MAXYEAR, MINYEAR

from werkzeug.routing import IntegerConverter

LARGEST_ID = 2**63 - 1


class DatabaseIdConverter(IntegerConverter):
    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=LARGEST_ID)


def init_app(app) -> None:
    app.url_map.converters["id"] = DatabaseIdConverter


# For numbers in query strings, as `request.args.get(name, type=…)`: out of range is absent.

def database_id(value: str) -> int:
    number = int(value)
    if not 1 <= number <= LARGEST_ID:
        raise ValueError(value)
    return number


def year(value: str) -> int:
    """A year a date can hold (1 to 9999)."""
    number = int(value)
    if not MINYEAR <= number <= MAXYEAR:
        raise ValueError(value)
    return number
