"""The key a form carries from its first display (an organiser's message, a scanner link): the
same form posted twice (a double click, two tabs, a retry, even at the same instant) is done once,
as the key finds what its first post did."""
import re
import secrets

SEND_KEY = re.compile(r"\A[A-Za-z0-9_-]{16,64}\Z")


def new_send_key() -> str:
    return secrets.token_urlsafe(16)


def is_send_key(value) -> bool:
    return isinstance(value, str) and SEND_KEY.fullmatch(value) is not None
