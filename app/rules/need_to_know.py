"""Details hidden outside a call, and when a member of staff may reveal one (docs/rules.md rule 7).

The answers that verify a caller (date of birth, first line of the address, full postcode,
reference) and a representative's LPA access code are what a blagger needs. Outside a call
nobody has been verified, so staff see these details masked: enough to tell records apart,
never enough to answer a security question. Revealing one takes a reason, on a record the
member of staff has opened today, and no more than a daily number of reveals each, so an
insider cannot quietly become a blagger's helper.
"""

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from enum import StrEnum

from app.rules.vocabulary import Labelled

# A reason shorter than this says nothing an auditor could check.
REASON_MIN_LENGTH = 10
REASON_MAX_LENGTH = 500
REFERENCE_SHOWN = 3  # characters at the end of a masked reference


class HiddenDetail(Labelled):
    """A detail hidden outside a call, and the words for it in a sentence."""

    DATE_OF_BIRTH = "date-of-birth", "date of birth"
    ADDRESS = "address", "first line of the address"
    POSTCODE = "postcode", "full postcode"
    REFERENCE = "reference", "reference"
    LPA_ACCESS_CODE = "lpa-access-code", "LPA access code"


RESIDENT_DETAILS = (
    HiddenDetail.DATE_OF_BIRTH,
    HiddenDetail.ADDRESS,
    HiddenDetail.POSTCODE,
    HiddenDetail.REFERENCE,
)


class RevealRefusal(StrEnum):
    NOT_OPENED = "record-not-opened"
    DAILY_LIMIT = "daily-limit"


@dataclass(frozen=True)
class RevealDecision:
    allowed: bool
    reason: str  # shown to the member of staff word for word
    refusal: RevealRefusal | None = None


def decide_reveal(*, opened_today: bool, revealed_today: int, daily_limit: int) -> RevealDecision:
    """Say whether a member of staff may reveal one more hidden detail.

    Only on a record (or a resident's permissions) they opened today with a reason: the page
    never offers any other. And only while they have revealed fewer than `daily_limit`
    details today, counting every record; over the limit nothing is revealed until tomorrow.
    """
    if not opened_today:
        return RevealDecision(
            False,
            "Nothing was revealed: open the record and give your reason first",
            RevealRefusal.NOT_OPENED,
        )
    if daily_limit <= 0:
        return RevealDecision(
            False,
            "Nothing was revealed: hidden details cannot be revealed outside a call",
            RevealRefusal.DAILY_LIMIT,
        )
    if revealed_today >= daily_limit:
        details = "detail" if daily_limit == 1 else "details"
        return RevealDecision(
            False,
            f"Nothing was revealed: you have already revealed {daily_limit} hidden {details} "
            "today, the most allowed in one day. You can reveal more tomorrow.",
            RevealRefusal.DAILY_LIMIT,
        )
    left = daily_limit - revealed_today - 1
    return RevealDecision(True, f"Revealed. You can reveal {left} more today.")


def start_of_day(day: date, zone: tzinfo) -> datetime:
    """The moment `day` begins where the council is: a daily limit starts again at local
    midnight, not at midnight UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def age_band(born: date, today: date) -> str:
    """The decade of life someone is in, like "70 to 79": enough to tell two people of the
    same name apart, not enough to answer "what is your date of birth?"."""
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    decade = max(age, 0) // 10 * 10
    return f"{decade} to {decade + 9}"


def reference_ending(reference: str) -> str:
    """The last few characters of a reference: staff can match a letter to the record, a
    caller cannot be told the reference from it."""
    return reference[-REFERENCE_SHOWN:]
