"""Checking a caller's answers, and the phone-verification lock (docs/rules.md rule 3).

Typed answers are compared and forgotten: an attempt records which factors
matched or failed, never what was said.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, or_, select

from app.extensions import db
from app.models import Call, Resident, VerificationAttempt, VerificationUnlock
from app.models.types import utcnow
from app.passwords import verify_secret
from app.refusals import Refused
from app.rules.audit_actions import AuditAction
from app.rules.call_verification import (
    LINE_ENDED_REFUSAL,
    Check,
    check_refusal,
    verified_as_by,
)
from app.rules.lockout import LockoutPolicy, LockState, lock_decision
from app.rules.verification import (
    FactorResult,
    VerificationOutcome,
    VerificationPolicy,
    assess_representative_verification,
    assess_resident_verification,
    check_answer,
    normalise_secret_word,
)
from app.rules.vocabulary import Factor, VerificationResult
from app.services import audit, call_state, outbox
from app.services.permissions import check_representative_passcode as check_passcode
from app.services.transactions import transactional


def verification_policy() -> VerificationPolicy:
    return VerificationPolicy(**current_app.config["VERIFICATION_POLICY"])


def lockout_policy() -> LockoutPolicy:
    return LockoutPolicy(**current_app.config["LOCKOUT_POLICY"])


def lock_state(resident_id: int, now: datetime | None = None) -> LockState:
    """Whether phone verification is locked for this resident, as every handler sees it.

    Read once per request (the call page asks in several places); a check that
    writes attempts passes `now` and always reads afresh.
    """
    if now is None:
        cache = _lock_states()
        if resident_id not in cache:
            cache[resident_id] = lock_state(resident_id, utcnow())
        return cache[resident_id]
    policy = lockout_policy()
    unlocked_at = db.session.scalar(
        select(func.max(VerificationUnlock.created_at)).where(
            VerificationUnlock.resident_id == resident_id
        )
    )
    # Only failures that could still be part of a lock matter: those since the last unlock.
    query = select(VerificationAttempt.created_at).where(
        VerificationAttempt.resident_id == resident_id,
        VerificationAttempt.result == VerificationResult.FAILED,
    )
    if unlocked_at is not None:
        query = query.where(VerificationAttempt.created_at > unlocked_at)
    failures = db.session.scalars(query).all()
    return lock_decision(failures, unlocked_at, now, policy)


def _lock_states() -> dict[int, LockState]:
    """The lock states this request has read, kept with its database session: Flask-SQLAlchemy
    gives each request (each app context) a session of its own and ends it with the request,
    so nothing here outlives the request, and no request object is needed to find it."""
    return db.session.info.setdefault("lock_states", {})


@dataclass(frozen=True)
class CheckReport:
    """What the handler is told after checking answers: match or no match per factor."""

    results: tuple[FactorResult, ...]
    outcome: VerificationOutcome | None
    lock: LockState | None
    refused: bool = False  # nothing was checked because verification is locked


def _results(resident: Resident, answers: Mapping[Factor, str]) -> list[FactorResult]:
    results = []
    stored = {
        Factor.DATE_OF_BIRTH: resident.date_of_birth,
        Factor.POSTCODE: resident.postcode,
        Factor.ADDRESS_LINE: resident.address_line_1,
        Factor.REFERENCE: resident.reference,
    }
    for factor, typed in answers.items():
        if not typed or not typed.strip():
            continue
        if factor is Factor.SECRET_WORD:
            matched = verify_secret(resident.secret_word_hash, normalise_secret_word(typed))
            results.append(FactorResult(factor, matched))
        elif factor in stored:
            results.append(check_answer(factor, typed, stored[factor]))
    return results


STALE_FORM = (
    "The record or the caller on this call changed after these answers were typed. "
    "Nothing was checked: check them again"
)


def subject_token(call: Call) -> str:
    """What the call says now, as the verification forms carry it: a check typed against one
    record and caller is never run against another."""
    subject = call.subject
    return f"{subject.resident_id or ''}:{subject.caller_type.value}:{subject.permission_id or ''}"


# What it read stays loaded after the commit: the answer reads the call afresh, and
# nothing else twice.
@transactional(keep_loaded=True)
def check_resident_answers(
    call: Call, answers: Mapping[Factor, str], handler_id: int, shown_for: str
) -> CheckReport:
    """Check what a caller recorded as the resident answered, against the record.

    `shown_for` is the `subject_token` the form was shown for. Refused, with nothing
    checked, when the call no longer says what it said then, or the caller it records
    cannot take this check.
    """

    def assess(resident: Resident, already: frozenset[Factor]):
        results = _results(resident, answers)
        return results, assess_resident_verification(results, verification_policy(), already)

    return check_on_call(call, handler_id, Check.RESIDENT_ANSWERS, shown_for, assess)


@transactional
def check_representative_passcode(
    call: Call, typed: str, handler_id: int, shown_for: str
) -> CheckReport:
    """Check the passcode of the permission a caller recorded as a representative holds.

    Only the representative's own secret can verify them: never the resident's
    details. Wrong passcodes count towards the same lock as wrong answers about
    the resident, since both are guesses at the resident's record.
    """

    def assess(resident: Resident, already: frozenset[Factor]):
        matched = call.permission is not None and check_passcode(call.permission, typed)
        results = [FactorResult(Factor.REPRESENTATIVE_PASSCODE, matched)]
        return results, assess_representative_verification(results, already)

    return check_on_call(call, handler_id, Check.REPRESENTATIVE_PASSCODE, shown_for, assess)


def refuse_unless_checkable(call: Call, check: Check, shown_for: str) -> None:
    """Refuse `check` when the caller the call records cannot take it, or the form was shown
    for another record or caller. Called right after `call_state.lock_call`."""
    if call.line_ended is not None:
        raise Refused(LINE_ENDED_REFUSAL.format(reason=call.line_ended.reason))
    method = call.permission.verification_method if call.permission is not None else None
    refusal = check_refusal(check, call.subject, method)
    if refusal is None and shown_for != subject_token(call):
        refusal = STALE_FORM
    if refusal:
        raise Refused(refusal)


def lock_resident(call: Call) -> Resident:
    """Lock the call's resident's row until commit, so that checks and sends for one resident
    on any call are counted one after another."""
    # FOR NO KEY UPDATE: it queues checks on this resident one behind the other, but not
    # behind the key-share locks that rows referring to the resident take.
    return db.session.scalar(
        select(Resident).where(Resident.id == call.resident_id).with_for_update(key_share=True)
    )


def check_on_call(call: Call, handler_id: int, check: Check, shown_for: str, assess) -> CheckReport:
    """One unit of work for any check on a call.

    Take the call's lock, so that checks and changes on this call run one at a time and
    each sees what the last one wrote; refuse a check typed against another record or
    caller, or one the caller recorded cannot take. Then lock the resident's row, so that
    attempts on other calls are counted one after another; refuse while locked; compare;
    store the attempt (factors and result, never what was said); update the call, naming
    what was verified; audit. The transactional check that calls it commits (text codes
    too: app/services/text_codes.py). `assess` may raise `Refused` before anything is
    stored, when nothing could be checked.
    """
    now = call_state.lock_call(call)
    refuse_unless_checkable(call, check, shown_for)
    resident = lock_resident(call)
    lock = lock_state(resident.id, now)
    if lock.locked:
        return CheckReport(results=(), outcome=None, lock=lock, refused=True)

    already = frozenset(Factor(code) for code in call.factors_matched.split(",") if code)
    results, outcome = assess(resident, already)
    if outcome.verified:
        result = VerificationResult.VERIFIED
    elif outcome.is_failure:
        result = VerificationResult.FAILED
    else:
        result = VerificationResult.INCOMPLETE
    db.session.add(
        VerificationAttempt(
            call_id=call.id,
            resident_id=resident.id,
            handler_id=handler_id,
            factors_matched=",".join(r.factor for r in results if r.matched),
            factors_failed=",".join(r.factor for r in results if not r.matched),
            result=result,
            created_at=now,
        )
    )
    call.factors_matched = ",".join(sorted(outcome.matched))
    if outcome.verified and call.verified_as is not verified_as_by(check):
        call_state.record_verification(call, verified_as_by(check), now)
    audit.record_on_call(
        f"verification.{result.value}",
        call,
        staff_id=handler_id,
        matched=sorted(r.factor for r in results if r.matched),
        failed=sorted(r.factor for r in results if not r.matched),
    )
    db.session.flush()
    lock_after = lock_state(resident.id, now)
    if lock_after.locked:
        audit.record_on_call(AuditAction.VERIFICATION_LOCKED, call, staff_id=handler_id)
        outbox.queue_verification_locked(resident)
    _lock_states()[resident.id] = lock_after
    return CheckReport(results=tuple(results), outcome=outcome, lock=lock_after)


@transactional
def unlock(resident_id: int, supervisor_id: int, reason: str) -> None:
    db.session.add(
        VerificationUnlock(resident_id=resident_id, supervisor_id=supervisor_id, reason=reason)
    )
    audit.record(
        AuditAction.VERIFICATION_UNLOCKED,
        staff_id=supervisor_id,
        resident_id=resident_id,
        purpose=reason,
    )
    _lock_states().pop(resident_id, None)


@dataclass(frozen=True)
class LockedResident:
    """A resident whose phone verification is locked, as the supervisors' list shows them."""

    resident_id: int
    name: str
    outward_postcode: str
    locked_since: datetime
    failures: int  # failed attempts since the last unlock


