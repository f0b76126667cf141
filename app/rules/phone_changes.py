"""Numbers on file: who may add, change or remove a resident's phone numbers, what a change does
to the number's hold on text codes, and whom it tells (docs/rules.md rule 3, "Numbers on file").

A number on file is where a text code goes, so changing one is the classic way to take over a
text-code check: whoever puts their own number on a resident's record can then pass as the
resident. So a change is made only by the resident verified on a call, or by a supervisor from
written evidence; every number put on file is held from text codes for the full
`recent_change_days` from that moment (app/rules/text_codes.py), whatever verified the change;
the numbers the resident already had are told by text; and what was on file before is kept.

Plain Python: no Flask, no database, no clock.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from app.rules.capabilities import Capability, may
from app.rules.dates import long_date, time_on_date
from app.rules.disputes import LONDON
from app.rules.subject_access import withhold_phone_numbers
from app.rules.vocabulary import KNOWLEDGE_FACTORS, Factor, Labelled, Role


class PhoneLabel(Labelled):
    """What kind of number a resident's number is (the fixed list)."""

    MOBILE = "mobile", "Mobile"
    HOME = "home", "Home"
    WORK = "work", "Work"


class PhoneChangeKind(Labelled):
    """What a change to the numbers on file did."""

    ADDED = "added", "Number added"
    CHANGED = "changed", "Number changed"
    RELABELLED = "relabelled", "Kind of number changed"
    REMOVED = "removed", "Number removed"


# What puts a number new to the record on file, and so holds it from text codes.
NEW_NUMBER = frozenset({PhoneChangeKind.ADDED, PhoneChangeKind.CHANGED})

# Refusals and form errors, shown to staff as they are.
ENTER_NUMBER = "Enter the phone number"
NUMBER_FORMAT = "Enter a UK phone number in the correct format, like 07700 900982"
SELECT_LABEL = "Select whether it is a mobile, home or work number"
SELECT_NUMBER = "Select the number on file"
ALREADY_ON_FILE = "This number is already on the resident's record"
NOT_ON_FILE = (
    "That number is no longer on the resident's record: someone changed it meanwhile. Nothing "
    "was changed. Choose one of the numbers on file"
)
NUMBERS_CHANGED = (
    "The numbers on file changed after this form was shown. Nothing was changed: check the "
    "numbers on file and try again"
)
NOTHING_TO_CHANGE = "Enter the new number, or choose another kind of number"
NOT_VERIFIED = (
    "Only the resident, verified on this call, can change the numbers on their record. "
    "Nothing was changed"
)
STALE_FORM = (
    "The record or the caller on this call changed after this form was shown. Nothing was changed"
)
ONLY_SUPERVISORS = "Only a supervisor can change a resident's numbers outside a call"
REASON_MIN_LENGTH = 10
REASON_MAX_LENGTH = 500
EVIDENCE_MAX_LENGTH = 200
ENTER_REASON = f"Enter why the numbers are changing, in at least {REASON_MIN_LENGTH} characters"
ENTER_EVIDENCE = "Enter the reference of the evidence, for example the signed form's number"
NO_FULL_NUMBERS = (
    "Do not type a phone number here: it would be kept in the audit log. Name a number by "
    "its last 3 digits"
)
ENDING_SHOWN = 3  # digits of a number staff, the audit log and the history are shown


@dataclass(frozen=True)
class NumberOnFile:
    """One of the resident's numbers as it is on file now."""

    phone_id: int
    number: str  # E.164
    label: str
    added_at: datetime | None  # None: put on file before such dates were kept


@dataclass(frozen=True)
class ChangeAsked:
    """What someone asked for: add a number (no `phone_id`), change one (`phone_id`, with a
    new `number`, a new `label`, or both; a number left out is kept), or remove one
    (`phone_id` and `remove`). `seen` is the version of the numbers on file the form was
    shown with (`numbers_version`)."""

    phone_id: int | None = None
    number: str | None = None  # E.164
    label: PhoneLabel | None = None
    remove: bool = False
    seen: str = ""


@dataclass(frozen=True)
class Refusal:
    """Why a change was not made, and the field it is about."""

    message: str
    field: str | None = None


@dataclass(frozen=True)
class PhoneChange:
    """A change decided: what it does, to which number on file, and which numbers are told."""

    kind: PhoneChangeKind
    phone_id: int | None  # the number on file changed, relabelled or removed
    old_number: str | None
    old_label: str | None
    new_number: str | None
    new_label: str | None
    # When the new number counts as put on file: now for a number new to the record; a
    # number only relabelled keeps its own date.
    new_added_at: datetime | None
    tell: tuple[str, ...]  # the numbers a text goes to, old ones included


