"""Codes sent by text to a number on file, as a verification factor (docs/rules.md rule 3).

A code goes only to a number already on file: one of the resident's numbers, chosen by its
last digits, or the number on a representative's permission. Sending takes the call's lock
first and refuses a form shown for another record or caller, like every check on a call;
checking goes through `verification.check_on_call`, so a wrong or expired code is a failed
attempt counting towards the same lock as wrong answers. When the provider fails, nothing is
sent or checked and nothing counts against the resident.

No lock is held while a provider answers: a send writes the code as being sent and commits,
asks Lookup and the sender with no transaction open, then records what happened
(`send_text_code`). `deliver_code` is that middle step, shared with the portal's codes
(app/services/portal_codes.py). A check asks Twilio Verify first, with no transaction open,
then decides and records under the locks (`check_text_code`); `ask_provider_first` is that
first step, shared with the portal's checks. Who sends codes is `code_backend()`, one answer
for the whole app; in production without a provider, codes are not available.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update

from app import clock
from app.extensions import db
from app.models import Call, OutboxMessage, PortalSession, Resident, ResidentPhone, TextCode
from app.providers import CodesUnavailable, ProviderUnavailable, providers
from app.providers.codes import CodeDelivery, ConsoleCodes
from app.refusals import Refused
from app.rules import text_codes as rules
from app.rules.audit_actions import AuditAction
from app.rules.call_verification import Check
from app.rules.outbox import last_digits
from app.rules.verification import (
    FactorResult,
    assess_representative_verification,
    assess_resident_verification,
)
from app.rules.vocabulary import (
    Factor,
    MessageKind,
    MessageStatus,
    TextCodeProvider,
    TextCodeStatus,
)
from app.services import audit, call_state, verification
from app.services.transactions import transactional

HOLDER = "holder"  # the choice that names a representative's own number on file
PROVIDER_DOWN_SEND = (
    "The text service did not answer, so no code was sent. Try again in a minute, or use "
    "the questions"
)
PROVIDER_DOWN_CHECK = (
    "The text service did not answer, so the code was not checked and nothing was counted. "
    "Ask the caller to read it again in a minute"
)
UNAVAILABLE = (
    "Text codes are not available: no text service is set up, so no code can be sent. "
    "Use the questions"
)
UNAVAILABLE_REPRESENTATIVE = (
    "Text codes are not available: no text service is set up, so this representative cannot "
    "be checked by text now. Log what they report without verifying them"
)
NUMBER_LEFT_FILE = (
    "This number was changed or removed while the code was being sent, so the code will not "
    "work. Choose a number on file and send a new code"
)
CALL_CHANGED_WHILE_CHECKING = (
    "The code was not checked and nothing was counted: a new code was sent, or the call "
    "changed, while the text service answered. Ask the caller to read the newest code again"
)
NO_CODE = "No code has been sent to this caller on this call. Send a code first"
NOT_ON_FILE = "Choose one of the numbers on file for this resident"


def text_code_policy() -> rules.TextCodePolicy:
    return rules.TextCodePolicy(**current_app.config["TEXT_CODE_POLICY"])


def check_for(call: Call) -> Check:
    """The text-code check for the caller the call records."""
    if call.is_caller_representative:
        return Check.REPRESENTATIVE_TEXT_CODE
    return Check.RESIDENT_TEXT_CODE


@dataclass(frozen=True)
class NumberOnFile:
    """A number a code may go to, as the handler sees it: by its last digits only."""

    choice: str  # a ResidentPhone id, or HOLDER
    ending: str
    label: str


def numbers_on_file(call: Call) -> list[NumberOnFile]:
    """Where a code for the caller the call records may go: the resident's numbers, or the
    number on the representative's permission."""
    if call.resident_id is None:
        return []
    if call.is_caller_representative:
        if call.permission is None:
            return []
        return [NumberOnFile(HOLDER, last_digits(call.permission.holder_phone), "representative")]
    phones = db.session.scalars(
        select(ResidentPhone)
        .where(ResidentPhone.resident_id == call.resident_id)
        .order_by(ResidentPhone.id)
    )
    return [NumberOnFile(str(p.id), last_digits(p.number), p.label) for p in phones]


