"""The waiting-room check-in journey in a real browser, with JavaScript on and off."""

import re

import pytest
from playwright.sync_api import expect

from tests import builders
from tests.e2e.screens import CHECKED_IN, SEE_RECEPTION, KioskScreen
from tests.e2e.seed import (
    BORN,
    appointment_for,
    appointment_in,
    enrol_as_kiosk,
    kiosk_check_ins,
    patient,
    shown_time,
    status_of,
)

pytestmark = pytest.mark.e2e


def test_patient_checks_in_and_is_told_to_take_a_seat(kiosk_page, practice, js):
    appointment = appointment_in(practice, 20, given_name="Ottoline", family_name="Shackleton")
    kiosk = KioskScreen(kiosk_page)
    kiosk.open()
    if js:
        kiosk_page.evaluate("window.sameDocument = true")

    kiosk.choose_letter("S")
    kiosk.choose_sex("Female")
    kiosk.enter_date_of_birth(BORN.day, BORN.month, BORN.year)
    expect(kiosk.heading).to_have_text(f"Your appointment at {shown_time(appointment)} with Dr A Patel: is this you?")
    assert "Shackleton" not in kiosk.body_text() and "Ottoline" not in kiosk.body_text()

    kiosk_page.get_by_role("button", name="Yes, check me in").click()
    expect(kiosk.heading).to_have_text(CHECKED_IN)
    expect(kiosk_page.get_by_text(f"Your appointment is at {shown_time(appointment)} with Dr A Patel.")).to_be_visible()
    assert "Shackleton" not in kiosk.body_text() and "Ottoline" not in kiosk.body_text()
    assert status_of(appointment) == "arrived"
    assert kiosk_check_ins(practice) == 1
    if js:  # htmx carried the whole journey: no full page load since the start screen
        assert kiosk_page.evaluate("window.sameDocument") is True


def test_patient_with_two_appointments_today_chooses_the_one_they_are_here_for(kiosk_page, practice):
    person = patient(practice)
    gp = appointment_for(person, 5)
    nurse = appointment_for(person, 30, builders.make_clinician(practice, display_name="Nurse B Okafor"))
    kiosk = KioskScreen(kiosk_page)

    kiosk.identify("S", "Female", BORN)
    expect(kiosk.heading).to_have_text("You have more than one appointment today")
    kiosk_page.get_by_role("button", name=f"Check me in for {shown_time(nurse)} with Nurse B Okafor").click()

    expect(kiosk.heading).to_have_text(CHECKED_IN)
    expect(kiosk_page.get_by_text(f"Your appointment is at {shown_time(nurse)} with Nurse B Okafor.")).to_be_visible()
    assert (status_of(nurse), status_of(gp)) == ("arrived", "booked")


def test_two_appointments_are_two_buttons_and_nothing_is_chosen_for_the_patient(kiosk_page, practice):
    person = patient(practice)
    gp = appointment_for(person, 5)
    nurse = appointment_for(person, 30, builders.make_clinician(practice, display_name="Nurse B Okafor"))
    kiosk = KioskScreen(kiosk_page)

    kiosk.identify("S", "Female", BORN)
    expect(kiosk_page.get_by_role("button", name=re.compile("^Check me in for"))).to_have_count(2)
    expect(kiosk_page.get_by_role("radio")).to_have_count(0)
    kiosk_page.get_by_role("link", name="No, start again").click()

    expect(kiosk.heading).to_have_text(re.compile("surname"))
    assert (kiosk_check_ins(practice), status_of(gp), status_of(nurse)) == (0, "booked", "booked")


@pytest.mark.parametrize(
    ("who", "minutes"),
    [
        pytest.param({"date_of_birth": BORN.replace(day=15)}, 20, id="no-match"),
        pytest.param({"sex": "male"}, 20, id="wrong-sex"),
        pytest.param({}, 75, id="too-early"),
        pytest.param({}, -15, id="too-late"),
    ],
)
def test_patient_who_cannot_be_matched_is_sent_to_reception_and_nothing_is_recorded(kiosk_page, practice, who, minutes):
    appointment = appointment_in(practice, minutes, **who)
    kiosk = KioskScreen(kiosk_page)

    kiosk.identify("S", "Female", BORN)

    expect(kiosk.heading).to_have_text(SEE_RECEPTION)
    assert status_of(appointment) == "booked"
    assert kiosk_check_ins(practice) == 0


def test_impossible_date_of_birth_shows_an_error_summary_and_message(kiosk_page, practice):
    kiosk = KioskScreen(kiosk_page)
    kiosk.open()
    kiosk.choose_letter("S")
    kiosk.choose_sex("Female")

    kiosk.enter_date_of_birth(31, 2, 1985)

    summary = kiosk_page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link", name="Date of birth must be a real date")).to_be_visible()
    expect(kiosk_page.locator("#dob-error")).to_have_text("Error: Date of birth must be a real date")
    expect(kiosk_page).to_have_title(re.compile(r"^Error: "))
    expect(kiosk_page.get_by_label("Day")).to_have_value("31")


def test_repeated_failed_matches_pause_check_in_on_that_kiosk(new_page, practice):
    """Six misses in ten minutes (the default) and the screen stops answering: it cannot be used to probe."""
    page = new_page("kiosk")
    enrol_as_kiosk(page, practice)
    appointment = appointment_in(practice, 20)
    kiosk = KioskScreen(page)
    for day in range(1, 7):
        kiosk.identify("S", "Female", BORN.replace(day=day))
        expect(kiosk.heading).to_have_text(SEE_RECEPTION)

    kiosk.page.goto("/kiosk/")
    expect(kiosk.heading).to_have_text(SEE_RECEPTION)
    expect(page.get_by_text("Check-in on this screen is paused")).to_be_visible()
    assert status_of(appointment) == "booked"
