"""Numbers on file: adding, changing and removing a resident's phone numbers (docs/rules.md
rule 3, "Numbers on file"; the rules are app/rules/phone_changes.py).

A change is one unit of work. It locks the resident's row before it reads anything, so two
changes on one resident at once run one after the other and the second decides from what the
first left. It takes the old number's row away and puts a new number on file as a row of its
own, dated now, so the text-code hold (app/rules/text_codes.py) applies to it on calls and in
the portal alike. It keeps the history, queues a text to each number told, and audits who made
the change and on what verification, with the numbers' last digits only. On a call it first
takes the call's lock, like every change on a call, and refuses unless the caller is verified,
on this call, as the resident.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import ColumnElement, ScalarSelect, func, literal, select, update

from app import clock
from app.extensions import db
from app.models import (
    Call,
    PortalSession,
    PortalSessionStatus,
    Resident,
    ResidentPhone,
    ResidentPhoneChange,
    StaffUser,
    TextCode,
)
from app.refusals import NotFound, Refused
from app.rules import phone_changes as rules
from app.rules import text_codes as code_rules
from app.rules.audit_actions import phone_change
from app.rules.disclosure import VerifiedAs
from app.rules.phone_changes import ChangeAsked, PhoneChange, PhoneChangeKind
from app.rules.vocabulary import Factor, MessageKind, TextCodeStatus
from app.services import audit, call_state, outbox, verification
from app.services.text_codes import text_code_policy
from app.services.transactions import transactional


@dataclass(frozen=True)
class NumberShown:
    """A number on file as staff see it: by its last digits, with why codes may not go to it
    yet (None when they may)."""

    phone_id: int
    ending: str
    label: str
    added_at: datetime | None
    held: str | None
    codes_from: datetime | None  # when a held number may first be sent a code

    @property
    def choice_label(self) -> str:
        return f"{self.label.capitalize()} number ending {self.ending}"


def _on_file(resident_id: int) -> list[rules.NumberOnFile]:
    """The resident's numbers as the database has them now: read as plain rows, never from
    objects an earlier statement of this request loaded."""
    rows = db.session.execute(
        select(ResidentPhone.id, ResidentPhone.number, ResidentPhone.label, ResidentPhone.added_at)
        .where(ResidentPhone.resident_id == resident_id)
        .order_by(ResidentPhone.id)
    )
    return [rules.NumberOnFile(row.id, row.number, row.label, row.added_at) for row in rows]


def last_change_of(resident_id: ColumnElement[int | None]) -> ScalarSelect[int | None]:
    """The last change to a resident's numbers, as a column of another query (the call
    page's read model reads it with the call): `rules.numbers_version` makes it a version."""
    return (
        select(func.max(ResidentPhoneChange.id))
        .where(ResidentPhoneChange.resident_id == resident_id)
        .scalar_subquery()
    )


def numbers_version(resident_id: int) -> str:
    """The version of the resident's numbers on file that a form is shown with."""
    return rules.numbers_version(db.session.scalar(select(last_change_of(literal(resident_id)))))


def numbers_on_file(resident_id: int, now: datetime | None = None) -> list[NumberShown]:
    """The resident's numbers by their last digits, oldest first, each with its hold on text
    codes (a number put on file lately)."""
    return numbers_shown(_on_file(resident_id), now or clock.now())


def numbers_shown(on_file: Iterable[rules.NumberOnFile], now: datetime) -> list[NumberShown]:
    """Numbers on file as staff see them at `now`, each with its hold on text codes: for a
    read that has the numbers already (the call page's read model)."""
    policy = text_code_policy()
    shown = []
    for number in on_file:
        facts = code_rules.LineFacts(number_added_at=number.added_at)
        held = code_rules.hold_reason(facts, now, policy)
        shown.append(
            NumberShown(
                number.phone_id,
                rules.ending(number.number),
                number.label,
                number.added_at,
                held,
                code_rules.codes_allowed_from(number.added_at, policy) if held else None,
            )
        )
    return shown


def number_on_file(resident_id: int, phone_id: int) -> NumberShown | None:
    """One of the resident's numbers on file; None for anyone else's, or one gone."""
    return next((n for n in numbers_on_file(resident_id) if n.phone_id == phone_id), None)


