"""Duty to share: a handler asks, on a live call, to share without the resident's permission;
a supervisor decides (app.rules.duty_to_share, docs/rules.md "Duty to share").

Asking and deciding are serialised per call with the call's other changes: each takes the
call's row lock first. A decision is recorded by an UPDATE that matches only a request still
waiting, so of two decisions one wins and the other is told.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import joinedload

from app import clock
from app.extensions import db
from app.models import Call, ShareRequest, StaffUser
from app.refusals import Refused
from app.rules import duty_to_share as rules
from app.rules.audit_actions import AuditAction, share_decision
from app.rules.capabilities import Capability
from app.rules.disclosure import Disclosure, VerifiedAs
from app.rules.duty_to_share import ShareAsk
from app.rules.vocabulary import CallerType, ShareRequestStatus
from app.services import audit, call_state, decisions
from app.services.facts import facts_from
from app.services.lookups import count_of, get_or_not_found
from app.services.service_areas import active_area_codes, area_names
from app.services.transactions import lock_row, transactional


def caller_on(call: Call) -> str:
    """The caller as recorded on the call now, in words."""
    relationship = call.relationship_to_resident
    return rules.describe_caller(
        call.caller_type.label, call.caller_name, relationship.label if relationship else None
    )


def call_now(call: Call) -> rules.CallNow:
    return rules.CallNow(is_open=call.is_open, resident_id=call.resident_id, caller=caller_on(call))


def facts_for(request: ShareRequest) -> rules.ShareRequestFacts:
    return facts_from(
        rules.ShareRequestFacts,
        request,
        areas_requested=request.requested_codes,
        areas_approved=request.approved_codes,
    )


# Read on every request of a call's page, so built once, the call its parameter.
_ON_CALL = (
    select(ShareRequest)
    .where(ShareRequest.call_id == bindparam("call_id"))
    .order_by(ShareRequest.id)
)


def requests_on_call(call: Call) -> list[ShareRequest]:
    """The call's requests, the first made first."""
    return list(db.session.scalars(_ON_CALL, {"call_id": call.id}))


def override_facts(call: Call) -> list[rules.ShareRequestFacts]:
    """What the disclosure gate needs of the call's requests. An ended call has none in force,
    so none is read."""
    if not call.is_open or call.resident_id is None:
        return []
    return [facts_for(request) for request in requests_on_call(call)]


def in_force(call: Call) -> list[ShareRequest]:
    """The call's requests that let the handler discuss something now."""
    now = call_now(call)
    areas = active_area_codes()
    return [
        request
        for request in requests_on_call(call)
        if rules.areas_in_force(facts_for(request), now) & areas
    ]


def record_disclosures(call: Call, staff: StaffUser, disclosure: Disclosure) -> None:
    """Audit each request the first time the handler is shown the resident's information
    under it, in the unit of work that shows it. The UPDATE matches a request not yet
    disclosed, so two panels loaded at once audit it once."""
    if disclosure.duty_to_share is None:
        return
    names = area_names()
    now = clock.now()
    for request in in_force(call):
        if request.disclosed_at is not None:
            continue
        marked = db.session.execute(
            update(ShareRequest)
            .where(ShareRequest.id == request.id, ShareRequest.disclosed_at.is_(None))
            .values(disclosed_at=now)
            .execution_options(synchronize_session=False)
        )
        if marked.rowcount != 1:
            continue
        shown = rules.areas_in_force(facts_for(request), call_now(call))
        audit.record_on_call(
            AuditAction.CALL_DUTY_TO_SHARE_DISCLOSED,
            call,
            staff_id=staff.id,
            basis=request.basis.label,
            areas=sorted(names.get(code, code) for code in shown),
            reason=request.reason,
            caller=request.caller,
            urgent=request.urgent,
            request=request.id,
        )


@transactional
def request_share(call: Call, ask: ShareAsk, handler: StaffUser) -> ShareRequest:
    """Record a handler's request to share without the resident's permission on this call.
    An urgent one lets the handler go ahead at once, until a supervisor decides."""
    now = call_state.lock_call(call)
    waiting = count_of(
        ShareRequest,
        ShareRequest.call_id == call.id,
        ShareRequest.status == ShareRequestStatus.PENDING,
    )
    refusal = rules.refusal_to_request(
        resident_selected=call.resident_id is not None,
        caller_recorded=call.caller_type is not CallerType.UNKNOWN,
        verified_as_resident=call_state.verified_as(call, now) is VerifiedAs.RESIDENT,
        has_waiting_request=bool(waiting),
    )
    if refusal is not None:
        raise Refused(refusal)
    problem = rules.request_problem(
        ask.basis, ask.reason, ask.officer, ask.areas, active_area_codes()
    )
    if problem is not None:
        raise Refused(problem[1], field=problem[0])
    request = ShareRequest(
        call_id=call.id,
        resident_id=call.resident_id,
        requested_by_id=handler.id,
        requested_at=now,
        caller=caller_on(call),
        basis=ask.basis,
        reason=ask.reason.strip(),
        officer=ask.officer.strip() or None,
        urgent=ask.urgent,
        areas_requested=",".join(sorted(ask.areas)),
        status=ShareRequestStatus.PENDING,
    )
    db.session.add(request)
    db.session.flush()
    audit.record_on_call(
        AuditAction.DUTY_TO_SHARE_REQUESTED,
        call,
        staff_id=handler.id,
        request=request.id,
        basis=request.basis.label,
        areas=sorted(ask.areas),
        urgent=ask.urgent,
    )
    return request


