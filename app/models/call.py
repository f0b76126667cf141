from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.resident import Resident
from app.models.staff import StaffUser
from app.models.types import StrEnumType, UTCDateTime, utcnow
from app.rules.call_verification import (
    CallSubject,
    LineEnded,
    RecordedVerification,
    VerificationEnd,
    VerificationEnded,
)
from app.rules.disclosure import VerifiedAs
from app.rules.vocabulary import (
    CallerType,
    CallOutcome,
    Relationship,
    VerificationResult,
    is_member,
)

if TYPE_CHECKING:
    from app.models.permission import Permission


class Call(db.Model):
    """One phone call, from the handler's point of view.

    Verification belongs to the call: it is recorded here and ends with it.
    """

    __tablename__ = "calls"
    __table_args__ = (Index("ix_calls_handler_id_ended_at", "handler_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    # Set when Twilio created the call; manual calls have none.
    provider_call_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    caller_number: Mapped[str | None] = mapped_column(String(16), index=True)
    caller_number_withheld: Mapped[bool] = mapped_column(Boolean, default=False)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), index=True)
    caller_type: Mapped[CallerType] = mapped_column(
        StrEnumType(CallerType), default=CallerType.UNKNOWN
    )
    caller_name: Mapped[str | None] = mapped_column(String(200))
    caller_relationship: Mapped[Relationship | None] = mapped_column(StrEnumType(Relationship))
    verified_as: Mapped[VerifiedAs] = mapped_column(
        StrEnumType(VerifiedAs), default=VerifiedAs.NOBODY
    )
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Whom the verification verified: the call's resident, caller type and permission at that
    # moment. It stands only while the call still says the same (app.rules.call_verification).
    verified_resident_id: Mapped[int | None] = mapped_column()
    verified_caller_type: Mapped[CallerType | None] = mapped_column(StrEnumType(CallerType))
    verified_permission_id: Mapped[int | None] = mapped_column()
    # How the last verification on the call ended (a change of record, caller or permission,
    # a stretch without activity, the caller hanging up), kept until someone is verified again
    # or the call changes again, so the handler is told why rather than "not verified".
    verification_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verification_ended_because: Mapped[VerificationEnd | None] = mapped_column(
        StrEnumType(VerificationEnd)
    )
    # The last change or check on the call; verification ends after a stretch without one.
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The permission a caller who says they act for the resident is using. Disclosure reads
    # it afresh on every request, so a revocation takes effect mid-call.
    permission_id: Mapped[int | None] = mapped_column(
        # use_alter: permissions also point at the call a verbal consent was given on.
        ForeignKey("permissions.id", use_alter=True)
    )
    # Factors the caller has matched so far on this call, comma-separated; never the answers.
    factors_matched: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A call that came in through the provider waits, with no handler, until one takes it.
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The provider's last word on the call (Twilio's CallStatus) and how long it lasted.
    provider_status: Mapped[str | None] = mapped_column(String(20))
    duration_seconds: Mapped[int | None] = mapped_column()
    # The line itself, for a call a handler took: when the provider said the caller hung up
    # (nothing may be disclosed from then on), and whether the caller is on hold.
    line_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The provider's CallSid of the line now live, when it is not the call's own: the call
    # back to the resident that was answered (a `CallLeg`).
    line_call_sid: Mapped[str | None] = mapped_column(String(64))
    line_ended_by_handler: Mapped[bool] = mapped_column(Boolean, default=False)
    line_held: Mapped[bool] = mapped_column(Boolean, default=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[CallOutcome | None] = mapped_column(StrEnumType(CallOutcome))
    summary: Mapped[str | None] = mapped_column(Text)

    handler: Mapped[StaffUser | None] = relationship()
    resident: Mapped[Resident | None] = relationship()
    permission: Mapped["Permission | None"] = relationship(foreign_keys=[permission_id])

    is_caller_unknown = is_member(
        "caller_type", CallerType.UNKNOWN, "Nobody has said yet who is calling."
    )
    caller_unknown = is_caller_unknown

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    is_caller_representative = is_member(
        "caller_type",
        CallerType.REPRESENTATIVE,
        "The caller says they act for the resident, with the resident's permission.",
    )
    is_caller_third_party = is_member(
        "caller_type",
        CallerType.THIRD_PARTY,
        "The caller is someone else calling about the resident, without their permission.",
    )

    @property
    def relationship_to_resident(self) -> Relationship | None:
        """The caller's relationship to the resident; None if none was given or the caller
        is the resident."""
        if self.caller_relationship is Relationship.SELF:
            return None
        return self.caller_relationship

    @property
    def subject(self) -> CallSubject:
        """What the call says now: whose record, who is calling, under which permission."""
        return CallSubject(self.resident_id, self.caller_type, self.permission_id)

    @property
    def recorded_verification(self) -> RecordedVerification | None:
        """The verification made on this call, naming what it verified; None if none was."""
        if self.verified_as is VerifiedAs.NOBODY or self.verified_caller_type is None:
            return None
        subject = CallSubject(
            self.verified_resident_id, self.verified_caller_type, self.verified_permission_id
        )
        return RecordedVerification(self.verified_as, subject)

    @property
    def line_ended(self) -> LineEnded | None:
        """When the telephone line ended, and who hung up; None while it is live (or the call
        never had one)."""
        if self.line_ended_at is None:
            return None
        return LineEnded(self.line_ended_at, bool(self.line_ended_by_handler))

    @property
    def verification_end(self) -> VerificationEnded | None:
        """How the last verification on this call ended, while that is still what the call
        says; None if it has not ended or nobody was verified."""
        if self.verification_ended_because is None:
            return None
        return VerificationEnded(self.verification_ended_because, self.verification_ended_at)


class CallLeg(db.Model):
    """A further line on a call: the council ringing the resident back on a number on file,
    from its own caller ID. Answered there (the resident pressing a key), it shows the resident
    holds that number. Only the number's ending is kept; the number stays on the record."""

    __tablename__ = "call_legs"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    handler_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    phone_id: Mapped[int | None] = mapped_column()  # the number on file rung (its row)
    number_ending: Mapped[str] = mapped_column(String(4))
    # What the call said when the handler rang: it verifies only while the call still does.
    shown_for: Mapped[str] = mapped_column(String(200))
    provider_call_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    provider_status: Mapped[str | None] = mapped_column(String(20))


class VerificationAttempt(db.Model):
    """Which factors a caller was checked on, and the result; never what they typed."""

    __tablename__ = "verification_attempts"
    __table_args__ = (
        Index("ix_verification_attempts_resident_id_created_at", "resident_id", "created_at"),
        # The supervisors' list of numbers failing on several records reads a window of time.
        Index("ix_verification_attempts_created_at", "created_at"),
        # A number's failures within the window, through its calls (app/services/cross_record.py):
        # with the time in the index, the planner never prefers the window alone.
        Index("ix_verification_attempts_call_id_created_at", "call_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    factors_matched: Mapped[str] = mapped_column(String(200), default="")
    factors_failed: Mapped[str] = mapped_column(String(200), default="")
    result: Mapped[VerificationResult] = mapped_column(StrEnumType(VerificationResult))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class VerificationUnlock(db.Model):
    """A supervisor lifting a phone-verification lock, with their reason."""

    __tablename__ = "verification_unlocks"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
