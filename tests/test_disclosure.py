"""Small counts stay hidden in the report's diffusion version: no hidden count can be worked out
from what is published (docs/statistical-disclosure.md).

What a reader can work out is computed here independently of app/services/disclosure.py: with
SciPy's mixed-integer solver (HiGHS), over the relations the test writes itself from the table's
shape, the smallest and largest whole value each hidden cell can take given the published cells.
"""
from datetime import date, time, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from app.extensions import db
from app.models import Registration, RegistrationStatus, Role
from app.documents.figures import HIDDEN, NOT_GIVEN
from app.services import disclosure, report
from app.timeutil import local_datetime, to_utc_naive
from tests.factories import make_village

CEILING = 10_000


def reader_bounds(values: dict, hidden: set, relations: list) -> dict:
    """{hidden cell: (smallest, largest)} a reader can work out; each relation is
    (terms {cell: coefficient}, bound, exact) meaning sum == bound (exact) or sum >= bound."""
    unknown = sorted(hidden, key=repr)
    index = {cell: n for n, cell in enumerate(unknown)}
    rows, lower, upper = [], [], []
    for terms, bound, exact in relations:
        row = np.zeros(len(unknown))
        known = 0
        for cell, coefficient in terms.items():
            if cell in index:
                row[index[cell]] += coefficient
            else:
                known += coefficient * values[cell]
        if not row.any():
            assert (known == bound) if exact else (known >= bound), "the published figures break a relation"
            continue
        rows.append(row)
        lower.append(bound - known)
        upper.append(bound - known if exact else np.inf)
    constraints = [LinearConstraint(np.array(rows), lower, upper)] if rows else []
    found = {}
    for cell in unknown:
        objective = np.zeros(len(unknown))
        ends = []
        for sign in (1, -1):
            objective[index[cell]] = sign
            result = milp(objective, constraints=constraints, integrality=np.ones(len(unknown)),
                          bounds=Bounds(0, CEILING))
            assert result.success
            ends.append(round(sign * result.fun))
        found[cell] = tuple(ends)
    return found


def assert_protected(values: dict, hidden: set, relations: list) -> None:
    assert not [cell for cell, value in values.items() if disclosure.is_small(value) and cell not in hidden]
    for cell, (smallest, largest) in reader_bounds(values, hidden, relations).items():
        assert smallest < largest, f"{cell} = {values[cell]} can be worked out"
        if disclosure.is_small(values[cell]):
            assert largest >= disclosure.THRESHOLD, f"{cell} = {values[cell]} is known to be small"


def as_relations(relations: list) -> list[disclosure.Relation]:
    """The test's relations as the module takes them."""
    return [disclosure.Relation(tuple(terms.items()), bound, exact) for terms, bound, exact in relations]


# --- Tables of the shapes the report uses ------------------------------------------------------

small_counts = st.integers(min_value=0, max_value=6)


@st.composite
def table_with_totals(draw):
    """Rows × columns, a total row and a total column."""
    height, width = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    grid = [[draw(small_counts) for _ in range(width)] for _ in range(height)]
    values = {(r, c): grid[r][c] for r in range(height) for c in range(width)}
    values |= {("total", c): sum(grid[r][c] for r in range(height)) for c in range(width)}
    values |= {(r, "total"): sum(grid[r]) for r in range(height)}
    values[("total", "total")] = sum(map(sum, grid))
    relations = []
    for c in [*range(width), "total"]:
        relations.append(({**{(r, c): 1 for r in range(height)}, ("total", c): -1}, 0, True))
    for r in [*range(height), "total"]:
        relations.append(({**{(r, c): 1 for c in range(width)}, (r, "total"): -1}, 0, True))
    return values, relations


