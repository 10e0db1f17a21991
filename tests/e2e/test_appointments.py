"""Appointments in Chromium: a patient finds a slot, books, sees it, cancels; reception's diary; axe on every page.

axe runs only with JavaScript on (it hangs without); the JavaScript-off journeys serve the same HTML at the same URLs.
"""

import re
from datetime import datetime, time, timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from kiosk.clock import local_to_utc, local_today, utcnow
from kiosk.models import Appointment, Practice, Slot
from tests import builders
from tests.e2e.axe import assert_accessible, screenshot
from tests.e2e.seed import enrol_as_kiosk

pytestmark = pytest.mark.e2e
TOMORROW = local_today() + timedelta(days=1)
TAKEN = "Sorry, that time has just been booked by someone else"


class _BrowserCookies:
    """Lets the builders' make_*_session helpers put their session cookie into a browser context."""

    application = SimpleNamespace(config={})

    def __init__(self, page: Page):
        self.page = page

    def set_cookie(self, name: str, value: str) -> None:
        self.page.context.add_cookies([{"name": name, "value": value, "domain": "127.0.0.1", "path": "/"}])


def at(day, hour, minute=0) -> datetime:
    """Naive UTC for a London wall-clock time."""
    return local_to_utc(datetime.combine(day, time(hour, minute)))


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def george(practice):
    return builders.make_patient(practice, given_name="George", family_name="Hall")


def signed_in_patient(page: Page, patient, **services) -> Page:
    """A session made directly (no argon2 per test). At kiosk size the browser is an enrolled waiting-room screen."""
    on_kiosk = page.viewport_size["width"] >= 1000
    if on_kiosk:
        enrol_as_kiosk(page, patient.practice)
    account = builders.make_online_account(patient.practice, patient, **{"appointments": True, **services})
    builders.make_patient_session(_BrowserCookies(page), account, on_kiosk=on_kiosk)
    return page


