"""Codes sent by text: Twilio Verify and Lookup when configured, otherwise the console.

Twilio Verify makes, sends and checks its own codes: nothing about the code is kept here.
Without it the console backend makes a six-digit code with `secrets`, keeps only an HMAC of
it (keyed with the app's secret) and shows the code on the staff-only Messages page and in the
log. Lookup v2 tells whether the SIM was swapped lately, whether the number is a line that can
take texts and whether its calls are forwarded. A provider that fails or does not answer raises
`ProviderUnavailable`: nothing is sent, and nothing counts against the resident.
"""

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from flask import current_app
from twilio.base.exceptions import TwilioRestException

from app.rules.outbox import last_digits
from app.rules.text_codes import LineFacts
from app.telephony.client import has_credentials, twilio_client

CODE_DIGITS = 6
LOOKUP_FIELDS = "sim_swap,line_type_intelligence,call_forwarding"
# Line types (Lookup's line_type_intelligence) that cannot take a text.
NO_TEXTS = frozenset({"landline", "fixedVoip", "voicemail", "pager"})


class ProviderUnavailable(Exception):
    """The provider failed or did not answer; `detail` is for the log, never for the page."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def uses_verify() -> bool:
    """Whether Twilio Verify sends and checks the codes; otherwise the console does."""
    return has_credentials() and bool(current_app.config.get("TWILIO_VERIFY_SERVICE_SID"))


def uses_lookup() -> bool:
    return has_credentials() and bool(current_app.config.get("TWILIO_LOOKUP_ENABLED"))


def look_up(number: str) -> LineFacts:
    """What Lookup v2 says about the number. Raises `ProviderUnavailable`."""
    try:
        answer = twilio_client().lookups.v2.phone_numbers(number).fetch(fields=LOOKUP_FIELDS)
    except TwilioRestException as error:
        raise ProviderUnavailable(f"Lookup {error.status} (code {error.code})") from error
    except Exception as error:  # no answer: a timeout, a refused or broken connection
        raise ProviderUnavailable(f"no answer from Lookup: {type(error).__name__}") from error
    swap = ((answer.sim_swap or {}).get("last_sim_swap")) or {}
    line_type = (answer.line_type_intelligence or {}).get("type")
    forwarding = (answer.call_forwarding or {}).get("call_forwarding_status")
    return LineFacts(
        sim_swapped_within=_period(swap.get("swapped_period"))
        if swap.get("swapped_in_period")
        else None,
        can_take_texts=line_type not in NO_TEXTS,
        forwarded=bool(forwarding),
    )


def _period(text: str | None) -> timedelta | None:
    """An ISO 8601 period as Lookup gives it ("PT24H", "P7D"); None when it cannot be read."""
    match = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?", text or "")
    if not match or not any(match.groups()):
        return None
    days, hours, minutes = (int(part or 0) for part in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def start_verification(number: str) -> None:
    """Ask Twilio Verify to text a code to `number`. Raises `ProviderUnavailable`."""
    try:
        _verify_service().verifications.create(to=number, channel="sms")
    except TwilioRestException as error:
        raise ProviderUnavailable(f"Verify {error.status} (code {error.code})") from error
    except Exception as error:
        raise ProviderUnavailable(f"no answer from Verify: {type(error).__name__}") from error


def verification_approved(number: str, code: str) -> bool:
    """Whether Twilio Verify approves `code` for `number`. A code it no longer knows (expired,
    used up, already approved: a 404) is not approved. Raises `ProviderUnavailable`."""
    try:
        check = _verify_service().verification_checks.create(to=number, code=code)
    except TwilioRestException as error:
        if error.status == 404:
            return False
        raise ProviderUnavailable(f"Verify {error.status} (code {error.code})") from error
    except Exception as error:
        raise ProviderUnavailable(f"no answer from Verify: {type(error).__name__}") from error
    return check.status == "approved"


def _verify_service():
    return twilio_client().verify.v2.services(current_app.config["TWILIO_VERIFY_SERVICE_SID"])


def make_console_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))


def code_hash(code: str) -> str:
    """An HMAC of the code, keyed with the app's secret: what the console backend keeps."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, code.strip().encode(), hashlib.sha256).hexdigest()


def console_code_matches(stored_hash: str | None, typed: str) -> bool:
    return bool(stored_hash) and hmac.compare_digest(stored_hash, code_hash(typed))


def console_text(code: str) -> str:
    return f"Your council verification code is {code}. Read it to the person you are speaking to."


def log_console_code(code: str, number: str) -> None:
    current_app.logger.info("console text code to number ending %s: %s", last_digits(number), code)
