"""Contact and notifications, and the home page's "waiting for you", in Chromium with JavaScript on and off; axe with
JavaScript on (it hangs without), at phone size, in the normal and the error state."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from kiosk.clock import utcnow
from kiosk.models import ContactPreference
from tests import builders
from tests.e2e.axe import assert_accessible, screenshot

pytestmark = pytest.mark.e2e


class _BrowserCookies:
    application = SimpleNamespace(config={})

    def __init__(self, page: Page):
        self.page = page

    def set_cookie(self, name: str, value: str) -> None:
        self.page.context.add_cookies([{"name": name, "value": value, "domain": "127.0.0.1", "path": "/"}])


def test_a_patient_sees_what_is_waiting_and_chooses_texts(new_page, practice, js):
    patient = builders.make_patient(practice, given_name="Rosa", family_name="Patel")
    account = builders.make_registered_account(
        practice, patient, appointments=True, prescriptions=True, record_level="full"
    )
    builders.make_appointment(
        patient, builders.make_slot(builders.make_clinician(practice), utcnow() + timedelta(days=2))
    )
    builders.make_prescription_request(patient, [builders.make_medicine(patient)], status="ready")
    page = new_page("phone", js=js)
    builders.make_patient_session(_BrowserCookies(page), account)
    page.goto("/home")
    expect(page.get_by_role("heading", name="Waiting for you")).to_be_visible()
    expect(page.get_by_text("Next appointment")).to_be_visible()
    expect(page.get_by_role("link", name="1 prescription is ready to collect")).to_be_visible()
    if js:
        assert_accessible(page)
        screenshot(page, "patient-home-waiting")
    page.get_by_role("link", name="Contact and notifications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contact and notifications")
    page.get_by_label("UK mobile number").fill("01234 567890")
    page.get_by_role("group", name="Text messages about").get_by_label("Appointments", exact=False).check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter a UK mobile number")
    if js:
        assert_accessible(page)
        screenshot(page, "contact-and-notifications-error")
    page.get_by_label("UK mobile number").fill("07700 900 982")
    page.get_by_label("Your current password").fill(builders.PASSWORD)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".app-flash")).to_contain_text("choices are saved")
    if js:
        assert_accessible(page)
    pref = ContactPreference.get(ContactPreference.account == account.id)
    assert (pref.mobile, pref.sms_appointments, pref.email_appointments) == ("07700900982", True, False)
