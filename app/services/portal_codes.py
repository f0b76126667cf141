"""Sending the codes that portal sign-ins queued (docs/rules.md rule 3).

A sign-in request only writes its row, with the code queued when the details matched
(app/services/portal.py): it never waits for a provider, so it answers in the same time
whatever was typed. `flask outbox work` calls `send_queued_codes` every round, beside the
outbox, and sends each code in three steps, as the outbox sends a message:

1. claim: take the queued rows (on PostgreSQL `FOR UPDATE SKIP LOCKED`, and on any database
   an update that moves a row from queued to sending only if it is still queued, so one
   worker alone takes it); then, under the resident's row lock, what the database knows: a
   mobile number on file, the hourly limit shared with codes on calls, a number put on file
   lately, a sign-in already expired. Commit.
2. send, with no transaction open: Lookup first (when it is used) and the holds, then Twilio
   Verify, the app's own code by Twilio Messaging, or in development the console
   (`text_codes.deliver_code`, as on calls).
3. record: sent, with what is kept of the code (an HMAC, or nothing for Verify); or not sent,
   and then it counts towards nothing.

A row is taken once and never again, so no code is sent twice: a worker stopped between the
first step and the last leaves its row "sending", and the resident, who got no code, starts
again. The page never says why a code was not sent, which would tell a stranger the details
matched; the audit log does ("portal.code_not_sent", with the reason).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from app import clock
from app.extensions import db
from app.models import PortalSession, Resident, ResidentPhone
from app.models.portal_session import PortalCodeState
from app.providers import CodesUnavailable, ProviderUnavailable
from app.rules import text_codes as rules
from app.rules.audit_actions import AuditAction
from app.rules.outbox import last_digits
from app.rules.vocabulary import TextCodeProvider
from app.services import audit
from app.services.text_codes import (
    Delivered,
    Held,
    code_backend,
    codes_sent_since,
    deliver_code,
    show_on_console,
    text_code_policy,
)
from app.services.transactions import transactional

BATCH_SIZE = 10
MOBILE = "mobile"


@dataclass(frozen=True)
class QueuedCode:
    """A sign-in's code this worker took, to send to the resident's first mobile number."""

    session_id: int
    resident_id: int
    number: str
    added_at: datetime | None  # when the number was put on file
    backend: TextCodeProvider


@dataclass
class CodesDone:
    sent: int = 0
    not_sent: int = 0

    @property
    def taken(self) -> int:
        return self.sent + self.not_sent

    def add(self, other: "CodesDone") -> None:
        self.sent += other.sent
        self.not_sent += other.not_sent


def send_queued_codes() -> CodesDone:
    """Send every code queued now, batch after batch."""
    done = CodesDone()
    while True:
        batch = send_batch()
        if not batch.taken:
            return done
        done.add(batch)


def send_batch(limit: int = BATCH_SIZE) -> CodesDone:
    """Take up to `limit` queued codes, send each, and record what happened to each."""
    claimed, refused = _claim(limit)
    done = CodesDone(not_sent=refused)
    policy = text_code_policy()
    council = current_app.config["COUNCIL_NAME"]
    for queued in claimed:
        try:
            delivered = deliver_code(
                queued.number,
                queued.added_at,
                queued.backend,
                policy,
                lambda code: rules.portal_code_text(code, council, policy),
            )
        except Held as held:
            _record_not_sent(queued.session_id, f"held: {held.reason}")
            done.not_sent += 1
        except (ProviderUnavailable, CodesUnavailable) as error:
            detail = getattr(error, "detail", "no provider sends codes")
            current_app.logger.warning("portal code not sent: %s", detail)
            _record_not_sent(queued.session_id, "the text service did not answer")
            done.not_sent += 1
        else:
            _record_sent(queued, delivered)
            done.sent += 1
    return done


@transactional
def _claim(limit: int) -> tuple[list[QueuedCode], int]:
    """Take up to `limit` queued rows for this worker alone; say which codes to send, and
    how many are not to be sent at all (already recorded as such)."""
    now = clock.now()
    waiting = db.session.scalars(
        select(PortalSession.id)
        .where(PortalSession.code_state == PortalCodeState.QUEUED)
        .order_by(PortalSession.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    taken = [session_id for session_id in waiting if _take(session_id)]
    rows = db.session.scalars(select(PortalSession).where(PortalSession.id.in_(taken))).all()
    backend = code_backend()
    policy = text_code_policy()
    claimed: list[QueuedCode] = []
    refused = 0
    # Residents' rows are locked in one order by every worker, so two never wait on each other.
    for row in sorted(rows, key=lambda row: (row.resident_id, row.id)):
        phone, reason = _where_to_send(row, backend, now, policy)
        if reason is not None:
            row.code_state = PortalCodeState.NOT_SENT
            audit.record(
                AuditAction.PORTAL_CODE_NOT_SENT, resident_id=row.resident_id, reason=reason
            )
            refused += 1
            continue
        # From here the code counts towards the resident's hourly limit.
        row.phone_number = phone.number
        row.provider = backend
        claimed.append(QueuedCode(row.id, row.resident_id, phone.number, phone.added_at, backend))
    return claimed, refused


def _take(session_id: int) -> bool:
    moved = db.session.execute(
        update(PortalSession)
        .where(PortalSession.id == session_id, PortalSession.code_state == PortalCodeState.QUEUED)
        .values(code_state=PortalCodeState.SENDING)
        .execution_options(synchronize_session=False)
    )
    return moved.rowcount == 1


def _where_to_send(
    row: PortalSession,
    backend: TextCodeProvider | None,
    now: datetime,
    policy: rules.TextCodePolicy,
) -> tuple[ResidentPhone | None, str | None]:
    """The number the code goes to, or why none is sent, from what the database knows."""
    if backend is None:
        return None, "no provider sends codes"
    if rules.is_expired(row.expires_at, now):
        return None, "the sign-in expired before its code was sent"
    # Codes for one resident, on calls and here, are counted one after another.
    db.session.scalar(
        select(Resident.id).where(Resident.id == row.resident_id).with_for_update(key_share=True)
    )
    phone = db.session.scalar(
        select(ResidentPhone)
        .where(ResidentPhone.resident_id == row.resident_id, ResidentPhone.label == MOBILE)
        .order_by(ResidentPhone.id)
        .limit(1)
    )
    if phone is None:
        return None, "no mobile number on file"
    sent_lately = codes_sent_since(row.resident_id, now - timedelta(hours=1))
    if rules.send_refusal(sent_lately, policy):
        return None, "the hourly limit of codes for this resident was reached"
    facts = rules.LineFacts(number_added_at=phone.added_at)
    if held := rules.hold_reason(facts, now, policy):
        return None, f"held: {held}"
    return phone, None


@transactional
def _record_sent(queued: QueuedCode, delivered: Delivered) -> None:
    row = _locked(queued.session_id)
    row.code_state = PortalCodeState.SENT
    row.code_hash = delivered.sent.code_hash
    if delivered.sent.shown is not None:
        show_on_console(queued.resident_id, queued.number, delivered.sent.shown, clock.now())
    audit.record(
        AuditAction.PORTAL_CODE_SENT,
        resident_id=queued.resident_id,
        number_ending=last_digits(queued.number),
        provider=queued.backend.value,
        warning=delivered.warning,
    )


@transactional
def _record_not_sent(session_id: int, reason: str) -> None:
    """Not sent after all: it counts towards nothing, and can never be checked."""
    row = _locked(session_id)
    row.code_state = PortalCodeState.NOT_SENT
    row.provider = None
    row.phone_number = None
    audit.record(AuditAction.PORTAL_CODE_NOT_SENT, resident_id=row.resident_id, reason=reason)


def _locked(session_id: int) -> PortalSession:
    return db.session.scalar(
        select(PortalSession).where(PortalSession.id == session_id).with_for_update()
    )
