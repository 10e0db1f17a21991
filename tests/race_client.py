"""One racer in the booking race (tests/integration/test_booking_race.py): standard library only, so that twenty
processes start quickly. It loads the check page with its own session, waits for the others, then sends the form."""

import http.client
import re
from urllib.parse import urlencode, urlsplit

TAKEN = "Sorry, that time has just been booked by someone else"


def _request(base: str, method: str, path: str, cookie: str, body: str | None = None):
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {"Cookie": cookie}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    result = response.status, response.getheader("Location") or "", response.read().decode()
    connection.close()
    return result


def form_fields(base: str, path: str, cookie: str) -> dict:
    status, _, html = _request(base, "GET", path, cookie)
    assert status == 200, f"check page answered {status}"
    form = html[html.index(f'action="{path}"') :]
    return dict(re.findall(r'name="(csrf_token|token)"[^>]*value="([^"]+)"', form)[:2])


def race(base: str, path: str, cookie: str, fields: dict | None, barrier, results) -> None:
    """POST the check page's form at the same moment as every other racer; report what came back."""
    try:
        fields = fields or form_fields(base, path, cookie)
        barrier.wait(timeout=60)
        status, location, html = _request(base, "POST", path, cookie, urlencode(fields))
        results.put((status, location, TAKEN in html))
    except Exception as e:  # noqa: BLE001 - whatever went wrong is the test's finding
        results.put(("error", repr(e), False))
