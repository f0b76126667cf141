"""Sending messages to residents: when to try again, when to give up, what a delivery report
changes, and what the messages say (docs/rules.md, "Messages to residents").

A message tells a resident that something happened on their record and where to look. It never
says who reported what, and carries no personal data: the resident reads the detail after
signing in.
"""

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from app.rules.dates import time_on_date
from app.rules.disputes import ICO_RIGHT
from app.rules.vocabulary import AuthorityEndStatus, DisputeStatus, MessageStatus


class Failure(StrEnum):
    TRANSIENT = "transient"  # the provider may take it later: try again
    PERMANENT = "permanent"  # it will never be taken (a bad number, an opted-out resident)


@dataclass(frozen=True)
class RetryPolicy:
    first_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=1)
    max_attempts: int = 14


# HTTP statuses that say "not now" rather than "never".
_TRANSIENT_STATUSES = frozenset({408, 409, 425, 429})
# Refusals of the account, not of the message (bad credentials, a suspended or mistyped
# account): every message would be refused alike until someone fixes the settings, so they
# wait rather than fail.
_ACCOUNT_STATUSES = frozenset({401, 403, 404})
# Twilio error codes that come with a 400 yet mean "not now": the sender's queue is full.
_TRANSIENT_CODES = frozenset({21611, 30001})


def classify_failure(http_status: int | None, error_code: int | None = None) -> Failure:
    """Whether a failed send is worth trying again.

    No answer at all (a timeout, a refused connection), a server error (5xx), "too many
    requests" (429), a full sending queue, or a refusal of our account rather than of the
    message (401, 403, 404: the settings are wrong) are transient: the message may be taken
    later. A refusal of the message itself (400, e.g. 21211 invalid number, 21610 the
    resident opted out) is permanent: sending it again would be refused again.
    """
    if http_status is None or http_status >= 500:
        return Failure.TRANSIENT
    if http_status in _TRANSIENT_STATUSES or http_status in _ACCOUNT_STATUSES:
        return Failure.TRANSIENT
    if error_code in _TRANSIENT_CODES:
        return Failure.TRANSIENT
    return Failure.PERMANENT


def retry_delay(attempts: int, jitter: float, policy: RetryPolicy) -> timedelta:
    """How long to wait before the next try, after `attempts` tries have failed.

    The wait doubles with each failure from `first_delay`, never beyond `max_delay`, and
    `jitter` (a number in [0, 1)) takes up to half of it off, so that messages held back by
    one outage do not all come back at the same moment.
    """
    if attempts < 1:
        raise ValueError("retry_delay needs at least one failed attempt")
    if not 0 <= jitter < 1:
        raise ValueError("jitter must be in [0, 1)")
    exponent = min(attempts - 1, 32)  # past this the cap applies anyway
    full = min(policy.first_delay * 2**exponent, policy.max_delay)
    return full * (1 - jitter / 2)


def after_failure(attempts: int, failure: Failure, policy: RetryPolicy) -> MessageStatus:
    """Where a message stands after its `attempts`-th try failed: waiting for another try, or
    failed for good (a permanent refusal, or the last attempt allowed)."""
    if failure is Failure.PERMANENT or attempts >= policy.max_attempts:
        return MessageStatus.FAILED
    return MessageStatus.PENDING


# Every status Twilio documents for a message (its Message resource's `Status`), and ours for
# it. The steps before a final word say only that Twilio holds the message; "read" comes after
# "delivered" on channels that report it; a scheduled message that was canceled was never sent.
# "receiving" and "received" are the words of a message coming in: nothing to do with one we
# sent, so they change nothing.
TWILIO_STATUSES: dict[str, MessageStatus | None] = {
    "accepted": MessageStatus.SENT,
    "scheduled": MessageStatus.SENT,
    "queued": MessageStatus.SENT,
    "sending": MessageStatus.SENT,
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.DELIVERED,
    "partially_delivered": MessageStatus.UNDELIVERED,
    "undelivered": MessageStatus.UNDELIVERED,
    "failed": MessageStatus.FAILED,
    "canceled": MessageStatus.FAILED,
    "receiving": None,
    "received": None,
}
# How far along each of our statuses is: a report never moves a message back. The final ones
# are equal, so the first final word heard is the one kept.
_STAGE = {
    MessageStatus.PENDING: 0,
    MessageStatus.SENT: 1,
    MessageStatus.DELIVERED: 2,
    MessageStatus.UNDELIVERED: 2,
    MessageStatus.FAILED: 2,
}


def reported_status(reported: str) -> MessageStatus | None:
    """Our status for a word Twilio reports about a message, or None when it is not one of
    Twilio's words for a message we sent (including a word Twilio may add later)."""
    return TWILIO_STATUSES.get(reported.strip().lower())


def status_after_report(current: MessageStatus, reported: str) -> MessageStatus | None:
    """The status a delivery report moves a message to, or None when it changes nothing.

    Any of Twilio's words for a message it holds ("accepted", "queued", "sent"…) moves a
    message still waiting to be sent to sent: the provider has it, whatever the worker heard.
    A final word (delivered, read, partly delivered, undelivered, failed, canceled) moves it to
    delivered, not delivered or failed. Reports arrive out of order, and before the worker has
    recorded the send: a message never moves back, and a final status is kept.
    """
    new = reported_status(reported)
    if new is None or _STAGE[new] <= _STAGE[current]:
        return None
    return new