@st.composite
def table_by_role(draw):
    """Inscrits, présents, absents, venus sans inscription per role, and a total row: présents =
    inscrits − absents + venus sans inscription on every row."""
    values, relations = {}, []
    roles = ["porteur", "institutionnel", "elu", "habitant"]
    for role in roles:
        came, absent, walk_ins = draw(small_counts), draw(small_counts), draw(st.integers(0, 3))
        values |= {(role, "I"): came + absent, (role, "P"): came + walk_ins, (role, "A"): absent,
                   (role, "W"): walk_ins}
    for column in "IPAW":
        values[("total", column)] = sum(values[(role, column)] for role in roles)
        relations.append(({**{(role, column): 1 for role in roles}, ("total", column): -1}, 0, True))
    for role in [*roles, "total"]:
        relations.append(({(role, "I"): 1, (role, "A"): -1, (role, "W"): 1, (role, "P"): -1}, 0, True))
    return values, relations


@st.composite
def communes_in_departements(draw):
    """Présents by département and by commune, each with a total, communes inside départements,
    every row shown only when someone is counted in it."""
    departements = draw(st.lists(st.lists(st.integers(1, 6), min_size=1, max_size=3), min_size=1, max_size=3))
    unknown_commune = draw(st.lists(st.integers(0, 3), min_size=len(departements), max_size=len(departements)))
    values, relations = {}, []
    for d, (communes, extra) in enumerate(zip(departements, unknown_commune)):
        values[("dep", d)] = sum(communes) + extra
        for c, count in enumerate(communes):
            values[("commune", d, c)] = count
            relations.append(({("commune", d, c): 1}, 1, False))
        relations.append(({("dep", d): 1, **{("commune", d, c): -1 for c in range(len(communes))}}, 0, False))
        relations.append(({("dep", d): 1}, 1, False))
    values[("commune", "non renseigné")] = sum(unknown_commune)
    total = sum(values[("dep", d)] for d in range(len(departements)))
    values[("dep", "total")] = values[("commune", "total")] = total
    relations.append(({**{("dep", d): 1 for d in range(len(departements))}, ("dep", "total"): -1}, 0, True))
    communes = [cell for cell in values if cell[0] == "commune" and cell[1] != "total"]
    relations.append(({**{cell: 1 for cell in communes}, ("commune", "total"): -1}, 0, True))
    return values, relations


@settings(max_examples=60, deadline=None)
@given(st.one_of(table_with_totals(), table_by_role(), communes_in_departements()))
def test_no_hidden_cell_of_a_table_can_be_worked_out(table):
    values, relations = table
    hidden = disclosure.protect(values, as_relations(relations))
    assert_protected(values, hidden, relations)


def test_the_total_row_no_longer_gives_a_hidden_presents_away():
    # The case: Inscrits 12 and Absents 11 published in the total row gave Présents = 1.
    values = {("porteur", "I"): 12, ("porteur", "P"): 1, ("porteur", "A"): 11, ("porteur", "W"): 0}
    relations = [({("porteur", "I"): 1, ("porteur", "A"): -1, ("porteur", "W"): 1, ("porteur", "P"): -1}, 0, True)]
    hidden = disclosure.protect(values, as_relations(relations))
    assert ("porteur", "P") in hidden and len(hidden) >= 2
    assert_protected(values, hidden, relations)


# --- Whole reports of random villages ----------------------------------------------------------

PLACES = [("Sisteron", "04200"), ("Manosque", "04100"), ("Gap", "05000"), ("", None), ("Nulle-Part", "04000"),
          ("Manosque", "13001"), ("Digne-les-Bains", None)]
person = st.tuples(
    st.sampled_from(list(Role)),
    st.sampled_from([RegistrationStatus.CONFIRMED] * 6 + [RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED]),
    st.sampled_from(PLACES),
    st.one_of(st.none(), st.integers(7, 19)),  # hour of arrival, or absent
    st.booleans(),  # walk-in
    st.booleans(),  # lunch
)


