"""Which language a page is in: the kiosk's choice, a patient's choice or browser, and English for staff."""

from datetime import UTC, date, timedelta

import pytest

from kiosk.clock import utcnow
from kiosk.i18n import COOKIE, LANGUAGES
from tests.builders import PASSWORD, make_appointment, make_patient, make_registered_account, make_staff
from tests.pages import check_html

SIGN_IN_HEADING = {
    "en": "Sign in to GP online services",
    "cy": "Mewngofnodi i wasanaethau meddyg teulu ar-lein",
    "pl": "Zaloguj się do usług online przychodni",
    "ro": "Conectați-vă la serviciile online ale cabinetului",
    "ur": "جی پی آن لائن سروسز میں سائن ان کریں",
    "bn": "জিপি অনলাইন পরিষেবায় সাইন ইন করুন",
}
START_QUESTION = {
    "en": "What is the first letter of your surname?",
    "pl": "Jaka jest pierwsza litera Twojego nazwiska?",
    "ur": "آپ کے خاندانی نام کا پہلا حرف کیا ہے؟",
}


def page(response):
    assert response.status_code in (200, 400, 404), response.status_code
    return check_html(response.get_data(as_text=True))


def html_lang_dir(tree) -> tuple[str, str]:
    html = tree.css_first("html")
    return html.attributes.get("lang"), html.attributes.get("dir")


# ---- patient pages: the browser's languages, then the visitor's own choice ----


@pytest.mark.parametrize(
    ("accept", "code", "lang", "direction"),
    [
        ("en-GB,en;q=0.9", "en", "en-GB", "ltr"),
        ("cy-GB,cy;q=0.9,en;q=0.5", "cy", "cy", "ltr"),
        ("pl-PL,pl;q=0.9", "pl", "pl", "ltr"),
        ("ro", "ro", "ro", "ltr"),
        ("ur-PK,ur;q=0.9,en;q=0.5", "ur", "ur", "rtl"),
        ("bn-BD,bn;q=0.9", "bn", "bn", "ltr"),
        ("fr-FR,fr;q=0.9,de;q=0.5", "en", "en-GB", "ltr"),  # nothing we ship: English
    ],
)
def test_patient_page_follows_the_browsers_languages(client, accept, code, lang, direction):
    tree = page(client.get("/sign-in", headers={"Accept-Language": accept}))
    assert (html_lang_dir(tree), tree.css_first("h1").text()) == ((lang, direction), SIGN_IN_HEADING[code])


def test_language_dependent_pages_vary_on_the_browsers_languages_and_the_cookie(client):
    response = client.get("/sign-in", headers={"Accept-Language": "pl"})
    assert {"accept-language", "cookie"} <= {v.strip().lower() for v in response.headers["Vary"].split(",")}
    assert (response.headers["Content-Language"], response.headers["Cache-Control"]) == (
        "pl",
        "no-store, no-cache, private",
    )


def test_every_patient_page_links_to_change_language_and_back_to_itself(client):
    tree = page(client.get("/register", headers={"Accept-Language": "ur"}))
    link = tree.css_first("a.app-header__language")
    assert link.attributes["href"] == "/language?next=/register"
    # Whoever cannot read Urdu can still find the way out of it.
    assert "زبان تبدیل کریں" in link.text() and "(Change language)" in link.text()


def test_change_language_page_lists_each_language_in_its_own_name_and_script(client):
    tree = page(client.get("/language?next=/register"))
    buttons = tree.css("button[name=language]")
    assert [(b.attributes["value"], b.attributes["lang"], b.text()) for b in buttons] == [
        (language.code, language.html_lang, language.name) for language in LANGUAGES
    ]
    assert tree.css_first("input[name=next]").attributes["value"] == "/register"


