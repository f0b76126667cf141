from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.resident import Resident
from app.models.staff import StaffUser
from app.models.types import StrEnumType, UTCDateTime, utcnow
from app.rules.vocabulary import (
    DispatchOutcome,
    EntryCategory,
    EntryStatus,
    Relationship,
    Urgency,
    is_member,
)


class Entry(db.Model):
    """Something reported about a resident, recorded in good faith.

    Who reported it and whether they were verified travel with the entry
    for its whole life; an entry is never deleted, only marked.
    """

    __tablename__ = "entries"
    __table_args__ = (
        Index("ix_entries_resident_id_created_at", "resident_id", "created_at"),
        # The dashboard counts recent third-party reports by relationship from this alone.
        Index("ix_entries_created_at_reporter_relationship", "created_at", "reporter_relationship"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), index=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("service_areas.code"))
    category: Mapped[EntryCategory] = mapped_column(StrEnumType(EntryCategory))
    summary: Mapped[str] = mapped_column(Text)
    urgency: Mapped[Urgency] = mapped_column(StrEnumType(Urgency), default=Urgency.ROUTINE)
    is_sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[EntryStatus] = mapped_column(
        StrEnumType(EntryStatus), default=EntryStatus.ACTIVE
    )
    reporter_name: Mapped[str | None] = mapped_column(String(200))
    reporter_number: Mapped[str | None] = mapped_column(String(16), index=True)
    reporter_relationship: Mapped[Relationship] = mapped_column(StrEnumType(Relationship))
    reporter_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    resident: Mapped[Resident] = relationship()
    created_by: Mapped[StaffUser | None] = relationship()
    dispatches: Mapped[list["Dispatch"]] = relationship(back_populates="entry")

    @property
    def is_urgent(self) -> bool:
        """Urgent or an emergency: anything but routine."""
        return self.urgency is not Urgency.ROUTINE

    is_disputed = is_member("status", EntryStatus.DISPUTED)


class Dispatch(db.Model):
    """Staff sent out to act on an entry."""

    __tablename__ = "dispatches"
    __table_args__ = (Index("ix_dispatches_closed_at_created_at", "closed_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    team: Mapped[str] = mapped_column(String(100))
    priority: Mapped[Urgency] = mapped_column(StrEnumType(Urgency))
    instructions: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    outcome: Mapped[DispatchOutcome | None] = mapped_column(StrEnumType(DispatchOutcome))
    outcome_notes: Mapped[str | None] = mapped_column(Text)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    entry: Mapped[Entry] = relationship(back_populates="dispatches")
