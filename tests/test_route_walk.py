"""Every route of the application, from its URL map, with extreme values in each part of its
address and in each query parameter it reads, as each kind of visitor: never a server error.

The query parameters a route reads are found by asking it: the request's parameters record
which names the view looked up (RecordingArgs), on a first request with valid values; then each
of those names gets each extreme value. A new route, or a new parameter, is walked with no
change here. Where the visitor is refused anyway, a few values suffice (the refusal comes
first); where they are let in, every value is tried.
"""
import re
from urllib.parse import quote, urlencode

import pytest
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter, Rule

from app.extensions import db
from tests.test_authorisation_matrix import (
    ANONYMOUS, ADMIN, CHECKIN, DECISIONS, LAST, ORGANISER, PARTICIPANT, World, request_order,
)

# Ids, years, numbers at and past 64 bits, letters, leading zeros, unicode, nothing at all.
EXTREMES = ["0", "-1", "-5", str(2**63), str(2**64), "9" * 20, "abc", "0000", "10000", "é✓😀", ""]
# Enough to show that a refusal comes before anything reads the value.
WHEN_REFUSED = ["0", str(2**64), "é✓😀"]
ARGUMENT = re.compile(r"<(?:[^<>]*:)?(\w+)>")
read_names: set[str] = set()


class RecordingArgs(ImmutableMultiDict):
    """Request parameters that remember which names the application looked up."""

    def get(self, key, default=None, type=None):
        read_names.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        read_names.add(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        read_names.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        read_names.add(key)
        return super().__contains__(key)


@pytest.fixture
def recording(app):
    original = app.request_class
    app.request_class = type("RecordingRequest", (original,), {"parameter_storage_class": RecordingArgs})
    yield
    app.request_class = original


def address(rule: Rule, values: dict) -> str:
    return ARGUMENT.sub(lambda m: quote(str(values[m.group(1)]), safe="/"), rule.rule)


def test_every_number_in_an_address_is_a_database_id(app):
    """Ids past 2^63 must be refused by the address, not by the database's driver."""
    plain = [f"{rule.rule}: {name}" for rule in app.url_map.iter_rules()
             for name, converter in rule._converters.items()
             if isinstance(converter, IntegerConverter) and converter.max != 2**63 - 1]
    assert plain == [], "utilisez <id:…> pour un numéro de ligne"


@pytest.mark.parametrize("visitor", [ANONYMOUS, PARTICIPANT, CHECKIN, ORGANISER, ADMIN])
def test_every_route_with_extreme_values_never_gives_a_server_error(app, recording, visitor):
    world = World(app, visitor)
    db.session.rollback()
    calls = sorted(((method, rule) for rule in app.url_map.iter_rules() for method in ("GET", "POST")
                    if method in rule.methods and rule.endpoint != "static"),
                   key=lambda call: (call[0] == "POST" and call[1].endpoint in LAST, call[0], request_order(call[1])))
    errors = []

    def send(method: str, rule: Rule, url: str) -> None:
        body = {} if method == "POST" and rule.rule.startswith("/api/") else None
        try:
            response = world.client.open(url, method=method, headers=world.headers, json=body)
            status = response.status_code
        except Exception as error:  # the test client re-raises what the app did not handle  # noqa: BLE001
            status = f"{type(error).__name__}: {error}"[:200]
        db.session.rollback()
        if not isinstance(status, int) or status >= 500:
            errors.append(f"{method} {url} → {status}")

    for method, rule in calls:
        values = {name: str(value) for name, value in world.values_for(rule).items()}
        extremes = EXTREMES if visitor in DECISIONS[rule.endpoint] else WHEN_REFUSED
        read_names.clear()
        send(method, rule, address(rule, values))
        names = sorted(read_names)
        for name in rule.arguments:
            for value in extremes:
                send(method, rule, address(rule, {**values, name: value}))
        for name in names:
            for value in extremes:
                send(method, rule, f"{address(rule, values)}?{urlencode({name: value})}")
    assert errors == [], "\n".join(errors)
