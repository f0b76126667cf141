"""UK phone numbers, as typed by a handler or sent by Twilio, in E.164."""

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


def for_display(e164: str) -> str:
    """ "+447700900123" as "07700 900123" for UK numbers, international format otherwise."""
    parsed = phonenumbers.parse(e164, None)
    if parsed.country_code == phonenumbers.country_code_for_region(DEFAULT_REGION):
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
