import itertools
from datetime import date

import pytest

from app.rules.verification import (
    FactorResult,
    VerificationPolicy,
    answer_matches,
    assess_representative_verification,
    assess_resident_verification,
    check_answer,
    normalise_address_line,
    normalise_postcode,
    normalise_reference,
    normalise_secret_word,
    parse_date_of_birth,
)
from app.rules.vocabulary import Factor

DOB = Factor.DATE_OF_BIRTH
POSTCODE = Factor.POSTCODE
ADDRESS = Factor.ADDRESS_LINE
REFERENCE = Factor.REFERENCE
SECRET = Factor.SECRET_WORD
SMS = Factor.SMS_CODE
CALL_BACK = Factor.CALL_BACK
PASSCODE = Factor.REPRESENTATIVE_PASSCODE
REP_SMS = Factor.REPRESENTATIVE_SMS_CODE


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("sw1a 1aa", "SW1A1AA"),
        ("SW1A1AA", "SW1A1AA"),
        ("  Sw1A   1aA ", "SW1A1AA"),
        ("m1\t1ae", "M11AE"),
    ],
    ids=["lower-case-with-space", "no-space", "extra-spaces", "tab"],
)
def test_postcodes_ignore_case_and_spacing(typed, expected):
    assert normalise_postcode(typed) == expected


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("12 High Street", "12 high st"),
        ("12 High Street", "12, High St."),
        ("Flat 2, 12 St John's Road", "flat 2 12 saint johns rd"),
        ("12A Mill Lane", "12 a mill ln"),
        ("3 Oak   Avenue", "3 oak ave"),
        ("Apartment 4, The Crescent", "flat 4 the cres"),
        ("7 Queen\u2019s Gardens", "7 queens gdns"),
    ],
    ids=[
        "street-and-st",
        "punctuation",
        "saint-road-apostrophe",
        "house-letter-spacing",
        "avenue-and-extra-spaces",
        "apartment-is-a-flat",
        "curly-apostrophe",
    ],
)
def test_address_lines_that_mean_the_same_normalise_the_same(left, right):
    assert normalise_address_line(left) == normalise_address_line(right)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("12 High Street", "21 High Street"),
        ("Flat 2, 12 High Street", "Flat 3, 12 High Street"),
        ("12 High Street", "12 High Road"),
        ("12A Mill Lane", "12B Mill Lane"),
    ],
    ids=["house-number", "flat-number", "street-kind", "house-letter"],
)
def test_address_lines_keep_what_tells_homes_apart(left, right):
    assert normalise_address_line(left) != normalise_address_line(right)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("ct-1234 56", "CT123456"), ("CT123456", "CT123456"), (" ct 12\u201334 56 ", "CT123456")],
    ids=["hyphen-and-space", "already-clean", "dash-and-spaces"],
)
def test_references_ignore_case_spaces_and_hyphens(typed, expected):
    assert normalise_reference(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("  Marmalade ", "marmalade"), ("MARMALADE", "marmalade"), ("blue  moon", "blue  moon")],
    ids=["surrounding-spaces", "capitals", "inner-spaces-kept"],
)
def test_secret_words_ignore_only_case_and_surrounding_spaces(typed, expected):
    assert normalise_secret_word(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "1/2/1950",
        "01/02/1950",
        "01-02-1950",
        "01.02.1950",
        "1 2 1950",
        " 1 / 2 / 1950 ",
        "01021950",
        "1950-02-01",
        "1 Feb 1950",
        "1 feb. 1950",
        "1-Feb-1950",
        "1 February 1950",
        "1st February 1950",
        "1st of February, 1950",
        "February 1, 1950",
        "February the 1st 1950",
    ],
)
def test_dates_of_birth_are_read_as_people_say_them_day_first(typed):
    assert parse_date_of_birth(typed) == date(1950, 2, 1)