def numbers_version(last_change_id: int | None) -> str:
    """The version of a resident's numbers on file: the last change made to them. A form
    carries the version it was shown with, so that once anyone changes the numbers, a form
    shown before is refused rather than made against numbers its user never saw."""
    return str(last_change_id or 0)


def decide_change(
    on_file: Sequence[NumberOnFile], asked: ChangeAsked, now: datetime, version: str
) -> PhoneChange | Refusal:
    """Decide what a change to the resident's numbers does, or why it cannot be made.

    - A form shown before the numbers last changed (`version`) is refused: two changes at
      once on one resident never both stand, whichever number each is about.
    - A number is on a resident's record once: adding or changing to a number already on it
      is refused.
    - A number new to the record (added, or changed to) is put on file `now`: a change is
      never an edit that keeps the old number's date, and a number changed back, or removed
      and added again, starts its hold again. So changes back and forth never shorten it.
    - A number only relabelled (mobile, home, work) is the same number, on file since it was
      put there: it keeps its date and tells nobody.
    - Whoever asked and however they were verified (a code to that very number included: it
      proves the caller holds that number, not that a new one is the resident's), a new
      number is held alike.
    - An added number is told to every mobile number already on file; a changed or removed
      one to the old number itself and to every other mobile number on file, so the
      resident hears of it on whichever phone they still have. The new number is never told.
    """
    if asked.seen != version:
        return Refusal(NUMBERS_CHANGED)
    mobiles = [n.number for n in on_file if n.label == PhoneLabel.MOBILE]
    if asked.phone_id is None:
        if asked.remove:
            return Refusal(SELECT_NUMBER, "phone")
        if not asked.number:
            return Refusal(ENTER_NUMBER, "number")
        if asked.label is None:
            return Refusal(SELECT_LABEL, "label")
        if any(n.number == asked.number for n in on_file):
            return Refusal(ALREADY_ON_FILE, "number")
        return PhoneChange(
            PhoneChangeKind.ADDED,
            None,
            None,
            None,
            asked.number,
            asked.label.value,
            now,
            _each_once(mobiles),
        )
    old = next((n for n in on_file if n.phone_id == asked.phone_id), None)
    if old is None:
        return Refusal(NOT_ON_FILE, "phone")
    others = [n for n in on_file if n.phone_id != old.phone_id]
    told = _each_once([old.number, *(n.number for n in others if n.label == PhoneLabel.MOBILE)])
    if asked.remove:
        return PhoneChange(
            PhoneChangeKind.REMOVED, old.phone_id, old.number, old.label, None, None, None, told
        )
    number = asked.number or old.number
    label = asked.label.value if asked.label else old.label
    if number == old.number:
        if label == old.label:
            return Refusal(NOTHING_TO_CHANGE, "number")
        return PhoneChange(
            PhoneChangeKind.RELABELLED,
            old.phone_id,
            old.number,
            old.label,
            old.number,
            label,
            old.added_at,
            (),
        )
    if any(n.number == number for n in others):
        return Refusal(ALREADY_ON_FILE, "number")
    return PhoneChange(
        PhoneChangeKind.CHANGED, old.phone_id, old.number, old.label, number, label, now, told
    )


def _each_once(numbers: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(numbers))


def on_call_refusal(*, form_matches_call: bool, verified_as_resident: bool) -> str | None:
    """Say why the handler may not change the resident's numbers on this call, or None.

    Only while the caller is verified, on this call, as the resident whose record the call is
    about: a representative, however wide their permission, or anyone not verified, cannot.
    A form shown while the call said one thing (another record, another caller) is refused
    once it says another.
    """
    if not form_matches_call:
        return STALE_FORM
    if not verified_as_resident:
        return NOT_VERIFIED
    return None


def outside_call_refusal(role: Role) -> str | None:
    """Say why this member of staff may not change a resident's numbers outside a call, or
    None. Only a supervisor may, from written evidence: a handler changes them on a call with
    the resident verified, and an administrator manages staff, not residents' records
    (app/rules/capabilities.py)."""
    if not may(role, Capability.CHANGE_NUMBERS_ON_FILE):
        return ONLY_SUPERVISORS
    return None


