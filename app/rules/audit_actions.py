"""Every action the audit log records, with the words people read for it (docs/rules.md, "The
audit log"). An event's action is stored as the code ("dispute.decided"); its label is what
the log shows a supervisor ("A dispute was decided").

The last word of a code says how it turned out where it is not done (app/rules/audit_chain.py,
`outcome_of`): "...failed", "...refused", "...locked". No Flask, no SQLAlchemy.
"""

from app.rules.phone_changes import PhoneChangeKind
from app.rules.vocabulary import (
    AuthorityEndStatus,
    CallOutcome,
    DispatchOutcome,
    DisputeStatus,
    Labelled,
    ShareRequestStatus,
    VerificationResult,
)


class AuditAction(Labelled):
    # Calls
    CALL_ARRIVED = "call.arrived", "A call arrived and waited to be taken"
    CALL_TAKEN = "call.taken", "A waiting call was taken"
    CALL_STARTED = "call.started", "A call was started"
    CALL_RESIDENT_SELECTED = "call.resident_selected", "A record was chosen on a call"
    CALL_RESIDENT_CLEARED = "call.resident_cleared", "The record was taken off a call"
    CALL_CALLER_RECORDED = "call.caller_recorded", "Who is calling was recorded"
    CALL_ENDED = "call.ended", "A call was ended"
    CALL_ENDED_WAITING = "call.ended_waiting", "A caller rang off before the call was taken"
    CALL_LINE_ENDED = "call.line_ended", "The caller's line ended"
    CALL_SIMULATED = "call.simulated", "A call was simulated (development only)"
    # The line itself: the caller put through to the handler, held, hung up, rung back.
    LINE_ANSWERED = "line.answered", "The caller was put through to the handler"
    LINE_CONNECT_FAILED = (
        "line.connect_failed",
        "The caller could not be put through, and the call went back to waiting",
    )
    LINE_HELD = "line.held", "The caller was put on hold"
    LINE_RESUMED = "line.resumed", "The caller was taken off hold"
    LINE_HUNG_UP = "line.hung_up", "The handler hung up the line"
    LINE_ACTION_FAILED = "line.action_failed", "The line did not do what the handler asked"
    LINE_CALL_BACK_ASKED = (
        "line.call_back_asked",
        "The resident was rung back on a number on file, a new leg of the call",
    )
    LINE_CALL_BACK_ANSWERED = (
        "line.call_back_answered",
        "The call back to a number on file was answered",
    )
    LINE_CALL_BACK_FAILED = "line.call_back_failed", "The call back could not be made"
    CALL_CLOSED_AUTOMATICALLY = (
        "call.closed_automatically",
        "A call left open too long was closed",
    )
    CALL_DUTY_TO_SHARE_DISCLOSED = (
        "call.duty_to_share_disclosed",
        "Information was disclosed under a duty to share",
    )
    RECORD_DISCLOSED = "record.disclosed", "A record was disclosed on a call"
    SEARCH_MADE = "search.made", "Records were searched"
    # Verification
    VERIFICATION_VERIFIED = "verification.verified", "A caller was verified"
    VERIFICATION_INCOMPLETE = "verification.incomplete", "A caller's answers were not yet enough"
    VERIFICATION_FAILED = "verification.failed", "A caller's answers did not match"
    VERIFICATION_ENDED = "verification.ended", "A caller's verification ended"
    VERIFICATION_LOCKED = "verification.locked", "Phone verification on a record was locked"
    VERIFICATION_UNLOCKED = "verification.unlocked", "Phone verification on a record was unlocked"
    TEXT_CODE_SENT = "text_code.sent", "A code was sent by text"
    TEXT_CODE_HELD = "text_code.held", "A code was not sent by text"
    # Reports and dispatches
    ENTRY_LOGGED = "entry.logged", "A report was logged"
    DISPATCH_RAISED = "dispatch.raised", "A team was sent"
    DISPATCH_CLOSED = "dispatch.closed", "A dispatch's outcome was recorded"
    DISPATCH_VIEWED = "dispatch.viewed", "A dispatch was opened, with its address and report"
    DISPATCH_CORRECTION = (
        "dispatch.correction",
        "A dispatch was corrected after its report was upheld as wrong",
    )
    # Records outside a call
    RECORD_VIEWED = "record.viewed", "A record was opened outside a call"
    DETAIL_REVEALED = "detail.revealed", "A hidden detail was revealed"
    DETAIL_REVEAL_REFUSED = "detail.reveal_refused", "Revealing a hidden detail was refused"
    PHONE_ADDED = "phone.added", "A number was added to a record"
    PHONE_CHANGED = "phone.changed", "A number on a record was changed"
    PHONE_RELABELLED = "phone.relabelled", "The kind of a number on a record was changed"
    PHONE_REMOVED = "phone.removed", "A number was removed from a record"
    # Permissions, and requests to end a legal authority
    PERMISSION_GRANTED = "permission.granted", "A permission was recorded"
    PERMISSION_VIEWED = "permission.viewed", "A permission was looked at"
    PERMISSIONS_VIEWED = "permissions.viewed", "A resident's permissions were looked at"
    PERMISSION_REVOKED = "permission.revoked", "A permission was revoked"
    PERMISSION_MATTER_CLOSED = "permission.matter_closed", "A permission's matter was closed"
    PERMISSION_EXPIRED = "permission.expired", "A permission expired"
    AUTHORITY_END_REQUESTED = (
        "authority_end.requested",
        "A resident asked to end a legal authority",
    )
    AUTHORITY_END_VIEWED = (
        "authority_end.viewed",
        "A request to end a legal authority was looked at",
    )
    AUTHORITY_END_DECIDED = (
        "authority_end.decided",
        "A request to end a legal authority was decided",
    )
    # Disputes
    DISPUTE_OPENED = "dispute.opened", "A dispute was opened"
    DISPUTE_VIEWED = "dispute.viewed", "A dispute was looked at"
    DISPUTE_ASSIGNED = "dispute.assigned", "A dispute was assigned"
    DISPUTE_DECIDED = "dispute.decided", "A dispute was decided"
    # Duty to share
    DUTY_TO_SHARE_REQUESTED = "duty_to_share.requested", "Sharing without consent was asked for"
    DUTY_TO_SHARE_VIEWED = (
        "duty_to_share.viewed",
        "A request to share without consent was looked at",
    )
    DUTY_TO_SHARE_APPROVED = (
        "duty_to_share.approved",
        "A request to share without consent was approved",
    )
    DUTY_TO_SHARE_REFUSED = (
        "duty_to_share.refused",
        "A request to share without consent was refused",
    )
    # Messages to residents
    MESSAGE_SENT = "message.sent", "A text was sent to a resident"
    MESSAGE_FAILED = "message.failed", "A text to a resident could not be sent"
    # The portal
    PORTAL_SIGN_IN_STARTED = "portal.sign_in_started", "Someone started signing in to the portal"
    PORTAL_CODE_SENT = "portal.code_sent", "A portal sign-in code was sent"
    PORTAL_CODE_NOT_SENT = "portal.code_not_sent", "A portal sign-in code was not sent"
    PORTAL_CODE_FAILED = "portal.code_failed", "A wrong portal sign-in code was given"
    PORTAL_SIGNED_IN = "portal.signed_in", "A resident signed in to the portal"
    PORTAL_SIGNED_OUT = "portal.signed_out", "A resident signed out of the portal"
    PORTAL_SIGNED_OUT_IDLE = (
        "portal.signed_out_idle",
        "A resident was signed out of the portal after no activity",
    )
    PORTAL_SIGNED_OUT_DETAILS_CHANGED = (
        "portal.signed_out_details_changed",
        "A resident was signed out because the details they signed in with changed",
    )
    # Legal holds, retention and subject access
    LEGAL_HOLD_SET = "legal_hold.set", "A legal hold was set"
    LEGAL_HOLD_LIFTED = "legal_hold.lifted", "A legal hold was lifted"
    RETENTION_PURGED = "retention.purged", "Records past their retention period were removed"
    SUBJECT_ACCESS_STARTED = "subject_access.started", "A subject access export was started"
    SUBJECT_ACCESS_EXPORTED = (
        "subject_access.exported",
        "A subject access export was downloaded",
    )
    # Staff accounts and signing in
    STAFF_CREATED = "staff.created", "A staff account was created"
    STAFF_UPDATED = "staff.updated", "A staff account was changed"
    STAFF_DEACTIVATED = "staff.deactivated", "A staff account was deactivated"
    STAFF_REACTIVATED = "staff.reactivated", "A staff account was reactivated"
    STAFF_PASSWORD_LINK_ISSUED = "staff.password_link_issued", "A set-password link was issued"
    STAFF_PASSWORD_SET = "staff.password_set", "A password was set"
    STAFF_TWO_FACTOR_RESET = "staff.two_factor_reset", "Two-factor sign-in was reset"
    STAFF_TWO_FACTOR_ENROLLED = "staff.two_factor_enrolled", "Two-factor sign-in was set up"
    STAFF_TWO_FACTOR_FAILED = "staff.two_factor_failed", "A wrong two-factor code was given"
    STAFF_RECOVERY_CODE_USED = "staff.recovery_code_used", "A recovery code was used"
    STAFF_PASSWORD_ACCEPTED = "staff.password_accepted", "A right password was given"
    STAFF_SIGN_IN_FAILED = "staff.sign_in_failed", "A sign-in was refused"
    STAFF_SIGNED_IN = "staff.signed_in", "A member of staff signed in"
    STAFF_SIGNED_OUT = "staff.signed_out", "A member of staff signed out"
    # The audit log itself, and the command line
    AUDIT_SEARCHED = "audit.searched", "The audit log was searched"
    AUDIT_EXPORTED = "audit.exported", "The audit log was downloaded"
    COMMAND_RUN = "command.run", "A command was run"


