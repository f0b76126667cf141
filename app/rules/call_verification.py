"""Whom a verification on a call verified, and whether it still stands (docs/rules.md rule 3).

A verification is not a flag on the call: it names the resident it was made for, the kind of
caller who was checked and, for a representative, the permission whose own check they passed.
It counts only while the call still says exactly that, and only while the call is being worked:
a change of record, caller or permission ends it, and so does a stretch of time without
activity. No Flask, no SQLAlchemy, no clock: the caller passes `now`.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from app.rules.disclosure import VerifiedAs
from app.rules.disputes import LONDON
from app.rules.permissions import PermissionFacts, PermissionState, permission_state
from app.rules.vocabulary import CallerType, Labelled, RepresentativeCheck, is_member


class Check(Labelled):
    """A way of verifying a caller on a call."""

    RESIDENT_ANSWERS = "resident-answers", "The resident's security answers"
    REPRESENTATIVE_PASSCODE = "representative-passcode", "The representative's own passcode"
    RESIDENT_TEXT_CODE = "resident-text-code", "A code sent by text to the resident's number"
    RESIDENT_CALL_BACK = "resident-call-back", "A call back to the resident's number on file"
    REPRESENTATIVE_TEXT_CODE = (
        "representative-text-code",
        "A code sent by text to the representative's number",
    )


# What passing each check makes the caller, and the only kind of caller it can be run for.
_VERIFIES = {
    Check.RESIDENT_ANSWERS: (VerifiedAs.RESIDENT, CallerType.RESIDENT),
    Check.REPRESENTATIVE_PASSCODE: (VerifiedAs.REPRESENTATIVE, CallerType.REPRESENTATIVE),
    Check.RESIDENT_TEXT_CODE: (VerifiedAs.RESIDENT, CallerType.RESIDENT),
    Check.RESIDENT_CALL_BACK: (VerifiedAs.RESIDENT, CallerType.RESIDENT),
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


class VerificationEnd(Labelled):
    """Why a verification made on a call stopped standing, in the handler's words (said after
    "Verification ended at 10:42: ")."""

    IDLE = "idle", "no activity on the call"
    RECORD_CHANGED = "record-changed", "the record was changed"
    CALLER_CHANGED = "caller-changed", "the caller was changed"
    PERMISSION_CHANGED = "permission-changed", "the caller's permission was changed"
    PERMISSION_REVOKED = "permission-revoked", "the permission was revoked"
    PERMISSION_EXPIRED = "permission-expired", "the permission expired"
    MATTER_CLOSED = "matter-closed", "the matter the permission was for was closed"
    HUNG_UP = "hung-up", "the caller hung up"


@dataclass(frozen=True)
class VerificationEnded:
    """A verification's end: why, and when (None when the moment is not known)."""

    because: VerificationEnd
    at: datetime | None = None


@dataclass(frozen=True)
class LineEnded:
    """The telephone line of a call ended while the call stays open for the handler to finish:
    when, and whether the handler hung up (otherwise the caller did)."""

    at: datetime
    by_handler: bool = False

    @property
    def reason(self) -> str:
        """ "the caller hung up at 10:42" (London's time), said after "Do not disclose: "."""
        who = "you hung up" if self.by_handler else "the caller hung up"
        return f"{who} at {self.at.astimezone(LONDON):%H:%M}"

    @property
    def sentence(self) -> str:
        """ "The caller hung up at 10:42", as the call page says it."""
        return as_sentence(self.reason)


LINE_ENDED_REFUSAL = "Nobody is on the line: {reason}. Nothing can be checked or disclosed now"


@dataclass(frozen=True)
class Standing:
    """Who the caller counts as verified as now, and if nobody, why, in the handler's words
    (shown after "Do not disclose: ")."""

    verified_as: VerifiedAs
    reason: str = ""
    lapsed: bool = False  # a verification was made on this call but no longer stands
    ended: VerificationEnded | None = None  # how the verification made on this call ended
    until: datetime | None = None  # while it stands: when it lapses unless the call is worked

    is_resident = is_member("verified_as", VerifiedAs.RESIDENT)
    is_representative = is_member("verified_as", VerifiedAs.REPRESENTATIVE)

    @property
    def sentence(self) -> str:
        """The reason as a sentence of its own."""
        return as_sentence(self.reason)


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
        if check is Check.RESIDENT_CALL_BACK:
            return (
                "Only a caller recorded as the resident can be rung back on the resident's "
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
    ended: VerificationEnded | None = None,
    line_ended: LineEnded | None = None,
) -> Standing:
    """Say who the caller counts as verified as, as the call stands now.

    Nobody, once the line has ended (`line_ended`): whoever was verified is no longer there to
    be told anything, whatever was verified before.

    A verification stands only for the resident, the kind of caller and the permission it
    named: if the call now says anything else, nobody is verified. It also ends once the call
    has gone `idle_limit` without activity, so a call left open does not keep a stranger's
    way into the record. A verification that contradicts itself (a resident verification of
    a caller not recorded as the resident) never stands.

    `ended` is how the last verification on the call ended, when it was ended by a change (or
    found idle) and nobody has been verified since: the handler keeps being told why, never a
    bare "not verified". While a verification stands, `until` says when it lapses unless
    something is done on the call.
    """
    if line_ended is not None:
        return Standing(VerifiedAs.NOBODY, line_ended.reason, lapsed=recorded is not None)
    if recorded is None or recorded.verified_as is VerifiedAs.NOBODY:
        if ended is not None:
            return Standing(
                VerifiedAs.NOBODY, ended_reason(ended, idle_limit), lapsed=True, ended=ended
            )
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
    if last_activity_at is None or is_idle(last_activity_at, now, idle_limit):
        lapse = idle_lapse(last_activity_at, idle_limit)
        return Standing(
            VerifiedAs.NOBODY, ended_reason(lapse, idle_limit), lapsed=True, ended=lapse
        )
    return Standing(recorded.verified_as, until=last_activity_at + idle_limit)


