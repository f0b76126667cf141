"""Is the caller who they say they are? (docs/rules.md rule 3.)

The handler types what the caller says; these rules compare it with what is on file after
normalising both sides the same way, and a policy decides when enough has matched. They answer
match or no match per factor and never hand back a stored value. Caller ID is not a factor.
"""

import hmac
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from app.rules.vocabulary import KNOWLEDGE_FACTORS, Factor

# Possession of a number on file: a code sent to it read back, or a call back to it answered.
POSSESSION_FACTORS = frozenset({Factor.SMS_CODE, Factor.CALL_BACK})
RESIDENT_FACTORS = KNOWLEDGE_FACTORS | POSSESSION_FACTORS
REPRESENTATIVE_FACTORS = frozenset({Factor.REPRESENTATIVE_PASSCODE, Factor.REPRESENTATIVE_SMS_CODE})
# Compared elsewhere (against an argon2 hash, or by the SMS provider): the rules take the result.
CHECKED_ELSEWHERE = (
    frozenset({Factor.SECRET_WORD, Factor.SMS_CODE, Factor.CALL_BACK}) | REPRESENTATIVE_FACTORS
)
ADDRESS_FACTORS = frozenset({Factor.POSTCODE, Factor.ADDRESS_LINE})

# Both spellings of a street word normalise to the short one, so "12 High Street" matches
# "12 High St". Flat and house numbers are kept as they are.
ADDRESS_WORDS = {
    "street": "st",
    "saint": "st",
    "road": "rd",
    "avenue": "ave",
    "av": "ave",
    "lane": "ln",
    "drive": "dr",
    "close": "cl",
    "court": "ct",
    "crescent": "cres",
    "place": "pl",
    "gardens": "gdns",
    "terrace": "ter",
    "terr": "ter",
    "square": "sq",
    "grove": "gr",
    "park": "pk",
    "parade": "pde",
    "way": "wy",
    "apartment": "flat",
    "apt": "flat",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
}

_MONTH_NAMES = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
MONTHS = (
    {name: n for n, name in enumerate(_MONTH_NAMES, 1)}
    | {name[:3]: n for n, name in enumerate(_MONTH_NAMES, 1)}
    | {"sept": 9}
)


def normalise_postcode(s: str) -> str:
    """A postcode in capitals without spaces: "sw1a 1aa" and "SW1A1AA" are the same."""
    return "".join(s.split()).upper()


def normalise_address_line(s: str) -> str:
    """A first line of address without case, punctuation or extra spaces, and with street words
    shortened: "Flat 2, 12 High Street" and "flat 2 12 high st." are the same."""
    text = re.sub(r"[^\w\s]", " ", s.replace("'", "").replace("\u2019", "")).lower()
    # "12 A High Street" and "12a High Street" are the same house.
    words = re.sub(r"\b(\d+)\s+([a-z])\b", r"\1\2", text).split()
    return " ".join(ADDRESS_WORDS.get(word, word) for word in words)


def normalise_reference(s: str) -> str:
    """A reference number without case, spaces or hyphens: "ct-1234 56" is "CT123456"."""
    return re.sub(r"[\s\-\u2010-\u2015]", "", s).upper()


def normalise_secret_word(s: str) -> str:
    """A secret word without case or surrounding spaces. Hash this form when the word is set and
    check this form when it is typed."""
    return s.strip().casefold()


def parse_date_of_birth(s: str) -> date | None:
    """Read a date of birth as people say or type it, day first as in the UK.

    Accepts 1/2/1950, 01-02-1950, 01.02.1950, 01021950, 1 Feb 1950, 1st of February 1950,
    February 1, 1950 and 1950-02-01. A year must have four digits: "01/02/25" could be 1925 or
    2025, and a guessed century would turn a wrong answer into a match or a right one into a
    failure, so the handler asks for the full year. Returns None when the text is not a date.
    """
    text = s.strip().lower().replace(",", " ")
    if re.search(r"[a-z]", text):
        text = re.sub(r"[/.\-]", " ", text)
        text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text)
        text = re.sub(r"\b(the|of)\b", " ", text)
    else:
        text = re.sub(r"\s*([/.\-])\s*", r"\1", text)
    words = text.split()
    if len(words) == 1:
        (word,) = words
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", word):
            return _date(m[1], m[2], m[3])
        if m := re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", word):
            return _date(m[3], m[2], m[1])
        if m := re.fullmatch(r"(\d{2})(\d{2})(\d{4})", word):
            return _date(m[3], m[2], m[1])
        return None
    if len(words) == 3:
        if words[1] in MONTHS:
            day, month, year = words[0], MONTHS[words[1]], words[2]
        elif words[0] in MONTHS:
            month, day, year = MONTHS[words[0]], words[1], words[2]
        elif all(word.isdigit() for word in words):
            day, month, year = words
        else:
            return None
        if re.fullmatch(r"\d{1,2}", day) and re.fullmatch(r"\d{4}", year):
            return _date(year, month, day)
    return None