@dataclass(frozen=True)
class CodeSent:
    """What the handler is told after a code was sent."""

    number_ending: str
    expires_at: datetime
    warning: str | None = None  # something about the line worth knowing


@dataclass(frozen=True)
class PendingCode:
    """The newest code for the caller the call records, as the handler sees it."""

    number_ending: str
    expires_at: datetime
    checks_left: int
    spent: str | None = None  # why it can no longer be checked


def pending_code(call: Call) -> PendingCode | None:
    """The code waiting to be read back for the caller the call records now, if any."""
    code = _latest(call)
    if code is None:
        return None
    policy = text_code_policy()
    return PendingCode(
        last_digits(code.phone_number),
        code.expires_at,
        rules.checks_left(code.checks, policy),
        rules.check_refusal(code.checks, policy),
    )


def _latest(call: Call) -> TextCode | None:
    """The newest code still waiting, or spent, for the caller the call records now: a code
    sent for another record, caller or permission on this call never counts."""
    if call.resident_id is None:
        return None
    permission_id = call.permission_id if call.is_caller_representative else None
    return db.session.scalar(
        select(TextCode)
        .where(
            TextCode.call_id == call.id,
            TextCode.resident_id == call.resident_id,
            TextCode.permission_id.is_(None)
            if permission_id is None
            else TextCode.permission_id == permission_id,
            TextCode.status.in_([TextCodeStatus.PENDING, TextCodeStatus.SPENT]),
        )
        .order_by(TextCode.id.desc())
        .limit(1)
    )


def code_backend() -> TextCodeProvider | None:
    """Who sends codes now, or None when nobody may (production without Twilio Verify or
    Messaging): one answer for codes on calls, portal codes and the Messages page."""
    codes = providers().codes
    return codes.provider if codes is not None else None


def codes_unavailable(call: Call) -> str | None:
    """Why no code can be sent on this call, or None when one can: production without Twilio
    Verify or Messaging never falls back to the console (app/providers/registry.py)."""
    if code_backend() is not None:
        return None
    return UNAVAILABLE_REPRESENTATIVE if call.is_caller_representative else UNAVAILABLE


def send_text_code(call: Call, choice: str, handler_id: int, shown_for: str) -> CodeSent:
    """Send a code by text to a number on file, for the caller the call records to read back.

    `choice` is what the handler picked: one of the resident's numbers (its id), or HOLDER
    for a representative. A number that is not on file for this call's caller is refused,
    and so are sends while phone verification is locked, beyond the resident's hourly limit,
    to a number whose SIM was swapped or that was put on file lately, and every send when
    no provider sends codes.

    No lock is held while a provider answers (the outbox's shape): the code is written as
    being sent under the call's and the resident's locks and committed, so it counts towards
    the hourly limit at once; then Lookup is asked and the code sent with no transaction open;
    then the result is recorded. A code held or not sent is taken back, as if never written.
    """
    sending = _start_sending(call, choice, handler_id, shown_for)
    policy = text_code_policy()
    council = current_app.config["COUNCIL_NAME"]
    try:
        delivered = deliver_code(
            sending.number,
            sending.added_at,
            sending.backend,
            policy,
            lambda code: rules.call_code_text(code, council),
        )
    except Held as held:
        _take_back(call, sending, handler_id, held=True)
        raise Refused(held.reason, field="phone") from None
    except ProviderUnavailable as error:
        current_app.logger.warning("text code not sent: %s", error.detail)
        _take_back(call, sending, handler_id, held=False)
        raise Refused(PROVIDER_DOWN_SEND) from error
    except CodesUnavailable:
        _take_back(call, sending, handler_id, held=False)
        raise Refused(UNAVAILABLE) from None
    return _record_sent(call, sending, delivered, handler_id)


@dataclass(frozen=True)
class Sending:
    """A code written as being sent, before any provider is asked."""

    code_id: int
    number: str
    added_at: datetime | None  # when the number was put on file
    backend: TextCodeProvider


