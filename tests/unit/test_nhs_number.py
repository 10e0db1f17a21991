from hypothesis import given
from hypothesis import strategies as st

from kiosk.models import nhs_number_is_valid

WEIGHTS = range(10, 1, -1)


def test_number_with_correct_check_digit_is_valid():
    assert nhs_number_is_valid("9434765919")


def test_number_with_wrong_check_digit_is_invalid():
    assert not nhs_number_is_valid("9434765918")


def test_spaces_as_printed_on_letters_are_allowed():
    assert nhs_number_is_valid("943 476 5919")


def test_remainder_zero_gives_check_digit_zero():
    # 100000006: weighted sum 22, which is 0 modulo 11, so the check digit is 0 (11 would not fit).
    assert nhs_number_is_valid("1000000060")


def test_body_whose_check_digit_would_be_ten_is_never_valid():
    # 100000001: weighted sum 12, remainder 1, check digit 10: no number starts with these nine digits.
    assert not any(nhs_number_is_valid(f"100000001{d}") for d in range(10))


def test_nine_digits_is_invalid():
    assert not nhs_number_is_valid("943476591")


def test_eleven_digits_is_invalid():
    assert not nhs_number_is_valid("94347659190")


def test_letters_are_invalid():
    assert not nhs_number_is_valid("94347659A9")


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_every_body_has_at_most_one_valid_check_digit(body):
    valid = [d for d in range(10) if nhs_number_is_valid(body + str(d))]
    total = sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True))
    expected = (11 - total % 11) % 11
    assert valid == ([] if expected == 10 else [expected])
