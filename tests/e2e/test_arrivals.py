"""Reception's arrivals list: it follows the kiosk by itself, and reception can correct it by hand."""

from datetime import date

import pytest
from playwright.sync_api import expect

from kiosk.models import AuditEvent
from tests.e2e.screens import CHECKED_IN, KioskScreen
from tests.e2e.seed import BORN, appointment_in, enrol_as_kiosk, status_of

pytestmark = pytest.mark.e2e
POLL_WAIT = 12_000  # the list asks every 5 seconds; allow two rounds and a slow machine


def check_in_on_a_kiosk(new_page, practice, letter: str, sex: str, born: date, js: bool = True):
    page = new_page("kiosk", js=js)
    enrol_as_kiosk(page, practice)
    kiosk = KioskScreen(page)
    kiosk.identify(letter, sex, born)
    page.get_by_role("button", name="Yes, check me in").click()
    expect(kiosk.heading).to_have_text(CHECKED_IN)
    return page


def test_arrivals_list_updates_itself_when_patients_check_in_on_a_kiosk(staff_screens, new_page, practice):
    first = appointment_in(practice, 10)
    second = appointment_in(practice, 25, family_name="Tennant", sex="male", date_of_birth=date(1950, 7, 2))
    arrivals = staff_screens("reception").arrivals()
    expect(arrivals.status(first)).to_have_text("Booked")
    arrivals.page.evaluate("window.sameDocument = true")

    check_in_on_a_kiosk(new_page, practice, "S", "Female", BORN)
    expect(arrivals.status(first)).to_have_text("Arrived", timeout=POLL_WAIT)

    # A second arrival proves the list keeps polling after its first swap.
    check_in_on_a_kiosk(new_page, practice, "T", "Male", date(1950, 7, 2))
    expect(arrivals.status(second)).to_have_text("Arrived", timeout=POLL_WAIT)
    assert arrivals.page.evaluate("window.sameDocument") is True, "the page reloaded instead of swapping the list"


def test_arrivals_refresh_link_shows_a_kiosk_check_in_without_javascript(staff_screens, new_page, practice):
    appointment = appointment_in(practice, 10)
    arrivals = staff_screens("reception", js=False).arrivals()
    expect(arrivals.status(appointment)).to_have_text("Booked")

    check_in_on_a_kiosk(new_page, practice, "S", "Female", BORN)
    arrivals.refresh()

    expect(arrivals.status(appointment)).to_have_text("Arrived")


def test_reception_marks_a_patient_arrived_and_undoes_it(staff_screens, practice, js):
    appointment = appointment_in(practice, 10, given_name="Ottoline", family_name="Shackleton")
    arrivals = staff_screens("reception", js=js).arrivals()

    arrivals.row(appointment).get_by_role("button", name="Mark arrived").click()
    expect(arrivals.flash()).to_have_text("Ottoline Shackleton marked as arrived")
    expect(arrivals.status(appointment)).to_have_text("Arrived")
    assert status_of(appointment) == "arrived"

    arrivals.row(appointment).get_by_role("button", name="Undo arrival").click()
    expect(arrivals.flash()).to_have_text("Arrival undone for Ottoline Shackleton")
    expect(arrivals.status(appointment)).to_have_text("Booked")
    assert status_of(appointment) == "booked"
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.practice == practice.id).order_by(AuditEvent.id)]
    assert actions[-2:] == ["appointment.arrive", "appointment.undo"]


def test_running_late_set_on_arrivals_shows_on_the_kiosk_after_check_in(staff_screens, new_page, practice, js):
    appointment_in(practice, 10)
    arrivals = staff_screens("reception", js=js).arrivals()

    arrivals.page.get_by_label("Dr A Patel is running late by").select_option(label="20 minutes")
    arrivals.page.get_by_role("button", name="Save for Dr A Patel").click()
    expect(arrivals.flash()).to_have_text("Dr A Patel: running late set to 20 minutes")
    expect(arrivals.page.get_by_role("heading", name="Dr A Patel")).to_contain_text("Running 20 min late")

    kiosk = check_in_on_a_kiosk(new_page, practice, "S", "Female", BORN, js=js)
    expect(kiosk.get_by_text("Dr A Patel is running about 20 minutes late today.")).to_be_visible()
