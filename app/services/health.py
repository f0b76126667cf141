"""What `/readyz` and `/metrics` read: whether this host can serve, and the figures that
live in the database (so every host reports the same)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, text

from app.extensions import db
from app.models import OutboxMessage
from app.rules.vocabulary import MessageStatus
from app.services import periodic, verification

# A worker not seen for longer has stopped (each round beats, at least every poll).
WORKER_SILENCE = timedelta(seconds=60)


@dataclass
class Readiness:
    problems: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problems


def _redis_answers(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        return bool(client.ping())
    finally:
        client.close()


def readiness(now: datetime, redis_url: str | None) -> Readiness:
    """The database answers, Redis answers (when the limits are kept there), and an outbox
    worker was seen within WORKER_SILENCE; otherwise what is wrong, in words."""
    found = Readiness()
    try:
        db.session.execute(text("SELECT 1"))
        seen = periodic.last_seen("worker")
        db.session.commit()
    except Exception:
        db.session.rollback()
        found.problems.append("database: did not answer")
        seen = None
    else:
        if seen is None:
            found.problems.append("worker: no outbox worker has ever run")
        elif now - seen > WORKER_SILENCE:
            found.problems.append(f"worker: none seen for {int((now - seen).total_seconds())} s")
    if redis_url and redis_url.startswith(("redis://", "rediss://", "unix://")):
        try:
            answered = _redis_answers(redis_url)
        except Exception:
            answered = False
        if not answered:
            found.problems.append("redis: did not answer")
    return found


@dataclass(frozen=True)
class Figures:
    messages_by_status: dict[str, int]
    messages_due: int
    verification_locks: int


def figures(now: datetime) -> Figures:
    """The outbox by status, the messages due and not yet sent (the depth), and the
    residents whose verification is locked now."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    due = db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.status == MessageStatus.PENDING, OutboxMessage.next_attempt_at <= now)
    )
    _, locks = verification.locked_residents(1, 1, now)
    db.session.commit()
    by_status = {status.value: 0 for status in MessageStatus}
    by_status.update({MessageStatus(status).value: count for status, count in rows})
    return Figures(by_status, due or 0, locks)
