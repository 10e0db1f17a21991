"""Security and caching headers on every kind of page, and compression of HTML."""

import gzip

import brotli
import pytest
from flask.testing import FlaskClient

from tests.builders import make_staff, make_staff_session
from tests.pages import check_html

# Response headers are the app's, not the database's: one backend is enough.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

ANONYMOUS_PAGES = ["/", "/staff/sign-in", "/kiosk/", "/no-such-page", "/staff/"]
KIOSK_PAGES = ["/kiosk/", "/kiosk/see-reception"]
STAFF_PAGES = ["/staff/", "/staff/arrivals/", "/staff/kiosks/", "/staff/accounts/", "/staff/accounts/new"]
# Every directive, not only no-store: some browsers (lynx) still show a stored copy of a no-store page.
NOT_STORED = "no-store, no-cache, private"


def csp(response) -> dict[str, list[str]]:
    directives = [d.split() for d in response.headers["Content-Security-Policy"].split(";") if d.strip()]
    return {d[0]: d[1:] for d in directives}


@pytest.fixture
def manager_client(client, practice):
    make_staff_session(client, make_staff(practice, "manager"))
    return client


@pytest.mark.parametrize("url", ANONYMOUS_PAGES)
def test_csp_allows_no_inline_script_or_style(client, url):
    policy = client.get(url).headers["Content-Security-Policy"]
    assert ("unsafe-inline" in policy, "unsafe-eval" in policy) == (False, False)


@pytest.mark.parametrize("url", ANONYMOUS_PAGES)
def test_csp_forbids_framing(client, url):
    assert csp(client.get(url))["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("url", ANONYMOUS_PAGES)
def test_csp_allows_scripts_and_styles_from_this_site_only(client, url):
    policy = csp(client.get(url))
    assert (policy["script-src"], policy["style-src"], policy["default-src"]) == (["'self'"], ["'self'"], ["'none'"])


@pytest.mark.parametrize("url", ANONYMOUS_PAGES)
def test_content_type_sniffing_is_off(client, url):
    assert client.get(url).headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("url", ANONYMOUS_PAGES)
def test_referrer_is_not_sent_to_other_sites(client, url):
    assert client.get(url).headers["Referrer-Policy"] in ("no-referrer", "same-origin", "strict-origin")


@pytest.mark.parametrize("url", ANONYMOUS_PAGES)
def test_anonymous_pages_are_not_stored(client, url):
    assert client.get(url).headers["Cache-Control"] == NOT_STORED


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_pages_are_not_stored(manager_client, url):
    response = manager_client.get(url)
    assert (response.status_code, response.headers["Cache-Control"]) == (200, NOT_STORED)


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_pages_carry_the_csp(manager_client, url):
    assert csp(manager_client.get(url))["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("url", KIOSK_PAGES)
def test_kiosk_pages_are_not_stored(kiosk_client, url):
    response = kiosk_client.get(url)
    assert (response.status_code, response.headers["Cache-Control"]) == (200, NOT_STORED)


def test_htmx_fragments_are_not_stored(manager_client):
    response = manager_client.get("/staff/arrivals/?auto=1", headers={"HX-Request": "true"})
    assert response.headers["Cache-Control"] == NOT_STORED


def test_redirects_are_not_stored(client):
    response = client.get("/staff/arrivals/")
    assert (response.status_code, response.headers["Cache-Control"]) == (302, NOT_STORED)


def test_csrf_error_page_carries_the_headers(client):
    response = client.post("/staff/sign-in")
    assert (response.status_code, response.headers["Cache-Control"], csp(response)["frame-ancestors"]) == (
        400,
        NOT_STORED,
        ["'none'"],
    )


def plain_client(app) -> FlaskClient:
    """A client that leaves bodies alone: the page checker expects text, and these bodies are compressed."""
    return FlaskClient(app, app.response_class, use_cookies=True)


@pytest.mark.parametrize(("encoding", "decompress"), [("gzip", gzip.decompress), ("br", brotli.decompress)])
def test_html_is_compressed_when_the_browser_accepts_it(app, encoding, decompress):
    response = plain_client(app).get("/staff/sign-in", headers={"Accept-Encoding": encoding})
    assert response.headers["Content-Encoding"] == encoding
    check_html(decompress(response.get_data()).decode())


def test_brotli_is_preferred_when_the_browser_accepts_both(app):
    response = plain_client(app).get("/staff/sign-in", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.headers["Content-Encoding"] == "br"


def test_html_is_sent_plain_to_a_browser_that_accepts_no_compression(app):
    response = plain_client(app).get("/staff/sign-in")
    assert ("Content-Encoding" in response.headers, "<h1>Staff sign in</h1>" in response.get_data(as_text=True)) == (
        False,
        True,
    )


def test_compressed_html_varies_on_accept_encoding(app):
    response = plain_client(app).get("/staff/sign-in", headers={"Accept-Encoding": "gzip"})
    assert "Accept-Encoding" in response.headers["Vary"]


def test_compressed_html_is_much_smaller(app):
    client = plain_client(app)
    plain = client.get("/staff/sign-in").get_data()
    compressed = client.get("/staff/sign-in", headers={"Accept-Encoding": "br"}).get_data()
    assert len(compressed) < len(plain) / 2