def holds_on_call(call: Call) -> dict[str, str]:
    """Why each of the resident's numbers a code may not go to yet is held, by the text-code
    form's choice: the handler sees it before sending. A number on a representative's
    permission is not one of these."""
    if call.resident_id is None or call.is_caller_representative:
        return {}
    return {
        str(number.phone_id): number.held
        for number in numbers_on_file(call.resident_id)
        if number.held
    }


@dataclass(frozen=True)
class ChangeMade:
    """What staff are told once a change is made."""

    kind: PhoneChangeKind
    summary: str


@transactional
def change_on_call(
    call: Call, asked: ChangeAsked, handler: StaffUser, shown_for: str
) -> ChangeMade:
    """Add, change or remove a number for the resident verified on this call, as they ask.

    `shown_for` is what the call said when the form was shown (`verification.subject_token`).
    Refused, with nothing changed, unless the caller is verified as the resident on this call
    now, and the call still says what it said then.
    """
    now = call_state.lock_call(call)
    refusal = rules.on_call_refusal(
        form_matches_call=shown_for == verification.subject_token(call),
        verified_as_resident=call_state.verified_as(call, now) is VerifiedAs.RESIDENT,
    )
    if refusal:
        raise Refused(refusal)
    resident = verification.lock_resident(call)
    return _make(resident, asked, now, staff=handler, call=call, verified=_verified_by(call))


def _verified_by(call: Call) -> str:
    """The check that verified the caller on this call, in the audit log's words."""
    matched = [Factor(code) for code in call.factors_matched.split(",") if code]
    code_number = None
    if Factor.SMS_CODE in matched:
        code_number = db.session.scalar(
            select(TextCode.phone_number)
            .where(
                TextCode.call_id == call.id,
                TextCode.resident_id == call.resident_id,
                TextCode.permission_id.is_(None),
                TextCode.status == TextCodeStatus.APPROVED,
            )
            .order_by(TextCode.id.desc())
            .limit(1)
        )
    return rules.verified_on_call(matched, code_number)


@transactional
def change_by_supervisor(
    resident_id: int,
    asked: ChangeAsked,
    supervisor: StaffUser,
    reason: str,
    evidence: str,
    now: datetime,
) -> ChangeMade:
    """Add, change or remove a resident's number outside a call, as a supervisor, from written
    evidence (a signed form, a letter) with a reason. Only a supervisor may."""
    if refusal := rules.outside_call_refusal(supervisor.role):
        raise Refused(refusal)
    if refused := rules.supervisor_refusal(reason, evidence):
        raise Refused(refused.message, refused.field)
    resident = _lock_resident(resident_id)
    return _make(
        resident,
        asked,
        now,
        staff=supervisor,
        verified=rules.by_supervisor(evidence),
        reason=reason.strip(),
        evidence=evidence.strip(),
    )


def _lock_resident(resident_id: int) -> Resident:
    """Lock the resident's row until commit, as the first write of the unit of work: on
    PostgreSQL the row lock a change on a call also takes (`verification.lock_resident`), on
    SQLite the database's write lock, taken before anything is read."""
    locked = db.session.execute(
        update(Resident)
        .where(Resident.id == resident_id)
        .values(created_at=Resident.created_at)
        .execution_options(synchronize_session=False)
    )
    if locked.rowcount != 1:
        raise NotFound
    return db.session.get(Resident, resident_id)


def _make(
    resident: Resident,
    asked: ChangeAsked,
    now: datetime,
    *,
    staff: StaffUser,
    verified: str,
    call: Call | None = None,
    reason: str | None = None,
    evidence: str | None = None,
) -> ChangeMade:
    """Decide the change from the numbers on file now, make it, keep its history, tell the
    numbers the rule names, and audit it. The resident's row is locked already."""
    decided = rules.decide_change(_on_file(resident.id), asked, now, numbers_version(resident.id))
    if isinstance(decided, rules.Refusal):
        raise Refused(decided.message, decided.field)
    _write(resident.id, decided)
    db.session.add(
        ResidentPhoneChange(
            resident_id=resident.id,
            kind=decided.kind,
            created_at=now,
            old_number=decided.old_number,
            old_label=decided.old_label,
            new_number=decided.new_number,
            new_label=decided.new_label,
            staff_id=staff.id,
            call_id=call.id if call else None,
            verification=verified,
            reason=reason,
            evidence_reference=evidence,
        )
    )
    _tell(resident, decided, now)
    detail = {
        "verification": verified,
        "old_ending": rules.ending(decided.old_number),
        "new_ending": rules.ending(decided.new_number),
        "label": decided.new_label or decided.old_label,
        "told": len(decided.tell),
    }
    action = phone_change(decided.kind)
    if call is not None:
        audit.record_on_call(action, call, staff_id=staff.id, **detail)
    else:
        audit.record(
            action,
            staff_id=staff.id,
            resident_id=resident.id,
            purpose=reason,
            evidence=evidence,
            **detail,
        )
    codes_from = (
        code_rules.codes_allowed_from(decided.new_added_at, text_code_policy())
        if decided.kind in rules.NEW_NUMBER and decided.new_added_at
        else None
    )
    return ChangeMade(decided.kind, rules.change_summary(decided, codes_from))