def village_of(people, days_ago: int = 20) -> object:
    village = make_village(day=date.today() - timedelta(days=days_ago))
    for n, (role, status, (commune, postcode), hour, walk_in, lunch) in enumerate(people):
        db.session.add(Registration(
            village=village, role=role, status=status, first_name="Camille", last_name=f"Nom{n}",
            email=f"p{n}.{village.slug}@example.org", commune=commune, postcode=postcode, lunch=lunch,
            is_walk_in=walk_in and hour is not None,
            checked_in_at=None if hour is None else to_utc_naive(local_datetime(village.day, time(hour, 5))),
        ))
    db.session.commit()
    return village


def independent_relations(built) -> list:
    """What the page says in words, written here from its tables: totals, présents = inscrits −
    absents + venus sans inscription, the same total présents everywhere, communes inside their
    département."""
    cells = {}
    for table in built.tables:
        for row in table.rows:
            for header, value in zip(table.headers[1:], row[1:]):
                cells[(table.key, row[0], header)] = value
    relations = []
    for key in ("presence", "arrivees", "departements", "communes"):
        table = built.table(key)
        for header in table.headers[1:]:
            parts = {(key, row[0], header): 1 for row in table.body}
            relations.append(({**parts, (key, "Total", header): -1}, 0, True))
    for row in built.table("presence").rows:
        relations.append(({("presence", row[0], "Inscrits"): 1, ("presence", row[0], "Absents"): -1,
                           ("presence", row[0], "Venus sans inscription"): 1, ("presence", row[0], "Présents"): -1},
                          0, True))
    for key, header in (("arrivees", "Arrivées"), ("departements", "Présents"), ("communes", "Présents")):
        relations.append(({(key, "Total", header): 1, ("presence", "Total", "Présents"): -1}, 0, True))
    for departement in built.table("departements").body:
        code = departement[0][departement[0].rfind("("):]
        inside = [row[0] for row in built.table("communes").body if row[0].endswith(code)]
        if inside and departement[0] != NOT_GIVEN:
            relations.append(({("departements", departement[0], "Présents"): 1,
                               **{("communes", c, "Présents"): -1 for c in inside}}, 0, False))
    return relations


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(person, min_size=1, max_size=25), min_size=1, max_size=2))
def test_no_hidden_count_of_a_random_report_can_be_worked_out(app, people_by_village):
    """One village's report, or two villages' consolidated."""
    villages = [village_of(people, days_ago=20 + 7 * n) for n, people in enumerate(people_by_village)]
    built = report.build(villages)
    outsiders = report.build(villages, for_outsiders=True)
    values, hidden = {}, set()
    for exact, shown in zip(built.tables, outsiders.tables):
        shown_rows = {row[0]: row for row in shown.rows}  # the diffusion version orders some by label
        for row in exact.rows:
            for header, value, published in zip(exact.headers[1:], row[1:], shown_rows[row[0]][1:]):
                values[(exact.key, row[0], header)] = value
                if published == HIDDEN:
                    hidden.add((exact.key, row[0], header))
                else:
                    assert published == value
    declared = [({cell: coefficient for cell, coefficient in r.terms}, r.bound, r.exact)
                for table in built.tables for r in report.known_relations(table)]
    assert_protected(values, hidden, independent_relations(built) + declared)
    assert [v for _, v in outsiders.key_figures if v in (1, 2)] == []


@pytest.mark.parametrize("answers", [1, 2])
def test_no_sentence_of_the_diffusion_version_repeats_a_small_count(app, answers):
    from app.services import survey
    from tests.factories import make_registration

    village = make_village(day=date.today() - timedelta(days=20))
    people = [make_registration(village) for _ in range(answers)]
    db.session.commit()
    for registration in people:
        survey.answer(registration, {q.id: 4 for q in survey.questions(village)})
    db.session.commit()
    outsiders = report.build([village], for_outsiders=True)
    texts = [outsiders.caption(t) for t in outsiders.tables] + [outsiders.key_caption]
    assert not [text for text in texts if f"{answers} participant" in text]
    assert outsiders.table("satisfaction").rows[0][-1] == HIDDEN
