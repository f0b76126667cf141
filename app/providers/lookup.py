"""Looking up a line before a code is sent to it: Twilio Lookup v2, or nothing asked.

Lookup tells whether the SIM was swapped lately, whether the number is a line that can take
texts and whether its calls are forwarded; an answer that does not say is passed on as
unknown (app/rules/text_codes.py decides what that holds). A Lookup that fails or does not
answer raises `ProviderUnavailable`: nothing is sent, and nothing counts against the resident.
"""

import re
from datetime import UTC, datetime, timedelta
from typing import Protocol

from twilio.base.exceptions import TwilioRestException

from app.providers.errors import ProviderUnavailable
from app.providers.twilio_account import TwilioAccount
from app.rules.text_codes import SIM_SWAP_UNKNOWN, LineFacts, SimSwap

LOOKUP_FIELDS = "sim_swap,line_type_intelligence,call_forwarding"
# Line types (Lookup's line_type_intelligence) that cannot take a text.
NO_TEXTS = frozenset({"landline", "fixedVoip", "voicemail", "pager"})
# Lookup has answered whether calls are forwarded under both names.
FORWARDING_FIELDS = ("call_forwarding_enabled", "call_forwarding_status")


class LineLookup(Protocol):
    def look_up(self, number: str) -> LineFacts:
        """What is known of the line before a code goes to it (`number_added_at` left for
        the caller to fill). Raises `ProviderUnavailable`."""
        ...


class TwilioLookup:
    def __init__(self, account: TwilioAccount):
        self.account = account

    def look_up(self, number: str) -> LineFacts:
        try:
            answer = (
                self.account.client().lookups.v2.phone_numbers(number).fetch(fields=LOOKUP_FIELDS)
            )
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


class ConsoleLookup:
    """Lookup not asked: in development, and wherever `TWILIO_LOOKUP_ENABLED` is off. Its
    facts say so (`sim_swap` None), so only the date the number was put on file counts."""

    def look_up(self, number: str) -> LineFacts:
        return LineFacts()


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
