"""Calls that come in through the provider: recorded when Twilio tells us of them, closed when
it tells us they ended.

Twilio retries a webhook it did not hear back from, and may send two at once: a call is keyed by
its `CallSid` (unique in the database), so however many times it is told, there is one call.
"""

import secrets

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Call
from app.models.types import utcnow
from app.rules.audit_actions import AuditAction
from app.rules.call_verification import VerificationEnd
from app.rules.vocabulary import CallOutcome
from app.services import audit, call_state
from app.services.transactions import transactional

# CallStatus values after which the call is over (Twilio's call resource).
FINAL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
# The ones before: nothing to do yet.
PROGRESS_STATUSES = frozenset({"queued", "initiated", "ringing", "in-progress"})


def _by_sid(call_sid: str) -> Call | None:
    return db.session.scalar(select(Call).where(Call.provider_call_sid == call_sid))


def record_inbound_call(call_sid: str, caller_number: str | None) -> Call:
    """The call Twilio is telling us about, waiting for a handler: made the first time, found
    every time after. `caller_number` is E.164, or None when the caller withheld it."""
    existing = _by_sid(call_sid)
    if existing is not None:
        return existing
    try:
        return _save_inbound_call(call_sid, caller_number)
    except IntegrityError:
        # The same webhook, sent again at the same moment, made the call first.
        existing = _by_sid(call_sid)
        if existing is None:
            raise
        return existing


@transactional
def _save_inbound_call(call_sid: str, caller_number: str | None) -> Call:
    call = Call(
        provider_call_sid=call_sid,
        handler_id=None,
        caller_number=caller_number,
        caller_number_withheld=caller_number is None,
        started_at=utcnow(),
    )
    db.session.add(call)
    db.session.flush()
    audit.record(AuditAction.CALL_ARRIVED, call_id=call.id, withheld=caller_number is None)
    return call


@transactional
def close_provider_call(call_sid: str, status: str, duration_seconds: int | None) -> Call | None:
    """Record that the line has ended, with Twilio's final status and duration; None if no
    call has this `CallSid`.

    A call nobody took is over: it is closed. A call a handler took stays open for them to
    finish (log what the caller said, end it with an outcome), but its line has ended and its
    verification with it: nobody is on the line to disclose to. Told again (Twilio retries),
    or told late, nothing changes a second time.
    """
    call = _by_sid(call_sid)
    if call is None:
        return None
    if call.provider_status in FINAL_STATUSES:
        return call  # told before: a retried callback changes nothing
    now = utcnow()
    closed = db.session.execute(
        update(Call)
        .where(Call.id == call.id, Call.handler_id.is_(None), Call.ended_at.is_(None))
        .values(
            ended_at=now,
            outcome=CallOutcome.DROPPED,
            provider_status=status,
            duration_seconds=duration_seconds,
        )
        .execution_options(synchronize_session=False)
    )
    if closed.rowcount == 1:
        audit.record(AuditAction.CALL_ENDED_WAITING, call_id=call.id, provider_status=status)
        return call
    # Taken (or ended by its handler): keep the provider's word, as the first write, which
    # holds the call's row like call_state.lock_call does.
    db.session.execute(
        update(Call)
        .where(Call.id == call.id)
        .values(provider_status=status, duration_seconds=duration_seconds)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(call)
    if call.line_call_sid not in (None, call_sid):
        # The line is a call back to the resident now: the first caller going ends nothing.
        audit.record_on_call(
            AuditAction.CALL_LINE_ENDED, call, staff_id=call.handler_id, provider_status=status
        )
        return call
    if call.is_open:
        call_state.reset_verification(call, VerificationEnd.HUNG_UP, now)
    if call.line_ended_at is None:
        # The moment the call page says "The caller hung up at 10:42", and from which nothing
        # may be disclosed, whichever app process the handler's page asks.
        call.line_ended_at = now
        call.line_held = False
    audit.record_on_call(
        AuditAction.CALL_LINE_ENDED, call, staff_id=call.handler_id, provider_status=status
    )
    return call


def simulate_call(caller_number: str | None, staff_id: int) -> Call:
    """Development only: a call from `caller_number` (E.164, or None for a withheld number)
    waits as if the provider had told us of it, under a made-up `CallSid`, so the whole call
    can be tried without a phone system. The console voice stands in for the line."""
    call = record_inbound_call("CA" + secrets.token_hex(16), caller_number)
    _note_simulated(call.id, staff_id)
    return call


@transactional
def _note_simulated(call_id: int, staff_id: int) -> None:
    audit.record(AuditAction.CALL_SIMULATED, staff_id=staff_id, call_id=call_id)
