"""The waiting room and the patient pages in every shipped language, in Chromium: check-in in six languages with
JavaScript on and off, larger text, reading aloud, Urdu's mirrored layout, and patient pages in Welsh and Urdu."""

from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Page, expect

from kiosk.i18n import LANGUAGES
from tests.e2e.axe import assert_accessible, screenshot
from tests.e2e.conftest import SIZES
from tests.e2e.seed import BORN, appointment_in, enrol_as_kiosk, kiosk_check_ins, shown_time, status_of

pytestmark = pytest.mark.e2e
TRANSLATIONS = Path(__file__).resolve().parents[2] / "kiosk" / "translations"
BY_CODE = {language.code: language for language in LANGUAGES}


@cache
def _catalogue(code: str) -> dict[str, str]:
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


def tr(code: str, message: str, **values) -> str:
    """What the page should say: the catalogue's translation of `message`, or the English for English."""
    text = message if code == "en" else _catalogue(code)[message]
    return text % values if values else text


def signup_requests(practice) -> int:
    from kiosk.models import SignupRequest

    return SignupRequest.select().where(SignupRequest.practice == practice.id).count()


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("code", [language.code for language in LANGUAGES])
def test_patient_checks_in_at_the_kiosk_in_their_language(new_page, practice, js, code):
    appointment = appointment_in(practice, 20, given_name="Ottoline", family_name="Shackleton")
    page = new_page("kiosk", js=js)
    enrol_as_kiosk(page, practice)
    page.goto("/kiosk/")
    page.get_by_role("button", name=BY_CODE[code].name, exact=True).click()

    expect(page.locator("html")).to_have_attribute("lang", BY_CODE[code].html_lang)
    expect(page.locator("html")).to_have_attribute("dir", BY_CODE[code].direction)
    expect(heading(page)).to_have_text(tr(code, "What is the first letter of your surname?"))
    expect(page).to_have_title(f"{tr(code, 'Check in')} – {tr(code, 'Check in')}")
    if js:
        assert_accessible(page)
    page.get_by_role("button", name="S", exact=True).click()

    expect(heading(page)).to_have_text(tr(code, "What sex is on your medical record?"))
    page.get_by_role("button", name=tr(code, "Female"), exact=True).click()

    group = page.get_by_role("group", name=tr(code, "What is your date of birth?"))
    group.get_by_label(tr(code, "Day"), exact=True).fill(str(BORN.day))
    group.get_by_label(tr(code, "Month"), exact=True).fill(str(BORN.month))
    group.get_by_label(tr(code, "Year"), exact=True).fill(str(BORN.year))
    page.get_by_role("button", name=tr(code, "Continue")).click()

    time, clinician = shown_time(appointment), "Dr A Patel"
    expect(heading(page)).to_have_text(
        tr(code, "Your appointment at %(time)s with %(clinician)s: is this you?", time=time, clinician=clinician)
    )
    page.get_by_role("button", name=tr(code, "Yes, check me in")).click()

    expect(heading(page)).to_have_text(tr(code, "You are checked in. Please take a seat."))
    ticket = page.locator(".app-ticket__number")
    expect(page.locator(".app-ticket")).to_have_text(tr(code, "Your number is %(number)s", number=ticket.inner_text()))
    body = page.locator("body").inner_text()
    assert "Shackleton" not in body and "Ottoline" not in body
    assert (status_of(appointment), kiosk_check_ins(practice)) == ("arrived", 1)
    if js:
        assert_accessible(page)
        screenshot(page, f"kiosk-done-{code}")

    # Not registered for online services: the offer, in the same language, and a request for a letter.
    offer = "Book appointments and order repeat medicines online. Would you like to ask for a registration letter?"
    expect(page.get_by_role("heading", level=2)).to_have_text(tr(code, offer))
    page.get_by_role("button", name=tr(code, "Yes, ask for a letter")).click()
    expect(heading(page)).to_have_text(tr(code, "Thank you. Please ask at reception for your registration letter."))
    assert signup_requests(practice) == 1

    # The next person starts in English.
    page.get_by_role("link", name=tr(code, "Finish")).click()
    expect(heading(page)).to_have_text("What is the first letter of your surname?")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")


def test_larger_text_scales_the_kiosk_by_half_without_scrolling_sideways(new_page, practice, js):
    page = new_page("kiosk", js=js)
    enrol_as_kiosk(page, practice)
    page.goto("/kiosk/")
    page.get_by_role("button", name="Polski", exact=True).click()  # long words: the harder case
    normal = page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")

    page.get_by_role("button", name=tr("pl", "Larger text")).click()

    expect(page.get_by_role("button", name=tr("pl", "Larger text"))).to_have_attribute("aria-pressed", "true")
    larger = page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
    assert larger >= 1.5 * normal
    assert no_horizontal_scroll(page)
    if js:
        assert_accessible(page)
    screenshot(page, f"kiosk-large-text-{'js' if js else 'nojs'}")

    page.get_by_role("button", name="S", exact=True).click()  # the next screen keeps it
    expect(heading(page)).to_have_text(tr("pl", "What sex is on your medical record?"))
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)") >= 1.5 * normal
    assert no_horizontal_scroll(page)
    page.get_by_role("button", name=tr("pl", "Female"), exact=True).click()
    expect(heading(page)).to_have_text(tr("pl", "What is your date of birth?"))
    assert no_horizontal_scroll(page)

    page.goto("/kiosk/")  # where the idle reset goes
    expect(page.locator("html")).not_to_have_class("app-large-text")


