from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import StrEnumType, UTCDateTime, utcnow
from app.rules.vocabulary import TextCodeProvider, TextCodeStatus


class SentCode:
    """What is kept of a code sent by text, on a call or to sign in to the portal: for a code
    the app made (sent by Twilio Messaging, or shown by the console in development) only an
    HMAC of it (Twilio Verify keeps its own), when it stops working, and how many times a
    code was typed against it."""

    code_hash: Mapped[str | None] = mapped_column(String(64))  # the app's own codes only
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    checks: Mapped[int] = mapped_column(default=0)


class TextCode(SentCode, db.Model):
    """A code sent by text to a number on file, for a caller to read back on a call.

    Only an HMAC of a code the app made is kept; Twilio Verify keeps its own. A row is written
    as being sent before the provider is asked, and kept after use: rows count the sends to a
    resident in the last hour.
    """

    __tablename__ = "text_codes"
    __table_args__ = (Index("ix_text_codes_resident_id_created_at", "resident_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    # Set for a representative's code: the permission whose holder's number it went to.
    permission_id: Mapped[int | None] = mapped_column(ForeignKey("permissions.id"))
    phone_number: Mapped[str] = mapped_column(String(16))  # E.164
    provider: Mapped[TextCodeProvider] = mapped_column(StrEnumType(TextCodeProvider))
    status: Mapped[TextCodeStatus] = mapped_column(
        StrEnumType(TextCodeStatus), default=TextCodeStatus.PENDING
    )
