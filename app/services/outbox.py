"""The outbox: messages to residents, written with the event that caused them, and the worker
that sends them (docs/rules.md, "Messages to residents").

`queue_message` adds a row to the caller's transaction and never commits: if what caused the
message is rolled back, so is the message, and once it is committed the message is sure to be
sent, however long the provider is down.

The worker sends in three steps, each its own short transaction or none:

1. claim: take a few due messages (PostgreSQL `FOR UPDATE SKIP LOCKED`, so workers never
   take the same row), count the attempt and push `next_attempt_at` a lease ahead, commit.
   Another worker skips them until the lease runs out; no row lock is held while sending.
2. send: hand each to the provider (app/telephony/sms.py), outside any transaction.
3. record: sent, with the provider's id; or a failure, retried later with backoff, or failed
   for good. Each message is recorded and committed on its own.

Twilio's Messages API takes no idempotency key, so one window remains: a worker that stops
after the provider took a message but before step 3 commits (a crash, a lost database
connection) leaves the message claimed; when the lease runs out it is sent again. The window
is one provider request plus one small commit wide, and the lease is far longer than the
provider's timeout, so a slow send is never taken over by a second worker while it runs.

SQLite has no `SKIP LOCKED`: run one worker there. PostgreSQL takes any number.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import OutboxMessage, Resident, ResidentPhone
from app.rules import outbox as rules
from app.rules.vocabulary import MessageKind, MessageStatus
from app.services import audit
from app.services.transactions import transactional
from app.telephony.sms import OutgoingSms, SendFailed, send_sms

BATCH_SIZE = 10
# How long a claimed message is left to its worker. Far longer than a batch of sends can take
# (each provider request times out well within a minute), so no second worker takes it over.
LEASE = timedelta(minutes=10)
MOBILE = "mobile"


def retry_policy() -> rules.RetryPolicy:
    return rules.RetryPolicy(**current_app.config["OUTBOX_RETRY_POLICY"])


def mobile_on_file(resident: Resident) -> str | None:
    """The number texts go to: the resident's first mobile number on file, if any."""
    return db.session.scalar(
        select(ResidentPhone.number)
        .where(ResidentPhone.resident_id == resident.id, ResidentPhone.label == MOBILE)
        .order_by(ResidentPhone.id)
        .limit(1)
    )


def queue_message(kind: MessageKind, resident: Resident, body: str) -> OutboxMessage | None:
    """Add a message to the resident's first mobile number to the current transaction, or
    nothing when there is no mobile number on file. Never commits: the caller's unit of work
    does, with the event the message is about."""
    number = mobile_on_file(resident)
    if number is None:
        return None
    return queue_message_to(number, kind, resident, body)


def queue_message_to(
    number: str, kind: MessageKind, resident: Resident, body: str
) -> OutboxMessage:
    """Add a message to one given number to the current transaction: the number is kept on the
    message, so it is sent even once that number is no longer on the resident's file (a number
    told that it was changed or removed). Never commits."""
    message = OutboxMessage(
        kind=kind,
        resident_id=resident.id,
        to_number=number,
        body=body,
        status=MessageStatus.PENDING,
        attempts=0,
        next_attempt_at=clock.now(),
        created_at=clock.now(),
    )
    db.session.add(message)
    return message


def queue_report_made(resident: Resident) -> OutboxMessage | None:
    """Tell the resident a report was made on their record: never who made it, or what."""
    body = rules.report_made_text(current_app.config["RESIDENT_PORTAL_URL"])
    return queue_message(MessageKind.REPORT_MADE, resident, body)


def queue_verification_locked(resident: Resident) -> OutboxMessage | None:
    """Tell the resident phone verification on their record was locked, and whom to ask."""
    config = current_app.config
    body = rules.verification_locked_text(config["COUNCIL_NAME"], config["COUNCIL_CONTACT"])
    return queue_message(MessageKind.VERIFICATION_LOCKED, resident, body)


@dataclass
class WorkDone:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def claimed(self) -> int:
        return self.sent + self.retrying + self.failed

    def add(self, other: "WorkDone") -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed


