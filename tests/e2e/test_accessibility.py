"""axe-core on every page of the check-in and arrivals journeys, at phone and kiosk size, normal and error states.

axe runs only with JavaScript on (it hangs without). The JavaScript-off journeys serve the same HTML at the same
URLs, so these runs cover them too.
"""

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from kiosk.clock import local_today, utcnow
from tests import builders
from tests.e2e.axe import assert_accessible, screenshot
from tests.e2e.screens import CHECKED_IN, NOT_SET_UP, SEE_RECEPTION, KioskScreen, StaffScreens
from tests.e2e.seed import BORN, appointment_for, appointment_in, enrol_as_kiosk, patient

pytestmark = pytest.mark.e2e


def _kiosk(page: Page, practice) -> KioskScreen:
    enrol_as_kiosk(page, practice)
    return KioskScreen(page)


def _to_date_of_birth(page, practice) -> KioskScreen:
    kiosk = _kiosk(page, practice)
    kiosk.open()
    kiosk.choose_letter("S")
    kiosk.choose_sex("Female")
    return kiosk


def kiosk_start(page, practice):
    _kiosk(page, practice).open()


def kiosk_sex(page, practice):
    kiosk = _kiosk(page, practice)
    kiosk.open()
    kiosk.choose_letter("S")


def kiosk_date_of_birth(page, practice):
    _to_date_of_birth(page, practice)


def kiosk_date_of_birth_error(page, practice):
    _to_date_of_birth(page, practice).enter_date_of_birth(31, 2, "")
    expect(page).to_have_title(re.compile(r"^Error: "))


def kiosk_confirm_one(page, practice):
    appointment_in(practice, 20)
    _to_date_of_birth(page, practice).enter_date_of_birth(BORN.day, BORN.month, BORN.year)
    expect(page.get_by_role("heading", level=1)).to_contain_text("is this you?")


def _two_appointments(page, practice):
    person = patient(practice)
    appointment_for(person, 5)
    appointment_for(person, 30, builders.make_clinician(practice, display_name="Nurse B Okafor"))
    _to_date_of_birth(page, practice).enter_date_of_birth(BORN.day, BORN.month, BORN.year)
    expect(page.get_by_role("heading", level=1)).to_have_text("You have more than one appointment today")


def kiosk_confirm_two(page, practice):
    _two_appointments(page, practice)


def kiosk_done(page, practice):
    clinician = builders.make_clinician(practice, running_late_minutes=20, running_late_on=local_today())
    appointment_in(practice, 20, clinician=clinician)
    _to_date_of_birth(page, practice).enter_date_of_birth(BORN.day, BORN.month, BORN.year)
    page.get_by_role("button", name="Yes, check me in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CHECKED_IN)
    expect(page.get_by_text("running about 20 minutes late")).to_be_visible()


def kiosk_see_reception(page, practice):
    _to_date_of_birth(page, practice).enter_date_of_birth(1, 1, 1970)
    expect(page.get_by_role("heading", level=1)).to_have_text(SEE_RECEPTION)


def kiosk_not_enrolled(page, practice):
    page.goto("/kiosk/")
    expect(page.get_by_role("heading", level=1)).to_have_text(NOT_SET_UP)


def staff_sign_in(page, practice):
    page.goto("/staff/sign-in")


def staff_sign_in_error(page, practice):
    staff = builders.make_staff(practice)
    page.goto("/staff/sign-in")
    page.get_by_label("Email address").fill(staff.email)
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title(re.compile(r"^Error: "))


def _signed_in(page, practice, role="reception") -> StaffScreens:
    staff = builders.make_staff(practice, role)
    screens = StaffScreens(page)
    screens.sign_in(staff.email, builders.PASSWORD)
    return screens


def staff_dashboard(page, practice):
    _signed_in(page, practice, "manager")


def staff_kiosks(page, practice):
    builders.make_kiosk(practice, token=f"a11y-{practice.id}", name="Waiting room 1")
    _signed_in(page, practice)
    page.goto("/staff/kiosks/")


def staff_kiosks_error(page, practice):
    _signed_in(page, practice)
    page.goto("/staff/kiosks/")
    page.get_by_role("button", name="Enrol this device").click()
    expect(page).to_have_title(re.compile(r"^Error: "))


def staff_arrivals(page, practice):
    late = builders.make_clinician(
        practice, display_name="Dr C Jones", running_late_minutes=10, running_late_on=local_today()
    )
    appointment_in(practice, 10)
    arrived = appointment_in(practice, 20, clinician=late, family_name="Tennant", date_of_birth=date(1950, 7, 2))
    arrived.status = "arrived"
    arrived.save()
    _signed_in(page, practice).arrivals()


def staff_accounts(page, practice):
    builders.make_staff(practice, "clinician", disabled_at=utcnow())
    _signed_in(page, practice, "manager")
    page.goto("/staff/accounts/")


def staff_account_new(page, practice):
    _signed_in(page, practice, "manager")
    page.goto("/staff/accounts/new")


def staff_account_new_error(page, practice):
    _signed_in(page, practice, "manager")
    page.goto("/staff/accounts/new")
    page.get_by_label("Email address").fill("not an email")
    page.get_by_role("button", name="Add account").click()
    expect(page).to_have_title(re.compile(r"^Error: "))


STATES = [
    kiosk_start,
    kiosk_sex,
    kiosk_date_of_birth,
    kiosk_date_of_birth_error,
    kiosk_confirm_one,
    kiosk_confirm_two,
    kiosk_done,
    kiosk_see_reception,
    kiosk_not_enrolled,
    staff_sign_in,
    staff_sign_in_error,
    staff_dashboard,
    staff_kiosks,
    staff_kiosks_error,
    staff_arrivals,
    staff_accounts,
    staff_account_new,
    staff_account_new_error,
]


@pytest.mark.parametrize("size", ["phone", "kiosk"])
@pytest.mark.parametrize("reach", STATES, ids=lambda f: f.__name__.replace("_", "-"))
def test_page_has_no_accessibility_problems(new_page, practice, reach, size):
    page = new_page(size)
    reach(page, practice)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    screenshot(page, f"{reach.__name__}-{size}")
    assert_accessible(page)
