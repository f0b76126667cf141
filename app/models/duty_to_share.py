from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.call import Call
from app.models.resident import Resident
from app.models.staff import StaffUser
from app.models.types import StrEnumType, UTCDateTime, utcnow
from app.rules.vocabulary import LawfulBasis, ShareRequestStatus, is_member


class ShareRequest(db.Model):
    """A handler asking, on a live call, to tell the caller about the resident without the
    resident's permission, where the law requires it (app.rules.duty_to_share).

    It belongs to its call: what it lets the handler say ends with the call. A decision is
    recorded by an UPDATE that matches only a request still waiting, so it is decided once.
    Service areas are kept as comma-separated codes, as a call's factors matched are.
    """

    __tablename__ = "share_requests"
    __table_args__ = (Index("ix_share_requests_status_requested_at", "status", "requested_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The caller as recorded on the call when the handler asked, in words.
    caller: Mapped[str] = mapped_column(String(300))
    basis: Mapped[LawfulBasis] = mapped_column(StrEnumType(LawfulBasis))
    reason: Mapped[str] = mapped_column(Text)
    # The requesting officer's details, for a police request.
    officer: Mapped[str | None] = mapped_column(String(300))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    areas_requested: Mapped[str] = mapped_column(String(500))
    areas_approved: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[ShareRequestStatus] = mapped_column(
        StrEnumType(ShareRequestStatus), default=ShareRequestStatus.PENDING
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str | None] = mapped_column(Text)
    # When the handler was first shown the resident's information under this request: the
    # disclosure is audited once, then.
    disclosed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    call: Mapped[Call] = relationship()
    resident: Mapped[Resident] = relationship()
    requested_by: Mapped[StaffUser | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[StaffUser | None] = relationship(foreign_keys=[decided_by_id])

    is_pending = is_member("status", ShareRequestStatus.PENDING)

    @property
    def requested_codes(self) -> frozenset[str]:
        return frozenset(filter(None, self.areas_requested.split(",")))

    @property
    def approved_codes(self) -> frozenset[str] | None:
        if self.areas_approved is None:
            return None
        return frozenset(filter(None, self.areas_approved.split(",")))