def idle_lapse(last_activity_at: datetime | None, idle_limit: timedelta) -> VerificationEnded:
    """The end a verification comes to when nothing more is done on the call: `idle_limit`
    after its last activity."""
    at = None if last_activity_at is None else last_activity_at + idle_limit
    return VerificationEnded(VerificationEnd.IDLE, at)


def ended_reason(ended: VerificationEnded, idle_limit: timedelta) -> str:
    """Why nobody counts as verified after `ended`, in the handler's words: "verification
    ended at 10:42: 20 minutes without activity on the call". The time is London's."""
    if ended.because is VerificationEnd.IDLE:
        what = f"{describe_span(idle_limit)} without activity on the call"
    else:
        what = ended.because.label
    when = f" at {ended.at.astimezone(LONDON):%H:%M}" if ended.at is not None else ""
    return f"verification ended{when}: {what}"


def permission_end(permission: PermissionFacts, today: date) -> VerificationEnded | None:
    """How a representative's verification ended through their permission, or None while the
    permission is in force (or has not started, which is no end).

    A revoked permission ends it when it was revoked, an expired one at the start of its
    expiry date, and a permission for a matter when the matter was closed.
    """
    state = permission_state(permission, today)
    if state is PermissionState.REVOKED:
        return VerificationEnded(VerificationEnd.PERMISSION_REVOKED, permission.revoked_at)
    if state is PermissionState.MATTER_CLOSED:
        return VerificationEnded(VerificationEnd.MATTER_CLOSED)
    if state is PermissionState.EXPIRED and permission.expires_on is not None:
        midnight = datetime.combine(permission.expires_on, time(0), LONDON)
        return VerificationEnded(VerificationEnd.PERMISSION_EXPIRED, midnight)
    return None


def call_closed_words(ended_at: datetime, automatically: bool, max_length: timedelta) -> str:
    """What the handler is told once their call has ended: by them (perhaps in another window),
    or closed for being left open too long."""
    when = f"{ended_at.astimezone(LONDON):%H:%M}"
    if automatically:
        return (
            f"The call was closed at {when}: it was open for more than {describe_span(max_length)}"
        )
    return f"The call was ended at {when}"


def as_sentence(reason: str) -> str:
    """A reason said after "Do not disclose: ", as a sentence of its own."""
    return reason[:1].upper() + reason[1:]


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
    return f"Closed automatically: the call was open for more than {describe_span(max_length)}"


def describe_span(span: timedelta) -> str:
    """A length of time in words: "20 minutes", "1 hour", "4 hours"."""
    minutes = max(int(span.total_seconds()) // 60, 1)
    if minutes % 60 == 0 and minutes >= 120:
        return f"{minutes // 60} hours"
    if minutes == 60:
        return "1 hour"
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


@dataclass(frozen=True)
class CallBackFacts:
    """What decides whether the handler may ring the resident back on a number on file."""

    line_live: bool  # a caller is on the line now (the call's own, or an earlier call back)
    verified: bool  # the caller already counts as verified on this call
    locked: bool  # phone verification is locked for the resident
    caller_id_set: bool  # the council has a caller ID to ring from
    number_held: str | None  # why the chosen number may not be used yet (put on file lately)
    # The ending of a number a call back on this call is still ringing (None: none is).
    ringing_ending: str | None = None


CALL_BACK_LINE_LIVE = "Hang up before ringing back: someone is still on the line"
CALL_BACK_VERIFIED = "The caller is verified already: there is no need to ring back"
CALL_BACK_NO_CALLER_ID = "Ringing back is not set up: the council has no caller ID to ring from"


def call_back_refusal(subject: CallSubject, facts: CallBackFacts) -> str | None:
    """Why the handler may not ring back on a number on file now, or None if they may.

    A call back proves only that whoever answers holds a number on the resident's record, so
    it is for a caller recorded as the resident, who cannot be verified otherwise; never while
    someone is on the line (two callers on one call) or a call back is still ringing (pressed
    twice, it would ring twice), never to a number put on file lately
    (the same hold as text codes), never while verification is locked, and only with the
    council's own caller ID, so the resident can tell who is ringing.
    """
    if refusal := check_refusal(Check.RESIDENT_CALL_BACK, subject):
        return refusal
    if facts.verified:
        return CALL_BACK_VERIFIED
    if facts.line_live:
        return CALL_BACK_LINE_LIVE
    if facts.ringing_ending:
        return (
            f"The number ending {facts.ringing_ending} is being rung already: wait until it is "
            "answered or stops ringing"
        )
    if facts.locked:
        return "Phone verification is locked for this resident: a call back cannot verify them"
    if not facts.caller_id_set:
        return CALL_BACK_NO_CALLER_ID
    if facts.number_held:
        return facts.number_held
    return None
