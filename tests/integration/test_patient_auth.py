"""Patients and proxies over real routes: /register with the letter, /sign-in, sessions, home, switching person."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from werkzeug.routing import IntegerConverter

from kiosk.models import LinkageKey, OnlineAccount, WebSession
from kiosk.services import online_access
from kiosk.services.online_access import ServiceChoice
from kiosk.services.patient_auth import REGISTRATION_FAILED, SIGN_IN_FAILED
from tests.builders import (
    PASSWORD,
    actor_for,
    make_identity_check,
    make_patient,
    make_patient_session,
    make_proxy_link,
    make_registered_account,
    make_staff,
)
from tests.cheap_hashing import use_cheap_argon2
from tests.pages import check_html

START = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
BORN = date(1990, 11, 5)
NEW_PASSWORD = "Velvet orchard lantern 93"
SESSION = "session"


@pytest.fixture(autouse=True)
def _cheap_hashing(monkeypatch):
    use_cheap_argon2(monkeypatch)


@pytest.fixture
def letter(practice):
    """Priya: identity verified, appointments and prescriptions on, a fresh letter."""
    reception = actor_for(make_staff(practice))
    priya = make_patient(practice, given_name="Priya", family_name="Singh", date_of_birth=BORN)
    account = online_access.start_for_patient(reception, priya.id)
    make_identity_check(account)
    online_access.set_services(reception, account.id, ServiceChoice(True, True, "none", not_pressured=True))
    return online_access.issue_registration_letter(reception, account.id)


def letter_details(letter, **overrides) -> dict:
    details = {
        "account_id": letter.account.account_id,
        "linkage_key": online_access.group(letter.key),
        "day": BORN.day,
        "month": BORN.month,
        "year": BORN.year,
    }
    return {**details, **overrides}


def choose_password(client, password=NEW_PASSWORD, confirm=None):
    return client.form_post("/register/password", {"password": password, "confirm": confirm or password})


def error_text(response) -> str:
    tree = check_html(response.get_data(as_text=True))
    assert tree.css_first("title").text().startswith("Error: ")
    return " ".join(tree.css_first(".nhsuk-error-summary").text().split())


def text(node) -> str:
    return " ".join(node.text().split())


def body(response) -> str:
    return response.get_data(as_text=True)


def signed_in(client) -> bool:
    response = client.get("/home")
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/sign-in")
        return False
    return response.status_code == 200


# Registering


def test_letter_details_then_a_password_lead_to_the_home_page(client, letter):
    response = client.form_post("/register", letter_details(letter))
    assert (response.status_code, response.headers["Location"]) == (303, "/register/password")
    response = choose_password(client)
    assert (response.status_code, response.headers["Location"]) == (303, "/home")
    assert "Hello, Priya" in body(client.get("/home"))


def test_registering_spends_the_key(client, letter):
    client.form_post("/register", letter_details(letter))
    choose_password(client)
    assert LinkageKey.get(LinkageKey.account == letter.account.id).used_at is not None


def test_second_registration_with_the_same_letter_is_refused(client, app, letter):
    client.form_post("/register", letter_details(letter))
    choose_password(client)
    again = app.test_client()
    response = again.form_post("/register", letter_details(letter))
    assert REGISTRATION_FAILED in error_text(response)


@pytest.mark.parametrize(
    "wrong",
    [{"day": BORN.day + 1}, {"linkage_key": "ABCD-EFGH-JKLM-NPQR"}, {"account_id": "ZZZZZZZZZZ"}],
    ids=["date-of-birth", "key", "account-id"],
)
def test_every_wrong_detail_gives_one_message_that_names_no_part(client, letter, wrong):
    response = client.form_post("/register", letter_details(letter, **wrong))
    assert response.status_code == 200
    assert error_text(response) == f"There is a problem {REGISTRATION_FAILED}"


def test_an_expired_letter_gives_the_same_message(client, letter, time_machine):
    time_machine.move_to(datetime.now(UTC) + timedelta(days=15))
    response = client.form_post("/register", letter_details(letter))
    assert error_text(response) == f"There is a problem {REGISTRATION_FAILED}"


def test_missing_details_are_named_one_by_one(client, letter):
    response = client.form_post("/register", {"day": "", "month": "", "year": ""})
    summary = error_text(response)
    assert "Enter the Account ID from your letter" in summary
    assert "Enter the Linkage Key from your letter" in summary


def test_the_password_step_needs_the_letter_step_first(client, letter):
    response = client.get("/register/password")
    assert (response.status_code, response.headers["Location"]) == (303, "/register")


@pytest.mark.parametrize(
    ("password", "message"),
    [("Short words", "12 characters or more"), ("password1234", "too common")],
    ids=["too-short", "common"],
)
def test_weak_password_is_refused_on_the_page_and_the_letter_still_works(client, letter, password, message):
    client.form_post("/register", letter_details(letter))
    response = choose_password(client, password)
    assert message in error_text(response)
    assert LinkageKey.get(LinkageKey.account == letter.account.id).used_at is None
    assert choose_password(client).headers["Location"] == "/home"


def test_passwords_that_do_not_match_are_refused(client, letter):
    client.form_post("/register", letter_details(letter))
    response = choose_password(client, NEW_PASSWORD, "Velvet orchard lantern 94")
    assert "The passwords do not match" in error_text(response)


def test_a_passphrase_longer_than_64_characters_is_accepted(client, letter):
    passphrase = "the kettle sang while the narrowboat drifted past the old mill at dusk"
    assert len(passphrase) > 64
    client.form_post("/register", letter_details(letter))
    assert choose_password(client, passphrase).headers["Location"] == "/home"
    assert OnlineAccount.get_by_id(letter.account.id).password_hash is not None


# Signing in


@pytest.fixture
def george(practice):
    return make_registered_account(
        practice, make_patient(practice, given_name="George", family_name="Hall"), appointments=True
    )


def sign_in(client, account_id, password=PASSWORD):
    return client.form_post("/sign-in", {"account_id": account_id, "password": password})


def test_right_details_sign_in_and_go_home(client, george):
    response = sign_in(client, george.account_id)
    assert (response.status_code, response.headers["Location"]) == (303, "/home")
    assert signed_in(client)


def test_sign_in_returns_to_the_page_asked_for(client, george):
    response = client.get("/home")
    assert response.headers["Location"] == "/sign-in?next=/home"
    response = client.form_post("/sign-in?next=/home", {"account_id": george.account_id, "password": PASSWORD})
    assert response.headers["Location"] == "/home"


def test_sign_in_never_sends_the_patient_to_another_site(client, george):
    response = client.form_post(
        "/sign-in?next=//evil.test/home", {"account_id": george.account_id, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/home"


def test_signing_in_gives_a_new_session_id(client, george):
    client.get("/sign-in")
    before = client.get_cookie(SESSION).value
    sign_in(client, george.account_id)
    assert client.get_cookie(SESSION).value != before
    client.set_cookie(SESSION, before)
    assert not signed_in(client)


def test_every_failed_sign_in_shows_the_same_message(client, george, practice):
    suspended = make_registered_account(practice, make_patient(practice), suspended_at=datetime(2026, 1, 1))
    summaries = {
        error_text(sign_in(client, account_id, password))
        for account_id, password in [
            ("NOSUCHACCT", PASSWORD),
            (george.account_id, "wrong password again"),
            (suspended.account_id, PASSWORD),
        ]
    }
    assert summaries == {f"There is a problem {SIGN_IN_FAILED}"}


def test_failed_sign_in_does_not_echo_the_password(client, george):
    response = sign_in(client, george.account_id, "my secret guess 123")
    assert "my secret guess 123" not in body(response)


def test_repeated_failures_make_the_right_password_wait_then_it_works(client, app, george, time_machine):
    time_machine.move_to(START, tick=False)
    for _ in range(app.config["SIGN_IN_FREE_FAILURES"]):
        sign_in(client, george.account_id, "wrong password again")
    response = sign_in(client, george.account_id)
    assert "Wait a minute and try again" in error_text(response)
    assert not signed_in(client)
    time_machine.shift(timedelta(seconds=app.config["SIGN_IN_FIRST_DELAY_SECONDS"] + 1))
    assert sign_in(client, george.account_id).headers["Location"] == "/home"


# Sessions


def test_phone_session_survives_just_under_ten_minutes_idle(client, george, time_machine):
    time_machine.move_to(START, tick=False)
    make_patient_session(client, george)
    time_machine.shift(timedelta(minutes=9, seconds=59))
    assert signed_in(client)


def test_phone_session_ends_after_ten_minutes_idle(client, george, time_machine):
    time_machine.move_to(START, tick=False)
    make_patient_session(client, george)
    time_machine.shift(timedelta(minutes=10, seconds=1))
    assert not signed_in(client)


def test_each_request_restarts_the_phone_idle_clock(client, george, time_machine):
    time_machine.move_to(START, tick=False)
    make_patient_session(client, george)
    for _ in range(3):
        time_machine.shift(timedelta(minutes=8))
        assert signed_in(client)


def test_kiosk_session_ends_after_two_minutes_idle(client, george, time_machine):
    time_machine.move_to(START, tick=False)
    make_patient_session(client, george, on_kiosk=True)
    time_machine.shift(timedelta(minutes=1, seconds=59))
    assert signed_in(client)
    time_machine.shift(timedelta(minutes=2, seconds=1))
    assert not signed_in(client)


def test_signing_in_on_a_kiosk_gives_the_short_session(kiosk_client, george, time_machine):
    time_machine.move_to(START, tick=False)
    assert sign_in(kiosk_client, george.account_id).headers["Location"] == "/home"
    time_machine.shift(timedelta(minutes=2, seconds=1))
    assert not signed_in(kiosk_client)


def sign_out(client):
    return client.form_post("/sign-out", token_from="/home")


def test_sign_out_ends_the_session_on_the_server(client, george):
    saved = make_patient_session(client, george)
    response = sign_out(client)
    assert response.headers["Location"] == "/sign-in?signed_out=1"
    assert (
        not WebSession.select().where((WebSession.user_kind == "patient") & (WebSession.user_id == george.id)).exists()
    )
    client.set_cookie(SESSION, saved)
    assert not signed_in(client)


def test_sign_out_clears_the_browsers_cache_and_storage(client, george):
    make_patient_session(client, george)
    header = sign_out(client).headers["Clear-Site-Data"]
    assert {'"cache"', '"storage"'} <= {part.strip() for part in header.split(",")}


def test_sign_out_on_a_kiosk_returns_to_the_check_in_screen(kiosk_client, george):
    make_patient_session(kiosk_client, george, on_kiosk=True)
    assert sign_out(kiosk_client).headers["Location"].startswith("/kiosk/")


def test_signed_in_pages_are_never_cached(client, george):
    make_patient_session(client, george)
    assert client.get("/home").headers["Cache-Control"] == "no-store, no-cache, private"


def test_suspension_refuses_the_patients_very_next_request(client, george, practice):
    make_patient_session(client, george)
    assert signed_in(client)
    online_access.suspend(actor_for(make_staff(practice)), george.id, "Asked at the desk")
    response = client.get("/home")
    assert (response.status_code, response.headers["Location"]) == (302, "/sign-in?next=/home")


def test_suspension_refuses_a_session_the_server_did_not_end(client, george):
    """Belt and braces: even a session row that survived is refused once the account is suspended."""
    make_patient_session(client, george)
    OnlineAccount.update(suspended_at=datetime(2026, 6, 1)).where(OnlineAccount.id == george.id).execute()
    assert not signed_in(client)


# Home and switching person


def test_home_shows_only_the_services_switched_on(client, george):
    make_patient_session(client, george)
    tasks = text(check_html(body(client.get("/home"))).css_first(".app-task-links")).lower()
    assert "appointment" in tasks
    assert "repeat medicines" not in tasks
    assert "gp record" not in tasks


@pytest.mark.parametrize(
    ("level", "shown"),
    [
        ("summary", "GP record: medicines and allergies"),
        ("detailed", "GP record: the detailed coded record"),
        ("full", "GP record: the full record, and letters"),
    ],
)
def test_home_says_what_the_record_level_shows_without_brackets_inside_brackets(client, practice, level, shown):
    account = make_registered_account(practice, make_patient(practice), record_level=level)
    make_patient_session(client, account)
    tasks = text(check_html(body(client.get("/home"))).css_first(".app-task-links"))
    assert shown in tasks and "(" not in tasks


def test_home_with_nothing_switched_on_says_so(client, practice):
    account = make_registered_account(practice, make_patient(practice))
    make_patient_session(client, account)
    assert "No online services are switched on" in body(client.get("/home"))


@pytest.fixture
def hannah(practice):
    """Hannah acts for her daughter Sophie (prescriptions only) and has appointments herself."""
    hannah = make_registered_account(
        practice, make_patient(practice, given_name="Hannah", family_name="Green"), appointments=True
    )
    sophie = make_patient(practice, given_name="Sophie", family_name="Green", date_of_birth=date(2019, 2, 3))
    make_proxy_link(hannah, sophie, basis="parental", appointments=False, prescriptions=True)
    hannah.sophie = sophie
    return hannah


def act_for(client, patient_id):
    return client.form_post("/acting-for", {"patient": patient_id}, token_from="/home")


def test_a_proxy_chooses_between_myself_and_each_person(client, hannah):
    make_patient_session(client, hannah)
    tree = check_html(body(client.get("/home")))
    options = [o.text(strip=True) for o in tree.css("select[name=patient] option")]
    assert options == ["Myself", "Sophie Green"]
    assert text(tree.css_first(".app-acting-for")) == "Your services"


def test_switching_to_the_child_shows_whose_services_and_only_their_scope(client, hannah):
    make_patient_session(client, hannah)
    assert act_for(client, hannah.sophie.id).headers["Location"] == "/home"
    tree = check_html(body(client.get("/home")))
    assert text(tree.css_first("h1")) == "Sophie Green"
    assert text(tree.css_first(".app-acting-for")) == "Acting for Sophie Green"
    services = text(tree.css_first(".app-task-links")).lower()
    assert "repeat medicines" in services
    assert "appointment" not in services


def test_switching_back_to_myself(client, hannah):
    make_patient_session(client, hannah)
    act_for(client, hannah.sophie.id)
    act_for(client, hannah.patient_id)
    assert "Hello, Hannah" in body(client.get("/home"))


def test_acting_for_someone_out_of_scope_is_not_found(client, hannah, practice):
    stranger = make_patient(practice, given_name="Zara", family_name="Stranger")
    make_patient_session(client, hannah)
    assert act_for(client, stranger.id).status_code == 404
    page = body(client.get("/home"))
    assert "Zara" not in page and "Hello, Hannah" in page


def test_acting_for_a_child_after_the_cut_off_age_is_not_found(client, practice, time_machine):
    time_machine.move_to(START, tick=False)
    parent = make_registered_account(practice, make_patient(practice, given_name="Hannah"), appointments=True)
    teen = make_patient(practice, given_name="Theo", date_of_birth=date(2010, 6, 20))
    make_proxy_link(parent, teen, basis="parental")
    make_patient_session(client, parent)
    assert "Theo" in body(client.get("/home"))
    time_machine.move_to(datetime(2026, 6, 20, 9, 0, tzinfo=UTC), tick=False)
    make_patient_session(client, parent)
    assert "Theo" not in body(client.get("/home"))
    assert act_for(client, teen.id).status_code == 404


def test_a_patient_never_sees_another_patients_name(client, george, practice):
    make_patient(practice, given_name="Yolanda", family_name="Neighbour")
    make_patient_session(client, george)
    for url in ("/home", "/sign-in", "/register"):
        assert "Yolanda" not in body(client.get(url))


def patient_pages(app) -> list[str]:
    """Every patient-area page that needs no id in its URL."""
    return [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not any(isinstance(c, IntegerConverter) for c in rule._converters.values())
        and getattr(app.view_functions[rule.endpoint], "access_rule", "").startswith("patient:")
    ]


def test_every_patient_page_says_whose_services_they_are(app, client, hannah):
    pages = patient_pages(app)
    assert "/home" in pages
    make_patient_session(client, hannah)
    act_for(client, hannah.sophie.id)
    for url in pages:
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            acting = check_html(body(response)).css_first(".app-acting-for")
            assert acting is not None and text(acting) == "Acting for Sophie Green", url


# Staff pages are not for patients


STAFF_PAGES = [
    "/staff/",
    "/staff/patients/?q=Hall",
    "/staff/patients/{patient}",
    "/staff/online-accounts/{account}",
    "/staff/online-accounts/{account}/identity",
    "/staff/reports/uptake",
    "/staff/reports/uptake.csv",
    "/staff/proxies/ending",
]


def test_a_signed_in_patient_gets_nothing_from_staff_pages(client, george):
    make_patient_session(client, george)
    for url in STAFF_PAGES:
        response = client.get(url.format(patient=george.patient_id, account=george.id))
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/staff/sign-in"), url
        assert "George" not in body(response), url


# CSRF


@pytest.mark.parametrize("url", ["/register", "/register/password", "/sign-in"])
def test_public_posts_without_a_csrf_token_are_refused(client, letter, url):
    client.get("/sign-in")
    with client.session_transaction() as session:
        session["registering"] = LinkageKey.get(LinkageKey.account == letter.account.id).id
    data = {**letter_details(letter), "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post(url, data=data).status_code == 400
    assert OnlineAccount.get_by_id(letter.account.id).registered_at is None


@pytest.mark.parametrize("url", ["/sign-out", "/acting-for"])
def test_signed_in_posts_without_a_csrf_token_are_refused(client, hannah, url):
    make_patient_session(client, hannah)
    client.get("/home")
    assert client.post(url, data={"patient": hannah.sophie.id}).status_code == 400
    assert re.search(r"Hello, Hannah", body(client.get("/home")))


def test_kiosk_start_screen_signs_out_a_patient_left_signed_in(kiosk_client, practice):
    """Whatever the timers did, the screen the kiosk returns to leaves nobody signed in for the next person."""
    from kiosk.models import AuditEvent
    from tests.builders import make_registered_account

    account = make_registered_account(practice)
    kiosk_client.form_post("/sign-in", {"account_id": account.account_id, "password": PASSWORD})
    assert kiosk_client.get("/home").status_code == 200

    kiosk_client.get("/kiosk/")

    assert kiosk_client.get("/home").status_code == 302
    assert AuditEvent.select().where(AuditEvent.action == "patient.sign_out").count() == 1


def test_proxy_only_account_with_nobody_to_act_for_gets_a_plain_home_page(client, practice):
    from tests.builders import make_registered_account

    account = make_registered_account(practice)  # no patient of its own, no proxy links yet
    client.form_post("/sign-in", {"account_id": account.account_id, "password": PASSWORD})

    page = client.get("/home").get_data(as_text=True)

    assert "No online services are switched on" in page
