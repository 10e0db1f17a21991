"""Every page a GET reaches, for every kind of visitor, is checked and within the 14 KB compressed budget.

PageClient checks each HTML page it receives (tests/pages.py); this walk makes sure every page is received.
"""

import gzip
from datetime import timedelta

import pytest

from kiosk.access import KIOSK_COOKIE
from tests.builders import (
    local_time_today,
    make_appointment,
    make_clinician,
    make_kiosk,
    make_patient,
    make_slot,
    make_staff,
    make_staff_session,
)
from tests.pages import BUDGET_BYTES

VISITORS = ["anonymous", "kiosk", "reception", "clinician", "manager"]
NOT_PAGES = {"health.healthz"}  # JSON for load balancers


def busy_day(practice):
    """A realistic amount on each page: a day of appointments, several kiosks and staff accounts."""
    for c in range(4):
        clinician = make_clinician(practice, display_name=f"Dr {'ABCD'[c]} Clinician")
        for n in range(30):
            patient = make_patient(practice, given_name="Alexandra", family_name=f"Featherstonehaugh{c}{n}")
            make_appointment(patient, make_slot(clinician, local_time_today(8, 30) + timedelta(minutes=10 * n)))
    for n in range(5):
        make_kiosk(practice, token=f"busy-kiosk-{n}", name=f"Waiting room {n}")
        make_staff(practice, "reception", name=f"Receptionist Number {n}")


def get_urls(app) -> list[str]:
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint not in NOT_PAGES
    )


def as_visitor(client, practice, visitor):
    if visitor == "kiosk":
        make_kiosk(practice, token="walking-kiosk")
        client.set_cookie(KIOSK_COOKIE, "walking-kiosk")
    elif visitor != "anonymous":
        make_staff_session(client, make_staff(practice, visitor))


def test_walk_covers_the_staff_and_kiosk_pages(app):
    assert {
        "/",
        "/staff/",
        "/staff/sign-in",
        "/staff/arrivals/",
        "/staff/kiosks/",
        "/staff/accounts/",
        "/kiosk/",
    } <= set(get_urls(app))


def problems(response) -> list[str]:
    """PageClient has already checked the HTML itself (title, h1, ids, labels, CSRF, inline code, budget)."""
    found = []
    if response.status_code >= 500:
        found.append(f"status {response.status_code}")
    if response.mimetype not in ("text/html", "text/csv"):
        found.append(f"type {response.mimetype}")
    if response.mimetype == "text/html" and len(gzip.compress(response.get_data(), 9)) > BUDGET_BYTES:
        found.append("over budget")
    return found


@pytest.mark.parametrize("visitor", VISITORS)
def test_every_page_a_visitor_reaches_is_sound_and_within_the_budget(app, client, practice, visitor):
    busy_day(practice)
    as_visitor(client, practice, visitor)
    found = {url: problems(client.get(url, follow_redirects=True)) for url in get_urls(app)}
    assert {url: p for url, p in found.items() if p} == {}
