from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.resident import Resident
from app.models.staff import StaffUser
from app.models.types import UTCDateTime, utcnow


class LegalHold(db.Model):
    """A supervisor keeping everything on a resident's record from the retention schedule
    (a claim, an investigation, a court order), with the reason. Lifting it marks it, with
    its own reason: the row stays as the record of the hold."""

    __tablename__ = "legal_holds"
    __table_args__ = (Index("ix_legal_holds_resident_id_lifted_at", "resident_id", "lifted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    reason: Mapped[str] = mapped_column(Text)
    set_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    lift_reason: Mapped[str | None] = mapped_column(Text)

    resident: Mapped[Resident] = relationship()
    set_by: Mapped[StaffUser] = relationship(foreign_keys=[set_by_id])
    lifted_by: Mapped[StaffUser | None] = relationship(foreign_keys=[lifted_by_id])

    @property
    def in_force(self) -> bool:
        return self.lifted_at is None
