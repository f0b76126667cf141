from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.resident import Resident
from app.models.types import StrEnumType, UTCDateTime, utcnow
from app.rules.vocabulary import ExportStatus


class SubjectAccessExport(db.Model):
    """A supervisor producing everything held about one resident (a subject access request).

    The row holds the request and how far gathering has gone, never the personal data: the
    zip is built again on each download, by the supervisor who asked, until `expires_at`.
    `counts` holds how many items each section had when it was gathered (numbers only).
    """

    __tablename__ = "subject_access_exports"
    __table_args__ = (
        Index(
            "ix_subject_access_exports_requested_by_id_created_at", "requested_by_id", "created_at"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    # Why the export is made: the request it answers.
    reason: Mapped[str] = mapped_column(Text)
    include_third_parties: Mapped[bool] = mapped_column(Boolean, default=False)
    # Required when third parties' names and numbers are included.
    third_party_reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ExportStatus] = mapped_column(
        StrEnumType(ExportStatus), default=ExportStatus.GATHERING
    )
    # Sections gathered so far (app.rules.subject_access.SECTIONS, in order).
    progress: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

    resident: Mapped[Resident] = relationship()
