"""kiosk.services.patient_auth: registering with the letter (R2) and signing in, guessing slowed per account."""

from datetime import UTC, date, datetime, timedelta

import pytest

from kiosk.models import AttemptCounter, AuditEvent, LinkageKey, OnlineAccount
from kiosk.services import DomainError, lockout, online_access, patient_auth
from kiosk.services.online_access import ServiceChoice
from kiosk.services.patient_auth import REGISTRATION_FAILED, SIGN_IN_FAILED
from tests.builders import (
    PASSWORD,
    actor_for,
    make_identity_check,
    make_patient,
    make_practice,
    make_registered_account,
    make_staff,
)
from tests.cheap_hashing import use_cheap_argon2

ISSUED = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
BORN = date(1990, 4, 2)
NEW_PASSWORD = "Velvet orchard lantern 93"
ANONYMOUS = patient_auth.Actor("anonymous", None, "", "", None, "127.0.0.1 test")


@pytest.fixture(autouse=True)
def _cheap_hashing(monkeypatch):
    use_cheap_argon2(monkeypatch)


@pytest.fixture
def letter(app, time_machine):
    """A letter issued at ISSUED to a patient born BORN, with appointments switched on."""
    time_machine.move_to(ISSUED, tick=False)
    practice = make_practice()
    reception = actor_for(make_staff(practice))
    patient = make_patient(practice, given_name="Nia", family_name="Okoro", date_of_birth=BORN)
    account = online_access.start_for_patient(reception, patient.id)
    make_identity_check(account)
    online_access.set_services(reception, account.id, ServiceChoice(True, False, "none", not_pressured=True))
    return online_access.issue_registration_letter(reception, account.id)


def check(letter, account_id=None, key=None, born=BORN):
    return patient_auth.check_letter(ANONYMOUS, account_id or letter.account.account_id, key or letter.key, born)


def register(letter, password=NEW_PASSWORD):
    return patient_auth.complete_registration(ANONYMOUS, check(letter).id, password)


def test_letter_details_find_the_live_key(letter):
    assert check(letter).account_id == letter.account.id


def test_typed_details_forgive_case_spaces_and_dashes(letter):
    typed_key = online_access.group(letter.key).lower().replace("-", " ")
    assert check(letter, account_id=letter.account.account_id.lower(), key=typed_key)


def test_key_still_works_on_day_13(letter, time_machine):
    time_machine.shift(timedelta(days=13))
    assert check(letter)


def test_key_works_until_the_last_minute_of_day_14(letter, time_machine):
    time_machine.shift(timedelta(days=14) - timedelta(minutes=1))
    assert check(letter)


def test_key_is_refused_on_day_15(letter, time_machine):
    time_machine.shift(timedelta(days=15))
    with pytest.raises(DomainError, match="ask reception for a new letter"):
        check(letter)


def test_key_that_expires_between_the_two_steps_is_refused(letter, time_machine):
    key_id = check(letter).id
    time_machine.shift(timedelta(days=15))
    with pytest.raises(DomainError) as refused:
        patient_auth.complete_registration(ANONYMOUS, key_id, NEW_PASSWORD)
    assert refused.value.message == REGISTRATION_FAILED
    assert OnlineAccount.get_by_id(letter.account.id).password_hash is None


def test_registration_sets_the_password_and_spends_the_key(letter):
    account = register(letter)
    assert account.registered_at is not None
    assert LinkageKey.get(LinkageKey.account == account.id).used_at is not None
    assert patient_auth.authenticate(ANONYMOUS, account.account_id, NEW_PASSWORD).id == account.id


def test_key_cannot_be_used_twice(letter):
    register(letter)
    with pytest.raises(DomainError) as refused:
        check(letter)
    assert refused.value.message == REGISTRATION_FAILED


def test_key_checked_twice_registers_only_once(letter):
    """Two tabs both past the first step: only the first to choose a password spends the key."""
    first, second = check(letter).id, check(letter).id
    patient_auth.complete_registration(ANONYMOUS, first, NEW_PASSWORD)
    with pytest.raises(DomainError):
        patient_auth.complete_registration(ANONYMOUS, second, "Another pebble meadow 71")
    assert patient_auth.authenticate(ANONYMOUS, letter.account.account_id, NEW_PASSWORD)


def test_failed_second_use_is_audited(letter):
    key_id = check(letter).id
    patient_auth.complete_registration(ANONYMOUS, key_id, NEW_PASSWORD)
    with pytest.raises(DomainError):
        patient_auth.complete_registration(ANONYMOUS, key_id, "Another pebble meadow 71")
    outcomes = [
        e.outcome for e in AuditEvent.select().where(AuditEvent.action == "patient.register").order_by(AuditEvent.id)
    ]
    assert outcomes == ["ok", "failed"]


@pytest.mark.parametrize(
    "wrong",
    [
        {"born": date(1990, 4, 3)},
        {"key": "ABCDEFGHJKLMNPQR"},
        {"account_id": "ZZZZZZZZZZ"},
    ],
    ids=["date-of-birth", "key", "account-id"],
)
def test_every_wrong_detail_gives_the_same_message(letter, wrong):
    with pytest.raises(DomainError) as refused:
        check(letter, **wrong)
    assert refused.value.message == REGISTRATION_FAILED
    assert "ask reception for a new letter" in REGISTRATION_FAILED


