"""The outbox: messages to residents, written with the event that caused them, and the worker
that sends them (docs/rules.md, "Messages to residents").

`queue_message` adds a row to the caller's transaction and never commits: if what caused the
message is rolled back, so is the message, and once it is committed the message is sure to be
sent, however long the provider is down.

The worker sends in three steps, each its own short transaction or none:

1. claim: take a few due messages (PostgreSQL `FOR UPDATE SKIP LOCKED`, so workers never
   take the same row), count the attempt, push `next_attempt_at` a lease ahead and note when
   the attempt began (`unconfirmed_since`, kept from the earliest attempt not yet answered),
   commit. Another worker skips them until the lease runs out; no row lock is held while
   sending.
2. send: hand each to the provider (`providers().texts`, app/providers/texts.py), outside
   any transaction. A message whose earlier attempt was never answered (a timeout, a server
   error, a worker that stopped before recording the send) is not simply sent again: first
   the provider is asked for the messages it holds to that number, and one with the same
   words created since that attempt began is recorded as this message, instead of sending a
   second text. If that question gets no answer either, the message waits for the next
   round: never sent blind.
3. record: sent, with the provider's id; or a failure, retried later with backoff, or failed
   for good. Each message is recorded and committed on its own. An answer refusing the
   message clears `unconfirmed_since`: the provider did not take that attempt.

Twilio's Messages API takes no idempotency key; the question in step 2 stands in for one. A
delivery report for a message the worker thought unsent records it as sent too.

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
from app.providers import SendFailed, providers
from app.providers.texts import OutgoingText
from app.rules import outbox as rules
from app.rules.audit_actions import AuditAction
from app.rules.vocabulary import MessageKind, MessageStatus
from app.services import audit
from app.services.transactions import transactional

BATCH_SIZE = 10
# How long a claimed message is left to its worker. Far longer than a batch of sends can take
# (each provider request times out well within a minute), so no second worker takes it over.
LEASE = timedelta(minutes=10)


def _lease() -> timedelta:
    """How long a claimed message is its worker's (OUTBOX_LEASE_SECONDS, else LEASE)."""
    seconds = current_app.config.get("OUTBOX_LEASE_SECONDS")
    return timedelta(seconds=seconds) if seconds else LEASE


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


def queue_portal_signed_in(resident: Resident, signed_in_at: datetime) -> OutboxMessage | None:
    """Tell the resident someone signed in to see their record online, at `signed_in_at`
    (a London time), and whom to contact if it was not them."""
    config = current_app.config
    body = rules.portal_signed_in_text(
        config["COUNCIL_NAME"], signed_in_at, config["COUNCIL_CONTACT"]
    )
    return queue_message(MessageKind.PORTAL_SIGNED_IN, resident, body)


def queue_dispute_opened(resident: Resident) -> OutboxMessage | None:
    """Tell the resident a dispute was opened in their name, and whom to tell if it was not
    them: never which entry, or who opened it."""
    config = current_app.config
    body = rules.dispute_opened_text(
        config["COUNCIL_NAME"], config["RESIDENT_PORTAL_URL"], config["COUNCIL_CONTACT"]
    )
    return queue_message(MessageKind.DISPUTE_OPENED, resident, body)


@dataclass(frozen=True)
class OutgoingSms:
    """A message this worker claimed, to send with no transaction open."""

    message_id: int
    to_number: str  # E.164
    body: str
    # When an earlier attempt whose outcome was never heard began, if one did.
    unconfirmed_since: datetime | None = None


def send_sms(sms: OutgoingSms) -> str:
    """Hand one claimed message to the provider; its id for it. Raises `SendFailed`."""
    return providers().texts.send(OutgoingText(sms.to_number, sms.body, sms.message_id))


def sends_to_console() -> bool:
    """Whether texts go to the log instead of a provider (no Twilio credentials)."""
    return providers().texts_to_console


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
        message.next_attempt_at = now + _lease()
        unconfirmed_since = message.unconfirmed_since
        # Until the provider answers, this attempt too may leave it holding the message.
        message.unconfirmed_since = unconfirmed_since or now
        claimed.append(OutgoingSms(message.id, message.to_number, message.body, unconfirmed_since))
    return claimed


