"""Every response tells the browser to refuse what the application never does."""
import pytest


@pytest.fixture
def home(client):
    return client.get("/")


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in policy.split("; ")}


def test_scripts_and_styles_come_only_from_the_site_itself(home):
    policy = directives(home)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self' 'wasm-unsafe-eval'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"


def test_pages_cannot_be_framed_nor_forms_posted_elsewhere(home):
    policy = directives(home)
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert policy["base-uri"] == "'self'"


def test_the_scanner_may_use_the_camera_and_blob_workers(home):
    policy = directives(home)
    assert policy["media-src"] == "'self' blob:"
    assert policy["worker-src"] == "'self' blob:"
    assert policy["img-src"] == "'self' data: blob:"
    assert "camera=(self)" in home.headers["Permissions-Policy"]


def test_private_links_do_not_leak_through_the_referrer(home):
    assert home.headers["Referrer-Policy"] == "same-origin"


def test_content_types_are_not_sniffed(home):
    assert home.headers["X-Content-Type-Options"] == "nosniff"


def test_error_pages_and_static_files_get_the_headers_too(client):
    for response in (client.get("/nulle-part"), client.get("/static/css/site.css")):
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_plain_http_gets_no_hsts(home):
    assert "Strict-Transport-Security" not in home.headers


def test_https_requests_get_hsts(client):
    response = client.get("/", base_url="https://villages.test")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_an_https_public_url_means_hsts_and_secure_cookies(make_app):
    app = make_app(PUBLIC_URL="https://villages.example.org")
    response = app.test_client().get("/")
    assert "Strict-Transport-Security" in response.headers
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


def test_https_behind_a_reverse_proxy_is_recognised(make_app):
    app = make_app(PROXY_COUNT=1, PUBLIC_URL="http://villages.test")
    response = app.test_client().get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers


def test_forwarded_headers_are_ignored_without_a_proxy(client):
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers

