"""What the call page asks every few seconds: is what it shows about disclosure still true?

The answer is read from the database on every request, so any app process gives the same one,
and it writes nothing: asking is not activity on the call (it never keeps a verification
alive) and discloses nothing (no record is read, nothing is audited). It says whether the
caller may be told anything, until when a verification stands unless the call is worked, why
a verification or the call ended, and a version that changes whenever the record panel would
decide differently, so the page asks for the panel again, and only then. The panel itself is
decided afresh, as on every request: this answer is never a reason to disclose.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from app import clock
from app.extensions import db
from app.models import Call, Permission
from app.rules.call_verification import (
    Standing,
    VerificationEnd,
    VerificationEnded,
    as_sentence,
    call_closed_words,
    ended_reason,
    permission_end,
)
from app.rules.disclosure import Disclosure, VerifiedAs
from app.rules.vocabulary import CallOutcome
from app.services import call_state, calls, permissions


@dataclass(frozen=True)
class CallStatus:
    call_open: bool
    may_disclose: bool  # the disclosure gate lets the handler discuss something now
    verified: bool  # the caller counts as verified on this call now
    # While a verification lets the handler disclose: when it lapses unless the call is
    # worked, and what the page says then ("Verification ended at 10:42: 20 minutes ...").
    verified_until: datetime | None
    lapse: str | None
    # Why the verification made on this call ended, or the call itself, once it has.
    ended: str | None
    version: str  # changes whenever the record panel would say something else


def fetch_call_status(
    call: Call, now: datetime, disclosure: Disclosure | None = None
) -> CallStatus:
    """The call's status now (see the module's docstring). `disclosure` is the decision this
    request has already taken on the call (the page's record panel), if any."""
    standing = call_state.standing(call, now)
    disclosure = disclosure or calls.disclosure_for(call, clock.local(now).date())
    verified = call.is_open and standing.verified_as is not VerifiedAs.NOBODY
    until = standing.until if verified and disclosure.allowed else None
    lapse = _words(VerificationEnded(VerificationEnd.IDLE, until)) if until else None
    ended = _ended(call, standing, now)
    version = _digest(
        call.is_open,
        disclosure.allowed,
        disclosure.reason,
        sorted(disclosure.areas),
        disclosure.duty_to_share,
        standing.verified_as.value,
        ended,
        call.resident_id,
        call.caller_type.value,
        call.permission_id,
    )
    return CallStatus(call.is_open, disclosure.allowed, verified, until, lapse, ended, version)


def _ended(call: Call, standing: Standing, now: datetime) -> str | None:
    """Why the call, or the verification made on it, ended; None while neither has."""
    if not call.is_open:
        automatically = call.outcome is CallOutcome.CLOSED_AUTOMATICALLY
        return call_closed_words(call.ended_at, automatically, call_state.max_length())
    if standing.ended is not None:
        return _words(standing.ended)
    if standing.is_representative and call.permission_id is not None:
        # The verification stands, but the permission it was made under no longer does.
        permission = db.session.get(Permission, call.permission_id)
        ended = permission_end(permissions.facts_for(permission), clock.local(now).date())
        return _words(ended) if ended is not None else None
    return None


def _words(ended: VerificationEnded) -> str:
    return as_sentence(ended_reason(ended, call_state.idle_limit()))


def _digest(*parts) -> str:
    return hashlib.blake2s(repr(parts).encode(), digest_size=8).hexdigest()