@transactional
def _start_sending(call: Call, choice: str, handler_id: int, shown_for: str) -> Sending:
    now = call_state.lock_call(call)
    check = check_for(call)
    verification.refuse_unless_checkable(call, check, shown_for)
    backend = code_backend()
    if backend is None:
        raise Refused(codes_unavailable(call))
    resident = verification.lock_resident(call)
    lock = verification.lock_state(resident.id, now)
    if lock.locked:
        raise Refused(lock.reason)
    policy = text_code_policy()
    number, added_at = number_on_file(call, resident, choice)

    sent_lately = codes_sent_since(resident.id, now - timedelta(hours=1))
    if refusal := rules.send_refusal(sent_lately, policy):
        raise Refused(refusal)
    # What the database knows holds the code before any provider is asked.
    if held := rules.hold_reason(rules.LineFacts(number_added_at=added_at), now, policy):
        audit.record_on_call(
            AuditAction.TEXT_CODE_HELD, call, staff_id=handler_id, number_ending=last_digits(number)
        )
        raise Refused(held, field="phone")
    code = TextCode(
        call_id=call.id,
        resident_id=resident.id,
        permission_id=call.permission_id if check is Check.REPRESENTATIVE_TEXT_CODE else None,
        phone_number=number,
        provider=backend,
        created_at=now,
        expires_at=rules.expires_at(now, policy),
        checks=0,
        status=TextCodeStatus.SENDING,
    )
    db.session.add(code)
    db.session.flush()
    return Sending(code.id, number, added_at, backend)


@transactional
def _take_back(call: Call, sending: Sending, handler_id: int, *, held: bool) -> None:
    """A code held after Lookup, or that the provider did not take: it was never sent, so it
    counts towards nothing."""
    db.session.execute(
        delete(TextCode)
        .where(TextCode.id == sending.code_id)
        .execution_options(synchronize_session=False)
    )
    if held:
        audit.record_on_call(
            AuditAction.TEXT_CODE_HELD,
            call,
            staff_id=handler_id,
            number_ending=last_digits(sending.number),
        )


@transactional
def _record_sent(call: Call, sending: Sending, delivered: "Delivered", handler_id: int) -> CodeSent:
    now = call_state.lock_call(call)
    # Only the newest code for this call's caller counts.
    db.session.execute(
        update(TextCode)
        .where(TextCode.call_id == call.id, TextCode.status == TextCodeStatus.PENDING)
        .values(status=TextCodeStatus.REPLACED)
        .execution_options(synchronize_session=False)
    )
    code = db.session.get(TextCode, sending.code_id)
    if code.status is not TextCodeStatus.SENDING:
        # The number left the file while the provider was sending (app/services/phones.py).
        raise Refused(NUMBER_LEFT_FILE, field="phone")
    code.status = TextCodeStatus.PENDING
    code.code_hash = delivered.sent.code_hash
    if delivered.sent.shown is not None:
        show_on_console(code.resident_id, sending.number, delivered.sent.shown, now)
    audit.record_on_call(
        AuditAction.TEXT_CODE_SENT,
        call,
        staff_id=handler_id,
        number_ending=last_digits(sending.number),
        provider=sending.backend.value,
    )
    return CodeSent(last_digits(sending.number), code.expires_at, delivered.warning)


