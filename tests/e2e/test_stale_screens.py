"""Screens left open until what they show has gone stale, in Chromium with JavaScript on: the next tap, refresh or
click shows the right whole page (a fresh check-in, staff sign-in, the error page), never nothing and never a page
inside a fragment. axe on the kiosk's own out-of-date page."""

import re

import pytest
from playwright.sync_api import Page, expect

from kiosk.models import Appointment, Letter, WebSession
from kiosk.sessions import _digest
from tests import builders
from tests.e2e.axe import assert_accessible, screenshot
from tests.e2e.screens import CHECKED_IN, START_QUESTION, KioskScreen
from tests.e2e.seed import BORN, appointment_in, enrol_as_kiosk
from tests.e2e.test_prescriptions import _BrowserCookies

pytestmark = pytest.mark.e2e
POLL_WAIT = 12_000  # the arrivals list asks every 5 seconds; allow two rounds and a slow machine


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def end_session_on_the_server(page: Page) -> None:
    """What the server does when a session passes its idle limit: the row goes, the browser still has the cookie."""
    sid = next(c["value"] for c in page.context.cookies() if c["name"] == "session")
    assert WebSession.delete().where(WebSession.key == _digest(sid)).execute() == 1


def csrf_token_on(page: Page) -> str:
    return page.locator("input[name=csrf_token]").first.get_attribute("value")


# ---- the kiosk start screen whose session lapsed ----


def test_stale_kiosk_start_screen_starts_a_fresh_check_in_on_the_next_tap(new_page, practice):
    appointment = appointment_in(practice, 20)
    page = new_page("kiosk")
    enrol_as_kiosk(page, practice)
    kiosk = KioskScreen(page).open()
    stale_token = csrf_token_on(page)
    end_session_on_the_server(page)

    page.get_by_role("button", name="S", exact=True).click()

    expect(page.locator("input[name=csrf_token]").first).not_to_have_value(stale_token)
    expect(heading(page)).to_have_text(START_QUESTION)
    assert re.search(r"/kiosk/$", page.url)
    assert "out of date" not in kiosk.body_text()
    kiosk.choose_letter("S")
    kiosk.choose_sex("Female")
    kiosk.enter_date_of_birth(BORN.day, BORN.month, BORN.year)
    page.get_by_role("button", name="Yes, check me in").click()
    expect(heading(page)).to_have_text(CHECKED_IN)
    assert Appointment.get_by_id(appointment.id).status == "arrived"


def test_stale_kiosk_page_mid_check_in_changes_nothing_and_starts_again(new_page, practice):
    appointment = appointment_in(practice, 20)
    page = new_page("kiosk")
    enrol_as_kiosk(page, practice)
    KioskScreen(page).identify("S", "Female", BORN)
    expect(heading(page)).to_contain_text("is this you?")
    end_session_on_the_server(page)

    page.get_by_role("button", name="Yes, check me in").click()

    expect(heading(page)).to_have_text(START_QUESTION)
    assert Appointment.get_by_id(appointment.id).status == "booked"


def test_stale_kiosk_without_javascript_says_so_and_points_at_check_in(new_page, practice):
    page = new_page("kiosk", js=False)
    enrol_as_kiosk(page, practice)
    KioskScreen(page).open()
    end_session_on_the_server(page)

    page.get_by_role("button", name="S", exact=True).click()

    expect(heading(page)).to_have_text("Your page was out of date")
    page.get_by_role("link", name="Start again").click()
    expect(heading(page)).to_have_text(START_QUESTION)


def test_kiosk_out_of_date_page_goes_back_to_the_start_by_itself(new_page, practice):
    practice.kiosk_idle_seconds = 2
    practice.save()
    page = new_page("kiosk", js=False)
    enrol_as_kiosk(page, practice)
    KioskScreen(page).open()
    end_session_on_the_server(page)
    page.get_by_role("button", name="S", exact=True).click()
    expect(heading(page)).to_have_text("Your page was out of date")

    expect(heading(page)).to_have_text(START_QUESTION, timeout=8_000)


