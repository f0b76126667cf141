"""Need to know: which hidden details may be revealed, and what shows of them until then."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules.need_to_know import (
    RevealRefusal,
    age_band,
    decide_reveal,
    reference_ending,
    start_of_day,
)

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("opened_today", "revealed_today", "daily_limit", "allowed", "refusal", "reason"),
    [
        (True, 0, 20, True, None, "Revealed. You can reveal 19 more today."),
        (True, 19, 20, True, None, "Revealed. You can reveal 0 more today."),
        (
            True,
            20,
            20,
            False,
            RevealRefusal.DAILY_LIMIT,
            "Nothing was revealed: you have already revealed 20 hidden details today, the most "
            "allowed in one day. You can reveal more tomorrow.",
        ),
        (
            True,
            1,
            1,
            False,
            RevealRefusal.DAILY_LIMIT,
            "Nothing was revealed: you have already revealed 1 hidden detail today, the most "
            "allowed in one day. You can reveal more tomorrow.",
        ),
        (True, 25, 20, False, RevealRefusal.DAILY_LIMIT, None),
        (
            True,
            0,
            0,
            False,
            RevealRefusal.DAILY_LIMIT,
            "Nothing was revealed: hidden details cannot be revealed outside a call",
        ),
        (
            False,
            0,
            20,
            False,
            RevealRefusal.NOT_OPENED,
            "Nothing was revealed: open the record and give your reason first",
        ),
        (False, 20, 20, False, RevealRefusal.NOT_OPENED, None),
    ],
    ids=[
        "first-of-the-day",
        "last-one-left",
        "limit-reached",
        "limit-of-one-reached",
        "past-the-limit",
        "no-reveals-allowed",
        "record-not-opened",
        "not-opened-says-so-before-the-limit",
    ],
)
def test_a_reveal_is_decided_by_the_record_being_opened_and_the_daily_limit(
    opened_today, revealed_today, daily_limit, allowed, refusal, reason
):
    decision = decide_reveal(
        opened_today=opened_today, revealed_today=revealed_today, daily_limit=daily_limit
    )

    assert decision.allowed is allowed
    assert decision.refusal is refusal
    if reason is not None:
        assert decision.reason == reason


@given(
    opened=st.booleans(),
    revealed=st.integers(min_value=0, max_value=1000),
    limit=st.integers(min_value=-5, max_value=1000),
)
def test_nobody_ever_reveals_more_than_the_daily_limit(opened, revealed, limit):
    decision = decide_reveal(opened_today=opened, revealed_today=revealed, daily_limit=limit)

    if decision.allowed:
        assert opened and revealed + 1 <= limit


@pytest.mark.parametrize(
    ("day", "begins_utc"),
    [
        (date(2026, 1, 15), datetime(2026, 1, 15, 0, 0, tzinfo=UTC)),
        (date(2026, 7, 1), datetime(2026, 6, 30, 23, 0, tzinfo=UTC)),
        (date(2026, 3, 29), datetime(2026, 3, 29, 0, 0, tzinfo=UTC)),  # clocks go forward at 1am
        (date(2026, 10, 25), datetime(2026, 10, 24, 23, 0, tzinfo=UTC)),  # and back at 2am
    ],
    ids=["winter", "summer", "spring-forward-day", "fall-back-day"],
)
def test_a_day_begins_at_midnight_in_london(day, begins_utc):
    assert start_of_day(day, LONDON) == begins_utc


@pytest.mark.parametrize(
    ("born", "today", "band"),
    [
        (date(1948, 3, 14), date(2026, 3, 13), "70 to 79"),
        (date(1946, 3, 14), date(2026, 3, 13), "70 to 79"),
        (date(1946, 3, 14), date(2026, 3, 14), "80 to 89"),
        (date(2020, 2, 29), date(2026, 2, 28), "0 to 9"),
        (date(2026, 12, 1), date(2026, 11, 30), "0 to 9"),
    ],
    ids=["seventy-eight", "day-before-eightieth", "eightieth-birthday", "child", "not-born-yet"],
)
def test_the_age_band_is_the_decade_of_life(born, today, band):
    assert age_band(born, today) == band


def test_a_masked_reference_keeps_only_its_last_three_characters():
    assert reference_ending("ABCDEFGHJKM") == "JKM"
