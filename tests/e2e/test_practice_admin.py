"""A practice manager changes settings in Chromium, with JavaScript on and off; and axe on every practice admin page,
at phone and desktop size, in normal and error states (axe only with JavaScript on: it hangs without)."""

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from kiosk.models import Practice
from kiosk.services.audit import append
from tests import builders
from tests.e2e.axe import assert_accessible, screenshot
from tests.e2e.screens import StaffScreens

pytestmark = pytest.mark.e2e


def stored(practice, name):
    return getattr(Practice.get_by_id(practice.id), name)


def test_the_manager_changes_the_check_in_window(staff_screens, practice, js):
    page = staff_screens("manager", js=js).page
    page.get_by_role("link", name="Practice", exact=True).click()
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("link", name="Change kiosk check-in settings").click()
    page.get_by_label("How late patients can check in", exact=True).fill("25")
    page.get_by_role("button", name="Save kiosk check-in settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Practice settings")
    expect(page.get_by_text("Kiosk check-in: 1 setting saved")).to_be_visible()
    assert stored(practice, "check_in_late_minutes") == 25


def test_a_late_window_longer_than_a_day_is_refused_next_to_the_field(staff_screens, practice, js):
    page = staff_screens("manager", js=js).page
    page.goto("/staff/practice/settings/check-in")
    page.get_by_label("How late patients can check in", exact=True).fill("1500")
    page.get_by_role("button", name="Save kiosk check-in settings").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator("#check_in_late_minutes-error")).to_contain_text("between 0 and 120 minutes")
    assert stored(practice, "check_in_late_minutes") == 10


def test_the_manager_changes_the_letters_date_after_seeing_the_counts(staff_screens, practice, js):
    patient = builders.make_patient(practice)
    builders.make_letter(patient, status="cleared", received_on=date(2018, 6, 1))
    page = staff_screens("manager", js=js).page
    page.goto("/staff/practice/settings/letters")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("2019")
    page.get_by_role("button", name="Check the change").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the new letters date")
    expect(page.locator("#letters-disappear")).to_have_text("1")
    assert stored(practice, "letters_from") == date(2017, 3, 31)
    page.get_by_role("button", name="Save the new date").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Practice settings")
    assert stored(practice, "letters_from") == date(2019, 1, 1)


# axe on every new page, normal and error states.


def _manager(page: Page, practice) -> StaffScreens:
    staff = builders.make_staff(practice, "manager", name="Mark Mensah")
    screens = StaffScreens(page)
    screens.sign_in(staff.email, builders.PASSWORD)
    screens.staff = staff
    return screens


def _error(page: Page) -> None:
    expect(page).to_have_title(re.compile(r"^Error: "))


def practice_index(page, practice):
    _manager(page, practice)
    page.goto("/staff/practice/")


def settings_index(page, practice):
    _manager(page, practice)
    page.goto("/staff/practice/settings/")


def settings_group(page, practice):
    _manager(page, practice)
    page.goto("/staff/practice/settings/practice")


def settings_group_error(page, practice):
    _manager(page, practice)
    page.goto("/staff/practice/settings/sign-out")
    page.get_by_label("Staff", exact=True).fill("500")
    page.get_by_role("button", name="Save sign-out settings").click()
    _error(page)


def letters(page, practice):
    _manager(page, practice)
    page.goto("/staff/practice/settings/letters")


def letters_error(page, practice):
    _manager(page, practice)
    page.goto("/staff/practice/settings/letters")
    page.get_by_label("Year").fill("2200")
    page.get_by_role("button", name="Check the change").click()
    _error(page)


def letters_check(page, practice):
    _manager(page, practice)
    page.goto("/staff/practice/settings/letters")
    page.get_by_label("Year").fill("2020")
    page.get_by_role("button", name="Check the change").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the new letters date")


def audit_log(page, practice):
    screens = _manager(page, practice)
    patient = builders.make_patient(practice)
    actor = builders.actor_for(screens.staff)
    for n in range(5):
        append(actor, "record.view", patient_id=patient.id, detail=f"viewed {n}")
    page.goto("/staff/practice/audit/")


def audit_log_choose_patient(page, practice):
    _manager(page, practice)
    builders.make_patient(practice, given_name="Ada", family_name="Okafor")
    builders.make_patient(practice, given_name="Ben", family_name="Okafor")
    page.goto("/staff/practice/audit/?patient_search=Okafor")


def audit_log_error(page, practice):
    _manager(page, practice)
    page.goto("/staff/practice/audit/")
    page.get_by_label("From (DD/MM/YYYY)").fill("31/02/2026")
    page.get_by_role("button", name="Show events").click()
    _error(page)


def own_password(page, practice):
    _manager(page, practice)
    page.goto("/staff/password/")


def own_password_error(page, practice):
    _manager(page, practice)
    page.goto("/staff/password/")
    page.get_by_label("Current password").fill("not my password at all")
    page.get_by_label("New password", exact=True).fill("Velvet orchard compass 73")
    page.get_by_label("Type the new password again").fill("Velvet orchard compass 73")
    page.get_by_role("button", name="Save new password").click()
    _error(page)


def forced_password(page, practice):
    staff = builders.make_staff(practice, "reception", must_change_password=True)
    page.goto("/staff/sign-in")
    page.get_by_label("Email address").fill(staff.email)
    page.get_by_label("Password").fill(builders.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")


def reset_password(page, practice):
    _manager(page, practice)
    member = builders.make_staff(practice, "reception", name="Rosa Reid")
    page.goto(f"/staff/accounts/{member.id}/password")


def reset_password_error(page, practice):
    _manager(page, practice)
    member = builders.make_staff(practice, "reception", name="Rosa Reid")
    page.goto(f"/staff/accounts/{member.id}/password")
    page.get_by_label("Temporary password").fill("password1234")
    page.get_by_role("button", name="Reset password").click()
    _error(page)


def change_role(page, practice):
    _manager(page, practice)
    member = builders.make_staff(practice, "reception", name="Rosa Reid")
    page.goto(f"/staff/accounts/{member.id}/role")


def change_role_error(page, practice):
    screens = _manager(page, practice)
    page.goto(f"/staff/accounts/{screens.staff.id}/role")
    page.get_by_label("Role").select_option("reception")
    page.get_by_role("button", name="Save role").click()
    _error(page)


STATES = [
    practice_index,
    settings_index,
    settings_group,
    settings_group_error,
    letters,
    letters_error,
    letters_check,
    audit_log,
    audit_log_choose_patient,
    audit_log_error,
    own_password,
    own_password_error,
    forced_password,
    reset_password,
    reset_password_error,
    change_role,
    change_role_error,
]


@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.parametrize("reach", STATES, ids=lambda f: f.__name__.replace("_", "-"))
def test_page_has_no_accessibility_problems(new_page, practice, reach, size):
    page = new_page(size)
    reach(page, practice)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    screenshot(page, f"practice-admin-{reach.__name__}-{size}")
    assert_accessible(page)