def may_have_been_taken(http_status: int | None) -> bool:
    """Whether the provider may hold a message although the send did not hear it say so.

    No answer at all (a timeout, a broken connection) or a server error may come after the
    provider took the message: before sending it again, the worker asks the provider whether
    it holds it. Any other answer is the provider saying it did not take it.
    """
    return http_status is None or http_status >= 500


# How far the provider's clock may run behind ours: a message it created a little before our
# attempt began, by its clock, is still the one we sent.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class HeldMessage:
    """A message the provider holds to the number we text, as it lists them."""

    sid: str
    body: str | None
    created_at: datetime | None
    status: str
    outgoing: bool = True


def already_held(
    body: str, since: datetime, held: Iterable[HeldMessage], recorded: Collection[str]
) -> HeldMessage | None:
    """The message the provider already holds for ours, or None when it holds none and ours
    may be sent again.

    Ours is a message going out with exactly our body, created since our earliest unanswered
    attempt began (less `CLOCK_SKEW`), under an id none of our other messages is recorded
    with (`recorded`: two messages with the same words to one number are two texts); the
    oldest such, when the provider holds more than one.
    """
    earliest = since - CLOCK_SKEW
    candidates = [
        message
        for message in held
        if message.outgoing
        and message.body == body
        and message.created_at is not None
        and message.created_at >= earliest
        and message.sid not in recorded
    ]
    return min(candidates, key=lambda message: (message.created_at, message.sid), default=None)


def report_made_text(portal_url: str) -> str:
    """The text telling a resident that someone reported something on their record."""
    return (
        "Someone reported something on your council record. You can see what was reported, "
        f"and tell us if it is wrong, at {portal_url}"
    )


def verification_locked_text(council_name: str, contact: str) -> str:
    """The text telling a resident that phone verification on their record was locked."""
    return (
        f"{council_name}: we have locked phone verification on your council record after "
        "several failed attempts to answer our security questions. This protects your record. "
        f"If this was not you, or you need help, contact us: {contact}"
    )


def portal_signed_in_text(council_name: str, signed_in_at: datetime, contact: str) -> str:
    """The text telling a resident that someone signed in to see their record online: when
    (a London time), and what to do if it was not them. Never the code, nothing from the
    record."""
    when = time_on_date(signed_in_at)
    return (
        f"{council_name}: someone signed in to see your council record online at {when}. "
        f"If this was not you, contact us straight away: {contact}"
    )


def dispute_opened_text(council_name: str, portal_url: str, contact: str) -> str:
    """The text telling a resident that a dispute was opened in their name, in the portal or on
    a call: where to follow it, and whom to tell if it was not them. Never which entry, what it
    says, or who opened the dispute."""
    return (
        f"{council_name}: a dispute was opened in your name about an entry on your council "
        f"record. You can follow it at {portal_url}. If you did not ask for this, contact us: "
        f"{contact}"
    )


def dispute_decided_text(outcome: DisputeStatus, portal_url: str) -> str:
    """The text telling a resident the outcome of their dispute: what we decided and where to
    read why, never who reported what. Not upheld carries the right to complain to the ICO."""
    if outcome is DisputeStatus.UPHELD:
        return (
            "We have looked into the entry you disputed on your council record and agree it "
            f"was not correct. We have marked it as incorrect. See the details at {portal_url}"
        )
    if outcome is DisputeStatus.NOT_UPHELD:
        return (
            "We have looked into the entry you disputed on your council record and decided "
            f"to keep it. See our reasons at {portal_url}. {ICO_RIGHT}"
        )
    raise ValueError(f"{outcome} is not a decision")


def authority_end_decided_text(
    outcome: AuthorityEndStatus, council_name: str, portal_url: str, contact: str
) -> str:
    """The text telling a resident what we decided on their request to end a legal authority:
    ended, or kept for now, and whom to contact. Never whose authority, or why."""
    if outcome is AuthorityEndStatus.ENDED:
        return (
            f"{council_name}: we have looked at your request to end a permission on your "
            f"council record, and ended it. See {portal_url}. If you did not ask for this, "
            f"contact us: {contact}"
        )
    if outcome is AuthorityEndStatus.KEPT:
        return (
            f"{council_name}: we have looked at your request to end a permission on your "
            f"council record. It stays in place for now. To talk to us about it, contact us: "
            f"{contact}"
        )
    raise ValueError(f"{outcome} is not a decision")


def last_digits(e164: str, shown: int = 3) -> str:
    """The end of a phone number, all staff are shown of it outside a call."""
    return e164[-shown:]


# A run of seven or more digits, perhaps with a "+", spaces, dots, hyphens or brackets
# between them: a phone number as a provider's words may quote one.
_NUMBER_IN_WORDS = re.compile(r"\+?\(?\d[\d\s().-]{5,}\d")
NUMBER_LEFT_OUT = "[a number]"


def without_phone_numbers(words: str) -> str:
    """A provider's words for the log and a message's last error, with any phone number they
    quote left out (Twilio says "The 'To' number +447700900123 is not a valid phone
    number")."""

    def leave_out(found: re.Match[str]) -> str:
        digits = sum(ch.isdigit() for ch in found.group())
        return NUMBER_LEFT_OUT if digits >= 7 else found.group()

    return _NUMBER_IN_WORDS.sub(leave_out, words)
