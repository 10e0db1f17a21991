import pytest
from argon2 import Type as Argon2Type
from argon2 import extract_parameters

from kiosk.passwords import MIN_LENGTH, password_problem, verify_password
from tests.builders import PASSWORD, password_hash

# OWASP Password Storage Cheat Sheet: argon2id with one of these (memory KiB, iterations) pairs or more.
OWASP_MINIMUMS = [(47104, 1), (19456, 2), (12288, 3), (9216, 4), (7168, 5)]


def test_password_of_eleven_characters_is_refused_as_too_short():
    assert password_problem("Kf8#qz!Lw2$") == f"Password must be {MIN_LENGTH} characters or more"


def test_random_password_of_twelve_characters_is_accepted():
    assert password_problem("Kf8#qz!Lw2$v") is None


def test_very_long_password_is_refused():
    assert "fewer" in password_problem("correct horse battery " * 10)


@pytest.mark.parametrize("common", ["password1234", "qwertyuiop123", "Password12345", "iloveyou1234"])
def test_common_password_is_refused(common):
    assert "too common" in password_problem(common)


def test_password_made_of_the_users_email_is_refused():
    assert "too common" in password_problem("rosa.reid@example.test", context=("rosa.reid@example.test",))


def test_three_random_words_are_accepted():
    assert password_problem("Waiting room tulip 42") is None


def test_hash_is_argon2id():
    assert extract_parameters(password_hash()).type is Argon2Type.ID


def test_hash_costs_at_least_owasp_minimum():
    p = extract_parameters(password_hash())
    assert any(p.memory_cost >= memory and p.time_cost >= passes for memory, passes in OWASP_MINIMUMS)


def test_hash_is_salted_so_the_password_is_not_in_it():
    assert PASSWORD not in password_hash()


def test_right_password_verifies():
    assert verify_password(password_hash(), PASSWORD)


def test_wrong_password_does_not_verify():
    assert not verify_password(password_hash(), PASSWORD + "!")


def test_missing_hash_never_verifies():
    assert not verify_password(None, "no such account: constant-time filler")


def test_malformed_hash_does_not_verify():
    assert not verify_password("not a hash", PASSWORD)
