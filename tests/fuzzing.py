"""Strategies and helpers shared by the property-based (hypothesis) tests of the public inputs."""
import json
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.extensions import db

# Arbitrary text, unicode, control characters (NUL included), huge values, injection attempts.
anything = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp", "So", "Lo"]), max_size=30),
    st.just("x" * 100_000),
    st.sampled_from(["habitant", "porteur", "oui", "\x00", "' OR 1=1 --", "<script>", "é" * 300]),
)
# Texts no keyboard types but JSON can carry: lone UTF-16 halves ("\ud800"), alone or inside words.
lone_surrogates = st.text(alphabet=st.characters(categories=["Cs"]), min_size=1, max_size=3) | st.builds(
    "{}{}{}".format, st.text(max_size=5), st.characters(categories=["Cs"]), st.text(max_size=5)
)
# Dates at the edges of what Python represents, with offsets that push them past year 1 or 9999 in UTC.
extreme_dates = st.one_of(
    st.sampled_from([
        "9999-12-31T23:59:59.999999-14:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59Z",
        "0001-01-01T00:00:00Z", "0001-01-01", "9999-12-31", "+275760-09-13T00:00:00Z",
    ]),
    st.builds(
        lambda moment, hours: moment.replace(tzinfo=timezone(timedelta(hours=hours))).isoformat(),
        st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(1, 1, 2))
        | st.datetimes(min_value=datetime(9999, 12, 30), max_value=datetime(9999, 12, 31, 23, 59, 59)),
        st.integers(min_value=-23, max_value=23),
    ),
)
# Any JSON value: the wrong types where an API expects an object, a text or a number.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40) | anything
    | lone_surrogates | extreme_dates,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10) | lone_surrogates, inner, max_size=4),
    max_leaves=10,
)
# JSON nested far deeper than any phone sends (Python's parser gives up past about a thousand levels).


def _nested(depth: int, in_objects: bool, field: str) -> str:
    text = '{"a": ' * depth + "1" + "}" * depth if in_objects else "[" * depth + "]" * depth
    return f'{{"{field}": {text}}}' if field else text


deep_nesting = st.builds(
    _nested, st.integers(min_value=10, max_value=5000), st.booleans(),
    st.sampled_from(["", "code", "events", "person", "first_name"]),
)


def form_data(fields: list[str]):
    """Some of `fields` (missing ones are missing), each with an arbitrary value."""
    return st.dictionaries(st.sampled_from(fields), anything, max_size=len(fields))


def json_objects(fields: list[str]):
    """Any JSON value, or an object with some of `fields`, each of any JSON type."""
    return st.one_of(json_values, st.fixed_dictionaries({}, optional={name: json_values for name in fields}))


def json_texts(values):
    """Request bodies: `values` written as JSON text, or JSON nested too deep to parse."""
    return values.map(json.dumps) | deep_nesting


def fuzz(max_examples: int):
    """Hypothesis settings for tests that use the function-scoped `app`/`client` fixtures: each
    example makes its own rows and the tables are emptied after the test."""
    return settings(
        max_examples=max_examples, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))
