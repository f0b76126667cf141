from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import StrEnumType, UTCDateTime, utcnow
from app.rules.vocabulary import MessageKind, MessageStatus


class OutboxMessage(db.Model):
    """A message to send, written in the same transaction as the event that caused it, so an
    outage of the provider loses nothing: a worker sends it, and retries until it is sent or
    fails for good."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MessageKind] = mapped_column(StrEnumType(MessageKind))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), index=True)
    to_number: Mapped[str] = mapped_column(String(16))  # E.164
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[MessageStatus] = mapped_column(
        StrEnumType(MessageStatus), default=MessageStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    # When the earliest attempt whose outcome we never heard began (no answer, a server error,
    # a worker that stopped mid-send): the provider may hold the message since then, so the
    # next attempt asks it before sending again. Cleared when the provider answers a refusal.
    unconfirmed_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The provider's id for the sent message (Twilio's MessageSid); its status callbacks name it.
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
