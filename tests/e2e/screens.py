"""Page objects: what a patient or a receptionist does, in the words on the screen."""

import re
from datetime import date

from playwright.sync_api import Locator, Page, expect

START_QUESTION = "What is the first letter of your surname?"
CHECKED_IN = "You are checked in. Please take a seat."
SEE_RECEPTION = "We could not check you in. Please see reception."
NOT_SET_UP = "This screen is not set up for check-in"


class KioskScreen:
    def __init__(self, page: Page):
        self.page = page

    @property
    def heading(self) -> Locator:
        return self.page.get_by_role("heading", level=1)

    def open(self) -> "KioskScreen":
        self.page.goto("/kiosk/")
        expect(self.heading).to_have_text(START_QUESTION)
        return self

    def choose_letter(self, letter: str) -> None:
        self.page.get_by_role("button", name=letter, exact=True).click()
        expect(self.heading).to_have_text("What sex is on your medical record?")

    def choose_sex(self, label: str) -> None:
        self.page.get_by_role("button", name=label, exact=True).click()
        expect(self.heading).to_have_text("What is your date of birth?")

    def enter_date_of_birth(self, day, month, year) -> None:
        group = self.page.get_by_role("group", name="What is your date of birth?")
        group.get_by_label("Day").fill(str(day))
        group.get_by_label("Month").fill(str(month))
        group.get_by_label("Year").fill(str(year))
        self.page.get_by_role("button", name="Continue").click()

    def identify(self, letter: str, sex: str, born: date) -> None:
        """From the start screen to whatever follows the date of birth."""
        self.open()
        self.choose_letter(letter)
        self.choose_sex(sex)
        self.enter_date_of_birth(born.day, born.month, born.year)

    def body_text(self) -> str:
        return self.page.locator("body").inner_text()


class StaffScreens:
    def __init__(self, page: Page):
        self.page = page
        self.staff = None

    def sign_in(self, email: str, password: str) -> None:
        self.page.goto("/staff/sign-in")
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Hello, "))

    def arrivals(self) -> "Arrivals":
        self.page.goto("/staff/arrivals/")
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Today’s arrivals")
        return Arrivals(self.page)


class Arrivals:
    def __init__(self, page: Page):
        self.page = page

    def row(self, appointment) -> Locator:
        return self.page.locator(f"#appointment-{appointment.id}")

    def status(self, appointment) -> Locator:
        return self.row(appointment).locator(".nhsuk-tag")

    def refresh(self) -> None:
        self.page.get_by_role("link", name="Refresh the list").click()
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Today’s arrivals")

    def flash(self) -> Locator:
        return self.page.locator(".app-flash")
