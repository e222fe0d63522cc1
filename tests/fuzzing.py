"""Strategies and helpers shared by the property-based (hypothesis) tests of the public inputs."""
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
# Any JSON value: the wrong types where an API expects an object, a text or a number.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40) | anything,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)


def form_data(fields: list[str]):
    """Some of `fields` (missing ones are missing), each with an arbitrary value."""
    return st.dictionaries(st.sampled_from(fields), anything, max_size=len(fields))


def json_objects(fields: list[str]):
    """Any JSON value, or an object with some of `fields`, each of any JSON type."""
    return st.one_of(json_values, st.fixed_dictionaries({}, optional={name: json_values for name in fields}))


def fuzz(max_examples: int):
    """Hypothesis settings for tests that use the function-scoped `app`/`client` fixtures: each
    example makes its own rows and the tables are emptied after the test."""
    return settings(
        max_examples=max_examples, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))