def send_due(limit: int = BATCH_SIZE, due_by: datetime | None = None) -> WorkDone:
    """Claim a batch of due messages, send each, and record what happened to each."""
    done = WorkDone()
    for sms in claim_due(limit, due_by):
        try:
            if _already_held(sms):
                done.sent += 1
                continue
            provider_sid = send_sms(sms)
        except SendFailed as error:
            status = record_failure(sms.message_id, error)
            if status is MessageStatus.FAILED:
                done.failed += 1
            elif status is MessageStatus.PENDING:
                done.retrying += 1
            else:
                done.sent += 1  # a delivery report came while it waited for an answer
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


def _already_held(sms: OutgoingSms) -> bool:
    """Whether the provider took this message on an earlier attempt that got no answer (it is
    then recorded as sent, and not sent again). Raises `SendFailed` when the provider does
    not answer the question: the message waits for the next round, never sent blind."""
    if sms.unconfirmed_since is None:
        return False
    held = providers().texts.held_for(sms.to_number)
    return record_held(sms.message_id, sms.unconfirmed_since, held)


@transactional
def record_held(message_id: int, since: datetime, held: list[rules.HeldMessage]) -> bool:
    """Record the message the provider already holds for ours, if it holds one; whether it
    does."""
    message = _locked(message_id)
    if message.status is not MessageStatus.PENDING:
        return True  # a delivery report said so while we asked
    recorded = set(
        db.session.scalars(
            select(OutboxMessage.provider_sid).where(
                OutboxMessage.provider_sid.in_([h.sid for h in held]),
                OutboxMessage.id != message_id,
            )
        )
    )
    found = rules.already_held(message.body, since, held, recorded)
    if found is None:
        return False
    _mark_sent(message, found.sid, found_after_no_answer=True)
    _apply_report(message, found.status, None)
    return True


@transactional
def record_sent(message_id: int, provider_sid: str) -> None:
    _mark_sent(_locked(message_id), provider_sid)


def _mark_sent(message: OutboxMessage, provider_sid: str, **detail) -> None:
    """The provider holds the message under `provider_sid`: audited the first time we learn
    it, from the worker or from a delivery report, whichever comes first."""
    message.provider_sid = provider_sid
    message.last_error = None
    if message.status is MessageStatus.PENDING:
        # A delivery report may have come first and said more; it stays.
        message.status = MessageStatus.SENT
    if message.sent_at is not None:
        return
    message.sent_at = clock.now()
    audit.record(
        AuditAction.MESSAGE_SENT,
        resident_id=message.resident_id,
        message=message.id,
        kind=message.kind.value,
        **detail,
    )


@transactional
def record_failure(message_id: int, error: SendFailed) -> MessageStatus:
    """Keep why the send failed; try again later, with backoff, or give up for good."""
    message = _locked(message_id)
    if message.status is not MessageStatus.PENDING:
        # A delivery report came while this attempt waited: the provider has the message.
        return message.status
    if not rules.may_have_been_taken(error.http_status):
        # The provider answered that it did not take this attempt; any before it was looked
        # for before this one was sent.
        message.unconfirmed_since = None
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
            AuditAction.MESSAGE_FAILED,
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
    recorded that id, by our own id given in the callback address. A report about a message
    the worker still thinks unsent (its send got no answer) records it as sent: the provider
    has it, and it is not sent again. Reports out of order never move a message back. A
    status we do not act on (a word for a message coming in, or one Twilio adds later)
    changes nothing."""
    if rules.reported_status(reported) is None:
        return True
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
    if message.status is MessageStatus.PENDING:
        _mark_sent(message, provider_sid, reported_by_provider=True)
    message.provider_sid = message.provider_sid or provider_sid
    _apply_report(message, reported, error_code)
    return True


def _apply_report(message: OutboxMessage, reported: str, error_code: str | None) -> None:
    """Move the message on to what the provider says of it, never back."""
    new = rules.status_after_report(message.status, reported)
    if new is None:
        return
    message.status = new
    if new is MessageStatus.DELIVERED:
        message.delivered_at = clock.now()
    elif error_code:
        message.last_error = f"Twilio error {error_code[:20]}"
    elif reported.strip().lower() != new.value:
        message.last_error = "Twilio: " + reported.strip().lower().replace("_", " ")


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