NOT_FULL_DATES = {
    "empty": "",
    "blank": "   ",
    "two-digit-year-dots": "01.02.50",
    "two-digit-year-slashes": "1/2/50",
    "six-digits": "010250",
    "31-february": "31/02/1950",
    "month-13": "13/13/1950",
    "unknown-month": "1 Smarch 1950",
    "no-day": "February 1950",
    "year-only": "1950",
    "a-word": "yesterday",
    "too-many-parts": "1/2/1950/3",
    "day-32": "32 January 1950",
    "two-digit-year-in-words": "1 Feb 50",
}


@pytest.mark.parametrize("typed", NOT_FULL_DATES.values(), ids=NOT_FULL_DATES.keys())
def test_what_is_not_a_full_date_of_birth_is_not_read_as_one(typed):
    assert parse_date_of_birth(typed) is None


@pytest.mark.parametrize(
    ("factor", "typed", "stored", "expected"),
    [
        (DOB, "1 Feb 1950", date(1950, 2, 1), True),
        (DOB, "2/1/1950", date(1950, 2, 1), False),
        (DOB, "01.02.50", date(1950, 2, 1), False),
        (DOB, "", date(1950, 2, 1), False),
        (DOB, "1/2/1950", None, False),
        (POSTCODE, "sw1a1aa", "SW1A 1AA", True),
        (POSTCODE, "SW1A 1AB", "SW1A 1AA", False),
        (POSTCODE, "", "", False),
        (POSTCODE, "SW1A 1AA", None, False),
        (ADDRESS, "12 high st", "12 High Street", True),
        (ADDRESS, "14 high st", "12 High Street", False),
        (ADDRESS, "   ", "   ", False),
        (ADDRESS, "-", ".", False),
        (REFERENCE, "ct 123-456", "CT123456", True),
        (REFERENCE, "CT123457", "CT123456", False),
    ],
    ids=[
        "date-said-differently-matches",
        "month-first-date-does-not-match",
        "two-digit-year-does-not-match",
        "empty-date-does-not-match",
        "no-date-on-file-never-matches",
        "postcode-matches-whatever-the-spacing",
        "wrong-postcode",
        "empty-never-matches-empty",
        "no-postcode-on-file-never-matches",
        "address-matches-abbreviated",
        "wrong-house-number",
        "blank-never-matches-blank",
        "punctuation-never-matches-punctuation",
        "reference-matches-with-spaces-and-hyphens",
        "wrong-reference",
    ],
)
def test_an_answer_matches_what_is_on_file_after_normalising(factor, typed, stored, expected):
    assert answer_matches(factor, typed, stored) is expected
    assert check_answer(factor, typed, stored) == FactorResult(factor, expected)


@pytest.mark.parametrize("factor", [SECRET, SMS, PASSCODE, REP_SMS])
def test_factors_checked_against_a_hash_or_by_the_sms_provider_are_refused(factor):
    with pytest.raises(ValueError):
        answer_matches(factor, "anything", "anything")


@pytest.mark.parametrize(
    ("factor", "stored"),
    [(DOB, "1950-02-01"), (POSTCODE, date(1950, 2, 1))],
    ids=["date-of-birth-stored-as-text", "postcode-stored-as-a-date"],
)
def test_a_stored_value_of_the_wrong_type_is_a_programming_error(factor, stored):
    with pytest.raises(TypeError):
        answer_matches(factor, "1/2/1950", stored)


# The policy, tested on every set of matched factors. Each oracle restates a policy in words.
EVERY_FACTOR_SET = [
    frozenset(combination)
    for size in range(len(Factor) + 1)
    for combination in itertools.combinations(Factor, size)
]


def default_policy_oracle(factors):
    """Two of: date of birth, the address (postcode and first line count once), reference,
    secret word; or a text code to the number on file; or a call back to a number on file,
    answered."""
    if SMS in factors or CALL_BACK in factors:
        return True
    pieces = [DOB in factors, POSTCODE in factors or ADDRESS in factors]
    pieces += [REFERENCE in factors, SECRET in factors]
    return pieces.count(True) >= 2


def three_factors_oracle(factors):
    """Three of the five, address lines separately; or the secret word and one other; no SMS,
    no call back."""
    knowledge = [DOB, POSTCODE, ADDRESS, REFERENCE, SECRET]
    if SECRET in factors and any(f in factors for f in knowledge if f != SECRET):
        return True
    return sum(f in factors for f in knowledge) >= 3


