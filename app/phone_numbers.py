"""UK phone numbers, as typed by a handler or sent by Twilio, in E.164."""

import re

import phonenumbers

DEFAULT_REGION = "GB"


class InvalidPhoneNumber(ValueError):
    pass


def to_e164(typed: str, region: str = DEFAULT_REGION) -> str:
    """Normalise a number in any common format ("07700 900123", "+44 7700-900123").

    Raises InvalidPhoneNumber for anything that is not a possible number.
    """
    try:
        parsed = phonenumbers.parse(typed, region)
    except phonenumbers.NumberParseException as error:
        raise InvalidPhoneNumber(str(error)) from None
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidPhoneNumber(f"not a possible phone number: {typed!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


UK_COUNTRY_CODE = 44


def is_full_uk_number(e164: str) -> bool:
    """Whether a number in E.164 is a full 10-digit UK number, even in a range the phone
    library does not know, such as Ofcom's drama numbers (07700 900xxx) used in training."""
    parsed = phonenumbers.parse(e164)
    return parsed.country_code == UK_COUNTRY_CODE and len(str(parsed.national_number)) == 10


def to_uk_e164(typed: str) -> str:
    """A full UK number in any common format, in E.164. Raises InvalidPhoneNumber for anything
    else, a number abroad or one with a digit missing included."""
    e164 = to_e164(typed)
    if not is_full_uk_number(e164):
        raise InvalidPhoneNumber(f"not a full UK phone number: {typed!r}")
    return e164


def try_e164(typed: str) -> str | None:
    try:
        return to_e164(typed)
    except InvalidPhoneNumber:
        return None


def looks_like_phone_number(text: str) -> bool:
    stripped = text.strip()
    digits = sum(ch.isdigit() for ch in stripped)
    return digits >= 7 and all(ch.isdigit() or ch in " +-()." for ch in stripped)


# UK numbers whose national format is the same shape whatever their digits, by the phone
# library's own rules for Great Britain: mobiles (07xxx xxxxxx, but not 070 personal numbers,
# 076 pagers or the Isle of Man's 07624), 02x xxxx xxxx and 03xx xxx xxxx. Written out by
# rule, these need no parsing; `tests/test_phone_numbers.py` holds the rule to the library's.
_BY_RULE = re.compile(r"\+44(?:(7[1-57-9]\d{2})(\d{6})|(2\d)(\d{4})(\d{4})|(3\d{2})(\d{3})(\d{4}))")
# Any other UK number in E.164: its national number is every digit after "+44".
_OTHER_UK = re.compile(r"\+44([1-9]\d*)")


def for_display(e164: str) -> str:
    """ "+447700900123" as "07700 900123" for UK numbers, international format otherwise.

    A mobile, an 02 or an 03 number is split by rule; any other UK number is formatted by the
    phone library from its national number, without parsing the text again; a number abroad
    is parsed to find its country code."""
    if ruled := _BY_RULE.fullmatch(e164):
        return "0" + " ".join(filter(None, ruled.groups()))
    if uk := _OTHER_UK.fullmatch(e164):
        parsed = phonenumbers.PhoneNumber(
            country_code=UK_COUNTRY_CODE, national_number=int(uk.group(1))
        )
    else:
        parsed = phonenumbers.parse(e164, None)
    if parsed.country_code == UK_COUNTRY_CODE:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# What carriers put in caller ID when the caller withheld it: words, or the words spelt on a
# keypad ("+266696687" is ANONYMOUS, "+7378742833" RESTRICTED, "+8656696" UNKNOWN,
# "+86282452253" UNAVAILABLE, "+2562533" BLOCKED). Some would pass as possible numbers abroad.
WITHHELD_CALLER_IDS = frozenset(
    {
        "",
        "anonymous",
        "restricted",
        "unknown",
        "unavailable",
        "blocked",
        "private",
        "withheld",
        "+266696687",
        "+7378742833",
        "+8656696",
        "+86282452253",
        "+2562533",
    }
)


def caller_id_from_provider(raw: str) -> str | None:
    """The caller's number from the provider's `From`, in E.164; None when it was withheld
    or is not a number at all (a caller ID that cannot be read is as good as withheld)."""
    text = raw.strip()
    if text.lower() in WITHHELD_CALLER_IDS:
        return None
    return try_e164(text)