class AuditOutcome(Labelled):
    """What came of an event whose action states no outcome of its own (`outcome_of`)."""

    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    REFUSED = "refused", "Refused"


# Actions that record their outcome in a vocabulary of their own: a call's end, a dispatch's
# outcome, a dispute's or a request's decision.
_STATED_OUTCOMES: dict[str, type[Labelled]] = {
    "call.ended": CallOutcome,
    "dispatch.closed": DispatchOutcome,
    "dispute.decided": DisputeStatus,
    "authority_end.decided": AuthorityEndStatus,
}


def _words(vocabulary: type[Labelled], code: str) -> str | None:
    try:
        return vocabulary(code).label
    except ValueError:
        return None


def action_words(code: str) -> str:
    """What an event's stored action says, in words ("staff.password_accepted": "A right
    password was given"). A code no longer in the vocabulary is shown as it was stored."""
    return _words(AuditAction, code) or code


def outcome_words(action: str, outcome: str | None) -> str:
    """What came of an event, in words: "Done", "Refused", or the words of the vocabulary the
    action states it in ("dispute.decided", "upheld": "Upheld"). Unknown codes are shown as
    stored; an event without an outcome as a dash."""
    if not outcome:
        return "–"
    stated = _STATED_OUTCOMES.get(action)
    return (stated and _words(stated, outcome)) or _words(AuditOutcome, outcome) or outcome


def phone_change(kind: PhoneChangeKind) -> AuditAction:
    """The action of a change to a resident's numbers on file: "phone.added", ..."""
    return AuditAction(f"phone.{kind.value}")


def verification_result(result: VerificationResult) -> AuditAction:
    """The action of a check of a caller's answers: "verification.verified", ..."""
    return AuditAction(f"verification.{result.value}")


def share_decision(status: ShareRequestStatus) -> AuditAction:
    """The action of a decision on a request to share without consent: approved or refused."""
    return AuditAction(f"duty_to_share.{status.value}")