def supervisor_refusal(reason: str, evidence: str) -> Refusal | None:
    """Why a supervisor's reason or evidence reference is not enough, or None. Both go to the
    audit log, so neither may hold a full phone number."""
    reason, evidence = reason.strip(), evidence.strip()
    if len(reason) < REASON_MIN_LENGTH:
        return Refusal(ENTER_REASON, "reason")
    if len(reason) > REASON_MAX_LENGTH:
        return Refusal(f"Reason must be {REASON_MAX_LENGTH} characters or fewer", "reason")
    if has_full_number(reason):
        return Refusal(NO_FULL_NUMBERS, "reason")
    if not evidence:
        return Refusal(ENTER_EVIDENCE, "evidence")
    if len(evidence) > EVIDENCE_MAX_LENGTH:
        return Refusal(
            f"Evidence reference must be {EVIDENCE_MAX_LENGTH} characters or fewer", "evidence"
        )
    if has_full_number(evidence):
        return Refusal(NO_FULL_NUMBERS, "evidence")
    return None


def has_full_number(text: str) -> bool:
    """Whether typed text holds something that reads as a whole phone number."""
    return withhold_phone_numbers(text, include=False).withheld > 0


def ending(number: str | None) -> str | None:
    """The last digits of a number: all the audit log and the history's pages show of it."""
    return number[-ENDING_SHOWN:] if number else None


def verified_on_call(matched: Iterable[Factor], code_number: str | None = None) -> str:
    """How the caller was verified, in the words the audit log and the number's history keep:
    "answers: date of birth, postcode", "text code to number ending 123", or both. Never the
    answers, and never more of a number than its ending."""
    factors = set(matched)
    said = []
    answers = [f.label.lower() for f in Factor if f in factors and f in KNOWLEDGE_FACTORS]
    if answers:
        said.append("answers: " + ", ".join(answers))
    if Factor.SMS_CODE in factors:
        said.append(
            f"text code to number ending {ending(code_number)}"
            if code_number
            else "text code to a number on file"
        )
    if Factor.CALL_BACK in factors:
        said.append("call back to a number on file, answered")
    return "; ".join(said) or "verified on the call"


def by_supervisor(evidence: str) -> str:
    """How a change outside a call was verified: a supervisor, from written evidence."""
    return f"supervisor, evidence: {evidence.strip()}"


def told_text(kind: PhoneChangeKind, on: date, council_name: str, contact: str) -> str:
    """The text telling the resident's numbers that the numbers on their record changed: what
    happened and when, and whom to call if it was not them. Never a number, a name, or how."""
    what = {
        PhoneChangeKind.ADDED: "A phone number was added to your council record",
        PhoneChangeKind.CHANGED: "The phone number on your council record was changed",
        PhoneChangeKind.REMOVED: "A phone number was removed from your council record",
    }[kind]
    return f"{council_name}: {what} on {long_date(on)}. If you did not ask for this, call {contact}"


def number_words(number: str | None, label: str | None) -> str | None:
    """A number as staff see it outside the call that verified it: "Mobile ending 123"."""
    if not number:
        return None
    return f"{(label or 'number').capitalize()} ending {ending(number)}"


def change_summary(change: PhoneChange, codes_from: datetime | None) -> str:
    """What staff are told once a change is made: which number, by its last digits, when codes
    can go to a new one, and how many of the resident's numbers were told."""
    old, new = (
        number_words(change.old_number, change.old_label),
        number_words(change.new_number, change.new_label),
    )
    said = {
        PhoneChangeKind.ADDED: f"{new} added",
        PhoneChangeKind.CHANGED: f"{old} changed to {(new or '').lower()}",
        PhoneChangeKind.RELABELLED: f"{old} is now a {(change.new_label or '').lower()} number",
        PhoneChangeKind.REMOVED: f"{old} removed",
    }[change.kind]
    sentences = [said]
    if codes_from is not None:
        local = codes_from.astimezone(LONDON)
        sentences.append(f"Text codes can go to it from {time_on_date(local)}")
    if change.tell:
        many = len(change.tell)
        sentences.append(
            f"A text telling the resident is going to {many} of their "
            f"{'number' if many == 1 else 'numbers'}"
            if change.kind is PhoneChangeKind.ADDED
            else f"A text telling the resident is going to {_told(change)}"
        )
    return ". ".join(sentences)


def _told(change: PhoneChange) -> str:
    others = len(change.tell) - 1
    if others == 0:
        return "the old number"
    return f"the old number and {others} other {'number' if others == 1 else 'numbers'}"
