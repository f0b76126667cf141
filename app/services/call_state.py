"""One change at a time on a call, and whether its verification still stands.

Every change or check on a call starts by taking the call's row lock with `lock_call`: an
UPDATE of the call's last activity, the first statement of the transaction. On PostgreSQL the
UPDATE holds the row until commit; on SQLite a write as a transaction's first statement takes
the database's write lock before anything is read. Either way two requests on one call run one
after the other, each reading what the other wrote, so a check can never write its result over
a change of record made while it ran.

Nothing here reads the request: a call that is not there is `NotFound` (app/refusals.py).
A call left open past its maximum length is closed by a unit of work of its own
(`close_if_overdue`); until then every read sees it as closed (`closure`).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import update

from app.extensions import db
from app.models import Call
from app.models.types import utcnow
from app.refusals import NotFound
from app.rules.audit_actions import AuditAction
from app.rules.call_verification import (
    CallSubject,
    Standing,
    VerificationEnd,
    call_closed_words,
    idle_lapse,
    is_idle,
    is_overdue,
    overdue_reason,
    verification_standing,
)
from app.rules.disclosure import VerifiedAs
from app.rules.vocabulary import CallOutcome
from app.services import audit
from app.services.transactions import transactional


def idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["VERIFICATION_IDLE_MINUTES"])


def max_length() -> timedelta:
    return timedelta(minutes=current_app.config["CALL_MAX_MINUTES"])


def lock_call(call: Call, now: datetime | None = None) -> datetime:
    """Take the call's lock for the rest of this transaction, re-read the call as the last
    request left it, and note this request (at `now`, the clock's unless given) as activity.
    A verification, or factors matched, left idle too long end here. A call that ended
    meanwhile is "not found".

    Must be the first statement of a unit of work: nothing may be written before it.
    """
    locked = db.session.execute(
        update(Call)
        .where(Call.id == call.id, Call.ended_at.is_(None))
        .values(last_activity_at=Call.last_activity_at)
        .execution_options(synchronize_session=False)
    )
    if locked.rowcount != 1:
        raise NotFound
    db.session.refresh(call)
    now = now or utcnow()
    has_progress = call.verified_as is not VerifiedAs.NOBODY or call.factors_matched
    if has_progress and is_idle(call.last_activity_at, now, idle_limit()):
        lapse = idle_lapse(call.last_activity_at, idle_limit())
        reset_verification(call, lapse.because, lapse.at)
        audit.record_on_call(AuditAction.VERIFICATION_ENDED, call, reason="no activity on the call")
    call.last_activity_at = now
    return now


def standing(call: Call, now: datetime | None = None) -> Standing:
    """Who the caller on this call counts as verified as now, and if nobody, why."""
    return verification_standing(
        call.recorded_verification,
        call.subject,
        call.last_activity_at,
        now or utcnow(),
        idle_limit(),
        call.verification_end,
        call.line_ended,
    )


def verified_as(call: Call, now: datetime | None = None) -> VerifiedAs:
    return standing(call, now).verified_as


def reset_verification(
    call: Call, because: VerificationEnd | None = None, at: datetime | None = None
) -> None:
    """Forget any verification and any factors matched: what was verified was someone else.

    A verification that ends is remembered as ended, `because` and `at` (now unless given), so
    the handler is told why on every page and on the call's status, from any app process.
    With nothing verified to end, an older end is forgotten: it was about another caller or
    record than the call is about now.
    """
    if because is not None and call.verified_as is not VerifiedAs.NOBODY:
        call.verification_ended_because = because
        call.verification_ended_at = at or utcnow()
    else:
        call.verification_ended_because = None
        call.verification_ended_at = None
    call.verified_as = VerifiedAs.NOBODY
    call.verified_at = None
    call.verified_resident_id = None
    call.verified_caller_type = None
    call.verified_permission_id = None
    call.factors_matched = ""


def record_verification(call: Call, who: VerifiedAs, now: datetime) -> None:
    """Record that the caller is verified as `who`, naming what the call says now."""
    subject: CallSubject = call.subject
    call.verified_as = who
    call.verification_ended_because = None
    call.verification_ended_at = None
    call.verified_at = now
    call.verified_resident_id = subject.resident_id
    call.verified_caller_type = subject.caller_type
    call.verified_permission_id = subject.permission_id


@dataclass(frozen=True)
class Closure:
    """How a call ended: when, with what outcome, and, for a call closed for being left open
    too long, the reason the handler is told."""

    at: datetime
    outcome: CallOutcome | None
    reason: str | None = None

    @property
    def automatically(self) -> bool:
        return self.outcome is CallOutcome.CLOSED_AUTOMATICALLY

    @property
    def words(self) -> str:
        """What the call page says once the call has ended."""
        return call_closed_words(self.at, self.automatically, max_length())


def closure(call: Call, now: datetime) -> Closure | None:
    """How the call ended, as it stands at `now`; None while it is open.

    A call open past its maximum length counts as closed automatically from the moment it
    passed it, whether or not a unit of work has written that yet: reads never write, and
    every read of the call says the same.
    """
    if call.ended_at is not None:
        automatically = call.outcome is CallOutcome.CLOSED_AUTOMATICALLY
        return Closure(call.ended_at, call.outcome, call.summary if automatically else None)
    if is_overdue(call.started_at, now, max_length()):
        reason = overdue_reason(max_length())
        return Closure(call.started_at + max_length(), CallOutcome.CLOSED_AUTOMATICALLY, reason)
    return None


def close_if_overdue(call: Call, now: datetime) -> bool:
    """Close a call left open past its maximum length, as `closure` says it is: at the moment
    it passed it, saying why. True if this closed it.

    A unit of work of its own, entered only for a call that is overdue: a call still within
    its length costs no statement. The UPDATE only matches a call still open, so two
    requests that find it overdue together close it once.
    """
    ended = closure(call, now) if call.is_open else None
    if ended is None:
        return False
    closed = _close_overdue(call, ended)
    db.session.refresh(call)
    return closed


@transactional
def _close_overdue(call: Call, ended: Closure) -> bool:
    closed = db.session.execute(
        update(Call)
        .where(Call.id == call.id, Call.ended_at.is_(None))
        .values(ended_at=ended.at, outcome=CallOutcome.CLOSED_AUTOMATICALLY, summary=ended.reason)
        .execution_options(synchronize_session=False)
    )
    if closed.rowcount != 1:
        return False
    audit.record_on_call(
        AuditAction.CALL_CLOSED_AUTOMATICALLY, call, staff_id=None, reason=ended.reason
    )
    return True
