"""Browser tests: Debian's Chromium against one gunicorn per session, JavaScript on and off.

Each test seeds its own practice straight into the server's SQLite file, so tests never lean on each other.
"""

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from kiosk.db import database, open_database
from tests import builders
from tests.e2e.screens import StaffScreens
from tests.e2e.seed import enrol_as_kiosk
from tests.e2e.server import LiveServer

SIZES = {
    "phone": {"width": 390, "height": 844},
    "kiosk": {"width": 1080, "height": 1920},  # a portrait waiting-room screen
    "desktop": {"width": 1280, "height": 900},  # reception's PC
}

expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Playwright cannot download its own browsers here: drive Debian's.
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("e2e"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server.url


@pytest.fixture
def db(live_server):
    """The server's own database file, opened from the test for seeding and for checking what was recorded."""
    connection = open_database(live_server.database_url)
    database.initialize(connection)
    connection.connect()
    yield connection
    connection.close()


@pytest.fixture
def practice(db):
    return builders.make_practice()


def _console_problem(message) -> bool:
    return message.type == "error" and not message.text.startswith("Failed to load resource")


def _subresource_failed(response) -> bool:
    # An htmx request is a page load by other means: the error page it brings is swapped in as the page.
    return (
        response.status >= 400
        and response.request.resource_type != "document"
        and response.request.headers.get("hx-request") != "true"
        and not response.url.endswith("/favicon.ico")
    )


@pytest.fixture
def new_page(browser: Browser, base_url):
    """new_page(size="phone"|"kiosk"|"desktop", js=True): a page in a fresh context, closed after the test."""
    contexts: list[BrowserContext] = []
    problems: list[str] = []

    def make(size: str = "kiosk", js: bool = True) -> Page:
        context = browser.new_context(base_url=base_url, viewport=SIZES[size], java_script_enabled=js)
        context.js_enabled = js  # axe refuses a JavaScript-off context (see tests/e2e/axe.py)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        # A script error, a Content-Security-Policy refusal or a missing asset shows here first. Pages may answer
        # 4xx on purpose (a kiosk that is not enrolled gets 403), and the app has no favicon: neither counts.
        page.on("pageerror", lambda e: problems.append(f"{page.url}: {e}"))
        page.on("console", lambda m: _console_problem(m) and problems.append(f"{page.url}: {m.text}"))
        page.on("response", lambda r: _subresource_failed(r) and problems.append(f"{r.status} {r.url}"))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not problems, "errors in the browser console:\n" + "\n".join(problems)


@pytest.fixture(params=[True, False], ids=["js-on", "js-off"])
def js(request):
    return request.param


@pytest.fixture
def kiosk_page(new_page, practice, js):
    """An enrolled waiting-room screen of `practice`, once with JavaScript and once without."""
    page = new_page("kiosk", js=js)
    enrol_as_kiosk(page, practice)
    return page


@pytest.fixture
def staff_screens(new_page, practice):
    """staff_screens(role="reception", js=True, size="desktop"): a signed-in member of staff of `practice`."""

    def make(role: str = "reception", js: bool = True, size: str = "desktop") -> StaffScreens:
        staff = builders.make_staff(practice, role)
        screens = StaffScreens(new_page(size, js=js))
        screens.sign_in(staff.email, builders.PASSWORD)
        screens.staff = staff
        return screens

    return make
