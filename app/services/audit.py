"""The audit trail: written in the same transaction as the change it records."""

from typing import Any

from flask import has_request_context, request

from app.extensions import db
from app.models import AuditEvent, Call


def record(
    action: str,
    *,
    staff_id: int | None = None,
    resident_id: int | None = None,
    call_id: int | None = None,
    purpose: str | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event to the session; the caller's commit writes it."""
    event = AuditEvent(
        action=action,
        staff_id=staff_id,
        resident_id=resident_id,
        call_id=call_id,
        purpose=purpose,
        detail=detail,
        remote_addr=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event


def record_on_call(
    action: str, call: Call, *, staff_id: int | None = None, **detail: Any
) -> AuditEvent:
    """Add an audit event about a call: it names the call, and the resident the call is
    about as it stands now."""
    return record(
        action, staff_id=staff_id, resident_id=call.resident_id, call_id=call.id, **detail
    )
