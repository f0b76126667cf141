from datetime import datetime, timedelta

import pytest

from app.rules.lockout import LockoutPolicy, lock_decision

NOW = datetime(2026, 11, 25, 15, 0)
POLICY = LockoutPolicy()


def hours_ago(*hours: float) -> list[datetime]:
    return [NOW - timedelta(hours=h) for h in hours]


@pytest.mark.parametrize(
    ("failures", "unlocked_at", "locked", "counted", "tries_left"),
    [
        ([], None, False, 0, 3),
        (hours_ago(1), None, False, 1, 2),
        (hours_ago(1, 2), None, False, 2, 1),
        (hours_ago(1, 2, 3), None, True, 3, 0),
        (hours_ago(1, 2, 23.9), None, True, 3, 0),
        (hours_ago(1, 2, 25), None, False, 2, 1),
        (hours_ago(0, 12, 24), None, False, 2, 1),
        (hours_ago(50, 49, 48), None, True, 0, 0),
        (hours_ago(50, 49, 48, 30, 20, 10), None, True, 2, 0),
        (hours_ago(5, 4, 3), NOW - timedelta(hours=2), False, 0, 3),
        (hours_ago(5, 4, 3, 1), NOW - timedelta(hours=2), False, 1, 2),
        (hours_ago(5, 3, 2), NOW - timedelta(hours=3), False, 1, 2),
        (hours_ago(5, 4, 3, 1, 0.5, 0.1), NOW - timedelta(hours=2), True, 3, 0),
        ([NOW + timedelta(minutes=1), *hours_ago(1, 2)], None, True, 3, 0),
        ([NOW + timedelta(hours=0.2), *hours_ago(23.9, 23.8)], None, False, 3, 1),
    ],
    ids=[
        "no-failures-leaves-it-open",
        "one-failure-leaves-two-tries",
        "two-failures-leave-one-try",
        "the-third-failure-within-24-hours-locks-it",
        "three-failures-just-inside-24-hours-lock-it",
        "three-failures-spread-over-more-than-24-hours-do-not-lock-it",
        "failures-exactly-24-hours-apart-do-not-combine",
        "a-lock-stays-after-the-window-has-passed",
        "later-failures-do-not-hide-an-earlier-lock",
        "an-unlock-wipes-earlier-failures",
        "failures-after-an-unlock-count-again",
        "a-failure-at-the-moment-of-unlock-does-not-count",
        "three-failures-after-an-unlock-lock-it-again",
        "a-failure-stamped-a-moment-ahead-still-counts",
        "an-open-state-always-leaves-at-least-one-try",
    ],
)
def test_lock_decision_counts_failures_in_the_window_since_the_last_unlock(
    failures, unlocked_at, locked, counted, tries_left
):
    state = lock_decision(failures, unlocked_at, NOW, POLICY)

    assert (state.locked, state.failures_counted, state.tries_left) == (
        locked,
        counted,
        tries_left,
    )


def test_a_lock_tells_the_handler_why_and_who_can_lift_it():
    state = lock_decision(hours_ago(3, 2, 1), None, NOW, POLICY)

    assert state.reason == (
        "Phone verification locked: 3 failed attempts in 24 hours. A supervisor must unlock it."
    )
    assert state.locked_since == NOW - timedelta(hours=1)


@pytest.mark.parametrize(
    ("failures", "expected"),
    [
        ([], "Phone verification open: no failed attempts in the last 24 hours."),
        (
            hours_ago(1),
            "Phone verification open: 1 failed attempt in the last 24 hours. "
            "It locks after 2 more.",
        ),
        (
            hours_ago(1, 2),
            "Phone verification open: 2 failed attempts in the last 24 hours. "
            "It locks after 1 more.",
        ),
    ],
    ids=["none", "one", "two"],
)
def test_an_open_state_says_how_many_tries_are_left(failures, expected):
    state = lock_decision(failures, None, NOW, POLICY)

    assert state.reason == expected
    assert state.locked_since is None


@pytest.mark.parametrize(
    ("policy", "failures", "locked", "reason_window"),
    [
        (LockoutPolicy(max_failures=5), hours_ago(1, 2, 3, 4), False, "24 hours"),
        (LockoutPolicy(max_failures=5), hours_ago(1, 2, 3, 4, 5), True, "24 hours"),
        (LockoutPolicy(max_failures=1), hours_ago(1), True, "24 hours"),
        (LockoutPolicy(window=timedelta(hours=1)), hours_ago(0.1, 0.5, 1.5), False, "1 hour"),
        (LockoutPolicy(window=timedelta(days=7)), hours_ago(1, 50, 150), True, "7 days"),
        (LockoutPolicy(window=timedelta(minutes=30)), hours_ago(0.1, 0.2, 0.3), True, "30 minutes"),
    ],
    ids=[
        "five-allowed-four-failed",
        "five-allowed-five-failed",
        "one-allowed-one-failed",
        "a-one-hour-window",
        "a-seven-day-window",
        "a-thirty-minute-window",
    ],
)
def test_the_lockout_policy_is_configurable(policy, failures, locked, reason_window):
    state = lock_decision(failures, None, NOW, policy)

    assert state.locked == locked
    assert reason_window in state.reason


@pytest.mark.parametrize(
    "arguments",
    [{"max_failures": 0}, {"window": timedelta(0)}, {"window": timedelta(hours=-1)}],
    ids=["no-failures-allowed", "an-empty-window", "a-negative-window"],
)
def test_a_lockout_policy_that_would_lock_everyone_or_nobody_is_refused(arguments):
    with pytest.raises(ValueError):
        LockoutPolicy(**arguments)
