"""Clinicians and rota in Chromium: the manager adds a clinician and a weekly session, reception generates the diary
and sees the slots; axe on every rota page, normal and error states, at phone and desktop sizes (JavaScript on)."""

import re
from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import Page, expect

from kiosk.clock import local_to_utc, local_today
from kiosk.models import WEEKDAYS, Clinician
from tests import builders
from tests.e2e.axe import assert_accessible, screenshot
from tests.e2e.screens import StaffScreens

pytestmark = pytest.mark.e2e


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def test_manager_adds_a_clinician_and_a_session_and_reception_generates_the_diary(staff_screens, practice, js):
    tomorrow = local_today() + timedelta(days=1)
    manager = staff_screens("manager", js=js).page

    manager.goto("/staff/clinicians/new")
    manager.get_by_label("Name patients see").fill("Dr E Rowe")
    manager.get_by_label("Name staff see").fill("Erin Rowe")
    manager.get_by_label("Role").select_option(label="Practice nurse")
    manager.get_by_label("Room").fill("Room 5")
    manager.get_by_role("button", name="Add the clinician").click()
    expect(manager.locator(".app-flash")).to_contain_text("Dr E Rowe added")

    manager.goto("/staff/rota/new")
    manager.get_by_label("Clinician").select_option(label="Erin Rowe (Dr E Rowe)")
    manager.get_by_label("First date").fill(local_today().isoformat())
    manager.get_by_role("button", name="Add the rota").click()
    expect(heading(manager)).to_have_text("Rota: Erin Rowe (Dr E Rowe)")

    manager.get_by_role("link", name="Add a weekly session").click()
    manager.get_by_label("Day of the week").select_option(label=WEEKDAYS[tomorrow.weekday()])
    manager.get_by_label("Start time").fill("09:00")
    manager.get_by_label("End time").fill("10:00")
    manager.get_by_label("Length of each slot").select_option(label="15 minutes")
    manager.get_by_label("Type of appointment").select_option(label="Nurse appointment")
    manager.get_by_label("Who can book these slots").select_option(label="Released for online booking")
    manager.get_by_role("button", name="Add the session").click()
    expect(manager.locator("tbody")).to_contain_text("4 × 15 minutes")

    page = staff_screens("reception", js=js).page
    page.goto("/staff/rota/generate")
    page.get_by_label("Weeks ahead").fill("2")
    page.get_by_role("button", name="Generate the diary").click()
    expect(page.locator(".app-flash")).to_contain_text("8 slots added")

    clinician = Clinician.get((Clinician.practice == practice.id) & (Clinician.display_name == "Dr E Rowe"))
    page.goto(f"/staff/diary/?clinician={clinician.id}&day={tomorrow.isoformat()}")
    rows = page.locator("table.app-diary tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("09:00")
    expect(rows.last).to_contain_text("09:45")


# axe ------------------------------------------------------------------------------------------------------------


def _manager(page, practice) -> StaffScreens:
    staff = builders.make_staff(practice, "manager")
    screens = StaffScreens(page)
    screens.sign_in(staff.email, builders.PASSWORD)
    return screens


def _seeded(practice):
    """A clinician with a rota, one weekly session, a booked appointment next week and a closure that day."""
    clinician = builders.make_clinician(practice, display_name="Dr A Patel", staff_name="Amara Patel", room="Room 1")
    template = builders.make_rota_template(clinician)
    builders.make_rota_session(template, 0)
    next_week = local_today() + timedelta(days=7)
    slot = builders.make_slot(clinician, local_to_utc(datetime.combine(next_week, time(9))))
    builders.make_appointment(builders.make_patient(practice, given_name="Olivia", family_name="Shaw"), slot)
    closure = builders.make_closure(practice, next_week, reason="Bank holiday")
    return clinician, template, closure


def _error(page, button: str):
    page.get_by_role("button", name=button).click()
    expect(page).to_have_title(re.compile(r"^Error: "))


def clinicians_list(page, practice):
    _seeded(practice)
    _manager(page, practice)
    page.goto("/staff/clinicians/")


def clinicians_new(page, practice):
    _manager(page, practice)
    page.goto("/staff/clinicians/new")


def clinicians_new_error(page, practice):
    clinicians_new(page, practice)
    _error(page, "Add the clinician")


def clinicians_edit(page, practice):
    clinician, _, _ = _seeded(practice)
    _manager(page, practice)
    page.goto(f"/staff/clinicians/{clinician.id}/edit")


def clinicians_edit_error(page, practice):
    clinicians_edit(page, practice)
    page.get_by_label("Name patients see").fill("")
    _error(page, "Save")


def clinicians_deactivate(page, practice):
    clinician, _, _ = _seeded(practice)
    _manager(page, practice)
    page.goto(f"/staff/clinicians/{clinician.id}/deactivate")


def clinicians_deactivated(page, practice):
    clinicians_deactivate(page, practice)
    page.get_by_role("button", name=re.compile("^Deactivate")).click()
    expect(heading(page)).to_contain_text("is deactivated")


def rota_index(page, practice):
    _seeded(practice)
    _manager(page, practice)
    page.goto("/staff/rota/")


def rota_template(page, practice):
    _, template, _ = _seeded(practice)
    _manager(page, practice)
    page.goto(f"/staff/rota/{template.id}")


def rota_new(page, practice):
    builders.make_clinician(practice)
    _manager(page, practice)
    page.goto("/staff/rota/new")


def rota_new_error(page, practice):
    rota_new(page, practice)
    _error(page, "Add the rota")


def rota_edit_error(page, practice):
    _, template, _ = _seeded(practice)
    _manager(page, practice)
    page.goto(f"/staff/rota/{template.id}/edit")
    page.get_by_label("Last date (optional)").fill("2000-01-01")
    _error(page, "Save")


def rota_session_new(page, practice):
    _, template, _ = _seeded(practice)
    _manager(page, practice)
    page.goto(f"/staff/rota/{template.id}/sessions/new")


def rota_session_new_error(page, practice):
    rota_session_new(page, practice)
    _error(page, "Add the session")


def rota_generate(page, practice):
    _seeded(practice)
    _manager(page, practice)
    page.goto("/staff/rota/generate")


def rota_generate_error(page, practice):
    rota_generate(page, practice)
    page.get_by_label("Weeks ahead").fill("13")
    _error(page, "Generate the diary")


def closures_list(page, practice):
    _seeded(practice)
    _manager(page, practice)
    page.goto("/staff/rota/closures/")


def closures_new(page, practice):
    _seeded(practice)
    _manager(page, practice)
    page.goto("/staff/rota/closures/new")


def closures_new_error(page, practice):
    closures_new(page, practice)
    _error(page, "Add")


def closures_show(page, practice):
    _, _, closure = _seeded(practice)
    _manager(page, practice)
    page.goto(f"/staff/rota/closures/{closure.id}")
    expect(page.get_by_role("cell", name="Olivia Shaw", exact=True)).to_be_visible()


STATES = [
    clinicians_list,
    clinicians_new,
    clinicians_new_error,
    clinicians_edit,
    clinicians_edit_error,
    clinicians_deactivate,
    clinicians_deactivated,
    rota_index,
    rota_template,
    rota_new,
    rota_new_error,
    rota_edit_error,
    rota_session_new,
    rota_session_new_error,
    rota_generate,
    rota_generate_error,
    closures_list,
    closures_new,
    closures_new_error,
    closures_show,
]


@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.parametrize("reach", STATES, ids=lambda f: f.__name__.replace("_", "-"))
def test_rota_page_has_no_accessibility_problems(new_page, practice, reach, size):
    page = new_page(size)  # JavaScript on: axe never settles without it
    reach(page, practice)
    expect(heading(page)).to_be_visible()
    screenshot(page, f"rota-{reach.__name__}-{size}")
    assert_accessible(page)
