"""Codes sent by text as a verification factor (docs/rules.md rule 3).

A code goes only to a number already on file, never to one the caller dictates. It lasts a
few minutes, can be checked a few times, and only a few are sent to one resident an hour, so
guessing is slower than the lock. The factor is held when the number cannot be trusted to
reach the resident or representative: its SIM was swapped lately, it was put on file lately,
or it is a line that cannot take texts; and, unless the council chose otherwise, when Twilio
Lookup cannot say whether the SIM was swapped: an answer that says nothing is never taken as
"not swapped". No Flask, no database, no clock: callers pass `now` and plain facts.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from app.rules.disputes import LONDON


class LookupUnknown(StrEnum):
    """What to do when Twilio Lookup cannot say whether a number's SIM was changed lately."""

    HOLD = "hold"  # refuse the code, with the reason shown to the handler
    WARN = "warn"  # send it, and tell the handler


@dataclass(frozen=True)
class TextCodePolicy:
    """How long a code lasts, how often it may be checked and sent, how recent a change to
    the number holds the factor, and what an answer from Lookup that says nothing does."""

    expiry_minutes: int = 10
    max_checks: int = 5
    sends_per_hour: int = 3
    recent_change_days: int = 7
    lookup_unknown: LookupUnknown = LookupUnknown.HOLD

    def __post_init__(self) -> None:
        # Read from a setting as plain text; anything but "hold" or "warn" is refused here.
        object.__setattr__(self, "lookup_unknown", LookupUnknown(self.lookup_unknown))
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
class SimSwap:
    """What Twilio Lookup said about the last change of a number's SIM card.

    `swapped_in_period` says whether it was changed within `period` (an hour, a day, or the
    time since the change itself, when the carrier gives its date); `last_swapped_at` is that
    date. A field the answer did not carry, or carried in a form that could not be read, is
    None: an answer with every field None (an `error_code`, no SIM swap package at all) says
    nothing, and `SIM_SWAP_UNKNOWN` is that answer.
    """

    swapped_in_period: bool | None = None
    period: timedelta | None = None
    last_swapped_at: datetime | None = None


SIM_SWAP_UNKNOWN = SimSwap()


class SimSwapState(StrEnum):
    """What Lookup's answer says of the SIM over the recent window (`sim_swap_state`)."""

    NOT_ASKED = "not-asked"  # Lookup is not used: only the date the number was put on file counts
    CHANGED = "changed"  # changed within the recent window
    UNCHANGED = "unchanged"  # not changed within the recent window
    UNKNOWN = "unknown"  # the answer does not say either way


@dataclass(frozen=True)
class LineFacts:
    """What is known about a number on file before a code is sent to it.

    `sim_swap` is Lookup's answer (None: Lookup was not asked); `number_added_at` is when the
    number was put on file (None: before such dates were kept); `can_take_texts` is False for
    a landline; `forwarded` is whether calls to it are forwarded (None: Lookup could not say).
    """

    sim_swap: SimSwap | None = None
    number_added_at: datetime | None = None
    can_take_texts: bool = True
    forwarded: bool | None = False


def sim_swap_state(answer: SimSwap | None, now: datetime, policy: TextCodePolicy) -> SimSwapState:
    """Whether the SIM was changed within the recent window, as far as Lookup's answer says.

    The date of the last change, when given, says exactly when: within the window it was
    changed. Without it, "changed within a period no longer than the window" is changed, and
    "not changed within a period at least as long as the window" is unchanged. Anything else
    leaves the window uncovered and is unknown, never taken as unchanged: an answer without
    the SIM swap package or with an error code, a period missing or unreadable, "changed
    within the last 30 days" against a 7-day window, or "not changed within a day". Of two
    parts that disagree, the one that says changed counts.
    """
    if answer is None:
        return SimSwapState.NOT_ASKED
    window = policy.recent
    dated = answer.last_swapped_at
    period = answer.period
    if dated is not None and now - dated < window:
        return SimSwapState.CHANGED
    if answer.swapped_in_period is True and period is not None and period <= window:
        return SimSwapState.CHANGED
    if dated is not None:
        return SimSwapState.UNCHANGED
    if answer.swapped_in_period is False and period is not None and period >= window:
        return SimSwapState.UNCHANGED
    return SimSwapState.UNKNOWN


SIM_UNKNOWN = "Twilio could not say whether this number's SIM was changed lately"
FORWARDING_UNKNOWN = "Twilio could not say whether calls to this number are forwarded"
BE_SURE = "be sure the caller is who they say"


def hold_reason(facts: LineFacts, now: datetime, policy: TextCodePolicy) -> str | None:
    """Say why a code must not be sent to this number, in the handler's words, or None.

    A swapped SIM or a number put on file lately is how someone takes over a resident's
    texts, so either holds the factor for `recent_change_days`. When Lookup cannot say
    whether the SIM was changed, the code is held too, unless the council chose to be warned
    instead (`lookup_unknown`). A landline cannot take the code at all. Forwarding alone does
    not hold it, known or not: the handler is told (`line_warning`).
    """
    if not facts.can_take_texts:
        return "This number cannot take texts (it looks like a landline). Use the questions"
    swap = sim_swap_state(facts.sim_swap, now, policy)
    if swap is SimSwapState.CHANGED:
        return (
            f"The SIM card for this number was changed in the last {policy.recent_change_days} "
            "days, so a text code may not reach the real owner. Use the questions"
        )
    added_at = facts.number_added_at
    if added_at is not None and now < codes_allowed_from(added_at, policy):
        return recently_put_on_file(added_at, policy)
    if swap is SimSwapState.UNKNOWN and policy.lookup_unknown is LookupUnknown.HOLD:
        return f"{SIM_UNKNOWN}, so a text code may not reach the real owner. Use the questions"
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


def line_warning(facts: LineFacts, now: datetime, policy: TextCodePolicy) -> str | None:
    """What the handler should know about a number a code is sent to: its calls forwarded,
    or Lookup unable to say whether they are, or (when the council chose to be warned rather
    than hold the code) whether its SIM was changed lately."""
    warnings = []
    swap = sim_swap_state(facts.sim_swap, now, policy)
    if swap is SimSwapState.UNKNOWN and policy.lookup_unknown is LookupUnknown.WARN:
        warnings.append(f"{SIM_UNKNOWN}: {BE_SURE}")
    if facts.forwarded is None:
        warnings.append(f"{FORWARDING_UNKNOWN}: {BE_SURE}")
    elif facts.forwarded:
        warnings.append(f"Calls to this number are forwarded elsewhere: {BE_SURE}")
    return ". ".join(warnings) or None


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


def call_code_text(code: str, council_name: str) -> str:
    """The text carrying a code for a caller to read back to the handler on a call."""
    return (
        f"{council_name}: your verification code is {code}. Read it to the person at the "
        "council you are speaking to now. Never give it to anyone else."
    )


def portal_code_text(code: str, council_name: str, policy: TextCodePolicy) -> str:
    """The text carrying the code a resident types to sign in to the portal."""
    return (
        f"{council_name}: your code to sign in to see your council record is {code}. It works "
        f"for {policy.expiry_minutes} minutes. Never give it to anyone, even someone from the "
        "council."
    )
