"""Codes sent by text: expiry, checks per code, sends per hour, and when the factor is held."""

from datetime import UTC, datetime, timedelta

import pytest

from app.rules.text_codes import (
    LineFacts,
    TextCodePolicy,
    check_refusal,
    checks_left,
    codes_allowed_from,
    expires_at,
    hold_reason,
    is_expired,
    line_warning,
    send_refusal,
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


HOLDS = {
    "nothing-known": (LineFacts(), None),
    "sim-swapped-a-day-ago": (LineFacts(sim_swapped_within=timedelta(days=1)), "SIM card"),
    "sim-swapped-within-7-days": (LineFacts(sim_swapped_within=timedelta(days=7)), "SIM card"),
    "sim-swapped-within-14-days": (LineFacts(sim_swapped_within=timedelta(days=14)), None),
    "number-added-today": (LineFacts(number_added_at=NOW), "put on file"),
    "number-added-6-days-ago": (LineFacts(number_added_at=NOW - timedelta(days=6)), "put on file"),
    "number-added-7-days-ago": (LineFacts(number_added_at=NOW - timedelta(days=7)), None),
    "number-added-long-ago": (LineFacts(number_added_at=NOW - timedelta(days=400)), None),
    "landline": (LineFacts(can_take_texts=False), "landline"),
    "landline-and-swapped": (
        LineFacts(can_take_texts=False, sim_swapped_within=timedelta(days=1)),
        "landline",
    ),
    "forwarded-only": (LineFacts(forwarded=True), None),
}


@pytest.mark.parametrize(("facts", "reason"), HOLDS.values(), ids=HOLDS.keys())
def test_the_factor_is_held_when_the_number_cannot_be_trusted(facts, reason):
    held = hold_reason(facts, NOW, POLICY)

    if reason is None:
        assert held is None
    else:
        assert reason in held
        assert held.endswith("Use the questions")


def test_a_council_can_shorten_how_recent_a_change_holds_the_factor():
    facts = LineFacts(sim_swapped_within=timedelta(days=2))

    assert hold_reason(facts, NOW, TextCodePolicy(recent_change_days=1)) is None
    assert "last 1 days" not in hold_reason(facts, NOW, POLICY)


def test_forwarding_is_told_to_the_handler_but_does_not_hold_the_code():
    assert "forwarded" in line_warning(LineFacts(forwarded=True))
    assert line_warning(LineFacts()) is None


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
