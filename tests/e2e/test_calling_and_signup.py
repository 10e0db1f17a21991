"""Calling by number and online sign-up at the kiosk (issue 13), in Chromium with JavaScript on and off."""

import pytest
from playwright.sync_api import expect

from kiosk.models import SignupRequest
from tests import builders
from tests.e2e.axe import assert_accessible, screenshot
from tests.e2e.screens import CHECKED_IN, START_QUESTION, KioskScreen, StaffScreens
from tests.e2e.seed import BORN, appointment_for, enrol_as_kiosk, patient, status_of

pytestmark = pytest.mark.e2e
OFFER = "Book appointments and order repeat medicines online. Would you like to ask for a registration letter?"
THANKS = "Thank you. Please ask at reception for your registration letter."
REFRESH_WAIT = 8_000  # without JavaScript the display reloads itself every 5 seconds


def check_in(kiosk_page) -> KioskScreen:
    kiosk = KioskScreen(kiosk_page)
    kiosk.identify("S", "Female", BORN)
    kiosk_page.get_by_role("button", name="Yes, check me in").click()
    expect(kiosk.heading).to_have_text(CHECKED_IN)
    return kiosk


def test_clinician_calls_the_patient_from_my_patients_and_the_display_shows_number_and_room(
    kiosk_page, new_page, practice, js
):
    clinician = builders.make_clinician(practice, display_name="Dr A Patel", room="Room 4")
    appointment = appointment_for(patient(practice, given_name="Ottoline"), 15, clinician)
    display = new_page("desktop", js=js)
    enrol_as_kiosk(display, practice, kind="display", name="Waiting room TV")
    display.goto("/display/")
    expect(display.get_by_text("Nobody has been called yet today")).to_be_visible()

    check_in(kiosk_page)
    expect(kiosk_page.locator(".app-ticket__number")).to_have_text("1")

    staff = builders.make_staff(practice, "clinician", clinician=clinician)
    desk = StaffScreens(new_page("desktop", js=True))
    desk.sign_in(staff.email, builders.PASSWORD)
    desk.page.get_by_role("link", name="My patients today").click()
    row = desk.page.locator(f"#appointment-{appointment.id}")
    expect(row).to_contain_text("Arrived")
    row.get_by_role("button", name="Call in").click()
    expect(desk.page.locator(".app-flash")).to_contain_text("number 1 to Room 4")
    assert status_of(appointment) == "called"

    latest = display.locator(".app-calls__latest", has_text="Room 4")
    # With JavaScript the display polls every 2 s: the call shows within three seconds. Without, its next reload.
    expect(latest).to_be_visible(timeout=3000 if js else REFRESH_WAIT)
    expect(latest.locator(".app-calls__number")).to_have_text("1")
    assert "Ottoline" not in display.locator("body").inner_text()


def test_unregistered_patient_asks_for_online_access_and_reception_sees_the_request(kiosk_page, new_page, practice, js):
    appointment = appointment_for(patient(practice, given_name="Ottoline"), 15)
    kiosk = check_in(kiosk_page)
    offer = kiosk_page.get_by_role("heading", name=OFFER)
    expect(offer).to_be_visible()
    assert "Ottoline" not in kiosk.body_text() and "Shackleton" not in kiosk.body_text()
    if js:
        assert_accessible(kiosk_page)
    screenshot(kiosk_page, f"signup-offer-{'js' if js else 'nojs'}")

    kiosk_page.get_by_role("button", name="Yes, ask for a letter").click()
    expect(kiosk.heading).to_have_text(THANKS)
    if js:
        assert_accessible(kiosk_page)
    screenshot(kiosk_page, f"signup-thanks-{'js' if js else 'nojs'}")
    assert SignupRequest.select().where(SignupRequest.appointment == appointment.id).count() == 1
    kiosk_page.get_by_role("link", name="Finish").click()
    expect(kiosk.heading).to_have_text(START_QUESTION)

    staff = builders.make_staff(practice, "reception")
    desk = StaffScreens(new_page("phone", js=js))
    desk.sign_in(staff.email, builders.PASSWORD)
    desk.page.goto(f"/staff/arrivals/#appointment-{appointment.id}")
    desk.page.get_by_role("link", name="Asked for online access").click()
    expect(desk.page.get_by_role("heading", level=1)).to_have_text("Online access requests")
    expect(desk.page.locator("tbody tr")).to_contain_text("Waiting")
    if js:
        assert_accessible(desk.page)
    screenshot(desk.page, f"signup-list-{'js' if js else 'nojs'}")
    desk.page.get_by_role("button", name="Set up online services and check identity").click()
    expect(desk.page.get_by_role("heading", level=1)).to_contain_text("identity")


def test_patient_who_says_no_goes_back_to_the_start_and_nothing_is_asked(kiosk_page, practice):
    appointment_for(patient(practice), 15)
    kiosk = check_in(kiosk_page)
    kiosk_page.get_by_role("button", name="No, thank you").click()
    expect(kiosk.heading).to_have_text(START_QUESTION)
    assert SignupRequest.select().where(SignupRequest.practice == practice.id).count() == 0
