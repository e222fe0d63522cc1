"""Cleaning and comparing the short texts people type (names, organisations, places), and agreeing
what is written about a person with how they asked to be addressed."""
import enum
import unicodedata


def one_line(value):
    """The text on one line: line breaks, tabs and runs of spaces become one space.

    Names end up in e-mail headers, badges and CSV cells, where a line break either breaks the
    layout or is refused outright. Anything that is not a text is returned as it is.
    """
    return " ".join(value.split()) if isinstance(value, str) else value


def fold(text: str) -> str:
    """Lower case without accents, so that « helene » finds « Hélène »."""
    if text.isascii():  # nothing to decompose: four times faster, for sorting thousands of names
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class Civility(enum.StrEnum):
    """How a participant asked to be addressed, if they said (Registration.civility): it chooses
    the feminine or the masculine of what is written about them."""

    MADAME = "madame"
    MONSIEUR = "monsieur"

    @property
    def label(self) -> str:
        return self.value.capitalize()


def agreed(civility: str | None, masculine: str, feminine: str, both: str | None = None) -> str:
    """A word said of one person, agreed as they asked: « inscrite » for Madame, « inscrit » for
    Monsieur. For someone who did not say, a form that includes both, written out in full
    (« inscrit ou inscrite », « Porteur ou porteuse d'initiative ») rather than with a dot or
    brackets (« inscrit·e », « inscrit(e) »), which people not at ease with reading stumble on."""
    if civility == Civility.MADAME:
        return feminine
    if civility == Civility.MONSIEUR:
        return masculine
    return both or f"{masculine} ou {feminine[:1].lower()}{feminine[1:]}"
