from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.call import Call
from app.models.entry import Entry
from app.models.resident import Resident
from app.models.staff import StaffUser
from app.models.types import StrEnumType, UTCDateTime, utcnow
from app.references import new_reference
from app.rules.vocabulary import DisputeChannel, DisputeReason, DisputeStatus, is_member


class Dispute(db.Model):
    """A resident saying an entry on their record is wrong (rule 5).

    `status` is the standing decision; `decisions_made` counts the decisions recorded, so
    that two supervisors deciding at once cannot both win (the UPDATE that records a decision
    matches only the count the supervisor saw). Hoax strikes are derived, not stored: one for
    each upheld dispute on an entry the number reported.

    `reference` is what the resident is given and reads out on the phone: random like a
    record's reference (app/references.py), so one dispute's reference says nothing about
    another's, and shown as `ABCD-EFGH-JKM`. The id stays in addresses, checked against whose
    dispute it is.
    """

    __tablename__ = "disputes"
    __table_args__ = (Index("ix_disputes_status_due_on", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(11), unique=True, default=new_reference)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    reason: Mapped[DisputeReason] = mapped_column(StrEnumType(DisputeReason))
    statement: Mapped[str] = mapped_column(Text)
    opened_via: Mapped[DisputeChannel] = mapped_column(StrEnumType(DisputeChannel))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), index=True)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due_on: Mapped[date] = mapped_column(Date)
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    status: Mapped[DisputeStatus] = mapped_column(
        StrEnumType(DisputeStatus), default=DisputeStatus.OPEN
    )
    decisions_made: Mapped[int] = mapped_column(Integer, default=0)

    entry: Mapped[Entry] = relationship()
    resident: Mapped[Resident] = relationship()
    call: Mapped[Call | None] = relationship()
    opened_by: Mapped[StaffUser | None] = relationship(foreign_keys=[opened_by_id])
    assigned_to: Mapped[StaffUser | None] = relationship(foreign_keys=[assigned_to_id])
    decisions: Mapped[list["DisputeDecision"]] = relationship(
        back_populates="dispute", order_by="DisputeDecision.id"
    )

    is_open = is_member("status", DisputeStatus.OPEN)


class DisputeDecision(db.Model):
    """A supervisor's decision on a dispute: a final record. A correction is a new decision
    that names the one it supersedes."""

    __tablename__ = "dispute_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id"), index=True)
    outcome: Mapped[DisputeStatus] = mapped_column(StrEnumType(DisputeStatus))
    reasons: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("dispute_decisions.id"))

    dispute: Mapped[Dispute] = relationship(back_populates="decisions")
    decided_by: Mapped[StaffUser] = relationship()
