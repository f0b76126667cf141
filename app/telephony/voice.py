"""Twilio's voice webhooks: a call comes in, it is put through to its handler (or that
ends unanswered), a resident rung back answers, and later a call or a call back ends.

All are open to the internet, so each is believed only when Twilio signed it (403 otherwise,
before anything is read or written). What Twilio sends is checked like any form: a request
without a well-formed `CallSid`, or with a status that makes no sense, is a 400 and writes
nothing; a caller ID or a duration that cannot be read is unknown (withheld, no duration),
and the call is still recorded or closed. A callback told again, late, out of order or about
a call we do not know changes nothing, and is never a server error.
"""

import re

from flask import abort, current_app, request
from twilio.twiml.voice_response import VoiceResponse

from app.extensions import csrf
from app.phone_numbers import caller_id_from_provider
from app.providers.voice import CALL_BACK_ANSWERED_PATH, DIAL_ENDED_PATH, STATUS_PATH, put_through
from app.security import public
from app.services import call_backs, inbound_calls, live_call
from app.telephony import bp
from app.telephony.signatures import twilio_signed

CALL_SID = re.compile(r"CA[0-9a-f]{32}")
LONGEST_CALL_SECONDS = 7 * 24 * 60 * 60


def _call_sid() -> str:
    call_sid = request.form.get("CallSid", "")
    if not CALL_SID.fullmatch(call_sid):
        abort(400)
    return call_sid


def _duration() -> int | None:
    """Twilio's `CallDuration` in seconds, or None (unknown) when it sent none, or anything but
    a whole number of seconds a call could last: the call still ends."""
    text = request.form.get("CallDuration", "").strip()
    if not (0 < len(text) <= len(str(LONGEST_CALL_SECONDS))) or not text.isascii():
        return None
    if not text.isdigit() or int(text) > LONGEST_CALL_SECONDS:
        return None
    return int(text)


def _twiml(response: VoiceResponse):
    return str(response), 200, {"Content-Type": "text/xml; charset=utf-8"}


def queue_caller() -> VoiceResponse:
    """Tell the caller to hold, and put them in the queue the handlers answer from."""
    config = current_app.config
    answer = VoiceResponse()
    answer.say(config["TWILIO_QUEUE_MESSAGE"], language="en-GB")
    answer.enqueue(config["TWILIO_QUEUE_NAME"])
    return answer


@bp.post("/twilio/voice")
@csrf.exempt
@public
@twilio_signed
def incoming_call():
    call_sid = _call_sid()
    if "From" not in request.form:
        abort(400)
    inbound_calls.record_inbound_call(call_sid, caller_id_from_provider(request.form["From"]))
    return _twiml(queue_caller())


@bp.post(STATUS_PATH)
@csrf.exempt
@public
@twilio_signed
def call_status():
    call_sid = _call_sid()
    status = request.form.get("CallStatus", "")
    if status in inbound_calls.PROGRESS_STATUSES:
        return "", 204
    if status not in inbound_calls.FINAL_STATUSES:
        abort(400)
    if inbound_calls.close_provider_call(call_sid, status, _duration()) is None:
        call_backs.leg_ended(call_sid, status)  # a call back to a resident, or nothing we know
    return "", 204


DIAL_STATUS = re.compile(r"[a-z-]{1,20}")
MAX_ID = 2**31 - 1


@bp.post(DIAL_ENDED_PATH)
@csrf.exempt
@public
@twilio_signed
def dial_ended():
    """Putting a call through to its handler ended (`<Dial action=...>`). Not answered: the
    call waits again for someone else, and the caller goes back into the queue. Answered and
    over (the handler hung up in the browser): the call ends."""
    call_sid = _call_sid()
    status = request.form.get("DialCallStatus", "")
    if not DIAL_STATUS.fullmatch(status):
        abort(400)
    call_id = request.args.get("call", type=int)
    if call_id is not None and not 0 < call_id <= MAX_ID:
        call_id = None
    live_call.dial_ended(call_id, call_sid, status)
    if status in live_call.NOT_ANSWERED:
        return _twiml(queue_caller())
    answer = VoiceResponse()
    answer.hangup()
    return _twiml(answer)


@bp.post(CALL_BACK_ANSWERED_PATH)
@csrf.exempt
@public
@twilio_signed
def call_back_answered():
    """Someone answered the council's call back and pressed a key. A 1, on a call back we
    made: they are put through to the handler (and, holding a number on the resident's
    record, checked as the resident). Anything else: the call ends."""
    call_sid = _call_sid()
    leg_id = request.args.get("leg", type=int)
    if leg_id is not None and not 0 < leg_id <= MAX_ID:
        leg_id = None
    digits = request.form.get("Digits", "")[:5]
    target = call_backs.call_back_answered(leg_id, call_sid, digits)
    if target is None:
        answer = VoiceResponse()
        answer.hangup()
        return _twiml(answer)
    base = current_app.config["PUBLIC_BASE_URL"]
    if target.desk_number:
        twiml = put_through(target.call_id, base, number=target.desk_number)
    else:
        twiml = put_through(target.call_id, base, identity=target.identity)
    return twiml, 200, {"Content-Type": "text/xml; charset=utf-8"}
