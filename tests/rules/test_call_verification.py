"""Whom a verification verified, and when it stops standing: every case of the rules."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules.call_verification import (
    NOT_VERIFIED,
    CallSubject,
    Check,
    RecordedVerification,
    check_refusal,
    is_idle,
    is_overdue,
    overdue_reason,
    verification_standing,
    verified_as_by,
)
from app.rules.disclosure import VerifiedAs
from app.rules.vocabulary import CallerType, RepresentativeCheck

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
IDLE = timedelta(minutes=20)

# ---- Which check a caller may take --------------------------------------------------------

RESIDENTS = {"no-record": None, "record": 7}
PERMISSIONS = {"no-permission": None, "permission": 3}


METHODS = {"passcode": RepresentativeCheck.PASSCODE, "by-text": RepresentativeCheck.SMS}
RESIDENT_CHECKS = {Check.RESIDENT_ANSWERS, Check.RESIDENT_TEXT_CODE}


def expected_refusal(
    check: Check, resident, caller_type: CallerType, permission, method
) -> str | None:
    if resident is None:
        return "record"
    if check in RESIDENT_CHECKS:
        return None if caller_type is CallerType.RESIDENT else "caller"
    if caller_type is not CallerType.REPRESENTATIVE:
        return "caller"
    if permission is None:
        return "permission"
    if check is Check.REPRESENTATIVE_TEXT_CODE and method is not RepresentativeCheck.SMS:
        return "method"
    return None


CHECK_MATRIX = list(itertools.product(Check, RESIDENTS, CallerType, PERMISSIONS, METHODS))


@pytest.mark.parametrize(
    ("check", "resident", "caller_type", "permission", "method"),
    CHECK_MATRIX,
    ids=[f"{c.value}-{r}-{t.value}-{p}-{m}" for c, r, t, p, m in CHECK_MATRIX],
)
def test_a_check_runs_only_for_the_kind_of_caller_it_verifies(
    check, resident, caller_type, permission, method
):
    subject = CallSubject(RESIDENTS[resident], caller_type, PERMISSIONS[permission])

    refusal = check_refusal(check, subject, METHODS[method])

    expected = expected_refusal(
        check, RESIDENTS[resident], caller_type, PERMISSIONS[permission], METHODS[method]
    )
    if expected is None:
        assert refusal is None
    else:
        assert refusal is not None
        assert {
            "record": "Find the resident's record",
            "caller": "Record who is calling first",
            "permission": "Choose the permission",
            "method": "does not say they are checked by text",
        }[expected] in refusal


def test_a_neighbour_who_knows_the_answers_is_still_a_neighbour():
    neighbour = CallSubject(7, CallerType.THIRD_PARTY, None)

    refusal = check_refusal(Check.RESIDENT_ANSWERS, neighbour)

    assert refusal is not None
    assert "Only a caller recorded as the resident" in refusal


def test_each_check_verifies_its_own_kind_of_caller():
    assert verified_as_by(Check.RESIDENT_ANSWERS) is VerifiedAs.RESIDENT
    assert verified_as_by(Check.REPRESENTATIVE_PASSCODE) is VerifiedAs.REPRESENTATIVE
    assert verified_as_by(Check.RESIDENT_TEXT_CODE) is VerifiedAs.RESIDENT
    assert verified_as_by(Check.REPRESENTATIVE_TEXT_CODE) is VerifiedAs.REPRESENTATIVE


def test_someone_holding_the_residents_phone_is_not_the_resident_unless_recorded_so():
    neighbour = CallSubject(7, CallerType.THIRD_PARTY, None)
    representative = CallSubject(7, CallerType.REPRESENTATIVE, 3)

    assert "Only a caller recorded as the resident" in check_refusal(
        Check.RESIDENT_TEXT_CODE, neighbour
    )
    assert "Only a caller recorded as the resident" in check_refusal(
        Check.RESIDENT_TEXT_CODE, representative, RepresentativeCheck.SMS
    )


# ---- Whether a verification still stands ------------------------------------------------

AS_RESIDENT = RecordedVerification(VerifiedAs.RESIDENT, CallSubject(7, CallerType.RESIDENT, None))
AS_REPRESENTATIVE = RecordedVerification(
    VerifiedAs.REPRESENTATIVE, CallSubject(7, CallerType.REPRESENTATIVE, 3)
)
RECORDED = {"none": None, "resident": AS_RESIDENT, "representative": AS_REPRESENTATIVE}
# How the call differs now from what the verification named.
CHANGES = {
    "same": {},
    "other-record": {"resident_id": 8},
    "no-record": {"resident_id": None},
    "other-caller-type": {"caller_type": CallerType.THIRD_PARTY},
    "other-permission": {"permission_id": 4},
    "permission-dropped": {"permission_id": None},
}
QUIET_FOR = {
    "just-now": timedelta(0),
    "under-limit": IDLE - timedelta(seconds=1),
    "at-limit": IDLE,
    "over-limit": IDLE + timedelta(hours=5),
    "never-active": None,
}


def _now_subject(recorded: RecordedVerification | None, change: dict) -> CallSubject:
    base = recorded.subject if recorded else CallSubject(7, CallerType.RESIDENT, None)
    values = {
        "resident_id": base.resident_id,
        "caller_type": base.caller_type,
        "permission_id": base.permission_id,
    } | change
    return CallSubject(**values)


STANDING_MATRIX = list(itertools.product(RECORDED, CHANGES, QUIET_FOR))


@pytest.mark.parametrize(
    ("recorded", "change", "quiet"),
    STANDING_MATRIX,
    ids=[f"{r}-{c}-{q}" for r, c, q in STANDING_MATRIX],
)
def test_a_verification_stands_only_for_what_it_named_and_while_the_call_is_worked(
    recorded, change, quiet
):
    verification = RECORDED[recorded]
    subject = _now_subject(verification, CHANGES[change])
    last_activity = None if QUIET_FOR[quiet] is None else NOW - QUIET_FOR[quiet]

    standing = verification_standing(verification, subject, last_activity, NOW, IDLE)

    stands = (
        verification is not None
        and subject == verification.subject
        and quiet in ("just-now", "under-limit")
    )
    if stands:
        assert standing.verified_as is verification.verified_as
        assert not standing.lapsed
    else:
        assert standing.verified_as is VerifiedAs.NOBODY
        assert standing.reason
    changed = verification is not None and subject != verification.subject
    if changed:
        assert standing.lapsed
        assert "changed after the caller was verified" in standing.reason
    if verification is not None and not changed and quiet in ("at-limit", "over-limit"):
        assert "verification ended after 20 minutes without activity" in standing.reason


def test_no_verification_is_simply_not_verified():
    standing = verification_standing(
        None, CallSubject(7, CallerType.RESIDENT, None), NOW, NOW, IDLE
    )

    assert standing.verified_as is VerifiedAs.NOBODY
    assert standing.reason == NOT_VERIFIED
    assert not standing.lapsed


def test_a_resident_verification_of_a_caller_recorded_as_someone_else_never_stands():
    # Written by no path in the service, but the gate must not rely on that.
    contradictory = RecordedVerification(
        VerifiedAs.RESIDENT, CallSubject(7, CallerType.THIRD_PARTY, None)
    )

    standing = verification_standing(contradictory, contradictory.subject, NOW, NOW, IDLE)

    assert standing.verified_as is VerifiedAs.NOBODY


subjects = st.builds(
    CallSubject,
    resident_id=st.one_of(st.none(), st.integers(1, 5)),
    caller_type=st.sampled_from(CallerType),
    permission_id=st.one_of(st.none(), st.integers(1, 5)),
)


@given(
    verified_as=st.sampled_from(VerifiedAs),
    named=subjects,
    now_subject=subjects,
    quiet=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)),
)
def test_property_a_verification_never_stands_for_anyone_it_did_not_name(
    verified_as, named, now_subject, quiet
):
    standing = verification_standing(
        RecordedVerification(verified_as, named), now_subject, NOW - quiet, NOW, IDLE
    )

    if standing.verified_as is not VerifiedAs.NOBODY:
        assert standing.verified_as is verified_as
        assert now_subject == named
        assert now_subject.resident_id is not None
        assert quiet < IDLE
        expected_type = (
            CallerType.RESIDENT if verified_as is VerifiedAs.RESIDENT else CallerType.REPRESENTATIVE
        )
        assert now_subject.caller_type is expected_type


# ---- Idle calls and calls left open -----------------------------------------------------


@pytest.mark.parametrize(
    ("quiet", "idle"),
    [(timedelta(0), False), (IDLE - timedelta(seconds=1), False), (IDLE, True)],
    ids=["active", "just-under", "at-limit"],
)
def test_a_call_is_idle_from_the_limit_on(quiet, idle):
    assert is_idle(NOW - quiet, NOW, IDLE) is idle


@pytest.mark.parametrize(
    ("open_for", "overdue"),
    [(timedelta(hours=3, minutes=59), False), (timedelta(hours=4), True)],
    ids=["under", "at-limit"],
)
def test_a_call_open_past_its_maximum_length_is_overdue(open_for, overdue):
    assert is_overdue(NOW - open_for, NOW, timedelta(hours=4)) is overdue


def test_the_handler_is_told_why_a_call_was_closed():
    assert overdue_reason(timedelta(hours=4)) == (
        "Closed automatically: the call was open for more than 4 hours"
    )
