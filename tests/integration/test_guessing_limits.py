"""Guessing is slowed and never shuts the real person out (ASVS 2.2.1): per account, per address across accounts,
per letter; and a flood of sign-ins cannot take every hashing slot from the rest of the site."""

import threading
from datetime import UTC, datetime, timedelta

import pytest

from kiosk import passwords
from kiosk.models import AuditEvent, LinkageKey
from kiosk.services import online_access
from kiosk.services.online_access import ServiceChoice
from kiosk.services.patient_auth import REGISTRATION_FAILED
from tests.builders import (
    PASSWORD,
    actor_for,
    make_identity_check,
    make_patient,
    make_practice,
    make_staff,
    make_staff_session,
)
from tests.cheap_hashing import use_cheap_argon2
from tests.pages import check_html

START = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
WAIT = "Wait a minute and try again"
SPRAYED = "Summer2026!Summer"


@pytest.fixture(autouse=True)
def _cheap_hashing(monkeypatch):
    use_cheap_argon2(monkeypatch)


def staff_attempt(client, email, password, address="192.0.2.10"):
    return client.form_post(
        "/staff/sign-in", {"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def summary(response) -> str:
    node = check_html(response.get_data(as_text=True)).css_first(".nhsuk-error-summary")
    return " ".join(node.text().split()) if node else ""


def spray(client, practice, count, address="192.0.2.10"):
    """One common password tried once against each of `count` different accounts."""
    for _ in range(count):
        staff_attempt(client, make_staff(practice).email, SPRAYED, address)


def test_spraying_one_password_across_accounts_from_one_address_is_slowed(client, app, time_machine):
    time_machine.move_to(START, tick=False)
    practice = make_practice()
    spray(client, practice, app.config["SOURCE_ATTEMPTS_PER_MINUTE"])
    response = staff_attempt(client, make_staff(practice).email, SPRAYED)
    assert WAIT in summary(response)


def test_once_sprayed_the_real_user_at_that_address_signs_in_after_the_minute(client, app, time_machine):
    time_machine.move_to(START, tick=False)
    practice = make_practice()
    real = make_staff(practice)
    spray(client, practice, app.config["SOURCE_ATTEMPTS_PER_MINUTE"])
    assert WAIT in summary(staff_attempt(client, real.email, PASSWORD))
    time_machine.shift(timedelta(minutes=1, seconds=1))
    assert staff_attempt(client, real.email, PASSWORD).status_code == 303


def test_spraying_from_one_address_does_not_slow_another(client, app, time_machine):
    time_machine.move_to(START, tick=False)
    practice = make_practice()
    spray(client, practice, app.config["SOURCE_ATTEMPTS_PER_MINUTE"])
    assert staff_attempt(client, make_staff(practice).email, PASSWORD, address="198.51.100.7").status_code == 303


def test_a_refused_attempt_is_not_hashed_and_does_not_stretch_the_wait(client, app, time_machine, monkeypatch):
    from kiosk.services import staff_auth

    time_machine.move_to(START, tick=False)
    practice = make_practice()
    spray(client, practice, app.config["SOURCE_ATTEMPTS_PER_MINUTE"])
    hashed = []
    monkeypatch.setattr(staff_auth, "verify_password", lambda *a: hashed.append(1))
    time_machine.shift(timedelta(seconds=30))
    spray(client, practice, 10)
    assert hashed == []
    monkeypatch.undo()
    use_cheap_argon2(monkeypatch)
    time_machine.shift(timedelta(seconds=31))
    assert staff_attempt(client, make_staff(practice).email, PASSWORD).status_code == 303


def test_a_busy_practice_may_allow_more_failures_from_its_address(client, app, time_machine):
    time_machine.move_to(START, tick=False)
    limit = app.config["SOURCE_ATTEMPTS_PER_MINUTE"]
    practice = make_practice(source_attempts_per_minute=limit * 2)
    spray(client, practice, limit + 5)
    assert staff_attempt(client, make_staff(practice).email, PASSWORD).status_code == 303


def test_waiting_is_audited_as_refused(client, app, time_machine):
    time_machine.move_to(START, tick=False)
    practice = make_practice()
    spray(client, practice, app.config["SOURCE_ATTEMPTS_PER_MINUTE"])
    staff_attempt(client, make_staff(practice).email, PASSWORD)
    last = AuditEvent.select().where(AuditEvent.action == "staff.sign_in").order_by(AuditEvent.id.desc()).get()
    assert (last.outcome, last.detail) == ("refused", "waiting after failures")


# Staff email is unique per practice, so a manager learns nothing about other practices


def test_the_same_email_may_be_used_at_two_practices(app):
    from kiosk.services.staff_accounts import create

    make_staff(make_practice(), email="locum@example.test")
    manager = make_staff(make_practice(), "manager")
    other = create(
        actor_for(manager),
        name="Lee Locum",
        email="locum@example.test",
        role="reception",
        password="Copper kettle morning 58",
    )
    assert other.practice_id == manager.practice_id


def test_sign_in_with_a_shared_email_opens_the_account_whose_password_it_is(client):
    first, second = make_practice(), make_practice()
    make_staff(first, email="locum@example.test")
    from kiosk.passwords import hash_password

    theirs = make_staff(second, email="locum@example.test", password_hash=hash_password("Other practice pass 77"))
    response = staff_attempt(client, "locum@example.test", "Other practice pass 77")
    assert response.status_code == 303
    event = AuditEvent.select().where(AuditEvent.action == "staff.sign_in").order_by(AuditEvent.id.desc()).get()
    assert (event.outcome, event.actor_id) == ("ok", theirs.id)


# Registration letters


@pytest.fixture
def letter(practice):
    reception = actor_for(make_staff(practice))
    patient = make_patient(practice, given_name="Priya", family_name="Singh")
    account = online_access.start_for_patient(reception, patient.id)
    make_identity_check(account)
    online_access.set_services(reception, account.id, ServiceChoice(True, False, "none", not_pressured=True))
    return online_access.issue_registration_letter(reception, account.id)


def register(client, letter, key):
    born = letter.account.date_of_birth
    data = {
        "account_id": letter.account.account_id,
        "linkage_key": key,
        "day": born.day,
        "month": born.month,
        "year": born.year,
    }
    return client.form_post("/register", data)


def test_repeated_wrong_keys_revoke_the_letter_so_even_the_right_key_fails(client, app, letter):
    for _ in range(app.config["REGISTRATION_ATTEMPTS_PER_KEY"]):
        register(client, letter, "ABCD-EFGH-JKLM-NPQR")
    response = register(client, letter, online_access.group(letter.key))
    assert REGISTRATION_FAILED in summary(response)
    key = LinkageKey.get(LinkageKey.account == letter.account.id)
    assert key.revoked_at is not None


def test_one_wrong_key_short_of_the_limit_leaves_the_letter_working(client, app, letter):
    for _ in range(app.config["REGISTRATION_ATTEMPTS_PER_KEY"] - 1):
        register(client, letter, "ABCD-EFGH-JKLM-NPQR")
    assert register(client, letter, online_access.group(letter.key)).headers["Location"] == "/register/password"


def test_staff_see_why_the_letter_stopped_working(client, app, letter, practice):
    for _ in range(app.config["REGISTRATION_ATTEMPTS_PER_KEY"]):
        register(client, letter, "ABCD-EFGH-JKLM-NPQR")
    make_staff_session(client, make_staff(practice))
    page = client.get(f"/staff/patients/{letter.account.patient_id}").get_data(as_text=True)
    assert "cancelled after 5 wrong attempts to register with it" in page


def test_a_new_letter_after_revocation_works(client, app, letter, practice):
    for _ in range(app.config["REGISTRATION_ATTEMPTS_PER_KEY"]):
        register(client, letter, "ABCD-EFGH-JKLM-NPQR")
    again = online_access.issue_registration_letter(actor_for(make_staff(practice)), letter.account.id)
    assert register(client, again, online_access.group(again.key)).headers["Location"] == "/register/password"


# Hashing is bounded per worker


@pytest.fixture
def hashing_full(app):
    """Every hashing slot of this process taken, as by a flood of sign-ins in other threads."""
    passwords.limit_hashing(1, 0.05)
    held = threading.Event()
    release = threading.Event()

    def hog():
        passwords._bounded(lambda: (held.set(), release.wait(10)))

    thread = threading.Thread(target=hog)
    thread.start()
    held.wait(5)
    yield
    release.set()
    thread.join()


def test_sign_in_answers_429_with_retry_after_when_hashing_is_full(client, hashing_full):
    staff = make_staff(make_practice())
    response = staff_attempt(client, staff.email, PASSWORD)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Sorry, the service is busy" in response.get_data(as_text=True)


def test_pages_that_do_not_hash_still_work_when_hashing_is_full(client, hashing_full):
    assert client.get("/staff/sign-in").status_code == 200
