"""A first visit costs three requests (the page, one stylesheet, one script) and under 40 KB; a repeat visit, one.

The kiosk's screen, the patient sign-in and the staff sign-in are the pages people meet first, on the surgery's
wifi at its busiest minute. Counted on the wire through the DevTools protocol, as the browser sees it: what the
HTTP cache answered is not a request, and bytes are compressed bytes with headers.
"""

import pytest

from tests.e2e.seed import enrol_as_kiosk

FIRST_VISIT_REQUESTS = 3
FIRST_VISIT_BYTES = 40 * 1024

PAGES = {
    "kiosk": ("kiosk", "/kiosk/"),
    "patient sign-in": ("phone", "/sign-in"),
    "staff sign-in": ("desktop", "/staff/sign-in"),
}


class Wire:
    """Requests that reached the server for one page load, and their bytes (encodedDataLength: headers included)."""

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.urls: dict[str, str] = {}
        self.cached: set[str] = set()
        self.sizes: dict[str, int] = {}
        self.cdp.on("Network.requestWillBeSent", lambda e: self.urls.setdefault(e["requestId"], e["request"]["url"]))
        self.cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        self.cdp.on("Network.responseReceived", self._received)
        self.cdp.on("Network.loadingFinished", lambda e: self.sizes.__setitem__(e["requestId"], e["encodedDataLength"]))

    def _received(self, event):
        if event["response"].get("fromDiskCache") or event["response"].get("fromPrefetchCache"):
            self.cached.add(event["requestId"])

    def reset(self):
        self.urls, self.cached, self.sizes = {}, set(), {}

    def fetched(self) -> list[str]:
        return sorted(url for rid, url in self.urls.items() if rid not in self.cached)

    def bytes(self) -> int:
        return sum(size for rid, size in self.sizes.items() if rid not in self.cached)


@pytest.fixture(params=list(PAGES), ids=lambda name: name.replace(" ", "-"))
def visit(request, new_page, practice):
    size, path = PAGES[request.param]
    page = new_page(size)  # a fresh browser context: an empty cache, as on a first visit
    if request.param == "kiosk":
        enrol_as_kiosk(page, practice)
    wire = Wire(page)

    def load():
        wire.reset()
        page.goto(path, wait_until="networkidle")
        return wire

    return load


def test_a_first_visit_is_the_page_one_stylesheet_and_one_script(visit):
    fetched = visit().fetched()
    assert (len(fetched), sum(u.endswith(".css") for u in fetched), sum(u.endswith(".js") for u in fetched)) == (
        FIRST_VISIT_REQUESTS,
        1,
        1,
    ), fetched


def test_a_first_visit_is_within_40_kb_on_the_wire(visit):
    wire = visit()
    assert wire.bytes() <= FIRST_VISIT_BYTES, (wire.bytes(), wire.fetched())


def test_a_repeat_visit_fetches_only_the_page(visit):
    visit()
    fetched = visit().fetched()
    assert len(fetched) == 1 and not fetched[0].endswith((".css", ".js")), fetched