@pytest.mark.parametrize("size", ["phone", "kiosk"])
def test_kiosk_out_of_date_page_has_no_accessibility_problems(new_page, practice, size):
    page = new_page(size)  # axe needs JavaScript; the page is what a JavaScript-off kiosk shows
    enrol_as_kiosk(page, practice)
    KioskScreen(page).open()
    end_session_on_the_server(page)
    # A plain submission, as without JavaScript: form.submit() raises no submit event for htmx to take over.
    page.locator('form[action="/kiosk/letter"]').evaluate("form => form.submit()")
    expect(heading(page)).to_have_text("Your page was out of date")
    screenshot(page, f"kiosk-out-of-date-{size}")
    assert_accessible(page)


# ---- reception's arrivals list refreshing itself after the session ended ----


def test_stale_arrivals_page_goes_to_staff_sign_in_as_a_whole_page(staff_screens, practice):
    appointment_in(practice, 10)
    reception = staff_screens("reception")
    page = reception.arrivals().page
    end_session_on_the_server(page)

    expect(page).to_have_url(re.compile(r"/staff/sign-in\?next=/staff/arrivals/$"), timeout=POLL_WAIT)
    expect(heading(page)).to_have_text("Staff sign in")
    expect(page.locator("header")).not_to_contain_text("Sign out")
    expect(page.locator("#arrivals")).to_have_count(0)
    expect(page.locator("form[action^='/staff/sign-in']")).to_have_count(1)

    page.get_by_label("Email address").fill(reception.staff.email)
    page.get_by_label("Password").fill(builders.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(heading(page)).to_have_text("Today’s arrivals")


# ---- refusals that htmx 2 would not swap by itself ----


def staff_page(page: Page, practice, role: str) -> Page:
    builders.make_staff_session(_BrowserCookies(page), builders.make_staff(practice, role))
    return page


def test_over_size_upload_shows_the_too_big_page(new_page, practice, js):
    patient = builders.make_patient(practice)
    page = staff_page(new_page("desktop", js=js), practice, "reception")
    page.goto(f"/staff/patients/{patient.id}/letters/new")
    page.get_by_label(re.compile("^Attachment")).set_input_files(
        {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 " + b"0" * (7 * 1024 * 1024)}
    )

    page.get_by_role("button", name="File letter").click()

    expect(heading(page)).to_have_text("The file is too big")
    expect(page).to_have_title(re.compile(r"^The file is too big – "))
    expect(page.locator("main")).to_have_count(1)
    if js:
        expect(heading(page)).to_be_focused()
    assert Letter.select().where(Letter.patient == patient.id).count() == 0


def patient_page(page: Page, patient) -> Page:
    account = builders.make_registered_account(patient.practice, patient, record_level="full")
    builders.make_patient_session(_BrowserCookies(page), account)
    return page


def test_letter_withheld_since_the_list_loaded_shows_page_not_found(new_page, practice, js):
    patient = builders.make_patient(practice, given_name="Mina", family_name="Okafor")
    letter = builders.make_letter(patient, status="cleared", author="Ward 7, City Hospital", body="Troponin negative.")
    page = patient_page(new_page("phone", js=js), patient)
    page.goto("/letters")
    link = page.get_by_role("link", name="Outpatient letter from Ward 7, City Hospital")
    expect(link).to_be_visible()
    Letter.update(status="withheld", withhold_reason="third_party").where(Letter.id == letter.id).execute()

    link.click()

    expect(heading(page)).to_have_text("Page not found")
    expect(page).to_have_title(re.compile(r"^Page not found – "))
    expect(page).to_have_url(re.compile(rf"/letters/{letter.id}$"))
    expect(page.get_by_text("Troponin negative.")).to_have_count(0)
    expect(page.locator("header")).to_have_count(1)
    if js:
        expect(heading(page)).to_be_focused()


def test_refused_form_shows_the_bad_request_page_and_it_has_no_accessibility_problems(staff_screens, practice):
    appointment_in(practice, 10)
    page = staff_screens("reception").arrivals().page
    # A choice the form never offered, as a page from before a change to the list would send.
    page.get_by_label("Dr A Patel is running late by").evaluate("select => { select.options[1].value = '7'; }")
    page.get_by_label("Dr A Patel is running late by").select_option(index=1)

    page.get_by_role("button", name="Save for Dr A Patel").click()

    expect(heading(page)).to_have_text("Sorry, we could not do that")
    expect(heading(page)).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Sorry, we could not do that – "))
    screenshot(page, "bad-request")
    assert_accessible(page)
