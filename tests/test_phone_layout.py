"""Pages as a participant sees them on a 390 px wide phone."""
import pytest

from app.extensions import db
from tests.factories import make_registration, make_village

pytestmark = pytest.mark.browser


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_long_name_and_e_mail_address_wrap_instead_of_widening_the_private_page(page):
    person = make_registration(
        make_village(), first_name="Marie-" + "x" * 90,
        email="marie-christine.de-la-fontaine-saint-martin@association-des-habitants-du-jabron.fr",
    )
    token = person.manage_token
    db.session.commit()

    page.goto(f"/inscription/{token}/merci")

    assert page_width(page) <= 390


def test_page_content_does_not_touch_the_header(page):
    village = make_village()
    slug = village.slug
    db.session.commit()

    page.goto(f"/villages/{slug}")

    header = page.locator(".site-header").bounding_box()
    header_bottom = header["y"] + header["height"]
    content_top = page.locator("main > *").first.bounding_box()["y"]
    assert content_top - header_bottom >= 16
