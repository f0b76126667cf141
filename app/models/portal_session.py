from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.text_code import SentCode
from app.models.types import StrEnumType, UTCDateTime
from app.rules.vocabulary import TextCodeProvider


class PortalSessionStatus(StrEnum):
    WAITING_FOR_CODE = "waiting-for-code"
    SIGNED_IN = "signed-in"
    ENDED = "ended"


class PortalCodeState(StrEnum):
    """Where the code for a sign-in stands. The request only queues it; a worker sends it
    (app/services/portal_codes.py), so every sign-in request does the same work and takes
    the same time, whether or not the details matched."""

    QUEUED = "queued"  # the details matched: a worker is to send a code
    SENDING = "sending"  # a worker took it; never taken again, so never sent twice
    SENT = "sent"  # the provider took it: it can be checked
    NOT_SENT = "not-sent"  # held, over the hourly limit, no mobile number, or the provider failed


class PortalSession(SentCode, db.Model):
    """A resident's sign-in to the portal, from the details they typed to sign-out.

    A row is written for every attempt, matched or not, so that a wrong reference or date of
    birth takes the same path as a right one: `resident_id` is None when nothing matched,
    and then no code is queued (`code_state` None). The code is a text code like those on
    calls, sent by a worker: for a code the app made only its HMAC is kept, Twilio Verify
    keeps its own. Signing in replaces `token`, and signing out ends the row, so a copied
    cookie opens nothing afterwards.

    `dispute_draft` is a dispute the resident is writing and has not sent: the entry, the
    reason and what they typed (app/services/portal.py, `save_dispute_draft`). It lives with
    the sign-in, so "Change your answers" finds it, and a sign-in that timed out hands it on
    to the resident's next one.
    """

    __tablename__ = "portal_sessions"
    __table_args__ = (
        Index("ix_portal_sessions_resident_id_created_at", "resident_id", "created_at"),
        # The worker's queue: the few rows waiting, found among every attempt ever made.
        Index("ix_portal_sessions_code_state_id", "code_state", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    phone_number: Mapped[str | None] = mapped_column(String(16))  # E.164
    provider: Mapped[TextCodeProvider | None] = mapped_column(StrEnumType(TextCodeProvider))
    status: Mapped[PortalSessionStatus] = mapped_column(
        StrEnumType(PortalSessionStatus), default=PortalSessionStatus.WAITING_FOR_CODE
    )
    code_state: Mapped[PortalCodeState | None] = mapped_column(StrEnumType(PortalCodeState))
    signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dispute_draft: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
