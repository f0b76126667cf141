"""Ringing the resident back on a number on file: a new leg of the same call.

A caller who says they are the resident but cannot answer the questions can be rung back on
a number on the record, chosen by its last digits, from the council's own caller ID.
Whoever answers there and presses 1 has shown they hold a number on the resident's record,
which verifies them (`Factor.CALL_BACK`, app/rules/verification.py), as a text code read back
does; the check goes through `verification.check_on_call`, so it is an attempt like any
other and the lock applies.

The leg is written first (with the number's ending, never the number) and committed; the
provider is asked with no transaction open; what it answered is recorded after. Twilio tells
us of the answer (`call_back_answered`) and of the leg's end (its status callback, through
`leg_ended`), each believed once: a replay changes nothing.
"""

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from app.extensions import db
from app.models import Call, CallLeg, StaffUser
from app.models.types import utcnow
from app.providers import ProviderUnavailable, providers
from app.refusals import NotFound, Refused
from app.rules.audit_actions import AuditAction
from app.rules.call_verification import (
    CallBackFacts,
    Check,
    VerificationEnd,
    call_back_refusal,
)
from app.rules.disclosure import VerifiedAs
from app.rules.outbox import last_digits
from app.rules.text_codes import LineFacts, hold_reason
from app.rules.verification import FactorResult, assess_resident_verification
from app.rules.vocabulary import CallerType, Factor
from app.services import audit, call_state, calls, text_codes, verification
from app.services.live_call import LineTarget
from app.services.transactions import transactional

PROVIDER_DOWN = "The phone system did not answer, so nobody was rung. Try again"
NO_PHONE_SYSTEM = (
    "This call did not come through the phone system, so it cannot ring back: use your own phone"
)
PRESS_ONE = "Press 1 to be put through"
# How long a call back counts as still ringing when the provider has not said it ended.
RINGING_FOR = timedelta(minutes=2)


@dataclass(frozen=True)
class Ringing:
    """A call back written as asked for, before the provider is asked."""

    leg_id: int
    number: str
    caller_id: str


@dataclass(frozen=True)
class RungBack:
    number_ending: str


def caller_id() -> str | None:
    return current_app.config.get("TWILIO_CALLER_ID") or None


def ring_back(
    call_id: int, choice: str, shown_for: str, handler: StaffUser, now: datetime
) -> RungBack:
    """Ring the resident back on the number on file `choice` names, from the council's
    caller ID, as a new leg of this call. Refused (and nobody rung) when the rules say no."""
    voice = providers().voice
    if voice is None:
        raise Refused(NO_PHONE_SYSTEM)
    ringing = _ask(call_id, choice, shown_for, handler, now)
    council = current_app.config["COUNCIL_NAME"]
    greeting = f"This is {council} calling you back, as you asked. {PRESS_ONE}."
    try:
        sid = voice.call_back(ringing.number, ringing.caller_id, ringing.leg_id, greeting)
    except ProviderUnavailable as error:
        current_app.logger.warning("call back not made: %s", error.detail)
        _not_rung(ringing.leg_id)
        raise Refused(PROVIDER_DOWN) from None
    _rung(ringing.leg_id, sid)
    return RungBack(last_digits(ringing.number))


@transactional
def _ask(call_id: int, choice: str, shown_for: str, handler: StaffUser, now: datetime) -> Ringing:
    call = calls.get_open_call_or_404(call_id, handler, now)
    call_state.lock_call(call, now)
    if call.provider_call_sid is None:
        raise Refused(NO_PHONE_SYSTEM)
    if shown_for != verification.subject_token(call):
        raise Refused(verification.STALE_FORM)
    number, added_at, held = None, None, None
    resident = verification.lock_resident(call) if call.resident_id is not None else None
    if resident is not None and call.caller_type is CallerType.RESIDENT:
        number, added_at = text_codes.number_on_file(call, resident, choice)
        held = hold_reason(LineFacts(number_added_at=added_at), now, text_codes.text_code_policy())
    lock = verification.lock_state(resident.id, now) if resident is not None else None
    facts = CallBackFacts(
        line_live=call.line_ended is None,
        verified=call_state.verified_as(call, now) is not VerifiedAs.NOBODY,
        locked=lock is not None and lock.locked,
        caller_id_set=caller_id() is not None,
        number_held=held,
        ringing_ending=_ringing(call.id, now),
    )
    if refusal := call_back_refusal(call.subject, facts):
        raise Refused(refusal, field="phone")
    leg = CallLeg(
        call_id=call.id,
        handler_id=handler.id,
        resident_id=resident.id,
        phone_id=int(choice),
        number_ending=last_digits(number),
        shown_for=shown_for,
        asked_at=now,
    )
    db.session.add(leg)
    db.session.flush()
    audit.record_on_call(
        AuditAction.LINE_CALL_BACK_ASKED,
        call,
        staff_id=handler.id,
        leg=leg.id,
        number_ending=leg.number_ending,
    )
    return Ringing(leg.id, number, caller_id())


