"""The kiosk forgets: it returns to its start screen after a short idle time, and history cannot bring a visit back."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.screens import CHECKED_IN, START_QUESTION, KioskScreen
from tests.e2e.seed import BORN, appointment_in, enrol_as_kiosk

pytestmark = pytest.mark.e2e


@pytest.fixture
def quick_practice(practice):
    practice.kiosk_idle_seconds = 2
    practice.save()
    return practice


def test_idle_kiosk_returns_to_the_start_screen_without_a_touch(kiosk_page, quick_practice):
    """With JavaScript the app's timer does it; without, the page's <noscript> meta refresh."""
    kiosk = KioskScreen(kiosk_page)
    kiosk.open()
    kiosk.choose_letter("S")
    kiosk.choose_sex("Female")
    kiosk_page.get_by_label("Day").fill("14")

    expect(kiosk.heading).to_have_text(START_QUESTION, timeout=8_000)
    assert re.search(r"/kiosk/$", kiosk_page.url)

    kiosk.choose_letter("S")
    kiosk.choose_sex("Female")
    expect(kiosk_page.get_by_label("Day")).to_have_value("")


def test_each_touch_restarts_the_idle_timer(new_page, practice):
    practice.kiosk_idle_seconds = 3
    practice.save()
    page = new_page("kiosk")
    enrol_as_kiosk(page, practice)
    kiosk = KioskScreen(page)
    kiosk.open()
    kiosk.choose_letter("S")
    kiosk.choose_sex("Female")

    for digit in "14":  # the timer is the point here: wait for it, deliberately
        page.wait_for_timeout(1_700)
        page.get_by_label("Day").press(digit)
    expect(kiosk.heading).to_have_text("What is your date of birth?")

    expect(kiosk.heading).to_have_text(START_QUESTION, timeout=8_000)


def test_going_back_after_checking_in_does_not_show_the_visit_again(kiosk_page, practice):
    appointment_in(practice, 20)
    kiosk = KioskScreen(kiosk_page)
    kiosk.identify("S", "Female", BORN)
    kiosk_page.get_by_role("button", name="Yes, check me in").click()
    expect(kiosk.heading).to_have_text(CHECKED_IN)

    for _ in range(3):
        kiosk_page.go_back()
        kiosk_page.wait_for_load_state()
        expect(kiosk.heading).to_have_text(START_QUESTION)
        assert "is this you?" not in kiosk.body_text()
        assert "Please take a seat" not in kiosk.body_text()
