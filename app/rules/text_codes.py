"""Codes sent by text as a verification factor (docs/rules.md rule 3).

A code goes only to a number already on file, never to one the caller dictates. It lasts a
few minutes, can be checked a few times, and only a few are sent to one resident an hour, so
guessing is slower than the lock. The factor is held when the number cannot be trusted to
reach the resident or representative: its SIM was swapped lately, it was put on file lately,
or it is a line that cannot take texts. No Flask, no database, no clock: callers pass `now`
and plain facts.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.rules.disputes import LONDON


@dataclass(frozen=True)
class TextCodePolicy:
    """How long a code lasts, how often it may be checked and sent, and how recent a change
    to the number holds the factor."""

    expiry_minutes: int = 10
    max_checks: int = 5
    sends_per_hour: int = 3
    recent_change_days: int = 7

    def __post_init__(self) -> None:
        if min(self.expiry_minutes, self.max_checks, self.sends_per_hour) < 1:
            raise ValueError("a text code policy needs at least one minute, check and send")
        if self.recent_change_days < 0:
            raise ValueError("recent_change_days cannot be negative")

    @property
    def lifetime(self) -> timedelta:
        return timedelta(minutes=self.expiry_minutes)

    @property
    def recent(self) -> timedelta:
        return timedelta(days=self.recent_change_days)


@dataclass(frozen=True)
class LineFacts:
    """What is known about a number on file before a code is sent to it.

    `sim_swapped_within` is the period in which the provider says the SIM was last swapped
    (None: not swapped, or not known); `number_added_at` is when the number was put on file
    (None: before such dates were kept); `can_take_texts` is False for a landline.
    """

    sim_swapped_within: timedelta | None = None
    number_added_at: datetime | None = None
    can_take_texts: bool = True
    forwarded: bool = False


def hold_reason(facts: LineFacts, now: datetime, policy: TextCodePolicy) -> str | None:
    """Say why a code must not be sent to this number, in the handler's words, or None.

    A swapped SIM or a number put on file lately is how someone takes over a resident's
    texts, so either holds the factor for `recent_change_days`. A landline cannot take the
    code at all. Forwarding alone does not hold it: the handler is told (`line_warning`).
    """
    if not facts.can_take_texts:
        return "This number cannot take texts (it looks like a landline). Use the questions"
    recent = policy.recent
    if facts.sim_swapped_within is not None and facts.sim_swapped_within <= recent:
        return (
            f"The SIM card for this number was changed in the last {policy.recent_change_days} "
            "days, so a text code may not reach the real owner. Use the questions"
        )
    added_at = facts.number_added_at
    if added_at is not None and now < codes_allowed_from(added_at, policy):
        return recently_put_on_file(added_at, policy)
    return None


def codes_allowed_from(number_added_at: datetime, policy: TextCodePolicy) -> datetime:
    """When a code may first go to a number put on file at `number_added_at`: the full
    `recent_change_days` later. Every number put on file starts its own hold, so a number
    changed back and forth is never freed sooner (app/rules/phone_changes.py)."""
    return number_added_at + policy.recent


def recently_put_on_file(number_added_at: datetime, policy: TextCodePolicy) -> str:
    """Why a number put on file lately is held, with when it was and when codes may go to it,
    in London time."""
    added = number_added_at.astimezone(LONDON)
    allowed = codes_allowed_from(number_added_at, policy).astimezone(LONDON)
    year = f" {allowed.year}" if allowed.year != added.year else ""
    return (
        f"This number was put on file on {added.day} {added:%B}; codes can go to it from "
        f"{allowed:%H:%M} on {allowed.day} {allowed:%B}{year}. Use the questions"
    )


def line_warning(facts: LineFacts) -> str | None:
    """What the handler should know about a number that does not stop the code being sent."""
    if facts.forwarded:
        return "Calls to this number are forwarded elsewhere: be sure the caller is who they say"
    return None


def send_refusal(sends_in_last_hour: int, policy: TextCodePolicy) -> str | None:
    """Say why no more codes may be sent to this resident's numbers now, or None. Sends are
    counted per resident across calls and handlers, over the last hour."""
    if sends_in_last_hour >= policy.sends_per_hour:
        return (
            f"{policy.sends_per_hour} codes have been sent for this resident in the last hour. "
            "Use the questions, or try again later"
        )
    return None


def expires_at(sent_at: datetime, policy: TextCodePolicy) -> datetime:
    """When a code sent at `sent_at` stops working."""
    return sent_at + policy.lifetime


def is_expired(code_expires_at: datetime, now: datetime) -> bool:
    """Say whether a code has stopped working: at its expiry time it no longer counts."""
    return now >= code_expires_at


def checks_left(checks_made: int, policy: TextCodePolicy) -> int:
    """How many more times a code may be checked."""
    return max(policy.max_checks - checks_made, 0)


def check_refusal(checks_made: int, policy: TextCodePolicy) -> str | None:
    """Say why a code may not be checked again, or None: after `max_checks` checks it is
    spent, and a new one must be sent."""
    if checks_left(checks_made, policy) == 0:
        return (
            f"This code has been checked {policy.max_checks} times and no longer works. "
            "Send a new code"
        )
    return None