def _ringing(call_id: int, now: datetime) -> str | None:
    """The ending of the number a call back on this call is still ringing, if one is: asked
    for within `RINGING_FOR`, neither answered nor ended."""
    return db.session.scalar(
        select(CallLeg.number_ending).where(
            CallLeg.call_id == call_id,
            CallLeg.answered_at.is_(None),
            CallLeg.ended_at.is_(None),
            CallLeg.asked_at > now - RINGING_FOR,
        )
    )


@transactional
def _not_rung(leg_id: int) -> None:
    leg = db.session.get(CallLeg, leg_id)
    leg.provider_status = "failed"
    leg.ended_at = leg.asked_at
    audit.record(
        AuditAction.LINE_CALL_BACK_FAILED, staff_id=leg.handler_id, call_id=leg.call_id, leg=leg_id
    )


@transactional
def _rung(leg_id: int, call_sid: str) -> None:
    # The answer may have come first (the resident was quick): its CallSid is the same.
    db.session.execute(
        update(CallLeg)
        .where(CallLeg.id == leg_id, CallLeg.provider_call_sid.is_(None))
        .values(provider_call_sid=call_sid)
        .execution_options(synchronize_session=False)
    )


def call_back_answered(leg_id: int | None, call_sid: str, digits: str) -> LineTarget | None:
    """Twilio's word that someone answered a call back and pressed `digits`. A 1 on a leg we
    rang, still unanswered, on a call still open: the line is this leg now, and whoever holds
    the number is checked as the resident (the call must still say what it said when the
    handler rang). Where to put them through; None (hang up) for anything else."""
    if leg_id is None or digits != "1":
        return None
    return _answered(leg_id, call_sid)


@transactional
def _answered(leg_id: int, call_sid: str) -> LineTarget | None:
    leg = db.session.get(CallLeg, leg_id)
    if leg is None or leg.ended_at is not None:
        return None
    if leg.provider_call_sid not in (None, call_sid):
        return None
    call = db.session.get(Call, leg.call_id)
    handler = db.session.get(StaffUser, leg.handler_id)
    if leg.answered_at is None:
        try:
            now = call_state.lock_call(call)
        except NotFound:
            return None  # the handler ended the call meanwhile
        leg.answered_at = now
        leg.provider_call_sid = call_sid
        call.line_call_sid = call_sid
        call.line_ended_at = None
        call.line_ended_by_handler = False
        call.line_held = False
        audit.record_on_call(
            AuditAction.LINE_CALL_BACK_ANSWERED,
            call,
            staff_id=leg.handler_id,
            leg=leg.id,
            number_ending=leg.number_ending,
        )
        _check_possession(call, leg)
    elif call.line_call_sid != call_sid:
        return None
    return LineTarget(call.id, call_sid, handler.id, handler.voice_identity, handler.desk_number)


def _check_possession(call: Call, leg: CallLeg) -> None:
    """The call back answered, as a check on the call (counted, audited, under the lock)."""

    def assess(resident, already: frozenset[Factor]):
        results = [FactorResult(Factor.CALL_BACK, True)]
        outcome = assess_resident_verification(results, verification.verification_policy(), already)
        return results, outcome

    # Refused: the call says something else now, and the answer verifies nobody.
    with suppress(Refused):
        verification.check_on_call(
            call, leg.handler_id, Check.RESIDENT_CALL_BACK, leg.shown_for, assess
        )


@transactional
def leg_ended(call_sid: str, status: str) -> bool:
    """The provider's last word on a call-back leg; False if no leg has this CallSid. A leg
    that was the call's line ends the line: "The caller hung up at 10:42". Told again,
    nothing changes twice."""
    leg = db.session.scalar(select(CallLeg).where(CallLeg.provider_call_sid == call_sid))
    if leg is None:
        return False
    if leg.ended_at is not None:
        return True
    call = db.session.get(Call, leg.call_id)
    try:
        now = call_state.lock_call(call)
    except NotFound:
        now = None  # the call has ended: only the leg is left to close
    leg.ended_at = now or utcnow()
    leg.provider_status = status
    if now is not None and call.line_call_sid == call_sid and call.line_ended_at is None:
        call_state.reset_verification(call, VerificationEnd.HUNG_UP, now)
        call.line_ended_at = now
        call.line_held = False
        audit.record_on_call(
            AuditAction.CALL_LINE_ENDED, call, staff_id=call.handler_id, provider_status=status
        )
    return True
