"""Requests to end a legal authority: the resident asks in the portal, a supervisor checks
with them and decides (app.rules.authority_ends, docs/rules.md rule 4).

Asking takes the permission's row lock, so one request waits per permission however often
it is sent. Deciding takes the request's row lock first, then reads it again: of two
supervisors deciding at once, one decides and the other is told. Ending the permission
happens in the same unit of work as the decision, so it ends at once, mid-call too.
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import AuthorityEndRequest, Permission, StaffUser
from app.refusals import Refused
from app.rules import authority_ends as rules
from app.rules.audit_actions import AuditAction
from app.rules.capabilities import Capability
from app.rules.outbox import authority_end_decided_text
from app.rules.vocabulary import AuthorityEndStatus, MessageKind
from app.services import audit, decisions, outbox, permissions
from app.services.lookups import count_of, get_or_not_found
from app.services.transactions import lock_row, transactional


def waiting_request(permission_id: int) -> AuthorityEndRequest | None:
    """The request to end this permission that waits for a supervisor, if any."""
    return db.session.scalar(
        select(AuthorityEndRequest).where(
            AuthorityEndRequest.permission_id == permission_id,
            AuthorityEndRequest.status == AuthorityEndStatus.WAITING,
        )
    )


def latest_requests(resident_id: int) -> dict[int, AuthorityEndRequest]:
    """The newest request to end each of the resident's permissions, by permission."""
    rows = db.session.scalars(
        select(AuthorityEndRequest)
        .where(AuthorityEndRequest.resident_id == resident_id)
        .order_by(AuthorityEndRequest.id)
    )
    return {row.permission_id: row for row in rows}


def has_ended(permission: Permission) -> bool:
    """Revoked already: nothing left to end (as `PermissionSummary.may_revoke` says)."""
    return permission.revoked_at is not None


@transactional
def ask_to_end(permission: Permission, note: str, now: datetime) -> AuthorityEndRequest:
    """Record the resident's wish that a legal authority over their affairs end. It stays in
    force until a supervisor decides. A request already waiting for this permission is the
    answer to a second one: nothing new is written."""
    lock_row(Permission.revoked_at, permission.id)
    db.session.refresh(permission)
    refusal = rules.refusal_to_ask(permission.kind, has_ended(permission))
    if refusal is not None:
        raise Refused(refusal)
    problem = rules.note_problem(note)
    if problem is not None:
        raise Refused(problem, field="note")
    waiting = waiting_request(permission.id)
    if waiting is not None:
        return waiting
    request = AuthorityEndRequest(
        permission_id=permission.id,
        resident_id=permission.resident_id,
        requested_at=now,
        resident_note=note.strip() or None,
        status=AuthorityEndStatus.WAITING,
    )
    db.session.add(request)
    db.session.flush()
    # Never the resident's words: they may name someone, and the audit log is read widely.
    audit.record(
        AuditAction.AUTHORITY_END_REQUESTED,
        resident_id=permission.resident_id,
        request=request.id,
        permission=permission.id,
        kind=permission.kind.value,
        note_given=request.resident_note is not None,
        by="resident",
    )
    return request


def get_request_or_404(request_id: int) -> AuthorityEndRequest:
    return get_or_not_found(AuthorityEndRequest, request_id)


def requests_list(
    page: int, per_page: int, status: AuthorityEndStatus | None
) -> tuple[list[AuthorityEndRequest], int]:
    """Requests in `status` (every one for None), the oldest first, a page at a time, and how
    many there are."""
    base = select(AuthorityEndRequest)
    if status is not None:
        base = base.where(AuthorityEndRequest.status == status)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    stmt = (
        base.options(
            joinedload(AuthorityEndRequest.permission), joinedload(AuthorityEndRequest.resident)
        )
        .order_by(AuthorityEndRequest.requested_at, AuthorityEndRequest.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return list(db.session.scalars(stmt)), total


def waiting_count() -> int:
    """How many requests wait for a supervisor: for the console and the dashboard."""
    return count_of(AuthorityEndRequest, AuthorityEndRequest.status == AuthorityEndStatus.WAITING)


@dataclass(frozen=True)
class RequestPage:
    """What a supervisor sees to decide a request."""

    request: AuthorityEndRequest
    summary: permissions.PermissionSummary
    issuing_body: str | None  # "the Office of the Public Guardian"
    issuer_name: str | None  # "Office of the Public Guardian"
    permission_ended: bool  # revoked or closed meanwhile: ending it changes nothing


def view_request(request: AuthorityEndRequest, supervisor: StaffUser, today: date) -> RequestPage:
    """The request with its permission (the holder's contact details among it, to tell them),
    for a supervisor to decide; the view is audited first."""
    what = f"request {request.id} to end a legal authority"
    request = decisions.opened_to_decide(
        request, AuditAction.AUTHORITY_END_VIEWED, what, supervisor, request=request.id
    )
    permission = request.permission
    return RequestPage(
        request=request,
        summary=permissions.summarise(permission, today),
        issuing_body=rules.issuing_body(permission.kind),
        issuer_name=rules.issuer_name(permission.kind),
        permission_ended=has_ended(permission),
    )


@transactional
def decide(
    request: AuthorityEndRequest,
    outcome: AuthorityEndStatus | None,
    checks: rules.Checks,
    reason: str,
    supervisor: StaffUser,
    now: datetime,
) -> AuthorityEndRequest:
    """Record a supervisor's decision on a request, once: end the permission at once (mid-call
    too, recorded as ended by the supervisor on the resident's request), or keep it. Either
    way the resident is told by text, with nothing about them in it."""
    lock_row(AuthorityEndRequest.status, request.id)
    db.session.refresh(request)
    permission = request.permission
    refused = rules.refusal_to_decide(
        request.status,
        outcome,
        checks,
        reason,
        permission.kind,
        is_supervisor=supervisor.can(Capability.DECIDE_AUTHORITY_ENDS),
    )
    if refused is not None:
        field, message = refused
        raise Refused(message, field=field)
    reason = reason.strip()
    request.status = outcome
    request.spoke_alone = checks.spoke_alone
    request.told_holder = checks.told_holder
    request.told_issuer = checks.told_issuer
    request.decided_by_id = supervisor.id
    request.decided_at = now
    request.decision_reason = reason
    ended_now = outcome is AuthorityEndStatus.ENDED and permissions.end_at_once(
        permission, supervisor, rules.ended_reason(request.id, reason), now=now, request=request.id
    )
    audit.record(
        AuditAction.AUTHORITY_END_DECIDED,
        staff_id=supervisor.id,
        resident_id=request.resident_id,
        request=request.id,
        permission=permission.id,
        outcome=outcome.value,
        spoke_alone=checks.spoke_alone,
        told_holder=checks.told_holder,
        told_issuer=checks.told_issuer,
        ended_now=ended_now,
    )
    config = current_app.config
    body = authority_end_decided_text(
        outcome, config["COUNCIL_NAME"], config["RESIDENT_PORTAL_URL"], config["COUNCIL_CONTACT"]
    )
    outbox.queue_message(MessageKind.AUTHORITY_END_DECIDED, request.resident, body)
    return request