def test_chosen_language_is_kept_for_the_visit_and_beats_the_browsers(client):
    response = client.form_post("/language", {"language": "ur", "next": "/register"}, token_from="/language")
    assert (response.status_code, response.headers["Location"]) == (303, "/register")
    cookie = client.get_cookie(COOKIE)
    assert (cookie.value, cookie.expires, cookie.http_only, cookie.same_site) == ("ur", None, True, "Lax")

    tree = page(client.get("/register", headers={"Accept-Language": "pl"}))
    assert (html_lang_dir(tree), tree.css_first("h1").text()) == (("ur", "rtl"), "آن لائن سروسز کے لیے رجسٹر کریں")
    assert html_lang_dir(page(client.get("/sign-in"))) == ("ur", "rtl")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/sign-out", "/no-such-page", ""])
def test_change_language_never_returns_somewhere_unsafe(client, target):
    response = client.form_post("/language", {"language": "cy", "next": target}, token_from="/language")
    assert (response.status_code, response.headers["Location"]) == (303, "/")


def test_change_language_page_offers_no_unsafe_way_back(client):
    tree = page(client.get("/language?next=https://evil.example/"))
    assert tree.css_first("input[name=next]").attributes["value"] == "/"


def test_a_language_we_do_not_ship_is_refused_and_nothing_is_kept(client):
    response = client.form_post("/language", {"language": "fr", "next": "/"}, token_from="/language")
    assert (response.status_code, client.get_cookie(COOKIE)) == (400, None)


def test_form_errors_a_patient_meets_are_in_their_language(client):
    client.set_cookie(COOKIE, "cy")
    tree = page(client.form_post("/sign-in", {"account_id": "", "password": ""}))
    assert tree.css_first("title").text().startswith("Gwall: ")
    assert [a.text() for a in tree.css(".nhsuk-error-summary a")] == ["Rhowch eich ID Cyfrif", "Rhowch eich cyfrinair"]
    assert tree.css_first(".nhsuk-error-summary__title").text() == "Mae problem"


def test_a_refusal_from_the_service_is_in_the_patients_language(client, practice):
    account = make_registered_account(practice, make_patient(practice))
    client.set_cookie(COOKIE, "pl")
    tree = page(client.form_post("/sign-in", {"account_id": account.account_id, "password": "not the password"}))
    assert "Wpisz poprawny identyfikator konta i hasło" in tree.css_first(".nhsuk-error-summary").text()


def test_a_patients_error_page_is_in_their_language(client):
    tree = page(client.get("/no-such-page", headers={"Accept-Language": "bn"}))
    assert (html_lang_dir(tree), tree.css_first("h1").text()) == (("bn", "ltr"), "পাতাটি পাওয়া যায়নি")


# ---- staff pages: English whatever the browser or the cookie says ----


def test_staff_pages_stay_english(client, practice):
    client.set_cookie(COOKIE, "ur")
    tree = page(client.get("/staff/sign-in", headers={"Accept-Language": "ur,pl"}))
    assert html_lang_dir(tree) == ("en-GB", "ltr")
    assert tree.css_first("a.app-header__language") is None


def test_staff_error_pages_stay_english(client, practice):
    client.set_cookie(COOKIE, "cy")
    tree = page(client.get("/staff/no-such-page", headers={"Accept-Language": "cy"}))
    assert (html_lang_dir(tree), tree.css_first("h1").text()) == (("en-GB", "ltr"), "Page not found")


# ---- the kiosk: one tap on the start screen, kept until idle or the check-in is done ----


def choose(client, code: str):
    return client.form_post("/kiosk/language", {"language": code}, token_from="/kiosk/")


def test_kiosk_start_screen_offers_every_language_in_its_own_name(kiosk_client):
    tree = page(kiosk_client.get("/kiosk/"))
    buttons = tree.css("form[action='/kiosk/language'] button[name=language]")
    assert [(b.attributes["lang"], b.text()) for b in buttons] == [(lang.html_lang, lang.name) for lang in LANGUAGES]
    assert [b.attributes["aria-pressed"] for b in buttons] == ["true"] + ["false"] * 5


