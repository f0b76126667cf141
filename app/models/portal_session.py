from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.text_code import SentCode
from app.models.types import StrEnumType, UTCDateTime
from app.rules.vocabulary import TextCodeProvider


class PortalSessionStatus(StrEnum):
    WAITING_FOR_CODE = "waiting-for-code"
    SIGNED_IN = "signed-in"
    ENDED = "ended"


class PortalSession(SentCode, db.Model):
    """A resident's sign-in to the portal, from the details they typed to sign-out.

    A row is written for every attempt, matched or not, so that a wrong reference or date of
    birth takes the same path as a right one: `resident_id` is None when nothing matched,
    and then no code was sent. The code is a text code like those on calls: the console
    backend keeps only its HMAC, Twilio Verify keeps its own. Signing in replaces `token`,
    and signing out ends the row, so a copied cookie opens nothing afterwards.
    """

    __tablename__ = "portal_sessions"
    __table_args__ = (
        Index("ix_portal_sessions_resident_id_created_at", "resident_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    phone_number: Mapped[str | None] = mapped_column(String(16))  # E.164
    provider: Mapped[TextCodeProvider | None] = mapped_column(StrEnumType(TextCodeProvider))
    status: Mapped[PortalSessionStatus] = mapped_column(
        StrEnumType(PortalSessionStatus), default=PortalSessionStatus.WAITING_FOR_CODE
    )
    signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
