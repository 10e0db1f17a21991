import pytest
from flask.testing import FlaskClient

from kiosk import create_app
from kiosk.access import KIOSK_COOKIE
from tests import builders
from tests.databases import PostgresTemplate, SqliteTemplate, postgres_reachable
from tests.pages import check_html, csrf_token

BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    return SqliteTemplate(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def postgres_template():
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    return PostgresTemplate()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    template = request.getfixturevalue(f"{request.param}_template")
    return template.fresh_url(tmp_path)


@pytest.fixture
def app(database_url):
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "test-secret"})
    with app.app_context():
        yield app


class PageClient(FlaskClient):
    """A test client that checks every HTML page it receives (tests/pages.py)."""

    def open(self, *args, **kwargs):
        # A fresh app context per request, as in production: otherwise `g` (and Flask-WTF's cached token in it)
        # would leak from one request to the next through the test's own app context.
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if (
            response.mimetype == "text/html"
            and response.status_code != 302
            and not kwargs.get("headers", {}).get("HX-Request")
        ):
            check_html(response.get_data(as_text=True), response.request.path)
        return response

    def form_post(self, url: str, data: dict | None = None, *, token_from: str | None = None, **kwargs):
        """POST as a browser would: with the CSRF token from the page the form lives on."""
        page = self.get(token_from or url)
        return self.post(url, data={"csrf_token": csrf_token(page.get_data(as_text=True)), **(data or {})}, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = PageClient
    return app.test_client()


@pytest.fixture
def practice(app):
    return builders.make_practice()


def sign_in(client: PageClient, staff, password: str = builders.PASSWORD):
    response = client.form_post("/staff/sign-in", {"email": staff.email, "password": password})
    assert response.status_code == 303, "sign-in failed"
    return response


@pytest.fixture
def staff_client(client, practice):
    """Sign in a member of staff with the given role: staff_client('reception')."""

    def make(role: str = "reception", **overrides):
        staff = builders.make_staff(practice, role, **overrides)
        sign_in(client, staff)
        return staff

    return make


@pytest.fixture
def kiosk_client(client, practice):
    """The client as an enrolled kiosk of `practice`."""
    kiosk = builders.make_kiosk(practice, token="kiosk-device-token")
    client.set_cookie(KIOSK_COOKIE, "kiosk-device-token")
    client.kiosk = kiosk
    return client
