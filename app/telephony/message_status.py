"""Twilio's delivery reports for the texts the outbox sent (`status_callback` of each message).

Believed only when signed by Twilio; a report about no message we know, or with a status we
do not act on, is answered and ignored. Whatever arrives, the answer is never a server error:
Twilio would only try again.
"""

import re

from flask import abort, current_app, request

from app.extensions import csrf
from app.providers.texts import STATUS_CALLBACK_PATH
from app.security import public
from app.services import outbox
from app.telephony import bp
from app.telephony.signatures import twilio_signed

MESSAGE_SID = re.compile(r"(SM|MM)[0-9a-fA-F]{32}")
# Twilio's statuses are lower-case words joined by underscores ("partially_delivered").
STATUS_WORD = re.compile(r"[A-Za-z_]{1,30}")
# Twilio sends its error code as digits; anything else is not Twilio's.
ERROR_CODE = re.compile(r"[0-9]{1,10}")
MAX_ID = 2**31 - 1  # the largest id an integer column holds


@csrf.exempt
@bp.post(STATUS_CALLBACK_PATH)
@public
@twilio_signed
def message_status():
    sid = request.form.get("MessageSid", "")
    reported = request.form.get("MessageStatus", "").strip()
    if not MESSAGE_SID.fullmatch(sid) or not STATUS_WORD.fullmatch(reported):
        abort(400)
    error_code = request.form.get("ErrorCode") or None
    if error_code is not None and not ERROR_CODE.fullmatch(error_code):
        error_code = None
    message_id = request.args.get("message", type=int)
    if message_id is not None and not 0 < message_id <= MAX_ID:
        message_id = None
    if not outbox.record_delivery_report(sid, reported, error_code, message_id):
        current_app.logger.info("delivery report for an unknown message %s ignored", sid)
    return "", 204