def call_back_not_enough_oracle(factors):
    """The default, except that a call back answered counts for nothing on its own."""
    if SMS in factors:
        return True
    pieces = [DOB in factors, POSTCODE in factors or ADDRESS in factors]
    pieces += [REFERENCE in factors, SECRET in factors]
    return pieces.count(True) >= 2


def no_shortcuts_oracle(factors):
    """Two of the five, address lines separately; the secret word is nothing special."""
    return sum(f in factors for f in (DOB, POSTCODE, ADDRESS, REFERENCE, SECRET)) >= 2


def secret_word_alone_oracle(factors):
    """The secret word on its own, or two others (address counted once), or a text code, or
    a call back answered."""
    if SECRET in factors or SMS in factors or CALL_BACK in factors:
        return True
    pieces = [DOB in factors, POSTCODE in factors or ADDRESS in factors, REFERENCE in factors]
    return pieces.count(True) >= 2


@pytest.mark.parametrize(
    ("policy", "oracle"),
    [
        (VerificationPolicy(), default_policy_oracle),
        (
            VerificationPolicy(
                knowledge_factors_needed=3,
                sms_code_alone=False,
                address_counts_once=False,
                call_back_alone=False,
            ),
            three_factors_oracle,
        ),
        (
            VerificationPolicy(
                secret_word_plus=None,
                sms_code_alone=False,
                address_counts_once=False,
                call_back_alone=False,
            ),
            no_shortcuts_oracle,
        ),
        (VerificationPolicy(secret_word_plus=0), secret_word_alone_oracle),
        (VerificationPolicy(call_back_alone=False), call_back_not_enough_oracle),
    ],
    ids=[
        "default",
        "three-factors-no-sms",
        "no-shortcuts",
        "secret-word-alone",
        "call-back-not-enough",
    ],
)
def test_the_policy_decides_every_set_of_matched_factors_as_stated(policy, oracle):
    wrong = [
        sorted(factors)
        for factors in EVERY_FACTOR_SET
        if policy.is_satisfied(factors) != oracle(factors)
    ]

    assert wrong == []


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (
            VerificationPolicy(),
            "Two of: date of birth, address (postcode or first line), reference number; "
            "or the secret word and one other; or a code sent by text to the number on file"
            "; or answering a call back to a number on file",
        ),
        (
            VerificationPolicy(
                knowledge_factors_needed=3, secret_word_plus=2, address_counts_once=False
            ),
            "Three of: date of birth, postcode, first line of address, reference number; "
            "or the secret word and two others; or a code sent by text to the number on file"
            "; or answering a call back to a number on file",
        ),
        (
            VerificationPolicy(secret_word_plus=None, sms_code_alone=False, call_back_alone=False),
            "Two of: date of birth, address (postcode or first line), reference number, "
            "secret word",
        ),
        (
            VerificationPolicy(secret_word_plus=0, sms_code_alone=False),
            "Two of: date of birth, address (postcode or first line), reference number; "
            "or the secret word alone; or answering a call back to a number on file",
        ),
        (
            VerificationPolicy(secret_word_plus=3),
            "Two of: date of birth, address (postcode or first line), reference number, "
            "secret word; or a code sent by text to the number on file"
            "; or answering a call back to a number on file",
        ),
    ],
    ids=[
        "default",
        "three-factors",
        "no-secret-word-shortcut",
        "secret-word-alone",
        "secret-word-rule-asking-for-more-is-not-mentioned",
    ],
)
def test_the_policy_describes_itself_in_plain_words(policy, expected):
    assert policy.describe() == expected


@pytest.mark.parametrize(
    "arguments",
    [{"knowledge_factors_needed": 0}, {"secret_word_plus": -1}],
    ids=["no-factors-needed", "negative-secret-word-plus"],
)
def test_a_policy_that_would_verify_anyone_is_refused(arguments):
    with pytest.raises(ValueError):
        VerificationPolicy(**arguments)