def test_kiosk_language_is_one_tap_and_every_later_screen_follows_it(kiosk_client, practice):
    response = choose(kiosk_client, "ur")
    assert (response.status_code, response.headers["Location"]) == (303, "/kiosk/?keep=1")
    tree = page(kiosk_client.get("/kiosk/?keep=1"))
    assert (html_lang_dir(tree), tree.css_first("h1").text()) == (("ur", "rtl"), START_QUESTION["ur"])

    kiosk_client.form_post("/kiosk/letter", {"letter": "S"}, token_from="/kiosk/?keep=1")
    tree = page(kiosk_client.get("/kiosk/sex"))
    assert (html_lang_dir(tree), tree.css_first("h1").text()) == (
        ("ur", "rtl"),
        "آپ کے طبی ریکارڈ میں کون سی جنس درج ہے؟",
    )
    assert [b.text() for b in tree.css("button[name=sex]")] == ["عورت", "مرد", "دیگر"]


def test_kiosk_errors_are_in_the_chosen_language(kiosk_client):
    choose(kiosk_client, "ro")
    kiosk_client.form_post("/kiosk/letter", {"letter": "S"}, token_from="/kiosk/?keep=1")
    kiosk_client.form_post("/kiosk/sex", {"sex": "female"})
    tree = page(kiosk_client.form_post("/kiosk/date-of-birth", {"day": 31, "month": 2, "year": 1985}))
    assert tree.css_first("title").text().startswith("Eroare: ")
    assert tree.css_first("#dob-error").text() == "Eroare: Data nașterii trebuie să fie o dată reală"


def test_kiosk_check_in_in_polish_then_the_next_person_starts_in_english(kiosk_client, practice):
    patient = make_patient(practice, family_name="Shaw", sex="female", date_of_birth=date(1985, 3, 14))
    appointment = make_appointment(patient)
    choose(kiosk_client, "pl")
    kiosk_client.form_post("/kiosk/letter", {"letter": "S"}, token_from="/kiosk/?keep=1")
    kiosk_client.form_post("/kiosk/sex", {"sex": "female"})
    kiosk_client.form_post("/kiosk/date-of-birth", {"day": 14, "month": 3, "year": 1985})
    done = kiosk_client.form_post("/kiosk/confirm", {"appointment": appointment.id}, follow_redirects=True)

    tree = page(done)
    assert (html_lang_dir(tree), tree.css_first("h1").text()) == (
        ("pl", "ltr"),
        "Twoje przybycie zostało zgłoszone. Prosimy usiąść.",
    )
    ticket = tree.css_first(".app-ticket")
    assert ticket.text().startswith("Twój numer to ") and ticket.css_first("strong").text().isdigit()
    # Finish, the idle reset, even "Start again" kept from before: the next person starts in English.
    assert page(kiosk_client.get("/kiosk/?keep=1")).css_first("h1").text() == START_QUESTION["en"]
    assert html_lang_dir(page(kiosk_client.get("/kiosk/"))) == ("en-GB", "ltr")


def test_kiosk_language_resets_on_the_idle_reset(kiosk_client):
    choose(kiosk_client, "pl")
    assert page(kiosk_client.get("/kiosk/?keep=1")).css_first("h1").text() == START_QUESTION["pl"]
    # The idle reset (the app's timer, or the page's refresh without JavaScript) goes to the plain start address.
    assert page(kiosk_client.get("/kiosk/")).css_first("h1").text() == START_QUESTION["en"]


def test_kiosk_language_lapses_after_the_practices_idle_time_whatever_the_screen_asks(
    kiosk_client, practice, time_machine
):
    time_machine.move_to(utcnow().replace(tzinfo=UTC), tick=False)
    choose(kiosk_client, "pl")
    time_machine.shift(timedelta(seconds=practice.kiosk_idle_seconds + 1))
    assert page(kiosk_client.get("/kiosk/?keep=1")).css_first("h1").text() == START_QUESTION["en"]


def test_start_again_keeps_the_same_persons_language(kiosk_client):
    choose(kiosk_client, "pl")
    kiosk_client.form_post("/kiosk/letter", {"letter": "S"}, token_from="/kiosk/?keep=1")
    tree = page(kiosk_client.get("/kiosk/sex"))
    start_again = tree.css_first("a.app-start-again").attributes["href"]
    assert page(kiosk_client.get(start_again)).css_first("h1").text() == START_QUESTION["pl"]


