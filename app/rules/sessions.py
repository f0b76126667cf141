"""Why a member of staff's session ended, in their words (docs/rules.md, "Staff accounts").

A session ends at sign-out (on any browser: every session of the account ends), at a new
sign-in elsewhere, when an administrator deactivates the account, changes its role or resets
its two-factor sign-in, when its password is set again, after a stretch without a request,
a fixed time after sign-in, and when its cookie turns up from another address or browser.
A page open when that happens is told which, so the handler knows what happened and signs in
again. No Flask, no SQLAlchemy, no clock: the caller passes `now`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.rules.call_verification import describe_span
from app.rules.staff_accounts import ask_to_reactivate
from app.rules.vocabulary import Labelled


class SessionEnd(Labelled):
    """Why a session ended, said after "You have been signed out: "."""

    IDLE = "idle", "no activity"
    ABSOLUTE = "absolute", "the longest a sign-in lasts"
    MOVED = "moved", "your session was used from another address or browser"
    SIGNED_IN_ELSEWHERE = "signed-in-elsewhere", "you signed in on another browser or device"
    SIGNED_OUT = "signed-out", "you signed out"
    DEACTIVATED = "deactivated", "an administrator deactivated your account"
    ROLE_CHANGED = "role-changed", "an administrator changed your role"
    TWO_FACTOR_RESET = "two-factor-reset", "an administrator reset your two-factor sign-in"
    PASSWORD_SET = "password-set", "your password was set again"
    UNKNOWN = "unknown", "your session has ended"


@dataclass(frozen=True)
class SessionLimits:
    """How long a staff session lasts."""

    idle: timedelta  # without a request
    absolute: timedelta  # after sign-in, however busy


def end_by_time_or_place(
    signed_in_at: datetime | None, now: datetime, absolute: timedelta, same_client: bool
) -> SessionEnd | None:
    """Say why a session whose cookie is still good has ended all the same, or None while it
    lasts: a fixed time after sign-in however busy the console, and at once when its cookie
    is used from another address or browser. A session that does not say when it began
    has ended."""
    if signed_in_at is None:
        return SessionEnd.UNKNOWN
    if now - signed_in_at >= absolute:
        return SessionEnd.ABSOLUTE
    if not same_client:
        return SessionEnd.MOVED
    return None


def end_by_account(
    account_found: bool, account_active: bool, recorded: SessionEnd | None
) -> SessionEnd:
    """Say why a session is over whose account no longer has its session token: the account
    is gone or deactivated, or else what last replaced the token (a sign-in elsewhere, a
    sign-out, a change by an administrator)."""
    if not account_found:
        return SessionEnd.UNKNOWN
    if not account_active:
        return SessionEnd.DEACTIVATED
    return recorded or SessionEnd.UNKNOWN


def signed_out_message(
    end: SessionEnd, limits: SessionLimits, contact: str = "an administrator"
) -> str:
    """What a member of staff is told when their session has ended: "You have been signed
    out: you signed in on another browser or device". A deactivated account is told whom to
    ask (`contact`)."""
    if end is SessionEnd.IDLE:
        why = f"there was no activity for {describe_span(limits.idle)}"
    elif end is SessionEnd.ABSOLUTE:
        why = f"you signed in {describe_span(limits.absolute)} ago, the longest a sign-in lasts"
    elif end is SessionEnd.DEACTIVATED:
        why = f"{end.label}. {ask_to_reactivate(contact)}"
    else:
        why = end.label
    return f"You have been signed out: {why}"