def _date(year: str | int, month: str | int, day: str | int) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


@dataclass(frozen=True)
class FactorResult:
    """Whether what the caller said for one factor matched what is on file."""

    factor: Factor
    matched: bool


def answer_matches(factor: Factor, typed: str, stored: str | date | None) -> bool:
    """Say whether what the caller said for `factor` matches what is on file.

    Both sides are normalised the same way and compared in constant time. An empty answer, or
    nothing on file, never matches. The secret word and codes sent by text are checked elsewhere
    (against a hash, or by the SMS provider): build their `FactorResult` from that check.
    """
    if factor in CHECKED_ELSEWHERE:
        raise ValueError(f"{factor.label} is checked elsewhere; build a FactorResult from it")
    if stored is None or not typed.strip():
        return False
    if factor is Factor.DATE_OF_BIRTH:
        if not isinstance(stored, date):
            raise TypeError("a date of birth on file must be a date")
        return parse_date_of_birth(typed) == stored
    if not isinstance(stored, str):
        raise TypeError(f"{factor.label} on file must be text")
    normalise = {
        Factor.POSTCODE: normalise_postcode,
        Factor.ADDRESS_LINE: normalise_address_line,
        Factor.REFERENCE: normalise_reference,
    }[factor]
    expected = normalise(stored)
    return bool(expected) and hmac.compare_digest(normalise(typed).encode(), expected.encode())


def check_answer(factor: Factor, typed: str, stored: str | date | None) -> FactorResult:
    """The match / no match result for one typed answer."""
    return FactorResult(factor, answer_matches(factor, typed, stored))


@dataclass(frozen=True)
class VerificationPolicy:
    """What is enough to verify a caller as the resident.

    The default: two knowledge factors; or the secret word and one other; or a code sent by text
    to the number on file; or a call back, by the council, to a number on file, answered there
    (the resident has shown they hold that number, as a code read back shows). The postcode
    and the first line of address are both the address, which anyone who has posted a letter
    to the resident knows, so by default they count as one.
    """

    knowledge_factors_needed: int = 2
    secret_word_plus: int | None = 1  # None: the secret word counts like any other factor
    sms_code_alone: bool = True
    address_counts_once: bool = True
    call_back_alone: bool = True

    def __post_init__(self) -> None:
        if self.knowledge_factors_needed < 1:
            raise ValueError("a policy must ask for at least one knowledge factor")
        if self.secret_word_plus is not None and self.secret_word_plus < 0:
            raise ValueError("secret_word_plus cannot be negative")

    def is_satisfied(self, matched: frozenset[Factor]) -> bool:
        """Say whether these matched factors verify the caller as the resident. A
        representative's own passcode or code never does."""
        if self.sms_code_alone and Factor.SMS_CODE in matched:
            return True
        if self.call_back_alone and Factor.CALL_BACK in matched:
            return True
        knowledge = matched & KNOWLEDGE_FACTORS
        if self._count(knowledge) >= self.knowledge_factors_needed:
            return True
        return (
            self.secret_word_plus is not None
            and Factor.SECRET_WORD in knowledge
            and self._count(knowledge - {Factor.SECRET_WORD}) >= self.secret_word_plus
        )

    def describe(self) -> str:
        """The policy in the handler's words."""
        if self._secret_word_shortcut():
            named = [f for f in _KNOWLEDGE_ORDER if f is not Factor.SECRET_WORD]
        else:
            named = list(_KNOWLEDGE_ORDER)
        names = [
            "address (postcode or first line)"
            if f is Factor.POSTCODE and self.address_counts_once
            else f.label.lower()
            for f in named
            if not (f is Factor.ADDRESS_LINE and self.address_counts_once)
        ]
        needed = self.knowledge_factors_needed
        options = [f"{_number(needed).capitalize()} of: {', '.join(names)}"]
        if self._secret_word_shortcut():
            others = self.secret_word_plus or 0
            if others == 0:
                options.append("or the secret word alone")
            else:
                options.append(f"or the secret word and {_number(others)} other{_s(others)}")
        if self.sms_code_alone:
            options.append("or a code sent by text to the number on file")
        if self.call_back_alone:
            options.append("or answering a call back to a number on file")
        return "; ".join(options)

    def _count(self, knowledge: frozenset[Factor]) -> int:
        if self.address_counts_once and knowledge >= ADDRESS_FACTORS:
            return len(knowledge) - 1
        return len(knowledge)

    def _secret_word_shortcut(self) -> bool:
        # The secret word rule is worth saying only when it asks for less than the general one.
        return (
            self.secret_word_plus is not None
            and self.secret_word_plus + 1 <= self.knowledge_factors_needed
        )


