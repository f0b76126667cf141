"""Dates and times are written as people say them, never as codes."""

from datetime import date, datetime

import pytest

from app.rules.dates import date_and_time, long_date, time_on_date


@pytest.mark.parametrize(
    ("day", "written"),
    [
        (date(2027, 12, 7), "7 December 2027"),
        (date(2026, 1, 31), "31 January 2026"),
        (None, ""),
    ],
    ids=["single-digit day", "two-digit day", "no date"],
)
def test_a_date_is_written_as_a_person_says_it(day, written):
    assert long_date(day) == written


def test_a_moment_is_written_with_its_date_in_words_and_its_time():
    moment = datetime(2027, 12, 7, 14, 5)

    assert date_and_time(moment) == "7 December 2027 at 14:05"
    assert time_on_date(moment) == "14:05 on 7 December 2027"
    assert date_and_time(None) == ""
