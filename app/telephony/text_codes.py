"""Codes sent by text: who sends them, what Lookup says about a number first, and checking.

`code_backend` is the one answer to "who sends codes", for codes on calls, portal codes and
the Messages page alike:

- **Twilio Verify** (`TWILIO_VERIFY_SERVICE_SID`, with credentials) makes, sends and checks
  its own codes: nothing about the code is kept here.
- **Twilio Messaging** (`TWILIO_MESSAGING_FROM`, with credentials, and no Verify service): the
  app makes a six-digit code with `secrets`, hands it to Twilio in a text at once, and keeps
  only an HMAC of it (keyed with the app's secret). The text never goes through the outbox
  table: nothing readable of the code is stored anywhere.
- **The console**, in development and tests only: the app makes the code and keeps its HMAC
  as above, and shows the code on the staff-only Messages page and in the log instead of
  sending it. Production never chooses it, whatever is or is not configured.
- **None**, in production without either provider: codes are not available, and the pages
  say so.

Lookup v2 tells whether the SIM was swapped lately, whether the number is a line that can take
texts and whether its calls are forwarded; an answer that does not say is passed on as
unknown (app/rules/text_codes.py decides what that holds). A provider that fails or does not
answer raises `ProviderUnavailable`: nothing is sent, and nothing counts against the resident.
"""

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from twilio.base.exceptions import TwilioRestException

from app.rules.outbox import last_digits
from app.rules.text_codes import SIM_SWAP_UNKNOWN, LineFacts, SimSwap
from app.rules.vocabulary import TextCodeProvider
from app.telephony.client import has_credentials, twilio_client
from app.telephony.sms import SendFailed, create_message

CODE_DIGITS = 6
LOOKUP_FIELDS = "sim_swap,line_type_intelligence,call_forwarding"
# Line types (Lookup's line_type_intelligence) that cannot take a text.
NO_TEXTS = frozenset({"landline", "fixedVoip", "voicemail", "pager"})
# Lookup has answered whether calls are forwarded under both names.
FORWARDING_FIELDS = ("call_forwarding_enabled", "call_forwarding_status")


class ProviderUnavailable(Exception):
    """The provider failed or did not answer; `detail` is for the log, never for the page."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class CodesUnavailable(Exception):
    """No provider sends codes here (production without Twilio Verify or Messaging)."""


def console_allowed() -> bool:
    """Whether the console may make codes: never in production."""
    return not current_app.config.get("IS_PRODUCTION", False)


def code_backend() -> TextCodeProvider | None:
    """Who sends codes now, or None when nobody may (production without a provider).

    Verify when its service is set, else Twilio Messaging when a sender is set, else the
    console outside production. Credentials without either in production is None too: a
    code is never made where only the log or a page would carry it.
    """
    config = current_app.config
    if has_credentials():
        if config.get("TWILIO_VERIFY_SERVICE_SID"):
            return TextCodeProvider.TWILIO_VERIFY
        if config.get("TWILIO_MESSAGING_FROM"):
            return TextCodeProvider.TWILIO_MESSAGING
    return TextCodeProvider.CONSOLE if console_allowed() else None


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
    line_type = _package(answer.line_type_intelligence).get("type")
    return LineFacts(
        sim_swap=sim_swap_of(answer.sim_swap),
        can_take_texts=line_type not in NO_TEXTS,
        forwarded=forwarding_of(answer.call_forwarding),
    )


def _package(package: object) -> dict:
    """A Lookup data package that answered, or {} for one missing or carrying an error code."""
    if not isinstance(package, dict) or package.get("error_code") is not None:
        return {}
    return package


def sim_swap_of(package: object) -> SimSwap:
    """Lookup's SIM swap package as the rules read it. A package missing, carrying an error
    code or without its `last_sim_swap` says nothing; a field it could not read is None."""
    last = _package(package).get("last_sim_swap")
    if not isinstance(last, dict):
        return SIM_SWAP_UNKNOWN
    in_period = last.get("swapped_in_period")
    return SimSwap(
        swapped_in_period=in_period if isinstance(in_period, bool) else None,
        period=parse_duration(last.get("swapped_period")),
        last_swapped_at=parse_instant(last.get("last_sim_swap_date")),
    )


def forwarding_of(package: object) -> bool | None:
    """Whether Lookup says calls to the number are forwarded, under either name it has used;
    None when the package is missing, carries an error code, or has neither as true or false."""
    answered = _package(package)
    for field in FORWARDING_FIELDS:
        if isinstance(answered.get(field), bool):
            return answered[field]
    return None


_DURATION = re.compile(
    r"P(?!$)(?:(\d+)W)?(?:(\d+)D)?"
    r"(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?"
)


def parse_duration(text: object) -> timedelta | None:
    """An ISO 8601 duration in weeks, days, hours, minutes and seconds, as Lookup writes its
    periods ("PT24H", "P7D", "PT3H12M5S", "PT15282H33M44S"); None when it cannot be read.

    Years and months are refused: their length depends on the calendar, and Lookup does not
    use them. So are negative durations and an empty "P" or "PT".
    """
    if not isinstance(text, str):
        return None
    match = _DURATION.fullmatch(text.strip().upper())
    if not match or not any(match.groups()):
        return None
    weeks, days, hours, minutes, seconds = match.groups()
    return timedelta(
        weeks=int(weeks or 0),
        days=int(days or 0),
        hours=int(hours or 0),
        minutes=int(minutes or 0),
        seconds=float((seconds or "0").replace(",", ".")),
    )


def parse_instant(text: object) -> datetime | None:
    """An ISO 8601 date and time ("2020-04-27T10:18:50Z"), in UTC when it gives no zone; None
    when it cannot be read."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class CodeDelivery:
    """What is kept of a code once sent: who sent it, and for a code the app made, its HMAC.
    `shown` is only the console's: the text it would have sent, code and all, for the
    Messages page and the log (development only)."""

    provider: TextCodeProvider
    code_hash: str | None = None
    shown: str | None = None


def send_code(number: str, backend: TextCodeProvider, text: Callable[[str], str]) -> CodeDelivery:
    """Send a code to `number` by `backend` (from `code_backend`); `text` words the message
    around the code the app makes. Raises `ProviderUnavailable`, or `CodesUnavailable` for
    the console in production."""
    if backend is TextCodeProvider.TWILIO_VERIFY:
        start_verification(number)
        return CodeDelivery(backend)
    if backend is TextCodeProvider.CONSOLE and not console_allowed():
        raise CodesUnavailable
    code = make_code()
    if backend is TextCodeProvider.TWILIO_MESSAGING:
        try:
            create_message(number, text(code))
        except SendFailed as error:
            raise ProviderUnavailable(error.detail) from error
        return CodeDelivery(backend, code_hash(code))
    return CodeDelivery(backend, code_hash(code), shown=text(code))


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


def make_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))


def code_hash(code: str) -> str:
    """An HMAC of the code, keyed with the app's secret: all that is kept of a code the app
    made."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, code.strip().encode(), hashlib.sha256).hexdigest()


def app_code_matches(provider: TextCodeProvider, stored_hash: str | None, typed: str) -> bool:
    """Whether `typed` is the code the app made and kept the HMAC of. A console code never
    matches in production."""
    if provider is TextCodeProvider.CONSOLE and not console_allowed():
        return False
    return bool(stored_hash) and hmac.compare_digest(stored_hash, code_hash(typed))


def log_console_code(text: str, number: str) -> None:
    """Development only: the console's stand-in for sending a code, its text in the log."""
    if console_allowed():
        current_app.logger.info(
            "console text code to number ending %s: %s", last_digits(number), text
        )
