"""The telephone line of a call: the handler's browser answering, the caller put through to
exactly the call the handler took, held, hung up, and the line's end as the provider tells it.

Taking a call is claimed in the database first, in a unit of work of its own (one
conditional UPDATE: two handlers taking one call, one of them gets it); only then, with no
transaction open, is the provider asked to move that `CallSid` to the handler; the outcome is
recorded after, in another unit of work. If the provider refuses, the call goes back to
waiting for someone else, and the handler is told. The same for hold, resume and hang-up: the
provider is asked outside any lock, then what it did is recorded.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import update

from app.extensions import db
from app.models import Call, StaffUser
from app.providers import ProviderUnavailable, providers
from app.providers.voice import Voice
from app.refusals import NotFound, Refused
from app.rules.audit_actions import AuditAction
from app.rules.call_verification import VerificationEnd
from app.services import audit, call_state, calls, waiting_calls
from app.services.transactions import transactional

NOT_PUT_THROUGH = (
    "The caller could not be put through to you, so the call is waiting again for someone "
    "else. Check that this page says your browser is ready to answer calls"
)
NO_LINE = "This call did not come through the phone system: there is no line to hold or hang up"
LINE_GONE = "The line has already ended"
LINE_DID_NOT_ANSWER = "The phone system did not answer. Try again"
NO_VOICE = "Calls cannot be answered in the browser here: the phone system is not set up"
# Twilio's DialCallStatus when the handler's browser or desk phone never answered.
NOT_ANSWERED = frozenset({"no-answer", "busy", "failed", "canceled"})


class LineAction:
    HOLD = "hold"
    RESUME = "resume"
    HANG_UP = "hang-up"

    ALL = (HOLD, RESUME, HANG_UP)


@dataclass(frozen=True)
class VoiceToken:
    token: str
    identity: str
    expires_in: int  # seconds
    console: bool  # the console stands in: nothing rings, the controls act on nothing


def _voice() -> Voice:
    voice = providers().voice
    if voice is None:
        raise Refused(NO_VOICE)
    return voice


def voice_token(staff: StaffUser) -> VoiceToken:
    """A token for this member of staff's browser to answer calls under their own identity
    (from their id, never their email), for at most an hour. Signed here: nothing is asked of
    the provider, and nothing is written."""
    voice = _voice()
    ttl = min(int(current_app.config["VOICE_TOKEN_TTL_SECONDS"]), 3600)
    try:
        token = voice.access_token(staff.voice_identity, ttl_seconds=ttl)
    except ProviderUnavailable as error:
        current_app.logger.warning("no voice token: %s", error.detail)
        raise Refused(NO_VOICE) from None
    return VoiceToken(token, staff.voice_identity, ttl, voice.is_console)


@dataclass(frozen=True)
class LineTarget:
    """What the provider is asked with, read before it is asked: no transaction stays open
    while it answers."""

    call_id: int
    call_sid: str
    handler_id: int
    identity: str
    desk_number: str | None


def _target(call: Call, handler: StaffUser) -> LineTarget:
    return LineTarget(
        call.id, call.provider_call_sid, handler.id, handler.voice_identity, handler.desk_number
    )


def _connect(voice: Voice, target: LineTarget) -> None:
    if target.desk_number:
        voice.connect_to_number(target.call_sid, target.desk_number, target.call_id)
    else:
        voice.connect_to_client(target.call_sid, target.identity, target.call_id)


@transactional
def _claim(call_id: int, handler: StaffUser) -> LineTarget | None:
    """Claim the waiting call for this handler (one conditional UPDATE); what to put through
    where, or None when this handler had it already."""
    call, claimed = waiting_calls.claim_call(call_id, handler)
    return _target(call, handler) if claimed else None


def answer_call(call_id: int, handler: StaffUser) -> Call:
    """Take a waiting call and put exactly its caller through to this handler: claimed in the
    database first, then the provider asked with no transaction open, then the outcome
    recorded. A provider that refuses puts the call back to waiting, and the handler is told.
    A second click by the handler who has it moves nothing again."""
    target = _claim(call_id, handler)
    voice = providers().voice
    if target is not None and voice is not None:
        try:
            _connect(voice, target)
        except ProviderUnavailable as error:
            current_app.logger.warning("call %s not put through: %s", call_id, error.detail)
            _put_back(call_id, target.handler_id, reason="provider refused")
            raise Refused(NOT_PUT_THROUGH) from None
        _record_line(call_id, AuditAction.LINE_ANSWERED, handler.id, line_held=False)
    # Without a phone system (production without Twilio) the call is taken on screen alone.
    return db.session.get(Call, call_id)


@transactional
def _put_back(call_id: int, handler_id: int, reason: str) -> bool:
    """Give the call back to the waiting list, if it is still this handler's, open, and its
    line has not ended. True if this put it back."""
    returned = db.session.execute(
        update(Call)
        .where(
            Call.id == call_id,
            Call.handler_id == handler_id,
            Call.ended_at.is_(None),
            Call.line_ended_at.is_(None),
        )
        .values(handler_id=None, taken_at=None, line_held=False)
        .execution_options(synchronize_session=False)
    )
    if returned.rowcount != 1:
        return False
    audit.record(
        AuditAction.LINE_CONNECT_FAILED, staff_id=handler_id, call_id=call_id, reason=reason
    )
    return True


@transactional
def _record_line(call_id: int, action: AuditAction, handler_id: int, **values) -> None:
    if values:
        db.session.execute(
            update(Call)
            .where(Call.id == call_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    audit.record(action, staff_id=handler_id, call_id=call_id)


def dial_ended(call_id: int | None, call_sid: str, dial_status: str) -> bool:
    """The provider's word that putting a call through to its handler ended: not answered
    (the browser not registered, the desk phone not picked up), so the call waits again for
    someone else; True then. Answered, then ended, or a call we do not know: nothing changes.
    Told again, nothing changes twice."""
    if call_id is None or dial_status not in NOT_ANSWERED:
        return False
    call = db.session.get(Call, call_id)
    if call is None or call.provider_call_sid != call_sid or call.handler_id is None:
        return False
    return _put_back(call.id, call.handler_id, reason=f"not answered ({dial_status})")


def _line_target(call_id: int, handler: StaffUser, now: datetime) -> tuple[LineTarget, bool]:
    """The handler's own open call with a live line, and whether it is on hold, read and then
    let go: the provider is asked with no transaction open."""
    call = calls.get_open_call_or_404(call_id, handler, now)
    if call.provider_call_sid is None:
        raise Refused(NO_LINE)
    if call.line_ended is not None:
        raise Refused(LINE_GONE)
    target, held = _target(call, handler), bool(call.line_held)
    db.session.rollback()  # a read: nothing was written, and nothing stays open
    return target, held


def act_on_line(call_id: int, action: str, handler: StaffUser, now: datetime) -> Call:
    """Hold the caller (they hear the hold message), put them back through, or hang up:
    the provider asked first, with no transaction open, then what it did recorded."""
    if action not in LineAction.ALL:
        raise NotFound
    target, held = _line_target(call_id, handler, now)
    if (action == LineAction.HOLD and held) or (action == LineAction.RESUME and not held):
        return db.session.get(Call, call_id)  # pressed twice: the line is as asked already
    voice = _voice()
    hold_message = current_app.config["TWILIO_HOLD_MESSAGE"]
    try:
        if action == LineAction.HOLD:
            voice.hold(target.call_sid, hold_message)
        elif action == LineAction.RESUME:
            _connect(voice, target)
        else:
            voice.hang_up(target.call_sid)
    except ProviderUnavailable as error:
        current_app.logger.warning("line %s on call %s failed: %s", action, call_id, error.detail)
        _record_line(call_id, AuditAction.LINE_ACTION_FAILED, target.handler_id)
        raise Refused(LINE_DID_NOT_ANSWER) from None
    if action == LineAction.HANG_UP:
        _hung_up_by_handler(call_id, target.handler_id, now)
    elif action == LineAction.HOLD:
        _record_line(call_id, AuditAction.LINE_HELD, target.handler_id, line_held=True)
    else:
        _record_line(call_id, AuditAction.LINE_RESUMED, target.handler_id, line_held=False)
    return db.session.get(Call, call_id)


@transactional
def _hung_up_by_handler(call_id: int, handler_id: int, now: datetime) -> None:
    call = db.session.get(Call, call_id)
    try:
        call_state.lock_call(call, now)
    except NotFound:
        return  # ended meanwhile: nothing to record
    if call.line_ended_at is None:
        call_state.reset_verification(call, VerificationEnd.HUNG_UP, now)
        call.line_ended_at = now
        call.line_ended_by_handler = True
        call.line_held = False
    audit.record_on_call(AuditAction.LINE_HUNG_UP, call, staff_id=handler_id)
