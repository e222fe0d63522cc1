"""Reading responses as a person would see them."""
import html
import os
import re

from flask import g
from flask.testing import FlaskClient


def page_text(response) -> str:
    """The visible text of an HTML response: tags dropped, entities decoded, spaces folded."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


class IsolatedClient(FlaskClient):
    """The tests' app context outlives requests; the user Flask-Login caches in `g` is
    forgotten before each request, as it is between requests on a real server."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


def screenshot(page, name: str) -> None:
    """A full-page picture to look at, in the folder SCREENSHOTS names (none when it is unset)."""
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def until_service_worker_controls(page) -> None:
    """Wait until the page's service worker is in charge (what it keeps is then kept)."""
    # Not wait_for_function: its predicate is eval'd in the page, which the site's CSP forbids.
    page.evaluate("""async () => {
        while (!navigator.serviceWorker.controller) await new Promise(wait => setTimeout(wait, 50));
    }""")
