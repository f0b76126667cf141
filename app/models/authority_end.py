from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.permission import Permission
from app.models.resident import Resident
from app.models.staff import StaffUser
from app.models.types import StrEnumType, UTCDateTime, utcnow
from app.rules.vocabulary import AuthorityEndStatus, is_member


class AuthorityEndRequest(db.Model):
    """A resident asking, in the portal, for a legal authority over their affairs (a Lasting
    Power of Attorney, a deputyship, a DWP appointeeship) to end (app.rules.authority_ends).

    The permission stays in force until a supervisor decides. The decision, with what the
    supervisor did first, is recorded on this row once: deciding takes the row's lock and
    matches only a request still waiting. Never deleted, like the permission it is about.
    """

    __tablename__ = "authority_end_requests"
    __table_args__ = (
        Index("ix_authority_end_requests_status_requested_at", "status", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    permission_id: Mapped[int] = mapped_column(ForeignKey("permissions.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # What the resident wanted us to know, as they typed it; they may leave it out.
    resident_note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[AuthorityEndStatus] = mapped_column(
        StrEnumType(AuthorityEndStatus), default=AuthorityEndStatus.WAITING
    )
    # The supervisor's checklist, recorded with the decision.
    spoke_alone: Mapped[bool] = mapped_column(Boolean, default=False)
    told_holder: Mapped[bool] = mapped_column(Boolean, default=False)
    told_issuer: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str | None] = mapped_column(Text)

    permission: Mapped[Permission] = relationship()
    resident: Mapped[Resident] = relationship()
    decided_by: Mapped[StaffUser | None] = relationship()

    is_waiting = is_member("status", AuthorityEndStatus.WAITING)
    is_ended = is_member("status", AuthorityEndStatus.ENDED)
