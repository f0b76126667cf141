from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class AuditEvent(db.Model):
    """An append-only record of who did or saw what, and why.

    `mac` is a keyed hash of the event's own content, made when it is written
    (app/rules/audit_chain.py); `AuditSeal` later links events into one chain in id order.
    On PostgreSQL a trigger refuses every UPDATE, DELETE and TRUNCATE but the owner's purge
    (migrations/versions/0007_audit_chain_closed.py). Ids never repeat: a sequence on
    PostgreSQL, AUTOINCREMENT on SQLite, so a purge that empties the log never lets an id
    below the chain's start be used again.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_resident_id_at", "resident_id", "at"),
        Index("ix_audit_events_action_at", "action", "at"),
        Index("ix_audit_events_at", "at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    action: Mapped[str] = mapped_column(String(60))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    # The member of staff's role when they acted.
    role: Mapped[str | None] = mapped_column(String(20))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    # A plain number, like entry_id: retention removes old calls, and an audit event is never
    # edited, so it cannot hold a foreign key to what may go before it does.
    call_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # The entry acted on, when there is one. No foreign key: the event outlives the entry.
    entry_id: Mapped[int | None] = mapped_column(Integer)
    purpose: Mapped[str | None] = mapped_column(Text)
    # What came of it: "done", "refused", "failed" (app.rules.audit_chain.outcome_of).
    outcome: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    remote_addr: Mapped[str | None] = mapped_column(String(45))
    # Random, so two events alike in every other way still have different MACs.
    nonce: Mapped[str | None] = mapped_column(String(32))
    # HMAC-SHA256 of the event's content. None only where the benchmark turns the chain off;
    # `flask audit verify` fails such an event.
    mac: Mapped[str | None] = mapped_column(String(64), unique=True)


class AuditSeal(db.Model):
    """An event's place in the chain: HMAC(key, previous seal || event MAC || event id).

    Written by the sealer only (`flask audit seal`, the outbox worker), in id order, never
    changed: insert-only, like the events.
    """

    __tablename__ = "audit_seals"

    event_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seal: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditAnchor(db.Model):
    """Where the chain starts: after `after_event_id`, continuing from `previous_seal`.

    Written with each batch of old events a purge removes, in the same transaction, with a
    MAC of its own so that nobody without the key can move the start.
    """

    __tablename__ = "audit_anchors"

    id: Mapped[int] = mapped_column(primary_key=True)
    after_event_id: Mapped[int] = mapped_column(Integer)
    previous_seal: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    mac: Mapped[str] = mapped_column(String(64))
