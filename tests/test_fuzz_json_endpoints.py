"""Property: every JSON endpoint of the application, found in its URL map by what it answers,
given arbitrary query parameters (any names, any values: text, unicode, control characters,
huge numbers), answers without a server error, and in JSON. A new JSON endpoint is covered with
no change here."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.extensions import db
from tests.fuzzing import anything, fuzz
from tests.test_authorisation_matrix import ADMIN, CHECKIN, DECISIONS, ORGANISER, PARTICIPANT, World

NAMES = ["q", "since", "page", "village", "annee", "format", "commune", "thematique", "departement", "limit"]
numbers = st.integers(min_value=-(2**70), max_value=2**70).map(str)
queries = st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=8), anything | numbers, max_size=4)


def json_endpoints(app, world: World) -> list:
    """The GET routes that answer in JSON to this world's visitor."""
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static" and world.visitor in DECISIONS[rule.endpoint]:
            response = world.client.get(world.url_for(rule), headers=world.headers)
            if response.is_json:
                found.append(world.url_for(rule))
        db.session.rollback()
    return found


@pytest.mark.parametrize("visitor", [PARTICIPANT, CHECKIN, ORGANISER, ADMIN])
def test_every_json_endpoint_answers_any_query_in_json_without_a_server_error(app, visitor):
    world = World(app, visitor)
    endpoints = json_endpoints(app, world)
    assert endpoints, "aucun point JSON trouvé"

    @fuzz(40)
    @given(url=st.sampled_from(endpoints), query=queries)
    def answers(url, query):
        response = world.client.get(url, query_string=query, headers=world.headers)
        db.session.rollback()
        assert response.status_code < 500, (url, query, response.status_code)
        assert response.is_json or response.status_code in (301, 302, 308, 400, 404), (url, query)

    answers()
