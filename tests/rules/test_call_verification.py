"""Whom a verification verified, and when it stops standing: every case of the rules."""

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules.call_verification import (
    CALL_BACK_LINE_LIVE,
    CALL_BACK_NO_CALLER_ID,
    CALL_BACK_VERIFIED,
    NOT_VERIFIED,
    CallBackFacts,
    CallSubject,
    Check,
    LineEnded,
    RecordedVerification,
    VerificationEnd,
    VerificationEnded,
    as_sentence,
    call_back_refusal,
    call_closed_words,
    check_refusal,
    describe_span,
    ended_reason,
    is_idle,
    is_overdue,
    overdue_reason,
    permission_end,
    verification_standing,
    verified_as_by,
)
from app.rules.disclosure import VerifiedAs
from app.rules.disputes import LONDON
from app.rules.permissions import PermissionState, permission_state
from app.rules.vocabulary import CallerType, RepresentativeCheck
from tests.rules.data import permission_facts

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
IDLE = timedelta(minutes=20)

# ---- Which check a caller may take --------------------------------------------------------

RESIDENTS = {"no-record": None, "record": 7}
PERMISSIONS = {"no-permission": None, "permission": 3}


METHODS = {"passcode": RepresentativeCheck.PASSCODE, "by-text": RepresentativeCheck.SMS}
RESIDENT_CHECKS = {Check.RESIDENT_ANSWERS, Check.RESIDENT_TEXT_CODE, Check.RESIDENT_CALL_BACK}


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
        lapsed_at = last_activity + IDLE
        assert standing.ended == VerificationEnded(VerificationEnd.IDLE, lapsed_at)
        assert standing.reason == (
            f"verification ended at {lapsed_at.astimezone(LONDON):%H:%M}: "
            "20 minutes without activity on the call"
        )
    if stands:
        assert standing.until == last_activity + IDLE
    else:
        assert standing.until is None


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


# ---- How a verification ended, in the handler's words -----------------------------------

# 10:42 in London on a winter's day is 10:42 UTC; in summer it is 09:42 UTC.
WINTER_1042 = datetime(2026, 11, 30, 10, 42, tzinfo=UTC)
SUMMER_1042 = datetime(2026, 7, 1, 9, 42, tzinfo=UTC)

ENDED_WORDS = {
    VerificationEnd.IDLE: "20 minutes without activity on the call",
    VerificationEnd.RECORD_CHANGED: "the record was changed",
    VerificationEnd.CALLER_CHANGED: "the caller was changed",
    VerificationEnd.PERMISSION_CHANGED: "the caller's permission was changed",
    VerificationEnd.PERMISSION_REVOKED: "the permission was revoked",
    VerificationEnd.PERMISSION_EXPIRED: "the permission expired",
    VerificationEnd.MATTER_CLOSED: "the matter the permission was for was closed",
    VerificationEnd.HUNG_UP: "the caller hung up",
}
ENDED_MATRIX = list(itertools.product(VerificationEnd, ["winter", "summer", "unknown"]))
AT = {"winter": WINTER_1042, "summer": SUMMER_1042, "unknown": None}


def test_every_way_a_verification_ends_has_words():
    assert set(ENDED_WORDS) == set(VerificationEnd)


@pytest.mark.parametrize(
    ("because", "when"), ENDED_MATRIX, ids=[f"{b.value}-{w}" for b, w in ENDED_MATRIX]
)
def test_the_handler_is_told_when_and_why_a_verification_ended(because, when):
    reason = ended_reason(VerificationEnded(because, AT[when]), IDLE)

    at = "" if when == "unknown" else " at 10:42"
    assert reason == f"verification ended{at}: {ENDED_WORDS[because]}"
    assert as_sentence(reason) == f"Verification ended{at}: {ENDED_WORDS[because]}"


