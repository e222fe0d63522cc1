"""The map of initiatives: one named frame per area, marks apart and big enough to tap, each
leading to exactly its commune's initiatives."""
import re
from math import dist

from app.documents import initiatives_map
from app.documents.initiatives_map import Mark
from tests.factories import make_registration, make_village, present_initiative
from tests.helpers import page_text

PLACES = [("62041", "Arras"), ("62041", "Arras"), ("62004", "Achicourt"), ("04209", "Sisteron")]


def publish_at(places):
    village = make_village()
    for number, (code, name) in enumerate(places):
        holder = make_registration(village, role="porteur", email=f"porteur{number}@example.org")
        present_initiative(holder, visibility="public", approve=True, name=f"Initiative {name} {number}",
                           commune_code=code, commune_name=name)


def test_initiatives_of_two_regions_get_a_frame_each_named_by_its_departements(app):
    frames = initiatives_map.build_frames([Mark("62041", "Arras", "62", 2), Mark("04209", "Sisteron", "04", 1)])
    assert [frame.title for frame in frames] == ["Alpes-de-Haute-Provence (04)", "Pas-de-Calais (62)"]
    assert all(frame.marks for frame in frames)


def test_neighbouring_marks_are_moved_apart_far_enough_to_be_tapped_and_tied_to_their_commune(app):
    [frame] = initiatives_map.build_frames([Mark("62041", "Arras", "62", 2), Mark("62004", "Achicourt", "62", 1)])
    first, second = frame.marks
    assert dist((first.x, first.y), (second.x, second.y)) >= 2 * initiatives_map.TAP_RADIUS - 1
    assert first.moved or second.moved


def test_a_mark_leads_to_exactly_its_commune_s_initiatives(client):
    publish_at(PLACES)
    page = client.get("/initiatives").get_data(as_text=True)
    arras = re.search(r'href="([^"]*commune=62041[^"]*)"', page).group(1).replace("&amp;", "&")
    listed = page_text(client.get(arras))
    assert "2 initiatives" in listed
    assert "Initiative Arras 0" in listed and "Initiative Arras 1" in listed and "Achicourt" not in listed


def test_an_unknown_commune_code_gets_a_french_answer(client):
    response = client.get("/initiatives?commune=../x")
    assert response.status_code == 400 and "code INSEE" in page_text(response)
