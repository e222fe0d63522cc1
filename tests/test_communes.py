"""The communes' index (app/reference/communes.py), read from its cache where a commune is needed."""
import threading

import pytest

from app.reference import communes


def test_a_commune_is_found_by_its_name_in_any_case_with_its_departement(app):
    assert communes.find("sisteron (04)").code == "04209"


def test_a_name_shared_by_several_communes_asks_for_the_departement(app):
    with pytest.raises(communes.UnknownCommune, match="ajoutez le département"):
        communes.find("Saint-Martin")


def test_communes_are_looked_up_by_code_leaving_out_unknown_and_empty_codes(app):
    found = communes.by_codes(["04209", "84007", "99999", "", None])
    assert {code: commune.name for code, commune in found.items()} == {"04209": "Sisteron", "84007": "Avignon"}


def test_each_thread_of_a_worker_can_look_up_communes(app):
    found = []

    def look_up():
        with app.app_context():
            found.append(communes.find("Avignon").code)

    threads = [threading.Thread(target=look_up) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == ["84007"] * 3
