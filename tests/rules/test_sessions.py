"""Why a member of staff's session ended, and what they are told: every case."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from app.rules.sessions import (
    SessionEnd,
    SessionLimits,
    end_by_account,
    end_by_time_or_place,
    signed_out_message,
)

NOW = datetime(2026, 11, 30, 19, 0, tzinfo=UTC)
ABSOLUTE = timedelta(hours=12)
LIMITS = SessionLimits(idle=timedelta(minutes=30), absolute=ABSOLUTE)

SIGNED_IN = {
    "never-said": None,
    "just-now": NOW,
    "under-the-limit": NOW - ABSOLUTE + timedelta(seconds=1),
    "at-the-limit": NOW - ABSOLUTE,
    "long-ago": NOW - timedelta(days=3),
}
TIME_OR_PLACE = list(itertools.product(SIGNED_IN, [True, False]))


@pytest.mark.parametrize(
    ("signed_in", "same_client"),
    TIME_OR_PLACE,
    ids=[f"{s}-{'same' if c else 'other'}-client" for s, c in TIME_OR_PLACE],
)
def test_a_session_ends_a_fixed_time_after_sign_in_and_when_used_elsewhere(signed_in, same_client):
    ended = end_by_time_or_place(SIGNED_IN[signed_in], NOW, ABSOLUTE, same_client)

    if signed_in == "never-said":
        assert ended is SessionEnd.UNKNOWN
    elif signed_in in ("at-the-limit", "long-ago"):
        assert ended is SessionEnd.ABSOLUTE
    elif not same_client:
        assert ended is SessionEnd.MOVED
    else:
        assert ended is None


ACCOUNT = list(itertools.product([True, False], [True, False], [None, *SessionEnd]))


@pytest.mark.parametrize(
    ("found", "active", "recorded"),
    ACCOUNT,
    ids=[f"{f}-{a}-{r.value if r else 'none'}" for f, a, r in ACCOUNT],
)
def test_a_session_whose_token_was_replaced_ended_for_what_replaced_it(found, active, recorded):
    ended = end_by_account(found, active, recorded)

    if not found:
        assert ended is SessionEnd.UNKNOWN
    elif not active:
        assert ended is SessionEnd.DEACTIVATED
    else:
        assert ended is (recorded or SessionEnd.UNKNOWN)


MESSAGES = {
    SessionEnd.IDLE: "You have been signed out: there was no activity for 30 minutes",
    SessionEnd.ABSOLUTE: (
        "You have been signed out: you signed in 12 hours ago, the longest a sign-in lasts"
    ),
    SessionEnd.MOVED: (
        "You have been signed out: your session was used from another address or browser"
    ),
    SessionEnd.SIGNED_IN_ELSEWHERE: (
        "You have been signed out: you signed in on another browser or device"
    ),
    SessionEnd.SIGNED_OUT: "You have been signed out: you signed out",
    SessionEnd.DEACTIVATED: (
        "You have been signed out: an administrator deactivated your account. Ask an "
        "administrator to reactivate it if you still need it"
    ),
    SessionEnd.ROLE_CHANGED: "You have been signed out: an administrator changed your role",
    SessionEnd.TWO_FACTOR_RESET: (
        "You have been signed out: an administrator reset your two-factor sign-in"
    ),
    SessionEnd.PASSWORD_SET: "You have been signed out: your password was set again",
    SessionEnd.UNKNOWN: "You have been signed out: your session has ended",
}


def test_every_way_a_session_ends_has_a_message():
    assert set(MESSAGES) == set(SessionEnd)


@pytest.mark.parametrize("end", list(SessionEnd), ids=[end.value for end in SessionEnd])
def test_a_member_of_staff_is_told_why_they_were_signed_out(end):
    assert signed_out_message(end, LIMITS) == MESSAGES[end]


def test_the_limits_are_said_as_configured():
    limits = SessionLimits(idle=timedelta(minutes=1), absolute=timedelta(hours=1))

    assert signed_out_message(SessionEnd.IDLE, limits).endswith("no activity for 1 minute")
    assert "you signed in 1 hour ago" in signed_out_message(SessionEnd.ABSOLUTE, limits)