@transactional
def claim_due(limit: int = BATCH_SIZE, due_by: datetime | None = None) -> list[OutgoingSms]:
    """Claim up to `limit` messages due by `due_by` (now by default), oldest first, for this
    worker alone, and commit the claim."""
    now = clock.now()
    stmt = (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == MessageStatus.PENDING,
            OutboxMessage.next_attempt_at <= (due_by or now),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = []
    for message in db.session.scalars(stmt):
        message.attempts += 1
        message.next_attempt_at = now + LEASE
        claimed.append(OutgoingSms(message.id, message.to_number, message.body))
    return claimed


def send_due(limit: int = BATCH_SIZE, due_by: datetime | None = None) -> WorkDone:
    """Claim a batch of due messages, send each, and record what happened to each."""
    done = WorkDone()
    for sms in claim_due(limit, due_by):
        try:
            provider_sid = send_sms(sms)
        except SendFailed as error:
            status = record_failure(sms.message_id, error)
            if status is MessageStatus.FAILED:
                done.failed += 1
            else:
                done.retrying += 1
        else:
            record_sent(sms.message_id, provider_sid)
            done.sent += 1
    return done


def send_all_due() -> WorkDone:
    """Send every message due now, batch after batch; a message that fails now and is retried
    later is not tried twice in one run."""
    started = clock.now()
    done = WorkDone()
    while True:
        batch = send_due(due_by=started)
        if not batch.claimed:
            return done
        done.add(batch)


@transactional
def record_sent(message_id: int, provider_sid: str) -> None:
    message = _locked(message_id)
    message.provider_sid = provider_sid
    message.sent_at = clock.now()
    message.last_error = None
    if message.status is MessageStatus.PENDING:
        # A delivery report may have come first and said more; it stays.
        message.status = MessageStatus.SENT
    audit.record(
        "message.sent", resident_id=message.resident_id, message=message.id, kind=message.kind.value
    )


@transactional
def record_failure(message_id: int, error: SendFailed) -> MessageStatus:
    """Keep why the send failed; try again later, with backoff, or give up for good."""
    message = _locked(message_id)
    policy = retry_policy()
    status = rules.after_failure(
        message.attempts, rules.classify_failure(error.http_status, error.error_code), policy
    )
    message.last_error = error.detail[:500]
    message.status = status
    if status is MessageStatus.PENDING:
        delay = rules.retry_delay(message.attempts, random.random(), policy)  # noqa: S311
        message.next_attempt_at = clock.now() + delay
        current_app.logger.warning(
            "outbox: message %d not sent (attempt %d), retrying in %ds: %s",
            message_id,
            message.attempts,
            delay.total_seconds(),
            error.detail,
        )
    else:
        audit.record(
            "message.failed",
            resident_id=message.resident_id,
            message=message.id,
            kind=message.kind.value,
            attempts=message.attempts,
        )
        current_app.logger.error(
            "outbox: message %d failed after %d attempts: %s",
            message_id,
            message.attempts,
            error.detail,
        )
    return status


@transactional
def record_delivery_report(
    provider_sid: str, reported: str, error_code: str | None, message_id: int | None
) -> bool:
    """Record what the provider said about a message it took; False when no message matches.

    The message is found by the provider's id, or, when the report comes before the worker
    recorded that id, by our own id given in the callback address. Reports out of order
    never undo a final status."""
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.provider_sid == provider_sid).with_for_update()
    )
    if message is None and message_id is not None:
        message = db.session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.provider_sid.is_(None))
            .with_for_update()
        )
    if message is None:
        return False
    message.provider_sid = provider_sid
    new = rules.status_after_report(message.status, reported)
    if new is not None:
        message.status = new
        if new is MessageStatus.DELIVERED:
            message.delivered_at = clock.now()
        elif error_code:
            message.last_error = f"Twilio error {error_code[:20]}"
    return True


def _locked(message_id: int) -> OutboxMessage:
    return db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.id == message_id).with_for_update()
    )


@dataclass(frozen=True)
class MessageRow:
    """A message as staff see it on the Messages page: the number cut to its last digits."""

    created_at: datetime
    kind: MessageKind
    number_ending: str
    body: str
    status: MessageStatus
    attempts: int
    last_error: str | None
    next_attempt_at: datetime


def messages_page(page: int, per_page: int) -> tuple[list[MessageRow], int]:
    """Messages to residents, newest first, a page at a time; and how many there are."""
    total = db.session.scalar(select(func.count()).select_from(OutboxMessage)) or 0
    stmt = (
        select(OutboxMessage)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = [
        MessageRow(
            created_at=message.created_at,
            kind=message.kind,
            number_ending=rules.last_digits(message.to_number),
            body=message.body,
            status=message.status,
            attempts=message.attempts,
            last_error=message.last_error,
            next_attempt_at=message.next_attempt_at,
        )
        for message in db.session.scalars(stmt)
    ]
    return rows, total