def get_request_or_404(request_id: int) -> ShareRequest:
    return get_or_not_found(ShareRequest, request_id)


def _not_lapsed():
    """Waiting requests still to decide: urgent ones, and others while their call lasts
    (`rules.has_lapsed`). Needs the call joined."""
    return or_(ShareRequest.urgent.is_(True), Call.ended_at.is_(None))


@dataclass(frozen=True)
class WaitingRow:
    request: ShareRequest
    overdue: bool


def waiting_requests(
    page: int, per_page: int, *, now: datetime, overdue_only: bool = False
) -> tuple[list[WaitingRow], int]:
    """Requests waiting for a supervisor, the oldest first, a page at a time, and how many
    there are. `overdue_only`: the urgent ones past their 24 hours at `now`."""
    base = (
        select(ShareRequest)
        .join(Call, Call.id == ShareRequest.call_id)
        .where(ShareRequest.status == ShareRequestStatus.PENDING, _not_lapsed())
    )
    if overdue_only:
        base = base.where(
            ShareRequest.urgent.is_(True),
            ShareRequest.requested_at < now - rules.DECISION_WINDOW,
        )
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    stmt = (
        base.options(joinedload(ShareRequest.requested_by))
        .order_by(ShareRequest.requested_at, ShareRequest.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = [
        WaitingRow(r, rules.is_overdue(r.status, r.urgent, r.requested_at, now))
        for r in db.session.scalars(stmt)
    ]
    return rows, total


@dataclass(frozen=True)
class WaitingCounts:
    """For the supervisors' dashboard."""

    waiting: int  # every request waiting for a decision
    overdue: int  # urgent ones acted on and still not decided after 24 hours


def waiting_counts(now: datetime) -> WaitingCounts:
    """Requests waiting, and the urgent ones among them past their 24 hours, in one count."""
    late = (ShareRequest.urgent.is_(True)) & (
        ShareRequest.requested_at < now - rules.DECISION_WINDOW
    )
    waiting, overdue = db.session.execute(
        select(func.count(), func.count().filter(late))
        .select_from(ShareRequest)
        .join(Call, Call.id == ShareRequest.call_id)
        .where(ShareRequest.status == ShareRequestStatus.PENDING, _not_lapsed())
    ).one()
    return WaitingCounts(waiting or 0, overdue or 0)


@dataclass(frozen=True)
class RequestPage:
    request: ShareRequest
    call: Call
    overdue: bool
    due: datetime
    lapsed: bool  # the call ended before a decision on a request that was not urgent


def view_request(request: ShareRequest, supervisor: StaffUser, now: datetime) -> RequestPage:
    """The request with its call, for a supervisor to decide, overdue or not at `now`; the
    view is audited first."""
    what = f"duty-to-share request {request.id}"
    request = decisions.opened_to_decide(
        request,
        AuditAction.DUTY_TO_SHARE_VIEWED,
        what,
        supervisor,
        call_id=request.call_id,
        request=request.id,
    )
    return RequestPage(
        request=request,
        call=request.call,
        overdue=rules.is_overdue(request.status, request.urgent, request.requested_at, now),
        due=rules.decision_due(request.requested_at),
        lapsed=rules.has_lapsed(request.status, request.urgent, request.call.is_open),
    )


def _lock_call_row(call: Call) -> None:
    """Take the call's row lock for the rest of this transaction, as `call_state.lock_call`
    does, but on an ended call too and without counting as the handler's activity: an urgent
    request is decided after its call has ended, and a supervisor's decision must not keep the
    caller's verification alive."""
    lock_row(Call.last_activity_at, call.id)
    db.session.refresh(call)


@transactional
def decide_request(
    request: ShareRequest,
    approve: bool,
    areas: Collection[str],
    reason: str,
    supervisor: StaffUser,
    now: datetime,
) -> ShareRequest:
    """Approve a request (for some or all of the areas asked for) or refuse it, with the
    reasons for either.

    Only a request still waiting is decided, never by the one who made it. From the next
    request on the call, the handler may discuss the areas approved, or nothing if refused.
    """
    _lock_call_row(request.call)
    db.session.refresh(request)
    refusal = rules.refusal_to_decide(
        request.status,
        request.requested_by_id,
        supervisor.id,
        supervisor.can(Capability.DECIDE_DUTY_TO_SHARE),
        urgent=request.urgent,
        call_open=request.call.is_open,
    )
    if refusal is not None:
        raise Refused(refusal)
    reason = reason.strip()
    approved = None
    if approve:
        approved = rules.approved_areas(request.requested_codes, frozenset(areas))
        if approved is None:
            raise Refused(rules.SELECT_APPROVED_AREAS, field="areas")
    if missing := rules.decision_reason_problem(approve, reason):
        raise Refused(missing, field="reason")
    status = ShareRequestStatus.APPROVED if approve else ShareRequestStatus.REFUSED
    won = db.session.execute(
        update(ShareRequest)
        .where(ShareRequest.id == request.id, ShareRequest.status == ShareRequestStatus.PENDING)
        .values(
            status=status,
            areas_approved=",".join(sorted(approved)) if approved else None,
            decided_by_id=supervisor.id,
            decided_at=now,
            decision_reason=reason or None,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(request)
    if won.rowcount != 1:
        raise Refused(rules.ALREADY_DECIDED.format(status=request.status.label.lower()))
    audit.record(
        share_decision(status),
        staff_id=supervisor.id,
        resident_id=request.resident_id,
        call_id=request.call_id,
        request=request.id,
        basis=request.basis.label,
        areas=sorted(approved) if approved else [],
        reason=reason or None,
    )
    return request
