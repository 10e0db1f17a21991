"""Staff sign-in: one message for every failure, lockout per account, server-side sessions with a fresh id."""

import re
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher, Type

from kiosk.models import AuditEvent, WebSession
from kiosk.services.staff_auth import SIGN_IN_FAILED
from tests.builders import PASSWORD, make_practice, make_staff
from tests.pages import check_html

SESSION = "session"


@cache
def quick_hash() -> str:
    """The test password hashed at argon2's lowest cost: these tests verify it over and over, and what they test is
    the answer, not the cost (test_passwords checks the cost the app uses)."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID).hash(PASSWORD)


def quick_staff(practice):
    return make_staff(practice, password_hash=quick_hash())


def attempt(client, email, password, **kwargs):
    return client.form_post("/staff/sign-in", {"email": email, "password": password}, **kwargs)


def error_summary(response) -> str:
    return check_html(response.get_data(as_text=True)).css_first(".nhsuk-error-summary").text(strip=True)


def fail(client, staff, times):
    for _ in range(times):
        attempt(client, staff.email, "not the password at all")


def test_right_password_signs_in_and_goes_to_the_staff_home(client):
    staff = quick_staff(make_practice())
    response = attempt(client, staff.email, PASSWORD)
    assert (response.status_code, response.headers["Location"]) == (303, "/staff/")


def test_email_is_matched_whatever_its_case(client):
    make_staff(make_practice(), email="rosa.reid@example.test", password_hash=quick_hash())
    assert attempt(client, "  Rosa.Reid@Example.TEST ", PASSWORD).status_code == 303


def test_sign_in_returns_to_the_page_asked_for(client):
    staff = quick_staff(make_practice())
    response = client.form_post("/staff/sign-in?next=/staff/arrivals/", {"email": staff.email, "password": PASSWORD})
    assert response.headers["Location"] == "/staff/arrivals/"


def test_sign_in_never_redirects_to_another_site(client):
    staff = quick_staff(make_practice())
    response = client.form_post("/staff/sign-in?next=//evil.example/", {"email": staff.email, "password": PASSWORD})
    assert response.headers["Location"] == "/staff/"


def test_wrong_password_is_refused_with_the_general_message(client):
    staff = quick_staff(make_practice())
    response = attempt(client, staff.email, "Wrong password entirely")
    assert (response.status_code, error_summary(response)) == (200, "There is a problem" + SIGN_IN_FAILED)


def test_unknown_email_gets_the_same_message_as_a_wrong_password(client):
    staff = quick_staff(make_practice())
    wrong_password = error_summary(attempt(client, staff.email, "Wrong password entirely"))
    assert error_summary(attempt(client, "nobody@example.test", "Wrong password entirely")) == wrong_password


def test_failed_sign_in_page_title_starts_with_error(client):
    response = attempt(client, "nobody@example.test", "Wrong password entirely")
    assert check_html(response.get_data(as_text=True)).css_first("title").text().startswith("Error: ")


def test_failed_sign_in_does_not_send_the_password_back(client):
    staff = quick_staff(make_practice())
    assert "Wrong password entirely" not in attempt(client, staff.email, "Wrong password entirely").get_data(
        as_text=True
    )


def test_disabled_account_gets_the_same_message_as_a_wrong_password(client):
    staff = make_staff(make_practice(), disabled_at=datetime(2026, 1, 1), password_hash=quick_hash())
    assert error_summary(attempt(client, staff.email, PASSWORD)).endswith(SIGN_IN_FAILED)


def test_failed_sign_in_is_audited(client):
    staff = quick_staff(make_practice())
    attempt(client, staff.email, "Wrong password entirely")
    event = AuditEvent.get(AuditEvent.action == "staff.sign_in")
    assert (event.outcome, event.object_id, event.practice_id) == ("failed", staff.id, staff.practice_id)


WAIT = "Wait a minute and try again"


def free_failures(app) -> int:
    return app.config["SIGN_IN_FREE_FAILURES"]


def test_failures_after_the_free_ones_make_the_right_password_wait(client, app, time_machine):
    time_machine.move_to("2026-06-10 09:00Z", tick=False)
    staff = quick_staff(make_practice())
    fail(client, staff, free_failures(app))
    response = attempt(client, staff.email, PASSWORD)
    assert (response.status_code, WAIT in error_summary(response)) == (200, True)


def test_the_right_password_works_once_the_wait_is_over(client, app, time_machine):
    time_machine.move_to("2026-06-10 09:00Z", tick=False)
    staff = quick_staff(make_practice())
    fail(client, staff, free_failures(app))
    time_machine.shift(timedelta(seconds=app.config["SIGN_IN_FIRST_DELAY_SECONDS"] + 1))
    assert attempt(client, staff.email, PASSWORD).status_code == 303


def test_the_wait_still_holds_just_before_it_ends(client, app, time_machine):
    time_machine.move_to("2026-06-10 09:00Z", tick=False)
    staff = quick_staff(make_practice())
    fail(client, staff, free_failures(app))
    time_machine.shift(timedelta(seconds=app.config["SIGN_IN_FIRST_DELAY_SECONDS"] - 1))
    assert attempt(client, staff.email, PASSWORD).status_code == 200


def test_each_failure_after_a_wait_doubles_the_next_wait(client, app, time_machine):
    time_machine.move_to("2026-06-10 09:00Z", tick=False)
    staff = quick_staff(make_practice())
    fail(client, staff, free_failures(app))
    time_machine.shift(timedelta(minutes=1, seconds=1))
    fail(client, staff, 1)
    assert "Wait 2 minutes" in error_summary(attempt(client, staff.email, PASSWORD))


def test_the_wait_is_capped_so_nobody_is_shut_out_for_long(client, app, time_machine):
    time_machine.move_to("2026-06-10 09:00Z", tick=False)
    staff = quick_staff(make_practice())
    for _ in range(12):  # an attacker keeping at it all day
        fail(client, staff, 1)
        time_machine.shift(timedelta(hours=1))
    fail(client, staff, 1)
    time_machine.shift(timedelta(minutes=app.config["SIGN_IN_MAX_DELAY_MINUTES"], seconds=1))
    assert attempt(client, staff.email, PASSWORD).status_code == 303


def test_an_attempt_while_waiting_is_audited_as_refused(client, app, time_machine):
    time_machine.move_to("2026-06-10 09:00Z", tick=False)
    staff = quick_staff(make_practice())
    fail(client, staff, free_failures(app))
    attempt(client, staff.email, PASSWORD)
    last = AuditEvent.select().where(AuditEvent.action == "staff.sign_in").order_by(AuditEvent.id.desc()).get()
    assert (last.outcome, last.detail, last.object_id) == ("refused", "waiting after failures", staff.id)


def test_an_unknown_email_is_made_to_wait_just_like_a_known_one(client, app, time_machine):
    time_machine.move_to("2026-06-10 09:00Z", tick=False)
    for _ in range(free_failures(app)):
        attempt(client, "nobody@example.test", "Wrong password entirely")
    assert WAIT in error_summary(attempt(client, "nobody@example.test", "Wrong password entirely"))


def test_failures_before_the_free_ones_run_out_do_not_delay(client, app):
    staff = quick_staff(make_practice())
    fail(client, staff, free_failures(app) - 1)
    assert attempt(client, staff.email, PASSWORD).status_code == 303


def test_a_wait_on_one_account_does_not_delay_a_colleague_at_the_same_address(client, app):
    # Every PC and kiosk in a surgery shares one address: one person's typos must not delay the next person.
    practice = make_practice()
    careless, colleague = quick_staff(practice), quick_staff(practice)
    fail(client, careless, free_failures(app) + 3)
    assert attempt(client, colleague.email, PASSWORD).status_code == 303


def test_successful_sign_in_resets_the_failure_count(client, app):
    staff = quick_staff(make_practice())
    fail(client, staff, free_failures(app) - 1)
    attempt(client, staff.email, PASSWORD)
    fail(client, staff, free_failures(app) - 1)
    assert attempt(client, staff.email, PASSWORD).status_code == 303


def test_sign_in_gives_a_new_session_id(client):
    staff = quick_staff(make_practice())
    client.get("/staff/sign-in")
    before = client.get_cookie(SESSION).value
    attempt(client, staff.email, PASSWORD)
    assert client.get_cookie(SESSION).value != before


def test_session_id_from_before_sign_in_is_worthless_after(client):
    staff = quick_staff(make_practice())
    client.get("/staff/sign-in")
    before = client.get_cookie(SESSION).value
    attempt(client, staff.email, PASSWORD)
    client.set_cookie(SESSION, before)
    assert client.get("/staff/").headers["Location"].startswith("/staff/sign-in")


def test_session_cookie_is_httponly_and_samesite_lax(client):
    staff = quick_staff(make_practice())
    cookie = attempt(client, staff.email, PASSWORD).headers["Set-Cookie"]
    assert ("HttpOnly" in cookie, "SameSite=Lax" in cookie) == (True, True)


def test_session_cookie_is_not_secure_over_plain_http_by_default(client):
    staff = quick_staff(make_practice())
    assert "Secure" not in attempt(client, staff.email, PASSWORD).headers["Set-Cookie"]


def test_session_cookie_is_secure_when_served_over_https(client, app):
    app.config["SESSION_COOKIE_SECURE"] = True
    staff = quick_staff(make_practice())
    assert "; Secure" in attempt(client, staff.email, PASSWORD).headers["Set-Cookie"]


def test_session_cookie_carries_only_a_random_id(client):
    staff = quick_staff(make_practice())
    attempt(client, staff.email, PASSWORD)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", client.get_cookie(SESSION).value)


def test_server_keeps_only_a_digest_of_the_session_id(client):
    staff = quick_staff(make_practice())
    attempt(client, staff.email, PASSWORD)
    sid = client.get_cookie(SESSION).value
    assert not WebSession.select().where(WebSession.key == sid).exists()