def _write(resident_id: int, decided: PhoneChange) -> None:
    """The numbers on file as the change leaves them: a number changed or removed goes, and a
    new one is a row of its own, put on file now. `decided` was made from the rows as they are
    under the resident's lock, so the row it names is there."""
    if decided.phone_id is not None:
        phone = db.session.get(ResidentPhone, decided.phone_id)
        if decided.kind is PhoneChangeKind.RELABELLED:
            phone.label = decided.new_label
            return
        _void_codes_to(resident_id, phone.number)
        db.session.delete(phone)
    if decided.new_number is not None:
        db.session.add(
            ResidentPhone(
                resident_id=resident_id,
                number=decided.new_number,
                label=decided.new_label,
                added_at=decided.new_added_at,
            )
        )


def _void_codes_to(resident_id: int, number: str) -> None:
    """A number leaving the file takes with it every code sent or being sent to it for this
    resident, on a call or to sign in to the portal, and every portal session its code
    signed in: whoever holds the old phone can no longer use a code it was sent."""
    db.session.execute(
        update(TextCode)
        .where(
            TextCode.resident_id == resident_id,
            TextCode.phone_number == number,
            TextCode.status.in_([TextCodeStatus.PENDING, TextCodeStatus.SENDING]),
        )
        .values(status=TextCodeStatus.REPLACED)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(PortalSession)
        .where(
            PortalSession.resident_id == resident_id,
            PortalSession.phone_number == number,
            PortalSession.status != PortalSessionStatus.ENDED,
        )
        .values(status=PortalSessionStatus.ENDED, ended_at=clock.now())
        .execution_options(synchronize_session=False)
    )


def _tell(resident: Resident, decided: PhoneChange, now: datetime) -> None:
    """A text to each number the rule says is told, in this transaction: to an old number
    too, which the message keeps, so it is sent after the number has left the file."""
    if not decided.tell:
        return
    config = current_app.config
    body = rules.told_text(
        decided.kind, clock.local(now).date(), config["COUNCIL_NAME"], config["COUNCIL_CONTACT"]
    )
    for number in decided.tell:
        outbox.queue_message_to(number, MessageKind.PHONE_CHANGED, resident, body)


@dataclass(frozen=True)
class HistoryRow:
    """A change to the resident's numbers as a supervisor sees it: numbers by their ends."""

    at: datetime
    kind: PhoneChangeKind
    old: str | None  # "Mobile ending 123"
    new: str | None
    made_by: str | None  # the member of staff's name
    verification: str
    reason: str | None


def history_of(resident_id: int) -> list[HistoryRow]:
    """Every change to the resident's numbers still kept, newest first."""
    changes = db.session.scalars(
        select(ResidentPhoneChange)
        .where(ResidentPhoneChange.resident_id == resident_id)
        .order_by(ResidentPhoneChange.created_at.desc(), ResidentPhoneChange.id.desc())
    )
    names = {
        staff.id: staff.name
        for staff in db.session.scalars(
            select(StaffUser).where(
                StaffUser.id.in_(
                    select(ResidentPhoneChange.staff_id).where(
                        ResidentPhoneChange.resident_id == resident_id
                    )
                )
            )
        )
    }
    return [
        HistoryRow(
            at=change.created_at,
            kind=change.kind,
            old=rules.number_words(change.old_number, change.old_label),
            new=rules.number_words(change.new_number, change.new_label),
            made_by=names.get(change.staff_id),
            verification=change.verification,
            reason=change.reason,
        )
        for change in changes
    ]
