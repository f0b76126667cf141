"""Whom a verification on a call verified, and whether it still stands (docs/rules.md rule 3).

A verification is not a flag on the call: it names the resident it was made for, the kind of
caller who was checked and, for a representative, the permission whose own check they passed.
It counts only while the call still says exactly that, and only while the call is being worked:
a change of record, caller or permission ends it, and so does a stretch of time without
activity. No Flask, no SQLAlchemy, no clock: the caller passes `now`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.rules.disclosure import VerifiedAs
from app.rules.vocabulary import CallerType, Labelled, RepresentativeCheck, is_member


class Check(Labelled):
    """A way of verifying a caller on a call."""

    RESIDENT_ANSWERS = "resident-answers", "The resident's security answers"
    REPRESENTATIVE_PASSCODE = "representative-passcode", "The representative's own passcode"
    RESIDENT_TEXT_CODE = "resident-text-code", "A code sent by text to the resident's number"
    REPRESENTATIVE_TEXT_CODE = (
        "representative-text-code",
        "A code sent by text to the representative's number",
    )


# What passing each check makes the caller, and the only kind of caller it can be run for.
_VERIFIES = {
    Check.RESIDENT_ANSWERS: (VerifiedAs.RESIDENT, CallerType.RESIDENT),
    Check.REPRESENTATIVE_PASSCODE: (VerifiedAs.REPRESENTATIVE, CallerType.REPRESENTATIVE),
    Check.RESIDENT_TEXT_CODE: (VerifiedAs.RESIDENT, CallerType.RESIDENT),
    Check.REPRESENTATIVE_TEXT_CODE: (VerifiedAs.REPRESENTATIVE, CallerType.REPRESENTATIVE),
}
_REPRESENTATIVE_CHECKS = {Check.REPRESENTATIVE_PASSCODE, Check.REPRESENTATIVE_TEXT_CODE}


@dataclass(frozen=True)
class CallSubject:
    """What a call says at one moment: whose record it is about, who the caller says they
    are, and the permission a caller acting for the resident is using."""

    resident_id: int | None
    caller_type: CallerType
    permission_id: int | None


@dataclass(frozen=True)
class RecordedVerification:
    """A verification as it was made: who the caller was verified as, and what the call said
    at that moment."""

    verified_as: VerifiedAs
    subject: CallSubject


@dataclass(frozen=True)
class Standing:
    """Who the caller counts as verified as now, and if nobody, why, in the handler's words
    (shown after "Do not disclose: ")."""

    verified_as: VerifiedAs
    reason: str = ""
    lapsed: bool = False  # a verification was made on this call but no longer stands

    is_resident = is_member("verified_as", VerifiedAs.RESIDENT)
    is_representative = is_member("verified_as", VerifiedAs.REPRESENTATIVE)


NOT_VERIFIED = "caller not verified"


def verified_as_by(check: Check) -> VerifiedAs:
    """Who a caller who passes `check` is verified as."""
    return _VERIFIES[check][0]


def check_refusal(
    check: Check,
    subject: CallSubject,
    representative_check: RepresentativeCheck | None = None,
) -> str | None:
    """Say why `check` may not be run for the caller the call records, or None when it may.

    The resident's answers, or a code sent to the resident's number, verify only a caller
    recorded as the resident: a neighbour who knows the resident's date of birth, or holds
    their phone, is still a neighbour. A representative's passcode or text code verifies only
    a caller recorded as a representative, for the permission they named; a text code only
    when that permission says the representative is checked by text
    (`representative_check`). Nothing can be checked before the call is about a resident.
    """
    if subject.resident_id is None:
        return "Find the resident's record before verifying the caller"
    _, caller_type = _VERIFIES[check]
    if subject.caller_type is not caller_type:
        if check is Check.RESIDENT_ANSWERS:
            return (
                "Only a caller recorded as the resident can answer the resident's security "
                "questions. Record who is calling first"
            )
        if check is Check.RESIDENT_TEXT_CODE:
            return (
                "Only a caller recorded as the resident can be sent a code to the resident's "
                "number. Record who is calling first"
            )
        how = "a passcode" if check is Check.REPRESENTATIVE_PASSCODE else "a text code"
        return (
            f"Only a caller recorded as someone with the resident's permission can be checked "
            f"with {how}. Record who is calling first"
        )
    if check in _REPRESENTATIVE_CHECKS and subject.permission_id is None:
        return "Choose the permission the caller says they hold"
    if (
        check is Check.REPRESENTATIVE_TEXT_CODE
        and representative_check is not RepresentativeCheck.SMS
    ):
        return (
            "This representative's permission does not say they are checked by text. "
            "Check them with their passcode"
        )
    return None


def verification_standing(
    recorded: RecordedVerification | None,
    subject_now: CallSubject,
    last_activity_at: datetime | None,
    now: datetime,
    idle_limit: timedelta,
) -> Standing:
    """Say who the caller counts as verified as, as the call stands now.

    A verification stands only for the resident, the kind of caller and the permission it
    named: if the call now says anything else, nobody is verified. It also ends once the call
    has gone `idle_limit` without activity, so a call left open does not keep a stranger's
    way into the record. A verification that contradicts itself (a resident verification of
    a caller not recorded as the resident) never stands.
    """
    if recorded is None or recorded.verified_as is VerifiedAs.NOBODY:
        return Standing(VerifiedAs.NOBODY, NOT_VERIFIED)
    if recorded.subject != subject_now:
        return Standing(
            VerifiedAs.NOBODY,
            "the record, the caller or their permission changed after the caller was verified",
            lapsed=True,
        )
    expected_caller = {
        VerifiedAs.RESIDENT: CallerType.RESIDENT,
        VerifiedAs.REPRESENTATIVE: CallerType.REPRESENTATIVE,
    }[recorded.verified_as]
    if subject_now.caller_type is not expected_caller or subject_now.resident_id is None:
        return Standing(VerifiedAs.NOBODY, NOT_VERIFIED)
    if recorded.verified_as is VerifiedAs.REPRESENTATIVE and subject_now.permission_id is None:
        return Standing(VerifiedAs.NOBODY, NOT_VERIFIED)
    if is_idle(last_activity_at, now, idle_limit):
        return Standing(
            VerifiedAs.NOBODY,
            f"verification ended after {_minutes(idle_limit)} without activity on the call. "
            "Verify the caller again",
            lapsed=True,
        )
    return Standing(recorded.verified_as)


def is_idle(last_activity_at: datetime | None, now: datetime, idle_limit: timedelta) -> bool:
    """Say whether a call has gone `idle_limit` or longer without activity. A call with no
    recorded activity has had none to keep anything alive."""
    return last_activity_at is None or now - last_activity_at >= idle_limit


def is_overdue(started_at: datetime, now: datetime, max_length: timedelta) -> bool:
    """Say whether a call has been open for `max_length` or longer and should be closed: a
    call nobody ended is not a conversation that is still going on."""
    return now - started_at >= max_length


def overdue_reason(max_length: timedelta) -> str:
    """Why a call was closed for the handler, in their words."""
    return f"Closed automatically: the call was open for more than {_minutes(max_length)}"


def _minutes(span: timedelta) -> str:
    minutes = max(int(span.total_seconds()) // 60, 1)
    if minutes % 60 == 0 and minutes >= 120:
        return f"{minutes // 60} hours"
    if minutes == 60:
        return "1 hour"
    return f"{minutes} minute{'' if minutes == 1 else 's'}"