def test_start_screen_with_a_choice_made_resets_after_the_practices_idle_time(kiosk_client, practice):
    practice.kiosk_idle_seconds = 45
    practice.save()
    assert page(kiosk_client.get("/kiosk/")).css_first("main").attributes["data-reset-after"] == "900"
    choose(kiosk_client, "bn")
    tree = page(kiosk_client.get("/kiosk/?keep=1"))
    assert (tree.css_first("main").attributes["data-reset-after"], html_lang_dir(tree)) == ("45", ("bn", "ltr"))


def test_larger_text_is_kept_across_screens_and_resets_on_idle(kiosk_client):
    response = kiosk_client.form_post("/kiosk/text-size", {"large": "on", "next": "/kiosk/"}, token_from="/kiosk/")
    assert response.headers["Location"] == "/kiosk/?keep=1"
    tree = page(kiosk_client.get("/kiosk/?keep=1"))
    assert tree.css_first("html").attributes.get("class") == "app-large-text"
    assert tree.css_first("button[name=large]").attributes["aria-pressed"] == "true"

    kiosk_client.form_post("/kiosk/letter", {"letter": "S"}, token_from="/kiosk/?keep=1")
    assert page(kiosk_client.get("/kiosk/sex")).css_first("html").attributes.get("class") == "app-large-text"
    back = kiosk_client.form_post("/kiosk/text-size", {"large": "off", "next": "/kiosk/sex"}, token_from="/kiosk/sex")
    assert back.headers["Location"] == "/kiosk/sex"
    assert page(kiosk_client.get("/kiosk/sex")).css_first("html").attributes.get("class") is None

    kiosk_client.form_post("/kiosk/text-size", {"large": "on", "next": "/kiosk/sex"}, token_from="/kiosk/sex")
    assert page(kiosk_client.get("/kiosk/")).css_first("html").attributes.get("class") is None


def test_larger_text_never_returns_somewhere_else(kiosk_client):
    response = kiosk_client.form_post(
        "/kiosk/text-size", {"large": "on", "next": "https://evil.example/"}, token_from="/kiosk/"
    )
    assert response.headers["Location"] == "/kiosk/?keep=1"


def test_every_kiosk_screen_has_larger_text_and_a_hidden_read_aloud_button(kiosk_client):
    choose(kiosk_client, "cy")
    for url in ("/kiosk/?keep=1",):
        tree = page(kiosk_client.get(url))
        assert tree.css_first("button[name=large]").text() == "Testun mwy"
        read_aloud = tree.css_first("button[data-read-aloud]")
        assert (read_aloud.text(), "hidden" in read_aloud.attributes) == ("Darllen hwn yn uchel", True)
    kiosk_client.form_post("/kiosk/letter", {"letter": "S"}, token_from="/kiosk/?keep=1")
    assert page(kiosk_client.get("/kiosk/sex")).css_first("button[data-read-aloud]") is not None


def test_a_patient_signing_in_at_the_kiosk_keeps_the_kiosks_language(kiosk_client, practice):
    account = make_registered_account(practice, make_patient(practice))
    choose(kiosk_client, "cy")
    tree = page(kiosk_client.get("/sign-in"))
    assert html_lang_dir(tree) == ("cy", "ltr")
    kiosk_client.form_post("/sign-in", {"account_id": account.account_id, "password": PASSWORD})
    assert html_lang_dir(page(kiosk_client.get("/home"))) == ("cy", "ltr")


def test_a_kiosk_never_keeps_a_language_cookie(kiosk_client):
    response = kiosk_client.form_post("/language", {"language": "pl", "next": "/sign-in"}, token_from="/language")
    assert (response.headers["Location"], kiosk_client.get_cookie(COOKIE)) == ("/sign-in", None)
    assert html_lang_dir(page(kiosk_client.get("/sign-in"))) == ("pl", "ltr")


def test_staff_member_is_not_affected_by_the_language_of_a_kiosk(kiosk_client, practice):
    make_staff(practice, "reception")
    choose(kiosk_client, "ur")
    assert html_lang_dir(page(kiosk_client.get("/staff/sign-in"))) == ("en-GB", "ltr")
