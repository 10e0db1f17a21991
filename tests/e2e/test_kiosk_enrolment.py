"""Only a device that staff have enrolled can check anyone in."""

import re

import pytest
from playwright.sync_api import expect

from kiosk.models import Kiosk
from tests.e2e.screens import NOT_SET_UP, START_QUESTION, KioskScreen
from tests.e2e.seed import appointment_in, kiosk_check_ins, status_of

pytestmark = pytest.mark.e2e


def test_device_that_is_not_enrolled_says_so_and_checks_nobody_in(new_page, practice, js):
    appointment = appointment_in(practice, 20)
    page = new_page("kiosk", js=js)

    response = page.goto("/kiosk/")

    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(NOT_SET_UP)
    expect(page.get_by_role("button", name="S", exact=True)).to_have_count(0)
    page.goto("/kiosk/date-of-birth")
    expect(page.get_by_role("heading", level=1)).to_have_text(NOT_SET_UP)
    assert status_of(appointment) == "booked"
    assert kiosk_check_ins(practice) == 0


def test_staff_enrol_this_browser_which_then_shows_the_start_screen(staff_screens, practice, js):
    screens = staff_screens("reception", js=js, size="kiosk")
    page = screens.page
    page.get_by_role("navigation", name="Staff menu").get_by_role("link", name="Kiosks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiosks and calling displays")

    page.get_by_label("Name for this kiosk").fill("Waiting room 1")
    page.get_by_role("button", name="Enrol this device").click()

    expect(page.locator(".app-flash")).to_contain_text("This device is now the kiosk “Waiting room 1”")
    expect(page.get_by_role("cell", name="Waiting room 1", exact=True)).to_be_visible()
    assert Kiosk.for_practice(practice.id).where(Kiosk.name == "Waiting room 1").count() == 1
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()

    KioskScreen(page).open()
    expect(page.get_by_role("heading", level=1)).to_have_text(START_QUESTION)


def test_enrolling_without_a_name_shows_an_error(staff_screens, practice):
    page = staff_screens("reception").page
    page.goto("/staff/kiosks/")

    page.get_by_role("button", name="Enrol this device").click()

    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter a name for this kiosk")
    expect(page.locator("#name-error")).to_contain_text("Enter a name for this kiosk")
    assert Kiosk.for_practice(practice.id).count() == 0