def test_urdu_mirrors_the_kiosk_layout(new_page, practice):
    page = new_page("kiosk")
    enrol_as_kiosk(page, practice)
    page.goto("/kiosk/")
    width = SIZES["kiosk"]["width"]

    def centre_x(locator) -> float:
        box = locator.bounding_box()
        return box["x"] + box["width"] / 2

    english = (
        centre_x(page.locator(".app-header__service")),
        centre_x(page.get_by_role("button", name="A", exact=True)),
    )
    page.get_by_role("button", name="اردو", exact=True).click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    urdu = (centre_x(page.locator(".app-header__service")), centre_x(page.get_by_role("button", name="A", exact=True)))

    # Left to right the service name and the first letter key start on the left; in Urdu both move to the right.
    assert [x < width / 2 for x in english] == [True, True]
    assert [x > width / 2 for x in urdu] == [True, True]
    tools = page.locator(".app-kiosk-tools button[name=large]")
    assert centre_x(tools) < width / 2  # the tools sit at the end of the line: the left, in Urdu
    assert no_horizontal_scroll(page)
    screenshot(page, "kiosk-start-ur")


def test_read_this_aloud_speaks_the_question_in_the_chosen_language(new_page, practice):
    page = new_page("kiosk")
    # Record what the page asks the browser to say: headless Chromium has no voices to hear.
    page.add_init_script(
        "window.__spoken = [];window.speechSynthesis.speak = function (u) { window.__spoken.push([u.lang, u.text]); };"
    )
    enrol_as_kiosk(page, practice)
    page.goto("/kiosk/")
    page.get_by_role("button", name="Cymraeg", exact=True).click()

    page.get_by_role("button", name=tr("cy", "Read this aloud")).click()

    assert page.evaluate("window.__spoken") == [["cy", tr("cy", "What is the first letter of your surname?")]]


def test_read_this_aloud_is_not_offered_without_javascript(new_page, practice):
    page = new_page("kiosk", js=False)
    enrol_as_kiosk(page, practice)
    page.goto("/kiosk/")
    expect(page.get_by_role("button", name="Larger text")).to_be_visible()
    expect(page.get_by_role("button", name="Read this aloud")).to_be_hidden()


@pytest.mark.parametrize("code", ["cy", "ur"])
def test_patient_pages_follow_the_browsers_language(browser, base_url, code):
    context = browser.new_context(base_url=base_url, viewport=SIZES["phone"], locale=code)
    try:
        page = context.new_page()
        page.goto("/sign-in")
        expect(page.locator("html")).to_have_attribute("lang", BY_CODE[code].html_lang)
        expect(page.locator("html")).to_have_attribute("dir", BY_CODE[code].direction)
        expect(heading(page)).to_have_text(tr(code, "Sign in to GP online services"))
        assert_accessible(page)

        page.get_by_role("button", name=tr(code, "Sign in"), exact=True).click()  # nothing typed: the error state
        expect(page).to_have_title(f"{tr(code, 'Error:')} {tr(code, 'Sign in')} – {tr(code, 'GP online services')}")
        expect(page.locator(".nhsuk-error-summary")).to_contain_text(tr(code, "Enter your Account ID"))
        assert_accessible(page)
        assert no_horizontal_scroll(page)
        screenshot(page, f"patient-sign-in-error-{code}")
    finally:
        context.close()


def test_patient_changes_language_from_the_link_and_it_is_kept_for_the_visit(new_page):
    page = new_page("phone", js=True)
    page.goto("/register")
    expect(heading(page)).to_have_text("Register for online services")

    page.get_by_role("link", name="Change language").click()
    expect(heading(page)).to_have_text("Change language")
    assert_accessible(page)
    page.get_by_role("button", name="Cymraeg", exact=True).click()

    expect(page).to_have_url(f"{page.url.split('/register')[0]}/register")
    expect(heading(page)).to_have_text(tr("cy", "Register for online services"))
    assert_accessible(page)

    page.get_by_role("link", name="Newid iaith").click()
    page.get_by_role("button", name="اردو", exact=True).click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(heading(page)).to_have_text(tr("ur", "Register for online services"))
    assert_accessible(page)
    page.goto("/sign-in")  # kept for the visit
    expect(heading(page)).to_have_text(tr("ur", "Sign in to GP online services"))


def test_patient_changes_language_without_javascript(new_page):
    page = new_page("phone", js=False)
    page.goto("/sign-in")
    page.get_by_role("link", name="Change language").click()
    page.get_by_role("button", name="Polski", exact=True).click()
    expect(heading(page)).to_have_text(tr("pl", "Sign in to GP online services"))
    expect(page.locator("html")).to_have_attribute("lang", "pl")
