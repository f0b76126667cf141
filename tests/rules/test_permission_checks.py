from datetime import date

import pytest

from app.rules.permissions import (
    ACCESS_CODE_MALFORMED,
    ACCESS_CODE_NOT_LPA,
    EXPIRY_NOT_AFTER_START,
    Safeguarding,
    access_code_problem,
    expiry_problem,
    normalise_passcode,
)
from app.rules.vocabulary import PermissionKind

LPA = PermissionKind.LPA_PROPERTY_FINANCIAL


@pytest.mark.parametrize(
    ("kind", "code", "problem"),
    [
        (LPA, None, None),
        (LPA, "  ", None),
        (PermissionKind.WRITTEN, None, None),
        (LPA, "V-ABCD-1234-EFGH", None),
        (PermissionKind.LPA_HEALTH_WELFARE, "v abcd 1234 efgh", None),
        (LPA, "ABCD1234EFGH", None),
        (LPA, "V-ABCD-1234", ACCESS_CODE_MALFORMED),
        (LPA, "V-ABCD-1234-EFG!", ACCESS_CODE_MALFORMED),
        (PermissionKind.WRITTEN, "V-ABCD-1234-EFGH", ACCESS_CODE_NOT_LPA),
        (PermissionKind.DEPUTYSHIP, "V-ABCD-1234-EFGH", ACCESS_CODE_NOT_LPA),
        ("lpa-health-welfare", "V-ABCD-1234-EFGH", None),
        (None, "V-ABCD-1234-EFGH", ACCESS_CODE_NOT_LPA),
    ],
    ids=[
        "none-given",
        "only-spaces",
        "none-given-not-an-lpa",
        "as-the-office-gives-it",
        "any-case-and-spacing",
        "without-the-v",
        "too-short",
        "a-stray-character",
        "written-consent-has-none",
        "deputyship-has-none",
        "kind-as-posted-by-a-form",
        "no-kind-chosen",
    ],
)
def test_only_an_lpa_has_an_access_code_and_it_looks_like_one(kind, code, problem):
    assert access_code_problem(kind, code) == problem


@pytest.mark.parametrize(
    ("starts_on", "expires_on", "problem"),
    [
        (date(2026, 3, 1), None, None),
        (None, date(2026, 3, 1), None),
        (date(2026, 3, 1), date(2026, 3, 2), None),
        (date(2026, 3, 1), date(2026, 3, 1), EXPIRY_NOT_AFTER_START),
        (date(2026, 3, 1), date(2026, 2, 28), EXPIRY_NOT_AFTER_START),
    ],
    ids=["no-expiry", "no-start-yet", "day-after-start", "same-day", "before-start"],
)
def test_a_permission_expires_after_it_starts(starts_on, expires_on, problem):
    assert expiry_problem(starts_on, expires_on) == problem


@pytest.mark.parametrize(
    ("answers", "confirmed"),
    [
        ((True, True, True), True),
        ((False, True, True), False),
        ((True, False, True), False),
        ((True, True, False), False),
        ((False, False, False), False),
    ],
    ids=["all-confirmed", "not-freely", "someone-pressing", "scope-not-understood", "none"],
)
def test_every_safeguarding_question_must_be_confirmed(answers, confirmed):
    assert Safeguarding(*answers).is_confirmed is confirmed


def test_a_passcode_is_compared_without_case_spaces_or_hyphens():
    assert normalise_passcode("k7qm 4xrt") == normalise_passcode("K7QM-4XRT") == "K7QM4XRT"