def sign_in_as_patient(page: Page, account) -> None:
    page.goto("/sign-in")
    page.get_by_label("Account ID").fill(account.account_id)
    page.get_by_label("Password").fill(builders.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(heading(page)).to_have_text(f"Hello, {account.given_name}")


# The patient's journey ---------------------------------------------------------------------------------------------


def test_patient_finds_a_slot_books_it_sees_it_and_cancels_it(new_page, practice, js):
    clinician = builders.make_clinician(practice, display_name="Nurse K Lewis", profession="nurse")
    builders.make_slot(clinician, at(TOMORROW, 9), kind="gp")
    builders.make_slot(clinician, at(TOMORROW, 10), kind="nurse")
    account = builders.make_registered_account(practice, george(practice), appointments=True)
    me = new_page("phone", js=js)
    sign_in_as_patient(me, account)

    me.get_by_role("link", name="Book an appointment").click()
    expect(heading(me)).to_have_text("Book an appointment")
    me.get_by_label("Nurse appointment").check()
    me.get_by_role("button", name="Show free times").click()
    expect(me.get_by_role("heading", level=2)).to_contain_text("Nurse appointment: free times")
    me.get_by_role("link", name="10:00 Nurse K Lewis").click()

    expect(heading(me)).to_have_text("Check your appointment")
    me.get_by_role("button", name="Book this appointment").click()
    expect(heading(me)).to_have_text("Appointment booked")
    expect(me.get_by_role("heading", name="What to bring")).to_be_visible()

    me.get_by_role("link", name="See all your appointments").click()
    expect(heading(me)).to_have_text("Your appointments")
    booked = me.locator(".app-card")
    expect(booked).to_contain_text(f"{TOMORROW:%A %-d %B %Y} at 10:00")
    expect(booked).to_contain_text("Nurse K Lewis")

    booked.get_by_role("link", name=re.compile("^Cancel this appointment")).click()
    expect(heading(me)).to_have_text("Cancel your appointment")
    me.get_by_role("button", name="Yes, cancel this appointment").click()
    expect(heading(me)).to_have_text("Appointment cancelled")
    me.get_by_role("link", name="See all your appointments").click()
    expect(me.get_by_text("You have no upcoming appointments.")).to_be_visible()
    expect(me.locator("tbody tr")).to_contain_text("Cancelled")
    assert [a.status for a in Appointment.select().where(Appointment.practice == practice.id)] == ["cancelled"]


def test_next_week_narrows_the_list_in_place_with_javascript(new_page, practice):
    clinician = builders.make_clinician(practice)
    builders.make_slot(clinician, at(TOMORROW + timedelta(days=7), 11))
    page = signed_in_patient(new_page("phone"), george(practice))
    page.goto("/appointments/book")
    page.evaluate("window.sameDocument = true")
    page.get_by_role("link", name="Next week").click()
    expect(page.get_by_role("link", name="11:00 Dr A Patel")).to_be_visible()
    assert page.evaluate("window.sameDocument") is True, "the page reloaded instead of swapping the list"
    assert "start=" in page.url


def test_next_week_is_a_plain_link_without_javascript(new_page, practice):
    clinician = builders.make_clinician(practice)
    builders.make_slot(clinician, at(TOMORROW + timedelta(days=7), 11))
    page = signed_in_patient(new_page("phone", js=False), george(practice))
    page.goto("/appointments/book")
    page.get_by_role("link", name="Next week").click()
    expect(page.get_by_role("link", name="11:00 Dr A Patel")).to_be_visible()


def test_a_slot_taken_meanwhile_says_sorry_and_shows_the_list_again(new_page, practice, js):
    clinician = builders.make_clinician(practice)
    slot = builders.make_slot(clinician, at(TOMORROW, 9))
    builders.make_slot(clinician, at(TOMORROW, 9, 10))
    page = signed_in_patient(new_page("phone", js=js), george(practice))
    page.goto(f"/appointments/book/{slot.id}")
    builders.make_appointment(builders.make_patient(practice, family_name="Quicker"), slot)
    page.get_by_role("button", name="Book this appointment").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(TAKEN)
    expect(page.get_by_role("link", name="09:10 Dr A Patel")).to_be_visible()
    expect(page.get_by_role("link", name="09:00 Dr A Patel")).to_have_count(0)


def test_a_double_tap_on_book_makes_one_booking(new_page, practice, js):
    slot = builders.make_slot(builders.make_clinician(practice), at(TOMORROW, 9))
    patient = george(practice)
    page = signed_in_patient(new_page("phone", js=js), patient)
    page.goto(f"/appointments/book/{slot.id}")
    page.get_by_role("button", name="Book this appointment").dblclick()
    expect(heading(page)).to_have_text("Appointment booked")
    assert Appointment.select().where(Appointment.patient == patient.id).count() == 1


# Reception's diary -------------------------------------------------------------------------------------------------


def test_reception_books_for_a_patient_then_cancels_with_a_reason(staff_screens, practice, js):
    clinician = builders.make_clinician(practice)
    slot = builders.make_slot(clinician, at(TOMORROW, 14), released_online=False)
    builders.make_patient(practice, given_name="Ottoline", family_name="Shackleton")
    desk = staff_screens("reception", js=js).page
    desk.get_by_role("link", name="Diary").first.click()
    desk.get_by_role("link", name="Next day").click()
    expect(heading(desk)).to_have_text(f"Dr A Patel: {TOMORROW:%A %-d %B %Y}")

    desk.locator(f"#slot-{slot.id}").get_by_role("link", name=re.compile("^Book")).click()
    desk.get_by_label("Name, date of birth or NHS number").fill("Shackleton")
    desk.get_by_role("button", name="Find patient").click()
    desk.get_by_role("button", name="Book for Ottoline Shackleton").click()
    expect(desk.locator(".app-flash")).to_contain_text("Booked Ottoline Shackleton at 14:00")
    expect(desk.locator(f"#slot-{slot.id}")).to_contain_text("Booked")

    desk.locator(f"#slot-{slot.id}").get_by_role("link", name=re.compile("^Cancel")).click()
    desk.get_by_label("Reason for cancelling").fill("Phoned: feeling better")
    desk.get_by_role("button", name="Cancel the appointment").click()
    expect(desk.locator(f"#slot-{slot.id}")).to_contain_text("Cancelled: Ottoline Shackleton")
    expect(desk.locator(f"#slot-{slot.id}")).to_contain_text("Free")
    assert Appointment.get(Appointment.slot == slot.id).cancel_reason == "Phoned: feeling better"


def test_reception_adds_a_session_that_patients_can_book(staff_screens, new_page, practice, js):
    builders.make_clinician(practice, display_name="Nurse K Lewis", profession="nurse")
    desk = staff_screens("reception", js=js).page
    desk.goto("/staff/diary/sessions/new")
    desk.get_by_label("Clinician").select_option(label="Nurse K Lewis")
    desk.get_by_label("Date").fill(TOMORROW.isoformat())
    desk.get_by_label("Start time").fill("09:00")
    desk.get_by_label("End time").fill("10:00")
    desk.get_by_label("Length of each slot").select_option(label="30 minutes")
    desk.get_by_label("Type of appointment").select_option(label="Nurse appointment")
    desk.get_by_label("Patients can book these slots online").check()
    desk.get_by_role("button", name="Add the slots").click()
    expect(desk.locator(".app-flash")).to_contain_text("2 slots added for Nurse K Lewis")

    patient = signed_in_patient(new_page("phone", js=js), george(practice))
    patient.goto("/appointments/book?kind=nurse")
    expect(patient.locator(".app-slots a")).to_have_count(2)


# axe on every page, normal and error states -----------------------------------------------------------------------


def _appointments_list(page, practice):
    clinician = builders.make_clinician(practice)
    patient = george(practice)
    builders.make_appointment(patient, builders.make_slot(clinician, at(TOMORROW, 9)), booked_via="online")
    builders.make_appointment(patient, builders.make_slot(clinician, at(TOMORROW, 9, 30), kind="phone"))
    builders.make_appointment(patient, builders.make_slot(clinician, at(TOMORROW, 10)), status="cancelled")
    signed_in_patient(page, patient).goto("/appointments/")
    return patient, clinician


def patient_list(page, practice):
    _appointments_list(page, practice)


def patient_list_at_the_limit(page, practice):
    patient, clinician = _appointments_list(page, practice)
    builders.make_appointment(patient, builders.make_slot(clinician, at(TOMORROW, 11)), booked_via="online")
    page.reload()
    expect(page.get_by_text("You can have up to 2 appointments booked online")).to_be_visible()


def _finder(page, practice):
    clinician = builders.make_clinician(practice)
    for minutes in (0, 10, 20):
        builders.make_slot(clinician, at(TOMORROW, 9, minutes))
    builders.make_slot(clinician, at(TOMORROW + timedelta(days=1), 15))
    signed_in_patient(page, george(practice)).goto("/appointments/book")
    return clinician


def patient_finder(page, practice):
    _finder(page, practice)


def patient_finder_slot_taken(page, practice):
    _finder(page, practice)
    page.get_by_role("link", name="09:00 Dr A Patel").click()
    expect(heading(page)).to_have_text("Check your appointment")
    taken = Slot.get((Slot.practice == practice.id) & (Slot.starts_at == at(TOMORROW, 9)))
    builders.make_appointment(builders.make_patient(practice), taken)
    page.get_by_role("button", name="Book this appointment").click()
    expect(page).to_have_title(re.compile(r"^Error: "))


def patient_check(page, practice):
    _finder(page, practice)
    page.get_by_role("link", name="09:00 Dr A Patel").click()
    expect(heading(page)).to_have_text("Check your appointment")


def patient_booked(page, practice):
    patient_check(page, practice)
    page.get_by_role("button", name="Book this appointment").click()
    expect(heading(page)).to_have_text("Appointment booked")


def patient_cancel(page, practice):
    _appointments_list(page, practice)
    page.get_by_role("link", name=re.compile("^Cancel this appointment")).first.click()
    expect(heading(page)).to_have_text("Cancel your appointment")


def patient_cancel_too_late(page, practice):
    patient = george(practice)
    soon = builders.make_slot(builders.make_clinician(practice), utcnow() + timedelta(minutes=60))
    appointment = builders.make_appointment(patient, soon)
    signed_in_patient(page, patient).goto(f"/appointments/{appointment.id}/cancel")
    expect(page.get_by_text("It is too late to cancel this appointment online")).to_be_visible()


def patient_cancel_refused(page, practice):
    patient_cancel(page, practice)
    Practice.update(cancel_cutoff_minutes=3 * 24 * 60).where(Practice.id == practice.id).execute()
    page.get_by_role("button", name="Yes, cancel this appointment").click()
    expect(page).to_have_title(re.compile(r"^Error: "))


def patient_cancelled(page, practice):
    patient_cancel(page, practice)
    page.get_by_role("button", name="Yes, cancel this appointment").click()
    expect(heading(page)).to_have_text("Appointment cancelled")


def _desk(page, practice):
    builders.make_staff_session(_BrowserCookies(page), builders.make_staff(practice, "reception"))
    return page


def _diary_day(practice):
    clinician = builders.make_clinician(practice)
    patient = builders.make_patient(practice, given_name="Ottoline", family_name="Shackleton")
    booked = builders.make_appointment(patient, builders.make_slot(clinician, at(TOMORROW, 9)))
    builders.make_appointment(
        builders.make_patient(practice), builders.make_slot(clinician, at(TOMORROW, 9, 10)), status="arrived"
    )
    cancelled_slot = builders.make_slot(clinician, at(TOMORROW, 9, 20))
    builders.make_appointment(patient, cancelled_slot, status="cancelled", cancelled_by="patient")
    free = builders.make_slot(clinician, at(TOMORROW, 9, 30), released_online=False)
    return clinician, booked, free


def staff_diary(page, practice):
    clinician, _, _ = _diary_day(practice)
    _desk(page, practice).goto(f"/staff/diary/?clinician={clinician.id}&day={TOMORROW.isoformat()}")


def staff_diary_book(page, practice):
    _, _, free = _diary_day(practice)
    _desk(page, practice).goto(f"/staff/diary/slots/{free.id}/book?q=Shackleton")


def staff_diary_book_taken(page, practice):
    _, booked, _ = _diary_day(practice)
    _desk(page, practice).goto(f"/staff/diary/slots/{booked.slot_id}/book")


def staff_diary_cancel(page, practice):
    _, booked, _ = _diary_day(practice)
    _desk(page, practice).goto(f"/staff/diary/appointments/{booked.id}/cancel")


def staff_diary_cancel_error(page, practice):
    staff_diary_cancel(page, practice)
    page.get_by_role("button", name="Cancel the appointment").click()
    expect(page).to_have_title(re.compile(r"^Error: "))


def staff_session_new(page, practice):
    builders.make_clinician(practice)
    _desk(page, practice).goto("/staff/diary/sessions/new")


def staff_session_new_error(page, practice):
    staff_session_new(page, practice)
    page.get_by_role("button", name="Add the slots").click()
    expect(page).to_have_title(re.compile(r"^Error: "))


STATES = [
    patient_list,
    patient_list_at_the_limit,
    patient_finder,
    patient_finder_slot_taken,
    patient_check,
    patient_booked,
    patient_cancel,
    patient_cancel_too_late,
    patient_cancel_refused,
    patient_cancelled,
    staff_diary,
    staff_diary_book,
    staff_diary_book_taken,
    staff_diary_cancel,
    staff_diary_cancel_error,
    staff_session_new,
    staff_session_new_error,
]


@pytest.mark.parametrize("size", ["phone", "kiosk"])
@pytest.mark.parametrize("reach", STATES, ids=lambda f: f.__name__.replace("_", "-"))
def test_page_has_no_accessibility_problems(new_page, practice, reach, size):
    page = new_page(size)
    reach(page, practice)
    expect(heading(page)).to_be_visible()
    screenshot(page, f"appointments-{reach.__name__}-{size}")
    assert_accessible(page)
