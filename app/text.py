"""Cleaning and comparing the short texts people type: names, organisations, places."""
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