def test_wrong_details_are_audited_as_failed(letter):
    with pytest.raises(DomainError):
        check(letter, born=date(1990, 4, 3))
    [event] = AuditEvent.select().where(AuditEvent.action == "patient.register")
    assert (event.outcome, event.patient_id) == ("failed", letter.account.patient_id)


@pytest.mark.parametrize(
    ("password", "problem"),
    [("Short words", "12 characters"), ("password1234", "too common"), ("qwertyuiop12", "too common")],
)
def test_weak_passwords_are_refused_and_the_key_is_kept(letter, password, problem):
    key_id = check(letter).id
    with pytest.raises(DomainError, match=problem) as refused:
        patient_auth.complete_registration(ANONYMOUS, key_id, password)
    assert refused.value.field == "password"
    assert LinkageKey.get_by_id(key_id).used_at is None


def test_a_password_made_of_the_patients_own_name_is_refused(letter):
    with pytest.raises(DomainError, match="too common"):
        register(letter, "NiaOkoroNiaOkoro")


@pytest.mark.parametrize("length", [64, 100])
def test_a_long_passphrase_is_accepted(letter, length):
    passphrase = ("correct horse battery staple near the quiet harbour " * 3)[:length]
    account = register(letter, passphrase)
    assert patient_auth.authenticate(ANONYMOUS, account.account_id, passphrase).id == account.id


# Sign-in


@pytest.fixture
def george(app):
    practice = make_practice()
    return make_registered_account(
        practice, make_patient(practice, given_name="George", family_name="Hall"), appointments=True
    )


def sign_in(account_id, password):
    return patient_auth.authenticate(ANONYMOUS, account_id, password)


def fail(account, times: int):
    for _ in range(times):
        with pytest.raises(DomainError):
            sign_in(account.account_id, "not my password at all")


def test_right_password_signs_in(george):
    assert sign_in(george.account_id, PASSWORD).id == george.id


def test_unknown_account_wrong_password_and_suspension_look_the_same(george):
    suspended = make_registered_account(
        george.practice, make_patient(george.practice), suspended_at=datetime(2026, 1, 1)
    )
    messages = set()
    for account_id, password in [
        ("NOSUCHACCT", PASSWORD),
        (george.account_id, "wrong password here"),
        (suspended.account_id, PASSWORD),
    ]:
        with pytest.raises(DomainError) as refused:
            sign_in(account_id, password)
        messages.add(refused.value.message)
    assert messages == {SIGN_IN_FAILED}


def test_an_unregistered_account_cannot_sign_in(george):
    fresh = make_registered_account(george.practice, make_patient(george.practice), password_hash=None)
    with pytest.raises(DomainError):
        sign_in(fresh.account_id, "")


def test_failures_are_counted_and_audited(george):
    fail(george, 3)
    key = lockout.identifier_key("patient", george.account_id)
    assert AttemptCounter.get_by_id(key).failures == 3
    events = AuditEvent.select().where((AuditEvent.action == "patient.sign_in") & (AuditEvent.outcome == "failed"))
    assert events.count() == 3


def test_failures_short_of_the_free_ones_do_not_delay(george, app):
    fail(george, app.config["SIGN_IN_FREE_FAILURES"] - 1)
    assert sign_in(george.account_id, PASSWORD).id == george.id


def test_then_even_the_right_password_must_wait(george, app, time_machine):
    time_machine.move_to(ISSUED, tick=False)
    fail(george, app.config["SIGN_IN_FREE_FAILURES"])
    with pytest.raises(lockout.TooManyAttempts) as refused:
        sign_in(george.account_id, PASSWORD)
    assert "Wait a minute and try again" in refused.value.message
    last = AuditEvent.select().where(AuditEvent.action == "patient.sign_in").order_by(AuditEvent.id.desc()).get()
    assert (last.outcome, last.detail) == ("refused", "waiting after failures")


def test_the_right_password_works_after_the_wait(george, time_machine, app):
    time_machine.move_to(ISSUED, tick=False)
    fail(george, app.config["SIGN_IN_FREE_FAILURES"])
    time_machine.shift(timedelta(seconds=app.config["SIGN_IN_FIRST_DELAY_SECONDS"], milliseconds=1))
    assert sign_in(george.account_id, PASSWORD).id == george.id


def test_a_success_resets_the_count(george, app):
    fail(george, app.config["SIGN_IN_FREE_FAILURES"] - 1)
    sign_in(george.account_id, PASSWORD)
    fail(george, app.config["SIGN_IN_FREE_FAILURES"] - 1)
    assert sign_in(george.account_id, PASSWORD).id == george.id


def test_delays_are_per_account(george, app):
    other = make_registered_account(george.practice, make_patient(george.practice))
    fail(other, app.config["SIGN_IN_FREE_FAILURES"])
    assert sign_in(george.account_id, PASSWORD).id == george.id