@pytest.mark.parametrize(
    ("because", "when"), ENDED_MATRIX, ids=[f"{b.value}-{w}" for b, w in ENDED_MATRIX]
)
def test_a_verification_that_ended_keeps_saying_why_until_someone_is_verified_again(because, when):
    ended = VerificationEnded(because, AT[when])
    subject = CallSubject(7, CallerType.RESIDENT, None)

    after = verification_standing(None, subject, NOW, NOW, IDLE, ended)
    verified_again = verification_standing(AS_RESIDENT, subject, NOW, NOW, IDLE, ended)

    assert after.verified_as is VerifiedAs.NOBODY
    assert after.lapsed
    assert after.ended == ended
    assert after.reason == ended_reason(ended, IDLE)
    assert after.reason != NOT_VERIFIED
    assert after.sentence == as_sentence(after.reason)
    assert verified_again.verified_as is VerifiedAs.RESIDENT
    assert verified_again.ended is None


def test_a_verification_that_stands_says_when_it_lapses_and_how_it_will_be_put():
    standing = verification_standing(
        AS_RESIDENT, AS_RESIDENT.subject, WINTER_1042 - timedelta(minutes=5), WINTER_1042, IDLE
    )
    lapsed = verification_standing(
        AS_RESIDENT, AS_RESIDENT.subject, WINTER_1042 - timedelta(minutes=5), standing.until, IDLE
    )

    assert standing.until == WINTER_1042 + timedelta(minutes=15)
    assert lapsed.verified_as is VerifiedAs.NOBODY
    assert lapsed.reason == "verification ended at 10:57: 20 minutes without activity on the call"


def test_a_call_never_worked_lapses_without_a_time():
    standing = verification_standing(AS_RESIDENT, AS_RESIDENT.subject, None, NOW, IDLE)

    assert standing.ended == VerificationEnded(VerificationEnd.IDLE, None)
    assert standing.reason == "verification ended: 20 minutes without activity on the call"


REVOKED_AT = datetime(2026, 11, 30, 10, 42, tzinfo=LONDON)
PERMISSIONS_NOW = {
    "active": permission_facts(),
    "revoked": permission_facts(revoked_at=REVOKED_AT),
    "matter-closed": permission_facts(matter_closed=True),
    "expired": permission_facts(expires_on=date(2026, 11, 30)),
    "not-started": permission_facts(starts_on=date(2026, 12, 25)),
}
PERMISSION_ENDS = {
    "active": None,
    "revoked": VerificationEnded(VerificationEnd.PERMISSION_REVOKED, REVOKED_AT),
    "matter-closed": VerificationEnded(VerificationEnd.MATTER_CLOSED),
    "expired": VerificationEnded(
        VerificationEnd.PERMISSION_EXPIRED, datetime(2026, 11, 30, 0, 0, tzinfo=LONDON)
    ),
    "not-started": None,
}


def test_every_state_of_a_permission_is_covered():
    states = {permission_state(p, date(2026, 11, 30)) for p in PERMISSIONS_NOW.values()}

    assert states == set(PermissionState)


@pytest.mark.parametrize("state", PERMISSIONS_NOW, ids=list(PERMISSIONS_NOW))
def test_a_representatives_verification_ends_with_their_permission(state):
    ended = permission_end(PERMISSIONS_NOW[state], date(2026, 11, 30))

    assert ended == PERMISSION_ENDS[state]


def test_a_revoked_permission_is_said_with_the_time_it_was_revoked():
    ended = permission_end(PERMISSIONS_NOW["revoked"], date(2026, 11, 30))

    assert as_sentence(ended_reason(ended, IDLE)) == (
        "Verification ended at 10:42: the permission was revoked"
    )


@pytest.mark.parametrize(
    ("automatically", "words"),
    [
        (False, "The call was ended at 10:42"),
        (True, "The call was closed at 10:42: it was open for more than 4 hours"),
    ],
    ids=["by-the-handler", "left-open-too-long"],
)
def test_the_handler_is_told_when_and_how_the_call_ended(automatically, words):
    assert call_closed_words(SUMMER_1042, automatically, timedelta(hours=4)) == words


@pytest.mark.parametrize(
    ("span", "words"),
    [
        (timedelta(seconds=20), "1 minute"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(minutes=20), "20 minutes"),
        (timedelta(minutes=60), "1 hour"),
        (timedelta(minutes=90), "90 minutes"),
        (timedelta(hours=12), "12 hours"),
    ],
    ids=["under-a-minute", "a-minute", "minutes", "an-hour", "ninety-minutes", "hours"],
)
def test_a_span_of_time_is_said_in_words(span, words):
    assert describe_span(span) == words


