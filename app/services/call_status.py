"""What the call page asks every few seconds: is what it shows about disclosure still true?

The answer is part of the call's read model (app/services/call_workspace.py), read from the
database on every request, so any app process gives the same one, and it writes nothing:
asking is not activity on the call (it never keeps a verification alive) and discloses
nothing (no record is read, nothing is audited). It says whether the caller may be told
anything, until when a verification stands unless the call is worked, why a verification or
the call ended, and a version that changes whenever the record panel would decide
differently, so the page asks for the panel again, and only then. The panel itself is
decided afresh, as on every request: this answer is never a reason to disclose.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from app.models import Call
from app.rules.call_verification import (
    Standing,
    VerificationEnd,
    VerificationEnded,
    as_sentence,
    ended_reason,
    permission_end,
)
from app.rules.disclosure import Disclosure, VerifiedAs
from app.services import call_state, permissions
from app.services.call_state import Closure


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
    # The telephone line, for a call that came through the provider: "The caller hung up at
    # 10:42" once it ended, and whether the caller is on hold.
    has_line: bool = False
    line_ended: str | None = None
    line_held: bool = False


def call_status(
    call: Call, closure: Closure | None, standing: Standing, disclosure: Disclosure, today: date
) -> CallStatus:
    """The call's status from what the read model decided about it (see the module's
    docstring): how it ended (`closure`, None while open), who the caller counts as verified
    as, and the disclosure decision, all from one moment; `today` is that moment's date."""
    call_open = closure is None
    verified = call_open and standing.verified_as is not VerifiedAs.NOBODY
    until = standing.until if verified and disclosure.allowed else None
    lapse = _words(VerificationEnded(VerificationEnd.IDLE, until)) if until else None
    ended = _ended(call, closure, standing, today)
    version = _digest(
        call_open,
        disclosure.allowed,
        disclosure.reason,
        sorted(disclosure.areas),
        disclosure.duty_to_share,
        standing.verified_as.value,
        ended,
        call.resident_id,
        call.caller_type.value,
        call.permission_id,
        call.line_ended_at,
        call.line_held,
    )
    line = call.line_ended
    return CallStatus(
        call_open,
        disclosure.allowed,
        verified,
        until,
        lapse,
        ended,
        version,
        has_line=call.provider_call_sid is not None,
        line_ended=line.sentence if line is not None else None,
        line_held=bool(call.line_held) and line is None,
    )


def answer_version(*parts) -> str:
    """The version of an answer to the poll made of `parts`: the same while they are."""
    return _digest(*parts)


def _ended(call: Call, closure: Closure | None, standing: Standing, today: date) -> str | None:
    """Why the call, or the verification made on it, ended; None while neither has."""
    if closure is not None:
        return closure.words
    if call.line_ended is not None:
        return call.line_ended.sentence
    if standing.ended is not None:
        return _words(standing.ended)
    if standing.is_representative and call.permission is not None:
        # The verification stands, but the permission it was made under no longer does.
        ended = permission_end(permissions.facts_for(call.permission), today)
        return _words(ended) if ended is not None else None
    return None


def _words(ended: VerificationEnded) -> str:
    return as_sentence(ended_reason(ended, call_state.idle_limit()))


def _digest(*parts) -> str:
    return hashlib.blake2s(repr(parts).encode(), digest_size=8).hexdigest()