class Held(Exception):
    """The rules hold the code: `reason` is in the handler's words."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Delivered:
    """A code the provider took, and what the handler should know about the line."""

    sent: CodeDelivery
    warning: str | None


def deliver_code(
    number: str,
    added_at: datetime | None,
    backend: TextCodeProvider,
    policy: rules.TextCodePolicy,
    text: Callable[[str], str],
) -> Delivered:
    """Ask Lookup about the number (when it is used), hold the code where the rules say so,
    else send it by `backend`; for calls and the portal alike, never inside a transaction.

    Raises `Held`, `ProviderUnavailable` when Lookup or the sender does not answer, or
    `CodesUnavailable` when `backend` is not set up here (the console, in production):
    nothing is sent then.
    """
    chosen = providers()
    sender = chosen.codes_for(backend)
    if sender is None:
        raise CodesUnavailable
    facts = replace(chosen.lookup.look_up(number), number_added_at=added_at)
    now = clock.now()
    if held := rules.hold_reason(facts, now, policy):
        raise Held(held)
    return Delivered(sender.send(number, text), rules.line_warning(facts, now, policy))


def codes_sent_since(resident_id: int, since: datetime) -> int:
    """Codes sent for the resident since `since`, on calls and to sign in to the portal: one
    hourly limit covers both."""
    on_calls = (
        select(func.count())
        .select_from(TextCode)
        .where(TextCode.resident_id == resident_id, TextCode.created_at > since)
    )
    in_portal = (
        select(func.count())
        .select_from(PortalSession)
        .where(
            PortalSession.resident_id == resident_id,
            PortalSession.provider.is_not(None),
            PortalSession.created_at > since,
        )
    )
    return (db.session.scalar(on_calls) or 0) + (db.session.scalar(in_portal) or 0)


def number_on_file(call: Call, resident: Resident, choice: str) -> tuple[str, datetime | None]:
    """The number `choice` names, and when it was put on file; refused unless it is on file
    for the caller the call records."""
    if call.is_caller_representative:
        if choice != HOLDER or call.permission is None:
            raise Refused("Send the code to the representative's number on file", field="phone")
        # A holder's number is written with the permission and never edited on its own.
        return call.permission.holder_phone, call.permission.created_at
    phone = db.session.get(ResidentPhone, int(choice)) if choice.isdigit() else None
    if phone is None or phone.resident_id != resident.id:
        raise Refused(NOT_ON_FILE, field="phone")
    return phone.number, phone.added_at


def show_on_console(resident_id: int, number: str, text: str, now: datetime) -> None:
    """Development only. The console sends nothing: staff see the code on the Messages page
    and in the log. It is written as already sent, so the outbox worker never sends it."""
    console = providers().codes_for(TextCodeProvider.CONSOLE)
    if not isinstance(console, ConsoleCodes):  # production: never
        return
    db.session.add(
        OutboxMessage(
            kind=MessageKind.TEXT_CODE,
            resident_id=resident_id,
            to_number=number,
            body=text,
            status=MessageStatus.SENT,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            sent_at=now,
        )
    )
    console.show(text, number)


def check_text_code(
    call: Call, typed: str, handler_id: int, shown_for: str
) -> verification.CheckReport:
    """Check the code the caller read back, as every check on a call is checked.

    A wrong or expired code is a failed attempt, counting towards the phone verification
    lock. A code checked `max_checks` times is spent. When the provider cannot answer,
    nothing is checked or counted.

    No lock is held while a provider answers. A code only Twilio Verify can check is asked
    about first, with no transaction open; then, under the call's and the resident's locks
    like every check (`verification.check_on_call`), the check is decided and recorded with
    Verify's answer. The attempts are still counted one at a time under the resident's lock,
    so parallel wrong codes never pass the lockout limit, and an approval that arrives after
    the lock engaged, or after the code was spent, is refused like any other check then.
    """
    asked = None
    if providers().checks_by_asking:
        asked = ask_provider_first(_code_to_ask_about(call, shown_for), typed)
    return _check_text_code(call, typed, handler_id, shown_for, asked)


@dataclass(frozen=True)
class SentCode:
    """A code to ask its provider about before any lock is taken: plain values, so asking
    reads nothing from the database. `code_id` is its row's id (a TextCode's, or a portal
    sign-in's)."""

    code_id: int
    provider: TextCodeProvider
    number: str


@dataclass(frozen=True)
class ProviderAnswer:
    """What the provider said of a typed code, asked before any lock was taken: about which
    code, and whether it approved it (None: it did not answer; `detail` says why, for the
    log only)."""

    code_id: int
    approved: bool | None
    detail: str = ""


class NotAsked(Exception):
    """The code needs its provider's word and the provider was asked about another code, or
    none (a new code was sent meanwhile): nothing is checked or counted."""


@transactional
def _code_to_ask_about(call: Call, shown_for: str) -> SentCode | None:
    """The code the check will be about, if only its provider can check it and the check
    would be made now. Read with no lock, and committed (nothing is written) so that no
    transaction is open while the provider answers; the check itself decides again under
    the locks, and asks for nothing it was not given."""
    now = clock.now()
    try:
        verification.refuse_unless_checkable(call, check_for(call), shown_for)
    except Refused:
        return None  # the check refuses it under the locks, saying why
    if verification.lock_state(call.resident_id, now).locked:
        return None
    code = _latest(call)
    if code is None or rules.check_refusal(code.checks, text_code_policy()):
        return None
    return code_to_ask_about(code, now)


