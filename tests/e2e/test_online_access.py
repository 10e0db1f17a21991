"""Online access in a real browser: reception verifies, enables and prints; the patient registers with the letter and
signs in; a proxy switches person; reception suspends. JavaScript on and off, and axe on every page of it."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from kiosk.clock import local_today
from kiosk.models import ENHANCED_REVIEW, OnlineAccount
from kiosk.services import online_access
from tests import builders
from tests.e2e.axe import describe, screenshot, violations
from tests.e2e.conftest import SIZES

pytestmark = pytest.mark.e2e

BORN = date(1990, 11, 5)
NEW_PASSWORD = "Velvet orchard lantern 93"
NOT_PRESSURED = "I have spoken with the patient alone and they are not being pressured into this"


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def acting_for(page: Page):
    return page.locator(".app-acting-for")


# Reception's screens


def find_patient(page: Page, query: str, listed_as: str, full_name: str) -> None:
    page.goto("/staff/patients/")
    page.get_by_label("Name, date of birth or NHS number").fill(query)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=listed_as).click()
    expect(heading(page)).to_have_text(full_name)


def record_identity(page: Page, method="Identity documents", evidence="Passport and a council tax bill") -> None:
    page.get_by_label("How did you verify their identity?").select_option(label=method)
    page.get_by_label("Evidence").fill(evidence)
    page.get_by_role("button", name="Record identity check").click()


def enable_services(page: Page) -> None:
    page.get_by_label("Book and cancel appointments").check()
    page.get_by_label("Order repeat prescriptions").check()
    page.get_by_label(NOT_PRESSURED).check()
    page.get_by_role("button", name="Save services").click()


def read_letter(page: Page) -> dict[str, str]:
    expect(heading(page)).to_have_text("Your registration for GP online services")
    names = page.locator(".app-letter-codes dt").all_inner_texts()
    values = page.locator(".app-letter-codes dd").all_inner_texts()
    return dict(zip(names, values, strict=True))


def suspend(page: Page, full_name: str, reason: str = "Asked at the desk") -> None:
    page.get_by_role("link", name="Switch off online access now").click()
    expect(heading(page)).to_have_text(f"Switch off online access for {full_name}")
    page.get_by_label("Reason").fill(reason)
    page.get_by_role("button", name="Switch off now").click()
    expect(page.locator(".app-flash")).to_have_text("Online access is switched off")


# The patient's screens


def register(page: Page, account_id: str, key: str, born: date = BORN) -> None:
    page.goto("/register")
    page.get_by_label("Account ID").fill(account_id)
    page.get_by_label("Linkage Key").fill(key)
    page.get_by_label("Day").fill(str(born.day))
    page.get_by_label("Month").fill(str(born.month))
    page.get_by_label("Year").fill(str(born.year))
    page.get_by_role("button", name="Continue").click()


def choose_password(page: Page, password: str = NEW_PASSWORD) -> None:
    expect(heading(page)).to_have_text("Create a password")
    page.get_by_label("Create a password").fill(password)
    page.get_by_label("Type your password again").fill(password)
    page.get_by_role("button", name="Create password and sign in").click()


def sign_in(page: Page, account_id: str, password: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Account ID").fill(account_id)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def switch_to(page: Page, who: str) -> None:
    page.get_by_label("Whose services do you want to use?").select_option(label=who)
    page.get_by_role("button", name="Switch").click()


def services_on_home(page: Page) -> str:
    return page.locator(".app-task-links").inner_text().lower()


# The journeys


def test_reception_enables_the_patient_registers_and_suspension_signs_them_out(staff_screens, new_page, practice, js):
    builders.make_patient(practice, given_name="Priya", family_name="Singh", date_of_birth=BORN)
    reception = staff_screens("reception", js=js).page

    find_patient(reception, "Singh", "SINGH, Priya", "Priya Singh")
    reception.get_by_role("button", name="Set up online services").click()
    expect(heading(reception)).to_have_text("Verify Priya Singh’s identity")
    record_identity(reception)
    expect(heading(reception)).to_have_text("Online services for Priya Singh")
    enable_services(reception)
    expect(reception.locator(".app-flash")).to_have_text("Online services updated")
    reception.get_by_role("button", name="Issue the registration letter").click()
    letter = read_letter(reception)
    assert letter["Use by"] == (local_today() + timedelta(days=14)).strftime("%-d %B %Y").lstrip("0")

    phone = new_page("phone", js=js)
    register(phone, letter["Account ID"], letter["Linkage Key"])
    choose_password(phone)
    expect(heading(phone)).to_have_text("Hello, Priya")
    expect(acting_for(phone)).to_have_text("Your services")
    home = services_on_home(phone)
    assert "appointment" in home and "repeat medicines" in home and "gp record" not in home

    phone.get_by_role("button", name="Sign out").click()
    expect(phone.get_by_text("You have signed out.")).to_be_visible()
    account_id = letter["Account ID"]
    sign_in(phone, account_id, NEW_PASSWORD)
    expect(heading(phone)).to_have_text("Hello, Priya")

    reception.get_by_role("link", name="Back").click()
    expect(heading(reception)).to_have_text("Priya Singh")
    suspend(reception, "Priya Singh", "Worried about pressure at home")

    phone.get_by_role("link", name="Home").click()
    expect(heading(phone)).to_have_text("Sign in to GP online services")
    assert OnlineAccount.get(OnlineAccount.account_id == account_id.replace("-", "")).is_suspended


def test_registering_with_a_wrong_date_of_birth_says_ask_reception(new_page, practice, js):
    letter = issued_letter(practice)
    page = new_page("phone", js=js)
    register(page, letter.account.account_id, letter.key, born=date(1990, 11, 6))
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("ask reception for a new letter")


@pytest.fixture
def hannah(practice):
    """Hannah has appointments; she acts for her daughter Sophie, whose scope is repeat prescriptions only."""
    hannah = builders.make_registered_account(
        practice, builders.make_patient(practice, given_name="Hannah", family_name="Green"), appointments=True
    )
    sophie = builders.make_patient(practice, given_name="Sophie", family_name="Green", date_of_birth=date(2019, 2, 3))
    builders.make_proxy_link(hannah, sophie, basis="parental", appointments=False, prescriptions=True)
    return hannah


def test_a_proxy_switches_between_myself_and_the_child_and_every_page_says_whose(new_page, hannah, js):
    page = new_page("phone", js=js)
    sign_in(page, hannah.account_id, builders.PASSWORD)
    expect(heading(page)).to_have_text("Hello, Hannah")
    expect(acting_for(page)).to_have_text("Your services")
    expect(page.get_by_role("link", name="Order repeat medicines")).to_have_count(0)

    switch_to(page, "Sophie Green")
    expect(heading(page)).to_have_text("Sophie Green")
    expect(acting_for(page)).to_have_text("Acting for Sophie Green")
    assert "appointment" not in services_on_home(page)
    page.get_by_role("link", name="Order repeat medicines").click()
    expect(heading(page)).not_to_have_text("Sophie Green")
    expect(acting_for(page)).to_have_text("Acting for Sophie Green")

    page.get_by_role("link", name="Home").click()
    switch_to(page, "Myself")
    expect(heading(page)).to_have_text("Hello, Hannah")
    expect(acting_for(page)).to_have_text("Your services")


def test_phone_session_warns_a_minute_before_it_ends(new_page, practice):
    george = builders.make_registered_account(
        practice, builders.make_patient(practice, given_name="George", family_name="Hall"), appointments=True
    )
    page = new_page("phone")
    page.clock.install()
    sign_in(page, george.account_id, builders.PASSWORD)
    expect(heading(page)).to_have_text("Hello, George")
    warning = page.get_by_role("alertdialog")

    page.clock.fast_forward("08:50")
    expect(warning).to_have_count(0)
    page.clock.fast_forward("00:20")
    expect(warning).to_contain_text("you will be signed out in 1 minute")
    expect(page.get_by_role("button", name="Stay signed in")).to_be_focused()

    page.get_by_role("button", name="Stay signed in").click()
    expect(heading(page)).to_have_text("Hello, George")
    expect(warning).to_have_count(0)

    page.clock.fast_forward("10:01")
    expect(heading(page)).to_have_text("Sign in to GP online services")
    expect(page.get_by_text("You were signed out because you had not done anything for a while.")).to_be_visible()


def test_printed_letter_hides_the_screen_only_note(staff_screens, practice):
    page = staff_screens("reception").page
    account = verified_account(practice)
    page.goto(f"/staff/patients/{account.patient_id}")
    page.get_by_role("button", name="Issue the registration letter").click()
    read_letter(page)
    note = page.locator(".app-no-print")
    expect(note).to_be_visible()
    page.emulate_media(media="print")
    expect(note).to_be_hidden()
    expect(page.locator(".app-letter-codes")).to_be_visible()


# Seeding


def verified_account(practice, given_name="Priya", family_name="Singh", **services) -> OnlineAccount:
    patient = builders.make_patient(practice, given_name=given_name, family_name=family_name, date_of_birth=BORN)
    account = builders.make_online_account(practice, patient, **services)
    builders.make_identity_check(account)
    return account


def issued_letter(practice):
    account = verified_account(practice, appointments=True)
    return online_access.issue_registration_letter(builders.actor_for(builders.make_staff(practice)), account.id)


# axe on every page of online access, at phone and kiosk size


class Audit:
    """Runs axe at both sizes on each state it is shown, and reports every problem at the end."""

    def __init__(self, page: Page):
        self.page = page
        self.problems: list[str] = []
        self.seen: list[str] = []

    def check(self, state: str) -> None:
        expect(heading(self.page)).to_be_visible()
        for size in ("phone", "kiosk"):
            self.page.set_viewport_size(SIZES[size])
            screenshot(self.page, f"online-{state}-{size}")
            found = violations(self.page)
            if found:
                self.problems.append(f"{state} at {size} size ({self.page.url}):\n{describe(found)}")
        self.seen.append(state)

    def error(self, state: str) -> None:
        expect(self.page).to_have_title(re.compile(r"^Error: "))
        self.check(state)

    def assert_clean(self) -> None:
        assert not self.problems, "\n".join(self.problems)


def test_reception_pages_have_no_accessibility_problems(staff_screens, practice):
    patient = builders.make_patient(practice, given_name="Priya", family_name="Singh", date_of_birth=BORN)
    builders.make_coded_entry(patient, ENHANCED_REVIEW)  # so the services page shows why record access is blocked
    proxy = builders.make_registered_account(practice, given_name="Hannah", family_name="Green")
    teen = builders.make_patient(
        practice,
        given_name="Theo",
        family_name="Green",
        date_of_birth=local_today().replace(year=local_today().year - 16) + timedelta(days=9),
    )
    builders.make_proxy_link(proxy, teen, basis="parental")
    page = staff_screens("reception").page
    audit = Audit(page)

    page.goto("/staff/patients/")
    audit.check("patients-search")
    find_patient(page, "Singh", "SINGH, Priya", "Priya Singh")
    page.go_back()
    expect(page.get_by_role("link", name="SINGH, Priya")).to_be_visible()
    audit.check("patients-results")
    page.get_by_role("link", name="SINGH, Priya").click()
    audit.check("patient-new")

    page.get_by_role("button", name="Set up online services").click()
    audit.check("identity")
    page.get_by_role("button", name="Record identity check").click()
    audit.error("identity-error")
    record_identity(page)
    audit.check("services")
    page.get_by_label("Book and cancel appointments").check()
    page.get_by_role("button", name="Save services").click()
    audit.error("services-error")
    enable_services(page)
    audit.check("patient-with-services")

    page.get_by_role("button", name="Issue the registration letter").click()
    read_letter(page)
    audit.check("letter")
    page.get_by_role("link", name="Back").click()

    page.get_by_role("link", name="Record a proxy access decision").click()
    audit.check("proxy-form")
    page.get_by_role("button", name="Record decision").click()
    audit.error("proxy-form-error")

    page.goto("/staff/online-accounts/new")
    audit.check("proxy-person")
    page.get_by_role("button", name="Create account").click()
    audit.error("proxy-person-error")
    page.goto(f"/staff/online-accounts/{proxy.id}")
    audit.check("proxy-account")

    page.goto("/staff/proxies/ending")
    expect(page.get_by_role("link", name="Theo Green")).to_be_visible()
    audit.check("proxies-ending")

    page.goto(f"/staff/patients/{patient.id}")
    page.get_by_role("link", name="Switch off online access now").click()
    audit.check("suspend")
    page.get_by_role("button", name="Switch off now").click()
    audit.error("suspend-error")

    manager = staff_screens("manager").page
    builders.make_registered_account(practice, builders.make_patient(practice), appointments=True)
    manager.goto("/staff/reports/uptake")
    audit.page = manager
    audit.check("uptake")

    audit.assert_clean()


def test_patient_pages_have_no_accessibility_problems(new_page, practice, hannah):
    letter = issued_letter(practice)
    page = new_page("phone")
    audit = Audit(page)

    page.goto("/register")
    audit.check("register")
    page.get_by_role("button", name="Continue").click()
    audit.error("register-error")
    register(page, letter.account.account_id, letter.key)
    expect(heading(page)).to_have_text("Create a password")
    audit.check("choose-password")
    page.get_by_label("Create a password").fill("too short")
    page.get_by_role("button", name="Create password and sign in").click()
    audit.error("choose-password-error")
    choose_password(page)
    expect(heading(page)).to_have_text("Hello, Priya")
    audit.check("home-self")
    page.get_by_role("button", name="Sign out").click()

    page.goto("/sign-in")
    audit.check("sign-in")
    sign_in(page, "NOSUCHACCT", "wrong password again")
    audit.error("sign-in-error")
    sign_in(page, hannah.account_id, builders.PASSWORD)
    switch_to(page, "Sophie Green")
    expect(acting_for(page)).to_have_text("Acting for Sophie Green")
    audit.check("home-proxy")

    audit.assert_clean()
