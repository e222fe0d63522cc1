"""How dates, times and words about people read in pages and e-mails."""
from datetime import time

import pytest

from app.models import Role
from app.templating import elide, french_sorted, french_time, labels, quantity, typography
from app.text import agreed


def test_times_read_as_written_in_french_without_a_leading_zero():
    assert french_time(time(9, 0)) == "9\u00a0h"
    assert french_time(time(9, 5)) == "9\u00a0h\u00a005"
    assert french_time(time(17, 30)) == "17\u00a0h\u00a030"


def test_short_words_elide_before_a_vowel_or_a_mute_h_names_included():
    assert elide("de", "Élodie") == "d'Élodie" and elide("que", "Élodie") == "qu'Élodie"
    assert elide("de", "Administrateur") == "d'Administrateur" and elide("de", "Hélène") == "d'Hélène"
    assert elide("de", "Yves") == "d'Yves" and elide("que", "Yanis") == "que Yanis"
    assert elide("de", "Camille") == "de Camille" and elide("de", "Honfleur") == "de Honfleur"


def test_marks_quotes_and_times_keep_their_word_with_a_non_breaking_space():
    assert typography("Venez-vous ? « facultatif » de 9 h à 17 h 30 : oui !") == \
        "Venez-vous\u00a0? «\u00a0facultatif\u00a0» de 9\u00a0h à 17\u00a0h\u00a030\u00a0: oui\u00a0!"
    assert typography("3 heures") == "3 heures"


def test_counts_agree_with_their_noun():
    assert quantity(0, "initiative") == "0\u00a0initiative" and quantity(2, "initiative") == "2\u00a0initiatives"
    assert quantity(1, "rendez-vous placé", "rendez-vous placés") == "1\u00a0rendez-vous placé"


def test_lists_sort_the_french_way_and_labels_with_commas_are_set_apart():
    assert french_sorted(["Table ronde", "Équipe mobile", "Atelier", "œuvre", "entraide"]) == \
        ["Atelier", "entraide", "Équipe mobile", "œuvre", "Table ronde"]
    assert labels(["Financement", "Communication, visibilité"]) == "Financement · Communication, visibilité"
    assert labels(["Jeunes", "Familles"]) == "Jeunes, Familles"


@pytest.mark.parametrize("civility, word", [("madame", "inscrite"), ("monsieur", "inscrit"), (None, "inscrit ou inscrite")])
def test_a_word_about_a_person_agrees_as_they_asked_or_reads_both_in_full(civility, word):
    assert agreed(civility, "inscrit", "inscrite") == word


def test_both_forms_read_as_one_phrase_with_one_capital():
    assert agreed(None, "Accueilli", "Accueillie") == "Accueilli ou accueillie"


@pytest.mark.parametrize("civility, label", [
    ("madame", "Porteuse d'initiative"), ("monsieur", "Porteur d'initiative"), (None, "Porteur ou porteuse d'initiative"),
])
def test_a_role_is_named_as_its_person_asked(civility, label):
    assert Role.PORTEUR.of(civility) == label


def test_people_of_a_role_together_are_named_in_both_forms():
    assert Role.ELU.several == "Élus locaux et élues locales"