def results(**answers: bool) -> list[FactorResult]:
    names = {"dob": DOB, "postcode": POSTCODE, "address": ADDRESS, "reference": REFERENCE}
    names |= {"secret": SECRET, "sms": SMS, "passcode": PASSCODE, "rep_sms": REP_SMS}
    return [FactorResult(names[name], matched) for name, matched in answers.items()]


NO_MATCH = "Not verified: no match on"
NOTHING_CHECKED = "Not verified: no answers checked"


@pytest.mark.parametrize(
    ("answers", "already", "verified", "is_failure", "reason"),
    [
        ({}, set(), False, False, NOTHING_CHECKED),
        ({"dob": True}, set(), False, False, "Not verified yet: ask for another factor"),
        ({"postcode": True}, {DOB}, True, False, "Verified as the resident"),
        ({"dob": True, "reference": True}, set(), True, False, "Verified as the resident"),
        ({"postcode": True, "address": True}, set(), False, False, None),
        ({"dob": False}, set(), False, True, f"{NO_MATCH} date of birth"),
        ({"dob": False, "postcode": True}, set(), False, True, None),
        ({"dob": False, "postcode": True, "reference": True}, set(), True, False, None),
        ({"secret": True, "address": True}, set(), True, False, None),
        ({"sms": True}, set(), True, False, None),
        ({"sms": False}, set(), False, True, f"{NO_MATCH} code sent by text to the number on file"),
        ({"passcode": True, "rep_sms": True}, set(), False, False, NOTHING_CHECKED),
        ({"passcode": False}, set(), False, False, None),
        ({"dob": True}, {PASSCODE, REP_SMS}, False, False, None),
        (
            {"dob": False, "postcode": False},
            set(),
            False,
            True,
            f"{NO_MATCH} date of birth, postcode",
        ),
    ],
    ids=[
        "nothing-asked-yet",
        "one-right-answer-waits-for-the-next-and-is-not-a-failure",
        "a-second-right-answer-later-on-the-call-verifies",
        "two-right-answers-verify",
        "postcode-and-address-are-one-factor",
        "a-wrong-answer-is-a-failure",
        "a-wrong-answer-beside-a-right-one-is-still-a-failure",
        "a-slip-corrected-before-verifying-is-not-a-failure",
        "secret-word-and-one-other-verify",
        "a-text-code-alone-verifies",
        "a-wrong-text-code-is-a-failure",
        "a-representatives-secrets-never-verify-the-resident",
        "a-representatives-wrong-passcode-is-not-the-residents-failure",
        "representative-factors-matched-earlier-do-not-help",
        "every-wrong-answer-is-named",
    ],
)
def test_assessing_resident_answers(answers, already, verified, is_failure, reason):
    outcome = assess_resident_verification(
        results(**answers), VerificationPolicy(), frozenset(already)
    )

    assert (outcome.verified, outcome.is_failure) == (verified, is_failure)
    assert not outcome.matched & {PASSCODE, REP_SMS}
    if reason is not None:
        assert outcome.reason == reason


@pytest.mark.parametrize(
    ("answers", "verified", "is_failure"),
    [
        ({"passcode": True}, True, False),
        ({"rep_sms": True}, True, False),
        ({"passcode": False}, False, True),
        ({"dob": True, "postcode": True, "reference": True, "sms": True}, False, False),
        ({"dob": True, "passcode": False}, False, True),
    ],
    ids=[
        "their-own-passcode-verifies-a-representative",
        "a-code-sent-to-their-phone-verifies-a-representative",
        "a-wrong-passcode-is-a-failure",
        "knowing-the-residents-details-never-makes-a-caller-a-representative",
        "a-right-resident-answer-does-not-soften-a-wrong-passcode",
    ],
)
def test_assessing_a_representative(answers, verified, is_failure):
    outcome = assess_representative_verification(results(**answers))

    assert (outcome.verified, outcome.is_failure) == (verified, is_failure)
    assert outcome.matched <= {PASSCODE, REP_SMS}
    if verified:
        assert outcome.reason == "Verified as the representative"
