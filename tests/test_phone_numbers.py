"""Numbers on screen: split by rule where the phone library's rules for Great Britain give one
shape, and always exactly as the library formats them."""

import random

import phonenumbers
import pytest

from app import phone_numbers
from app.phone_numbers import for_display


def _library(e164: str) -> str:
    parsed = phonenumbers.parse(e164, None)
    if parsed.country_code == 44:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def test_every_uk_prefix_is_shown_as_the_library_shows_it():
    digits = random.Random(26)
    for prefix in range(1000, 10000):
        for _ in range(3):
            number = f"+44{prefix}" + "".join(digits.choice("0123456789") for _ in range(6))
            assert for_display(number) == _library(number), number


@pytest.mark.parametrize(
    "number",
    [
        "+447700900123",  # a drama mobile, the tests' usual caller
        "+441164960123",  # Leicester, formatted by the library
        "+442079460000",
        "+443069990000",
        "+447624123456",  # the Isle of Man: not a GB mobile's shape
        "+447012345678",  # a personal number
        "+4412345",  # too short to be a full number, shown all the same
        "+33123456789",
        "+12025550123",
    ],
)
def test_numbers_are_shown_as_the_library_shows_them(number):
    assert for_display(number) == _library(number)


def test_mobiles_and_london_numbers_are_split_without_the_library(monkeypatch):
    def parse(*args):
        raise AssertionError("parsed")

    monkeypatch.setattr(phone_numbers.phonenumbers, "parse", parse)
    monkeypatch.setattr(phone_numbers.phonenumbers, "format_number", parse)
    assert for_display("+447700900123") == "07700 900123"
    assert for_display("+442079460000") == "020 7946 0000"


def test_other_uk_numbers_are_not_parsed_again(monkeypatch):
    def parse(*args):
        raise AssertionError("parsed")

    monkeypatch.setattr(phone_numbers.phonenumbers, "parse", parse)
    assert for_display("+441164960123") == "0116 496 0123"


def test_a_number_that_is_not_one_is_refused_as_before():
    with pytest.raises(phonenumbers.NumberParseException):
        for_display("+44")