# Ringing back on a number on file: every combination of what decides it.
CALL_BACK_SUBJECTS = {
    "no-record": CallSubject(None, CallerType.UNKNOWN, None),
    "resident": CallSubject(7, CallerType.RESIDENT, None),
    "representative": CallSubject(7, CallerType.REPRESENTATIVE, 3),
    "third-party": CallSubject(7, CallerType.THIRD_PARTY, None),
    "unknown-caller": CallSubject(7, CallerType.UNKNOWN, None),
}
HELD = "This number was put on file 2 days ago: no code can be sent to it until 14 March"
CALL_BACK_MATRIX = list(
    itertools.product(CALL_BACK_SUBJECTS, *[(False, True)] * 4, (None, HELD), (None, "456"))
)


def expected_call_back_refusal(subject_name, line_live, verified, locked, caller_id, held, ringing):
    """Restated: the record first, then a caller recorded as the resident, then nobody
    verified, nobody on the line, no call back still ringing, no lock, a caller ID, and a
    number not put on file lately."""
    if subject_name == "no-record":
        return "Find the resident's record"
    if subject_name != "resident":
        return "rung back on the resident's number"
    if verified:
        return CALL_BACK_VERIFIED
    if line_live:
        return CALL_BACK_LINE_LIVE
    if ringing:
        return "The number ending 456 is being rung already"
    if locked:
        return "locked"
    if not caller_id:
        return CALL_BACK_NO_CALLER_ID
    return held


@pytest.mark.parametrize(
    ("subject_name", "line_live", "verified", "locked", "caller_id", "held", "ringing"),
    CALL_BACK_MATRIX,
    ids=[
        f"{name}-live{live:d}-verified{verified:d}-locked{locked:d}-callerid{cid:d}"
        f"-held{held is not None:d}-ringing{ringing is not None:d}"
        for name, live, verified, locked, cid, held, ringing in CALL_BACK_MATRIX
    ],
)
def test_ringing_back_is_allowed_only_when_every_rule_says_so(
    subject_name, line_live, verified, locked, caller_id, held, ringing
):
    facts = CallBackFacts(
        line_live=line_live,
        verified=verified,
        locked=locked,
        caller_id_set=caller_id,
        number_held=held,
        ringing_ending=ringing,
    )

    refusal = call_back_refusal(CALL_BACK_SUBJECTS[subject_name], facts)

    expected = expected_call_back_refusal(
        subject_name, line_live, verified, locked, caller_id, held, ringing
    )
    if expected is None:
        assert refusal is None
    else:
        assert refusal is not None and expected in refusal


def test_a_call_back_answered_verifies_as_the_resident():
    assert verified_as_by(Check.RESIDENT_CALL_BACK) is VerifiedAs.RESIDENT


# The line ending: nobody counts as verified from then on, whatever was verified before.
def test_after_the_line_ended_nobody_is_verified_and_the_handler_is_told_when():
    verified_at = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
    subject = CallSubject(7, CallerType.RESIDENT, None)
    recorded = RecordedVerification(VerifiedAs.RESIDENT, subject)
    ended = LineEnded(datetime(2026, 3, 14, 10, 42, tzinfo=UTC))

    standing = verification_standing(
        recorded, subject, verified_at, verified_at, timedelta(minutes=20), line_ended=ended
    )

    assert standing.verified_as is VerifiedAs.NOBODY
    assert standing.reason == "the caller hung up at 10:42"
    assert standing.lapsed
    assert ended.sentence == "The caller hung up at 10:42"


def test_the_handler_hanging_up_is_said_as_such():
    ended = LineEnded(datetime(2026, 7, 14, 9, 5, tzinfo=UTC), by_handler=True)

    assert ended.sentence == "You hung up at 10:05"  # London's summer time


def test_with_the_line_live_a_verification_stands_as_before():
    now = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
    subject = CallSubject(7, CallerType.RESIDENT, None)
    recorded = RecordedVerification(VerifiedAs.RESIDENT, subject)

    standing = verification_standing(recorded, subject, now, now, timedelta(minutes=20), None, None)

    assert standing.verified_as is VerifiedAs.RESIDENT