def code_to_ask_about(sent: TextCode | PortalSession, now: datetime) -> SentCode | None:
    """`sent` as a code to ask its provider about, or None when no provider need be asked:
    one the app made is compared with its HMAC under the lock, and an expired one is wrong."""
    if sent.provider is None or rules.is_expired(sent.expires_at, now):
        return None
    sender = providers().codes_for(sent.provider)
    if sender is None or not sender.asks_provider_to_check:
        return None
    return SentCode(sent.id, sent.provider, sent.phone_number)


def ask_provider_first(sent: SentCode | None, typed: str) -> ProviderAnswer | None:
    """Ask the provider whether `typed` is the code it sent, with no transaction open; for
    calls and the portal alike. None when there is nobody to ask."""
    if sent is None:
        return None
    sender = providers().codes_for(sent.provider)
    if sender is None:
        return ProviderAnswer(sent.code_id, None, f"{sent.provider.value} is not set up")
    try:
        return ProviderAnswer(sent.code_id, sender.check(sent.number, typed, None))
    except ProviderUnavailable as error:
        return ProviderAnswer(sent.code_id, None, error.detail)


@transactional
def _check_text_code(
    call: Call, typed: str, handler_id: int, shown_for: str, asked: ProviderAnswer | None
) -> verification.CheckReport:
    check = check_for(call)
    factor = Factor.REPRESENTATIVE_SMS_CODE if call.is_caller_representative else Factor.SMS_CODE

    def assess(resident: Resident, already: frozenset[Factor]):
        matched = _code_matches(call, typed, asked)
        results = [FactorResult(factor, matched)]
        if check is Check.REPRESENTATIVE_TEXT_CODE:
            return results, assess_representative_verification(results, already)
        policy = verification.verification_policy()
        return results, assess_resident_verification(results, policy, already)

    return verification.check_on_call(call, handler_id, check, shown_for, assess)


def _code_matches(call: Call, typed: str, asked: ProviderAnswer | None) -> bool:
    policy = text_code_policy()
    code = _latest(call)
    if code is None:
        raise Refused(NO_CODE)
    if refusal := rules.check_refusal(code.checks, policy):
        code.status = TextCodeStatus.SPENT
        raise Refused(refusal)
    now = call.last_activity_at  # set by lock_call for this request
    try:
        matched = typed_code_matches(code, typed, now, asked, "text code")
    except ProviderUnavailable as error:
        raise Refused(PROVIDER_DOWN_CHECK) from error
    except NotAsked:
        raise Refused(CALL_CHANGED_WHILE_CHECKING) from None
    code.checks += 1
    if matched:
        code.status = TextCodeStatus.APPROVED
    elif rules.checks_left(code.checks, policy) == 0:
        code.status = TextCodeStatus.SPENT
    return matched


def typed_code_matches(
    sent: TextCode | PortalSession,
    typed: str,
    now: datetime,
    asked: ProviderAnswer | None,
    what: str,
) -> bool:
    """Whether `typed` is the code sent, never once it has expired. Asks no provider: a code
    the app made is compared with its HMAC, and a code only its provider can check is
    decided by what it answered before the lock (`asked`). When it did not answer, logs it
    (as `what` not checked) and raises ProviderUnavailable; when it was asked about another
    code, raises NotAsked. A code whose provider is not set up here (the console's, in
    production) never matches."""
    if sent.provider is None or rules.is_expired(sent.expires_at, now):
        return False
    sender = providers().codes_for(sent.provider)
    if sender is None:
        return False
    if not sender.asks_provider_to_check:
        return sender.check(sent.phone_number, typed, sent.code_hash)
    if asked is None or asked.code_id != sent.id:
        raise NotAsked
    if asked.approved is None:
        current_app.logger.warning("%s not checked: %s", what, asked.detail)
        raise ProviderUnavailable(asked.detail)
    return asked.approved
