"""How dates, times and words about people read in pages and e-mails."""
from datetime import time

import pytest

from app.models import Role
from app.templating import elide, french_sorted, french_time, html_typography, labels, quantity, typeset, typography
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


def test_a_page_gets_french_typography_in_its_text_not_in_its_tags_scripts_or_typed_answers():
    page = ('<p title="Venez ?">Venez-vous ? de 9 h</p><script>a ? b : c</script>'
            "<textarea>oui ! 9 h</textarea><p>« Jardin »</p>")
    assert html_typography(page) == (
        '<p title="Venez ?">Venez-vous\u00a0? de 9\u00a0h</p><script>a ? b : c</script>'
        "<textarea>oui ! 9 h</textarea><p>«\u00a0Jardin\u00a0»</p>")


def test_a_fragment_typeset_when_it_was_built_reads_in_its_page_as_if_built_with_it():
    fragment = "<li>Atelier de 9 h : « Jardin » ?</li><li>Réponse ! 17 h 30</li>"
    around = "<h1>Initiatives : {}</h1><p>Et vous ?</p>"
    assert html_typography(around.format(typeset(fragment))).replace("<!--typeset-->", "").replace(
        "<!--/typeset-->", "") == html_typography(around.format(fragment))


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


def test_a_pdf_paragraph_never_breaks_a_line_between_a_quote_mark_and_its_word():
    from reportlab.lib.styles import ParagraphStyle

    from app.documents.lines import french_paragraph

    paragraph = french_paragraph("Un effectif trop petit est « masqué » : voir la note.", ParagraphStyle("note"))
    for width in range(40, 260, 5):
        paragraph.wrap(width, 1000)
        lines = [" ".join(words) for _, words in paragraph.blPara.lines]
        assert not any(line.endswith("«") or line.startswith(("»", ":")) for line in lines), lines