def locked_residents(
    page: int = 1, per_page: int = 25, now: datetime | None = None
) -> tuple[list[LockedResident], int]:
    """Residents whose phone verification is locked now, longest locked first, a page at a
    time; and how many there are.

    The database narrows the search to residents with at least as many failed attempts since
    their latest unlock as a lock needs; the lockout rule then decides each one from the same
    facts `lock_state` reads, so this list and every handler's screen agree.
    """
    now = now or utcnow()
    policy = lockout_policy()
    latest_unlock = (
        select(
            VerificationUnlock.resident_id,
            func.max(VerificationUnlock.created_at).label("unlocked_at"),
        )
        .group_by(VerificationUnlock.resident_id)
        .subquery()
    )
    failures_since_unlock = (
        select(
            VerificationAttempt.resident_id,
            VerificationAttempt.created_at,
            latest_unlock.c.unlocked_at,
        )
        .outerjoin(latest_unlock, latest_unlock.c.resident_id == VerificationAttempt.resident_id)
        .where(
            VerificationAttempt.result == VerificationResult.FAILED,
            or_(
                latest_unlock.c.unlocked_at.is_(None),
                VerificationAttempt.created_at > latest_unlock.c.unlocked_at,
            ),
        )
    )
    counted = failures_since_unlock.subquery()
    candidates = (
        select(counted.c.resident_id)
        .group_by(counted.c.resident_id)
        .having(func.count() >= policy.max_failures)
    )
    rows = db.session.execute(
        failures_since_unlock.where(VerificationAttempt.resident_id.in_(candidates))
    ).all()

    facts: dict[int, tuple[list[datetime], datetime | None]] = {}
    for resident_id, failed_at, unlocked_at in rows:
        facts.setdefault(resident_id, ([], unlocked_at))[0].append(failed_at)
    locked = []
    for resident_id, (failure_times, unlocked_at) in facts.items():
        state = lock_decision(failure_times, unlocked_at, now, policy)
        if state.locked:
            locked.append((state.locked_since, resident_id, len(failure_times)))
    locked.sort()

    shown = locked[(page - 1) * per_page : page * per_page]
    residents = {
        resident.id: resident
        for resident in db.session.scalars(
            select(Resident).where(Resident.id.in_([resident_id for _, resident_id, _ in shown]))
        )
    }
    return [
        LockedResident(
            resident_id=resident_id,
            name=residents[resident_id].full_name,
            outward_postcode=residents[resident_id].outward_postcode,
            locked_since=locked_since,
            failures=failures,
        )
        for locked_since, resident_id, failures in shown
    ], len(locked)
