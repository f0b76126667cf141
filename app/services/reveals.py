"""Revealing a hidden detail outside a call (docs/rules.md rule 7, need to know).

One detail at a time, with a typed reason, on a record the member of staff opened today, and
no more than `REVEALS_PER_DAY` a day each. Every reveal and every refusal is audited with the
detail's name and the reason, never its value; the value goes into the response alone.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import exists, select

from app import clock
from app.extensions import db
from app.models import AuditEvent, StaffUser
from app.refusals import ForbiddenOnRecord, Refused
from app.rules.audit_actions import AuditAction
from app.rules.need_to_know import (
    REASON_MIN_LENGTH,
    HiddenDetail,
    RevealRefusal,
    decide_reveal,
    start_of_day,
)
from app.services import audit
from app.services.lookups import count_of

REVEALED = AuditAction.DETAIL_REVEALED
REFUSED = AuditAction.DETAIL_REVEAL_REFUSED


@dataclass(frozen=True)
class Revealed:
    """A hidden detail's value, for this response only, and how many more reveals are left."""

    detail: HiddenDetail
    value: str
    message: str


def daily_limit() -> int:
    return current_app.config["REVEALS_PER_DAY"]


def reveal(
    staff: StaffUser,
    resident_id: int,
    detail: HiddenDetail,
    reason: str,
    *,
    now: datetime,
    opened: Collection[str],
    permission_id: int | None = None,
) -> str:
    """Record that `staff` reveals `detail` of the resident, or refuse and record the refusal.

    `opened` names the audit actions that show the member of staff opened the page offering
    the detail today (the London day of `now`, which also bounds the daily limit). Returns
    the message to show with the value. Part of the caller's unit of work: the transactional
    service function that calls it commits, also when it refuses (`Refused` on the form,
    `ForbiddenOnRecord` as a 403), keeping the refusal's event.
    """
    reason = reason.strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise Refused(
            f"Enter why you need to see the {detail.label}, in at least 10 characters", "reason"
        )
    staff_id = staff.id
    since = start_of_day(clock.day_of(now), clock.UK)
    about = {"field": detail.value} | ({"permission": permission_id} if permission_id else {})
    opened_today = db.session.scalar(
        select(
            exists().where(
                AuditEvent.staff_id == staff_id,
                AuditEvent.resident_id == resident_id,
                AuditEvent.action.in_(list(opened)),
                AuditEvent.at >= since,
            )
        )
    )
    # One reveal at a time per member of staff, so two at once cannot both take the last
    # one left: PostgreSQL locks the staff row; SQLite's write lock is taken by the insert,
    # before the count, so the count sees every reveal committed before it.
    db.session.execute(select(StaffUser.id).where(StaffUser.id == staff_id).with_for_update())
    revealed = audit.record(
        REVEALED, staff_id=staff_id, resident_id=resident_id, purpose=reason, **about
    )
    db.session.flush()
    counted = count_of(
        AuditEvent,
        AuditEvent.action == REVEALED,
        AuditEvent.staff_id == staff_id,
        AuditEvent.at >= since,
    )
    limit = daily_limit()
    decision = decide_reveal(
        opened_today=bool(opened_today), revealed_today=(counted or 1) - 1, daily_limit=limit
    )
    if not decision.allowed:
        db.session.delete(revealed)  # counted only to decide: it did not happen
        audit.record(
            REFUSED,
            staff_id=staff_id,
            resident_id=resident_id,
            purpose=reason,
            refusal=decision.refusal.value if decision.refusal else None,
            limit=limit,
            **about,
        )
        if decision.refusal is RevealRefusal.NOT_OPENED:
            # The page never offers this reveal, so it is an error page, not a refusal on
            # the form; the refusal is kept in the audit trail all the same.
            raise ForbiddenOnRecord(decision.reason)
        raise Refused(decision.reason, "reason")
    return decision.reason
