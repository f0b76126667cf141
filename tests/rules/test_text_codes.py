"""Codes sent by text: expiry, checks per code, sends per hour, when the factor is held (Lookup's
answers read fail closed), and what the handler is warned of."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules.text_codes import (
    SIM_SWAP_UNKNOWN,
    LineFacts,
    LookupUnknown,
    SimSwap,
    SimSwapState,
    TextCodePolicy,
    call_code_text,
    check_refusal,
    checks_left,
    codes_allowed_from,
    expires_at,
    hold_reason,
    is_expired,
    line_warning,
    portal_code_text,
    send_refusal,
    sim_swap_state,
)

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
POLICY = TextCodePolicy()  # 10 minutes, 5 checks, 3 sends an hour, 7 days

EXPIRY = {
    "just-sent": (timedelta(0), False),
    "a-second-before": (timedelta(minutes=10) - timedelta(seconds=1), False),
    "at-expiry": (timedelta(minutes=10), True),
    "long-after": (timedelta(hours=3), True),
}


@pytest.mark.parametrize(("since", "expired"), EXPIRY.values(), ids=EXPIRY.keys())
def test_a_code_stops_working_after_its_minutes(since, expired):
    sent_at = NOW - since

    assert is_expired(expires_at(sent_at, POLICY), NOW) is expired


CHECKS = {"none": (0, 5, False), "four": (4, 1, False), "five": (5, 0, True), "six": (6, 0, True)}


@pytest.mark.parametrize(("made", "left", "refused"), CHECKS.values(), ids=CHECKS.keys())
def test_a_code_is_spent_after_its_checks(made, left, refused):
    assert checks_left(made, POLICY) == left
    assert (check_refusal(made, POLICY) is not None) is refused


SENDS = {"none": (0, False), "two": (2, False), "three": (3, True), "ten": (10, True)}


@pytest.mark.parametrize(("sent", "refused"), SENDS.values(), ids=SENDS.keys())
def test_only_so_many_codes_go_to_a_resident_an_hour(sent, refused):
    refusal = send_refusal(sent, POLICY)

    assert (refusal is not None) is refused
    if refused:
        assert "in the last hour" in refusal


DAY = timedelta(days=1)
WEEK = timedelta(days=7)


def swapped(period: timedelta | None, at: datetime | None = None) -> LineFacts:
    return LineFacts(sim_swap=SimSwap(True, period, at))


def not_swapped(period: timedelta | None, at: datetime | None = None) -> LineFacts:
    return LineFacts(sim_swap=SimSwap(False, period, at))


HOLDS = {
    "nothing-known": (LineFacts(), None),
    "sim-swapped-within-a-day": (swapped(DAY), "SIM card"),
    "sim-swapped-within-3-hours-12-minutes-5-seconds": (
        swapped(timedelta(hours=3, minutes=12, seconds=5)),
        "SIM card",
    ),
    "sim-swapped-within-7-days": (swapped(WEEK), "SIM card"),
    "sim-swapped-within-14-days-no-date": (swapped(2 * WEEK), "could not say"),
    "sim-swapped-within-a-period-unreadable": (swapped(None), "could not say"),
    "sim-swapped-636-days-ago-by-date": (
        swapped(timedelta(hours=15282, minutes=33, seconds=44), NOW - timedelta(days=636)),
        None,
    ),
    "sim-swap-date-2-days-ago": (
        LineFacts(sim_swap=SimSwap(last_swapped_at=NOW - 2 * DAY)),
        "SIM card",
    ),
    "sim-swap-date-just-inside-the-window": (
        LineFacts(sim_swap=SimSwap(last_swapped_at=NOW - WEEK + timedelta(seconds=1))),
        "SIM card",
    ),
    "sim-swap-date-at-the-window": (LineFacts(sim_swap=SimSwap(last_swapped_at=NOW - WEEK)), None),
    "sim-swap-date-in-the-future": (
        LineFacts(sim_swap=SimSwap(last_swapped_at=NOW + DAY)),
        "SIM card",
    ),
    "sim-swap-date-recent-though-period-says-no": (
        not_swapped(timedelta(days=30), NOW - DAY),
        "SIM card",
    ),
    "sim-swap-date-old-though-period-says-lately": (
        swapped(DAY, NOW - timedelta(days=400)),
        "SIM card",
    ),
    "not-swapped-within-30-days": (not_swapped(timedelta(days=30)), None),
    "not-swapped-within-exactly-the-window": (not_swapped(WEEK), None),
    "not-swapped-within-a-day-only": (not_swapped(DAY), "could not say"),
    "not-swapped-within-a-day-but-dated-long-ago": (
        not_swapped(DAY, NOW - timedelta(days=90)),
        None,
    ),
    "not-swapped-period-unreadable": (not_swapped(None), "could not say"),
    "swap-answer-says-nothing": (LineFacts(sim_swap=SIM_SWAP_UNKNOWN), "could not say"),
    "swap-answer-period-without-a-yes-or-no": (
        LineFacts(sim_swap=SimSwap(period=timedelta(days=30))),
        "could not say",
    ),
    "number-added-today": (LineFacts(number_added_at=NOW), "put on file"),
    "number-added-6-days-ago": (LineFacts(number_added_at=NOW - timedelta(days=6)), "put on file"),
    "number-added-7-days-ago": (LineFacts(number_added_at=NOW - timedelta(days=7)), None),
    "number-added-long-ago": (LineFacts(number_added_at=NOW - timedelta(days=400)), None),
    "number-added-today-and-swap-unknown": (
        LineFacts(sim_swap=SIM_SWAP_UNKNOWN, number_added_at=NOW),
        "put on file",
    ),
    "landline": (LineFacts(can_take_texts=False), "landline"),
    "landline-and-swapped": (
        LineFacts(can_take_texts=False, sim_swap=SimSwap(True, DAY)),
        "landline",
    ),
    "forwarded-only": (LineFacts(forwarded=True), None),
    "forwarding-unknown-only": (LineFacts(forwarded=None), None),
}


@pytest.mark.parametrize(("facts", "reason"), HOLDS.values(), ids=HOLDS.keys())
def test_the_factor_is_held_when_the_number_cannot_be_trusted(facts, reason):
    held = hold_reason(facts, NOW, POLICY)

    if reason is None:
        assert held is None
    else:
        assert reason in held
        assert held.endswith("Use the questions")


STATES = {
    "lookup-not-asked": (None, SimSwapState.NOT_ASKED),
    "says-nothing": (SIM_SWAP_UNKNOWN, SimSwapState.UNKNOWN),
    "swapped-within-the-window": (SimSwap(True, WEEK), SimSwapState.CHANGED),
    "swapped-within-a-longer-period": (
        SimSwap(True, WEEK + timedelta(seconds=1)),
        SimSwapState.UNKNOWN,
    ),
    "not-swapped-within-the-window": (SimSwap(False, WEEK), SimSwapState.UNCHANGED),
    "not-swapped-within-a-shorter-period": (
        SimSwap(False, WEEK - timedelta(seconds=1)),
        SimSwapState.UNKNOWN,
    ),
    "yes-without-a-period": (SimSwap(True, None), SimSwapState.UNKNOWN),
    "no-without-a-period": (SimSwap(False, None), SimSwapState.UNKNOWN),
    "dated-within": (SimSwap(None, None, NOW - DAY), SimSwapState.CHANGED),
    "dated-before": (SimSwap(None, None, NOW - 2 * WEEK), SimSwapState.UNCHANGED),
}


@pytest.mark.parametrize(("answer", "state"), STATES.values(), ids=STATES.keys())
def test_lookups_answer_is_read_as_changed_unchanged_or_unknown(answer, state):
    assert sim_swap_state(answer, NOW, POLICY) is state


@given(
    swapped_in_period=st.none() | st.booleans(),
    period=st.none() | st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=1000)),
    ago=st.none() | st.timedeltas(min_value=-DAY, max_value=timedelta(days=1000)),
)
def test_an_answer_is_never_taken_as_unchanged_unless_it_covers_the_whole_window(
    swapped_in_period, period, ago
):
    answer = SimSwap(swapped_in_period, period, None if ago is None else NOW - ago)

    state = sim_swap_state(answer, NOW, POLICY)

    if state is SimSwapState.UNCHANGED:
        assert (ago is not None and ago >= WEEK) or (swapped_in_period is False and period >= WEEK)
        assert not (swapped_in_period is True and period is not None and period <= WEEK)
    if ago is not None and ago < WEEK:
        assert state is SimSwapState.CHANGED


UNKNOWN_CHOICE = {
    "hold": (LookupUnknown.HOLD, True, None),
    "warn": (LookupUnknown.WARN, False, "could not say whether this number's SIM was changed"),
}


@pytest.mark.parametrize(
    ("choice", "holds", "warning"), UNKNOWN_CHOICE.values(), ids=UNKNOWN_CHOICE.keys()
)
def test_the_council_chooses_whether_an_unknown_answer_holds_the_code_or_warns(
    choice, holds, warning
):
    policy = TextCodePolicy(lookup_unknown=choice)
    facts = LineFacts(sim_swap=SIM_SWAP_UNKNOWN)

    held = hold_reason(facts, NOW, policy)
    warned = line_warning(facts, NOW, policy)

    assert (held is not None) is holds
    if holds:
        assert held.startswith(
            "Twilio could not say whether this number's SIM was changed lately, so"
        )
        assert warned is None
    else:
        assert warning in warned


def test_warn_never_lets_a_known_swap_through():
    policy = TextCodePolicy(lookup_unknown="warn")

    assert "SIM card" in hold_reason(swapped(DAY), NOW, policy)


def test_a_setting_other_than_hold_or_warn_is_refused():
    with pytest.raises(ValueError):
        TextCodePolicy(lookup_unknown="ignore")


def test_a_council_can_shorten_how_recent_a_change_holds_the_factor():
    facts = swapped(2 * DAY)

    assert hold_reason(facts, NOW, TextCodePolicy(recent_change_days=1)) is not None
    assert "SIM card" not in hold_reason(facts, NOW, TextCodePolicy(recent_change_days=1))
    assert "last 1 days" not in hold_reason(facts, NOW, POLICY)
    assert hold_reason(not_swapped(2 * DAY), NOW, TextCodePolicy(recent_change_days=1)) is None


WARNINGS = {
    "nothing": (LineFacts(), None),
    "forwarded": (LineFacts(forwarded=True), ["forwarded elsewhere"]),
    "forwarding-unknown": (LineFacts(forwarded=None), ["could not say whether calls"]),
    "not-forwarded-and-clear": (LineFacts(sim_swap=not_swapped(WEEK).sim_swap), None),
    "forwarded-and-swap-unknown-under-warn": (
        LineFacts(forwarded=True, sim_swap=SIM_SWAP_UNKNOWN),
        ["SIM was changed", "forwarded elsewhere"],
    ),
}


@pytest.mark.parametrize(("facts", "says"), WARNINGS.values(), ids=WARNINGS.keys())
def test_the_handler_is_told_what_does_not_hold_the_code(facts, says):
    warning = line_warning(facts, NOW, TextCodePolicy(lookup_unknown="warn"))

    if says is None:
        assert warning is None
    else:
        for words in says:
            assert words in warning
        assert "be sure the caller is who they say" in warning


def test_the_texts_carry_the_code_and_nothing_else_about_the_resident():
    call_text = call_code_text("123456", "City Council")
    portal_text = portal_code_text("654321", "City Council", POLICY)

    assert "123456" in call_text and "Read it to the person" in call_text
    assert "654321" in portal_text and "10 minutes" in portal_text


@pytest.mark.parametrize(
    "overrides",
    [{"expiry_minutes": 0}, {"max_checks": 0}, {"sends_per_hour": 0}, {"recent_change_days": -1}],
    ids=["no-minutes", "no-checks", "no-sends", "negative-days"],
)
def test_a_policy_that_could_never_work_is_refused(overrides):
    with pytest.raises(ValueError):
        TextCodePolicy(**overrides)


PUT_ON_FILE = {
    "winter": (
        datetime(2026, 12, 3, 14, 5, tzinfo=UTC),
        "This number was put on file on 3 December; codes can go to it from 14:05 on "
        "10 December. Use the questions",
    ),
    "summer-time-is-london-time": (
        datetime(2026, 7, 1, 23, 30, tzinfo=UTC),
        "This number was put on file on 2 July; codes can go to it from 00:30 on 9 July. "
        "Use the questions",
    ),
    "into-the-new-year": (
        datetime(2026, 12, 29, 9, 0, tzinfo=UTC),
        "This number was put on file on 29 December; codes can go to it from 09:00 on "
        "5 January 2027. Use the questions",
    ),
}


@pytest.mark.parametrize(("added_at", "said"), PUT_ON_FILE.values(), ids=PUT_ON_FILE.keys())
def test_a_number_put_on_file_lately_says_when_and_from_when_codes_can_go(added_at, said):
    held = hold_reason(LineFacts(number_added_at=added_at), added_at + timedelta(days=1), POLICY)

    assert held == said


def test_a_number_is_held_until_the_very_moment_its_period_ends():
    added_at = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)
    facts = LineFacts(number_added_at=added_at)

    assert codes_allowed_from(added_at, POLICY) == added_at + timedelta(days=7)
    assert hold_reason(facts, added_at + timedelta(days=7, microseconds=-1), POLICY)
    assert hold_reason(facts, added_at + timedelta(days=7), POLICY) is None
    assert codes_allowed_from(added_at, TextCodePolicy(recent_change_days=0)) == added_at
