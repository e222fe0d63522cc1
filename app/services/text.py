"""Cleaning of the short texts people type: names, organisations, places."""


def one_line(value):
    """The text on one line: line breaks, tabs and runs of spaces become one space.

    Names end up in e-mail headers, badges and CSV cells, where a line break either breaks the
    layout or is refused outright. Anything that is not a text is returned as it is.
    """
    return " ".join(value.split()) if isinstance(value, str) else value