_KNOWLEDGE_ORDER = (
    Factor.DATE_OF_BIRTH,
    Factor.POSTCODE,
    Factor.ADDRESS_LINE,
    Factor.REFERENCE,
    Factor.SECRET_WORD,
)


def _number(n: int) -> str:
    words = ("none", "one", "two", "three", "four", "five")
    return words[n] if n < len(words) else str(n)


def _s(n: int) -> str:
    return "" if n == 1 else "s"


@dataclass(frozen=True)
class VerificationOutcome:
    """Where verification stands after the handler checks some answers on a call."""

    verified: bool
    matched: frozenset[Factor]  # everything matched on this call so far
    failed: frozenset[Factor]  # what did not match in this attempt
    is_failure: bool  # counts towards the phone verification lock
    reason: str


def assess_resident_verification(
    results: Sequence[FactorResult],
    policy: VerificationPolicy,
    already_matched: frozenset[Factor] = frozenset(),
) -> VerificationOutcome:
    """Decide whether the caller is now verified as the resident.

    `results` are the answers the handler just checked; `already_matched` are factors matched
    earlier on this call (verification lasts one call). A representative's passcode or code is
    ignored: knowing a representative's secret never makes a caller the resident.

    An attempt is a failure, counting towards the lock, when an answer in it did not match and the
    caller is still not verified. Answering one factor correctly and going on to the next is not a
    failure, and neither is a slip the caller corrects before verification succeeds: the lock is
    there to stop guessing, and a caller who ends up verified was not guessing.
    """
    return _assess(results, already_matched, RESIDENT_FACTORS, policy.is_satisfied, "resident")


def assess_representative_verification(
    results: Sequence[FactorResult],
    already_matched: frozenset[Factor] = frozenset(),
) -> VerificationOutcome:
    """Decide whether the caller is now verified as a representative: only the representative's
    own passcode, or a code sent to the representative's phone, does it. The resident's details
    are ignored: knowing them never makes a caller a representative. Failures count as for the
    resident."""
    return _assess(
        results,
        already_matched,
        REPRESENTATIVE_FACTORS,
        bool,  # any one of their own factors is enough
        "representative",
    )


def _assess(
    results: Sequence[FactorResult],
    already_matched: frozenset[Factor],
    allowed: frozenset[Factor],
    is_satisfied: Callable[[frozenset[Factor]], bool],
    who: str,
) -> VerificationOutcome:
    relevant = [r for r in results if r.factor in allowed]
    matched = (already_matched & allowed) | {r.factor for r in relevant if r.matched}
    failed = frozenset(r.factor for r in relevant if not r.matched)
    verified = is_satisfied(frozenset(matched))
    is_failure = bool(failed) and not verified
    if verified:
        reason = f"Verified as the {who}"
    elif failed:
        names = ", ".join(f.label.lower() for f in _ordered(failed))
        reason = f"Not verified: no match on {names}"
    elif matched:
        reason = "Not verified yet: ask for another factor"
    else:
        reason = "Not verified: no answers checked"
    return VerificationOutcome(verified, frozenset(matched), failed, is_failure, reason)


def _ordered(factors: frozenset[Factor]) -> list[Factor]:
    return [f for f in Factor if f in factors]
