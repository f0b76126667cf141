"""Subject access exports: everything held about one resident, produced by a supervisor.

A supervisor starts an export (a row naming the resident, who asked and why); the progress
page then gathers it one section per request, counting what each holds; once every section
is gathered, the supervisor who asked downloads a zip of a printable page and a JSON file,
built afresh on each download and never stored. This module gathers what goes in them, every
value in words for the page; the blueprint draws the page and packs the zip
(app/subject_access/export_file.py). Third parties' names and numbers are
withheld unless the supervisor includes them with a reason. Every start and download is
audited with what was included and withheld, never the data.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, ScalarResult, func, select, update
from sqlalchemy.orm import InstrumentedAttribute

from app import clock
from app.extensions import db
from app.models import (
    AuditEvent,
    AuthorityEndRequest,
    Call,
    CallLeg,
    Dispute,
    Entry,
    OutboxMessage,
    Permission,
    PortalSession,
    Resident,
    ResidentPhoneChange,
    StaffUser,
    SubjectAccessExport,
    VerificationAttempt,
)
from app.phone_numbers import for_display
from app.references import format_reference, normalise_reference
from app.refusals import Forbidden, NotFound, Refused
from app.rules import subject_access as rules
from app.rules.audit_actions import AuditAction
from app.rules.dates import date_and_time, long_date
from app.rules.disclosure import UNVERIFIED_LABEL, VerifiedAs
from app.rules.permissions import describe_scope
from app.rules.vocabulary import DisputeReason, ExportSection, ExportStatus, Factor, MessageKind
from app.services import audit
from app.services.permissions import facts_for
from app.services.service_areas import area_names
from app.services.transactions import transactional

DISCLOSED_ON_CALL = AuditAction.RECORD_DISCLOSED
DISCLOSED_UNDER_DUTY_TO_SHARE = AuditAction.CALL_DUTY_TO_SHARE_DISCLOSED


def find_resident_by_reference(typed: str) -> Resident:
    """The resident whose reference number was typed; refused, next to the field, when it
    cannot be a reference or nobody has it."""
    if not typed.strip():
        raise Refused(rules.ENTER_REFERENCE, "reference")
    reference = normalise_reference(typed)
    if reference is None:
        raise Refused(rules.REFERENCE_FORMAT, "reference")
    resident = db.session.scalar(select(Resident).where(Resident.reference == reference))
    if resident is None:
        raise Refused(rules.REFERENCE_NOT_FOUND, "reference")
    return resident


@transactional
def start_export(
    resident_id: int,
    supervisor: StaffUser,
    reason: str,
    *,
    include_third_parties: bool,
    third_party_reason: str | None,
    now: datetime,
) -> SubjectAccessExport:
    """Record a supervisor's request for everything held about the resident. Third parties
    are included only with a reason."""
    if include_third_parties and len((third_party_reason or "").strip()) < rules.REASON_MIN_LENGTH:
        raise Refused(rules.ENTER_THIRD_PARTY_REASON, "third_party_reason")
    export = SubjectAccessExport(
        resident_id=resident_id,
        requested_by_id=supervisor.id,
        reason=reason,
        include_third_parties=include_third_parties,
        third_party_reason=third_party_reason if include_third_parties else None,
        status=ExportStatus.GATHERING,
        progress=0,
        counts={},
        created_at=now,
        expires_at=rules.expires_at(now),
    )
    db.session.add(export)
    db.session.flush()
    audit.record(
        AuditAction.SUBJECT_ACCESS_STARTED,
        staff_id=supervisor.id,
        resident_id=resident_id,
        purpose=reason,
        export=export.id,
        third_parties="included" if include_third_parties else "withheld",
    )
    return export


def get_export_or_404(export_id: int, staff: StaffUser) -> SubjectAccessExport:
    """An export the member of staff started. Anyone else's is refused (403): an export holds
    a whole record, and only the supervisor answering the request may handle it."""
    export = db.session.get(SubjectAccessExport, export_id)
    if export is None:
        raise NotFound
    if export.requested_by_id != staff.id:
        raise Forbidden
    return export


def my_exports(staff: StaffUser, page: int, per_page: int) -> tuple[list[SubjectAccessExport], int]:
    """The exports the supervisor started, newest first, a page at a time."""
    base = select(SubjectAccessExport).where(SubjectAccessExport.requested_by_id == staff.id)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = db.session.scalars(
        base.order_by(SubjectAccessExport.created_at.desc(), SubjectAccessExport.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return list(rows), total


def is_expired(export: SubjectAccessExport, now: datetime) -> bool:
    return now >= export.expires_at


@transactional
def gather_next_section(export: SubjectAccessExport, now: datetime) -> SubjectAccessExport:
    """Gather the next section of the export and count what it holds; the last one makes it
    ready. Two requests at once gather a section once: the UPDATE that claims it matches only
    the progress this request saw."""
    seen = export.progress
    if (
        export.status is ExportStatus.READY
        or seen >= len(rules.SECTIONS)
        or is_expired(export, now)
    ):
        return export
    claimed = db.session.execute(
        update(SubjectAccessExport)
        .where(SubjectAccessExport.id == export.id, SubjectAccessExport.progress == seen)
        .values(progress=seen + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(export)
    if claimed.rowcount != 1:
        return export
    section = rules.SECTIONS[seen]
    gathered = _gather(section, export.resident_id, export.include_third_parties)
    export.counts = {**export.counts, section.value: gathered.count}
    if export.progress >= len(rules.SECTIONS):
        export.status = ExportStatus.READY
        export.completed_at = now
    return export


@dataclass(frozen=True)
class Downloaded:
    """What the export's zip holds, gathered afresh: the printable page's parts, every value
    already in words, and the same data as JSON."""

    filename: str
    resident_name: str
    reference: str
    produced_at: str  # in words
    include_third_parties: bool
    withheld_marker: str
    sections: list["PrintedSection"]
    data_json: str


@transactional
def download(export: SubjectAccessExport, staff: StaffUser, now: datetime) -> Downloaded:
    """Gather everything in the export again for the supervisor who started it, for a
    printable page and a JSON file. Audited with the sections' counts and what was withheld,
    never the data."""
    refusal = rules.download_refusal(
        requested_by_id=export.requested_by_id,
        staff_id=staff.id,
        ready=export.status is ExportStatus.READY,
        expires=export.expires_at,
        now=now,
    )
    if refusal == rules.NOT_YOURS:
        raise Forbidden
    if refusal:
        raise Refused(refusal)
    resident = db.session.get(Resident, export.resident_id)
    include = export.include_third_parties
    sections = {section: _gather(section, resident.id, include) for section in rules.SECTIONS}
    produced_at = now
    data = {
        "export": {
            "produced_at": produced_at,
            "resident_reference": format_reference(resident.reference),
            "third_parties": "included" if include else "withheld",
            "sections": [
                {"key": _json_key(section), "title": section.label} for section in rules.SECTIONS
            ],
        },
        **{_json_key(section): gathered.data for section, gathered in sections.items()},
    }
    withheld = sum(gathered.withheld for gathered in sections.values())
    audit.record(
        AuditAction.SUBJECT_ACCESS_EXPORTED,
        staff_id=staff.id,
        resident_id=resident.id,
        purpose=export.reason,
        export=export.id,
        sections={section.value: gathered.count for section, gathered in sections.items()},
        third_parties="included" if include else "withheld",
        third_party_reason=export.third_party_reason if include else None,
        withheld=withheld,
    )
    stamp = clock.local(produced_at).strftime("%Y-%m-%d")
    return Downloaded(
        filename=f"subject-access-{export.id}-{stamp}.zip",
        resident_name=resident.full_name,
        reference=data["export"]["resident_reference"],
        produced_at=display(produced_at),
        include_third_parties=include,
        withheld_marker=rules.WITHHELD,
        sections=[_printable(section, gathered.data) for section, gathered in sections.items()],
        data_json=json.dumps(data, default=_json_value, indent=2, ensure_ascii=False),
    )


# --- gathering ----------------------------------------------------------------------------


@dataclass
class Gathered:
    data: Any  # a dict for the details, a list of dicts for the rest
    withheld: int = 0  # third parties' names and numbers withheld

    @property
    def count(self) -> int:
        return 1 if isinstance(self.data, dict) else len(self.data)


class _Withholding:
    """Counts what is withheld while a section is gathered. `own` are the resident's own
    numbers on file, as shown: never withheld."""

    def __init__(self, include: bool, own_numbers: list[str]):
        self.include = include
        # Formatting a number is slow, and a long record repeats a few numbers thousands of
        # times: each is formatted once per section.
        self._shown_numbers: dict[str, str] = {}
        self.own = frozenset(self.phone(number) for number in own_numbers)
        self.withheld = 0

    def phone(self, number: str | None) -> str | None:
        if not number:
            return None
        if number not in self._shown_numbers:
            self._shown_numbers[number] = for_display(number)
        return self._shown_numbers[number]

    def value(self, value: str | None, *, third_party: bool = True) -> str | None:
        if not third_party:
            return value
        shown = rules.third_party_value(value, include=self.include, own=self.own)
        self.withheld += shown == rules.WITHHELD and value != rules.WITHHELD
        return shown

    def text(self, text: str | None) -> str:
        redacted = rules.withhold_phone_numbers(text, include=self.include)
        self.withheld += redacted.withheld
        return redacted.text


def _factors(codes: str) -> list[str]:
    labels = []
    for code in (code for code in codes.split(",") if code):
        try:
            labels.append(Factor(code).label)
        except ValueError:
            labels.append(code)
    return labels


def _on_record(
    model: type, resident_id: int, at: InstrumentedAttribute, *conditions: ColumnElement[bool]
) -> ScalarResult:
    """The `model` rows on the resident's record (and meeting `conditions`), oldest first:
    by `at`, then in the order they were made."""
    return db.session.scalars(
        select(model).where(model.resident_id == resident_id, *conditions).order_by(at, model.id)
    )


def _details(resident_id: int, withholding: _Withholding) -> Any:
    resident = db.session.get(Resident, resident_id)
    address = [resident.address_line_1, resident.address_line_2, resident.town]
    return {
        "reference": format_reference(resident.reference),
        "name": resident.full_name,
        "date_of_birth": resident.date_of_birth,
        "address": ", ".join(part for part in address if part),
        "postcode": resident.postcode,
        "email": resident.email,
        "phone_numbers": [withholding.phone(phone.number) for phone in resident.phones],
        "secret_word": (
            "A secret word is set (it is kept only in a form that cannot be read back)"
            if resident.secret_word_hash
            else "No secret word is set"
        ),
        "record_created": resident.created_at,
    }


def _entries(resident_id: int, withholding: _Withholding) -> Any:
    names = area_names()
    entries = _on_record(Entry, resident_id, Entry.created_at)
    rows = []
    for entry in entries:
        third_party = not rules.reporter_is_the_resident(
            entry.reporter_relationship, entry.reporter_verified
        )
        rows.append(
            {
                "logged": entry.created_at,
                "service_area": names.get(entry.area_code, entry.area_code),
                "category": entry.category.label,
                "what_was_reported": withholding.text(entry.summary),
                "urgency": entry.urgency.label,
                "verified": ("Reporter verified" if entry.reporter_verified else UNVERIFIED_LABEL),
                "dispute_state": entry.status.label,
                "reported_by": withholding.value(entry.reporter_name, third_party=third_party),
                "reporter_relationship": entry.reporter_relationship.label,
                "reporter_number": withholding.value(
                    withholding.phone(entry.reporter_number), third_party=third_party
                ),
            }
        )
    return rows


def _calls(resident_id: int, withholding: _Withholding) -> Any:
    # Calls the record was on when they ended. A call that moved on to another resident's
    # record after a report was logged is theirs: its summary may be about them. The report
    # itself is among the entries.
    calls = _on_record(Call, resident_id, Call.started_at).all()
    calls_back = _calls_back(resident_id, [call.id for call in calls])
    rows = []
    for call in calls:
        third_party = rules.caller_withholding(call.caller_type, call.verified_as)
        rows.append(
            {
                "started": call.started_at,
                "ended": call.ended_at,
                "caller": call.caller_type.label,
                "caller_name": withholding.value(call.caller_name, third_party=third_party.name),
                "caller_relationship": (
                    call.caller_relationship.label if call.caller_relationship else None
                ),
                "caller_number": withholding.value(
                    withholding.phone(call.caller_number), third_party=third_party.number
                ),
                "verified_as": call.verified_as.label,
                "outcome": call.outcome.label if call.outcome else None,
                "summary": withholding.text(call.summary) if call.summary else None,
                "calls_back": calls_back.get(call.id, []),
            }
        )
    return rows


def _calls_back(resident_id: int, call_ids: list[int]) -> dict[int, list[dict]]:
    """The times the council rang the resident back from each of these calls, on a number on
    file (only its ending is kept), and whether they answered."""
    legs = db.session.scalars(
        select(CallLeg)
        .where(CallLeg.resident_id == resident_id, CallLeg.call_id.in_(call_ids))
        .order_by(CallLeg.asked_at, CallLeg.id)
    )
    by_call: dict[int, list[dict]] = {}
    for leg in legs:
        by_call.setdefault(leg.call_id, []).append(
            {"rung": leg.asked_at, "number_ending": leg.number_ending, "answered": leg.answered_at}
        )
    return by_call


# What each row of a listed section shows. `withholding` counts what it withholds.


def _attempt_item(attempt: VerificationAttempt, withholding: _Withholding) -> dict:
    # The result and which checks matched: what the caller said was never stored.
    return {
        "checked": attempt.created_at,
        "result": attempt.result.label,
        "matched": _factors(attempt.factors_matched),
        "did_not_match": _factors(attempt.factors_failed),
    }


def _permission_named(permission: Permission | None) -> dict:
    """Which permission an item is about, as the permissions section names it: who holds it,
    who they are to the resident, its kind and what it covers. The holder is named, as on
    the disclosure log; their phone and email are in the permissions section, withheld there
    unless third parties are included. Nothing for a permission that is not theirs."""
    if permission is None:
        return {"representative": None, "relationship": None, "kind": None, "covers": None}
    return {
        "representative": permission.holder_name,
        "relationship": permission.holder_relationship.label,
        "kind": permission.kind.label,
        "covers": describe_scope(facts_for(permission)),
    }


def _permission_item(permission: Permission, withholding: _Withholding) -> dict:
    return {
        **_permission_named(permission),
        "may_act_for_you": permission.may_act,
        "starts": permission.starts_on,
        "expires": permission.expires_on,
        "evidence_reference": permission.evidence_reference,
        "matter": permission.matter,
        "matter_closed": permission.matter_closed_at,
        "revoked": permission.revoked_at,
        "revocation_reason": permission.revocation_reason,
        "representative_phone": withholding.value(withholding.phone(permission.holder_phone)),
        "representative_email": withholding.value(permission.holder_email),
        "history": [
            {"when": event.at, "what": event.kind.label, "reason": event.reason}
            for event in permission.events
        ],
    }


def _dispute_item(dispute: Dispute, withholding: _Withholding) -> dict:
    return {
        "opened": dispute.opened_at,
        "entry_logged": dispute.entry.created_at,
        "reason": dispute.reason.label,
        "your_statement": dispute.statement,
        "opened_via": dispute.opened_via.label,
        "respond_by": dispute.due_on,
        "status": dispute.status.label,
        "decisions": [
            {
                "decided": decision.decided_at,
                "outcome": decision.outcome.label,
                "reasons": decision.reasons,
            }
            for decision in dispute.decisions
        ],
    }


def _message_item(message: OutboxMessage, withholding: _Withholding) -> dict:
    return {
        "written": message.created_at,
        "about": message.kind.label,
        "text": message.body,
        "sent_to": withholding.phone(message.to_number),
        "status": message.status.label,
        "sent": message.sent_at,
        "delivered": message.delivered_at,
    }


def _phone_change_item(change: ResidentPhoneChange, withholding: _Withholding) -> dict:
    # The numbers were on the resident's own record: theirs, never withheld.
    return {
        "when": change.created_at,
        "what": change.kind.label,
        "number_before": withholding.phone(change.old_number),
        "number_after": withholding.phone(change.new_number),
        "how_checked": change.verification,
        "reason": change.reason,
    }


def _end_request_item(request: AuthorityEndRequest, withholding: _Withholding) -> dict:
    # The decision and its reason, as a dispute's are; the supervisor's checklist and name
    # are the council's working, as they are for a dispute.
    return {
        "asked": request.requested_at,
        "request_number": request.id,
        **_permission_named(request.permission),
        "your_statement": request.resident_note,
        "status": request.status.label,
        "decided": request.decided_at,
        "decision_reason": request.decision_reason,
    }


def _sign_in_item(session: PortalSession, withholding: _Withholding) -> dict:
    # Never its token, nor the code or its HMAC: they open a sign-in, and say nothing of the
    # resident. The number is shown when it is one on the record now, like any other.
    return {
        "started": session.created_at,
        "code_sent_to": withholding.value(withholding.phone(session.phone_number)),
        "signed_in": session.signed_in_at,
        "ended": session.ended_at,
        "unsent_dispute": _unsent_dispute(session),
        "unsent_end_request": _unsent_end_request(session),
    }


def _unsent_dispute(session: PortalSession) -> list[dict]:
    """The dispute being written with this sign-in and never sent: the entry it was about (as
    the entries section describes it, if it is still on the resident's record), the reason
    chosen and what they typed. An entry since removed, or not theirs, is not described."""
    draft = session.dispute_draft
    if not isinstance(draft, dict):
        return []
    entry_id = draft.get("entry")
    entry = db.session.get(Entry, entry_id) if isinstance(entry_id, int) else None
    if entry is not None and entry.resident_id != session.resident_id:
        entry = None
    try:
        reason = DisputeReason(draft.get("reason")).label
    except ValueError:
        reason = None
    return [
        {
            "entry_logged": entry.created_at if entry else None,
            "service_area": area_names().get(entry.area_code, entry.area_code) if entry else None,
            "category": entry.category.label if entry else None,
            "reason": reason,
            "what_you_wrote": str(draft.get("statement") or ""),
        }
    ]


def _unsent_end_request(session: PortalSession) -> list[dict]:
    """The request to end a legal authority being written with this sign-in and never sent:
    the permission it was about, as the permissions section names it, and what they typed."""
    draft = session.end_request_draft
    if not isinstance(draft, dict):
        return []
    permission_id = draft.get("permission")
    permission = (
        db.session.get(Permission, permission_id) if isinstance(permission_id, int) else None
    )
    if permission is not None and permission.resident_id != session.resident_id:
        permission = None
    return [{**_permission_named(permission), "what_you_wrote": str(draft.get("note") or "")}]


@dataclass(frozen=True)
class _Listing:
    """A section listing one kind of row on the record, oldest first (by `at`), an item a
    row: those meeting `conditions`."""

    model: type
    at: InstrumentedAttribute
    item: Callable[[Any, _Withholding], dict]
    conditions: tuple[ColumnElement[bool], ...] = ()

    def __call__(self, resident_id: int, withholding: _Withholding) -> list[dict]:
        rows = _on_record(self.model, resident_id, self.at, *self.conditions)
        return [self.item(row, withholding) for row in rows]


def _disclosures(resident_id: int, withholding: _Withholding) -> Any:
    """Each time the council discussed the resident's information with someone: each call on
    which the record was disclosed (once per call and person told), and each disclosure under
    the duty to share, from the audit trail."""
    events = list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.resident_id == resident_id,
                AuditEvent.action.in_([DISCLOSED_ON_CALL, DISCLOSED_UNDER_DUTY_TO_SHARE]),
            )
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )
    call_ids = {event.call_id for event in events if event.call_id is not None}
    calls = {
        call.id: call for call in db.session.scalars(select(Call).where(Call.id.in_(call_ids)))
    }
    permission_ids = {
        _permission_id(event, calls.get(event.call_id))
        for event in events
        if event.action == DISCLOSED_ON_CALL
    } - {None}
    permissions = {
        permission.id: permission
        for permission in db.session.scalars(
            select(Permission).where(Permission.id.in_(permission_ids))
        )
    }
    lines, seen = [], set()
    for event in events:
        on = clock.local(event.at).date()
        if event.action == DISCLOSED_UNDER_DUTY_TO_SHARE:
            lines.append(rules.disclosure_under_duty_to_share(on, event.detail))
            continue
        told = rules.who_was_told(event.detail)
        if told is VerifiedAs.NOBODY:
            continue  # shown under the duty to share alone: its own event is in the log
        permission_id = (
            _permission_id(event, calls.get(event.call_id))
            if told is VerifiedAs.REPRESENTATIVE
            else None
        )
        key = (event.call_id, told, permission_id)
        if key in seen:
            continue  # the record panel discloses again on every refresh of one call
        seen.add(key)
        permission = permissions.get(permission_id) if permission_id else None
        representative = (
            rules.Representative(
                name=permission.holder_name,
                relationship=permission.holder_relationship,
                kind=permission.kind,
                scope=describe_scope(facts_for(permission)),
            )
            if permission is not None
            else None
        )
        lines.append(rules.disclosure_on_call(on, told, representative))
    return [
        {
            "date": line.on,
            "told": line.told,
            "basis": line.basis,
            "about": line.about,
            "summary": line.text,
        }
        for line in lines
    ]


def _permission_id(event: AuditEvent, call: Call | None) -> int | None:
    """The permission a disclosure on a call was made under: as its event names it, or as
    the call recorded the verification."""
    named = event.detail.get("permission")
    if isinstance(named, int):
        return named
    if call is None:
        return None
    return call.verified_permission_id or call.permission_id


_GATHERERS: dict[ExportSection, Callable[[int, _Withholding], Any]] = {
    ExportSection.DETAILS: _details,
    ExportSection.ENTRIES: _entries,
    ExportSection.CALLS: _calls,
    ExportSection.VERIFICATION_ATTEMPTS: _Listing(
        VerificationAttempt, VerificationAttempt.created_at, _attempt_item
    ),
    ExportSection.PERMISSIONS: _Listing(Permission, Permission.created_at, _permission_item),
    ExportSection.DISPUTES: _Listing(Dispute, Dispute.opened_at, _dispute_item),
    # A verification code's console copy is never sent, and its code is spent: not a message.
    ExportSection.MESSAGES: _Listing(
        OutboxMessage,
        OutboxMessage.created_at,
        _message_item,
        (OutboxMessage.kind != MessageKind.TEXT_CODE,),
    ),
    ExportSection.DISCLOSURES: _disclosures,
    ExportSection.PHONE_NUMBERS: _Listing(
        ResidentPhoneChange, ResidentPhoneChange.created_at, _phone_change_item
    ),
    ExportSection.AUTHORITY_END_REQUESTS: _Listing(
        AuthorityEndRequest, AuthorityEndRequest.requested_at, _end_request_item
    ),
    # Only sign-ins that matched the resident: an attempt that matched nobody is nobody's.
    ExportSection.PORTAL_SIGN_INS: _Listing(PortalSession, PortalSession.created_at, _sign_in_item),
}


def _gather(section: ExportSection, resident_id: int, include: bool) -> Gathered:
    own = [phone.number for phone in db.session.get(Resident, resident_id).phones]
    withholding = _Withholding(include, own)
    data = _GATHERERS[section](resident_id, withholding)
    return Gathered(data=data, withheld=withholding.withheld)


# --- showing ------------------------------------------------------------------------------

FIELD_LABELS: dict[str, str] = {
    "reference": "Reference number",
    "name": "Name",
    "date_of_birth": "Date of birth",
    "address": "Address",
    "postcode": "Postcode",
    "email": "Email address",
    "phone_numbers": "Phone numbers",
    "secret_word": "Secret word",
    "record_created": "Record created",
    "logged": "Logged",
    "service_area": "Service area",
    "category": "Category",
    "what_was_reported": "What was reported",
    "urgency": "Urgency",
    "verified": "Reporter checked",
    "dispute_state": "Status",
    "reported_by": "Reported by",
    "reporter_relationship": "Who they are to you",
    "reporter_number": "Reporter's number",
    "started": "Started",
    "ended": "Ended",
    "caller": "Caller",
    "caller_name": "Caller's name",
    "caller_relationship": "Who they are to you",
    "caller_number": "Caller's number",
    "verified_as": "Caller checked as",
    "outcome": "Outcome",
    "summary": "Summary",
    "checked": "Checked",
    "result": "Result",
    "matched": "Matched",
    "did_not_match": "Did not match",
    "representative": "Representative",
    "relationship": "Who they are to you",
    "kind": "Kind of permission",
    "covers": "Covers",
    "may_act_for_you": "May act for you",
    "starts": "Starts",
    "expires": "Expires",
    "evidence_reference": "Evidence reference",
    "matter": "Matter",
    "matter_closed": "Matter closed",
    "revoked": "Revoked",
    "revocation_reason": "Why it was revoked",
    "representative_phone": "Representative's phone",
    "representative_email": "Representative's email",
    "history": "History",
    "when": "When",
    "what": "What happened",
    "reason": "Reason",
    "opened": "Opened",
    "entry_logged": "Entry disputed (logged on)",
    "your_statement": "What you told us",
    "opened_via": "How you told us",
    "respond_by": "We had to respond by",
    "status": "Status",
    "decisions": "Decisions",
    "decided": "Decided",
    "reasons": "Reasons",
    "written": "Written",
    "about": "About",
    "text": "Message",
    "sent_to": "Sent to",
    "sent": "Sent",
    "delivered": "Delivered",
    "date": "Date",
    "told": "Who was told",
    "basis": "On what basis",
    "number_before": "Number before",
    "number_after": "Number after",
    "how_checked": "How we checked who asked",
    "calls_back": "Calls back",
    "rung": "Rung",
    "number_ending": "On the number ending",
    "answered": "Answered",
    "asked": "You asked",
    "request_number": "Request number",
    "decision_reason": "Reason for our decision",
    "code_sent_to": "Code sent to",
    "signed_in": "Signed in",
    "unsent_dispute": "Dispute you did not send",
    "unsent_end_request": "Request to end a legal authority you did not send",
    "what_you_wrote": "What you wrote",
}


# Lists within an item, shown as a table under it, with their captions.
_TABLES = {
    "history": "History of this permission",
    "decisions": "Decisions on this dispute",
    "calls_back": "Calls back to you from this call",
    "unsent_dispute": "A dispute you were writing and did not send",
    "unsent_end_request": "A request to end a legal authority you were writing and did not send",
}


@dataclass(frozen=True)
class PrintedTable:
    caption: str
    head: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class PrintedItem:
    rows: list[tuple[str, str]]  # (label, value) of a summary list
    tables: list[PrintedTable]


@dataclass(frozen=True)
class PrintedSection:
    """A section as the printable page shows it: every value already in words, so the
    template only lays it out."""

    key: str
    title: str
    items: list[PrintedItem]
    table: PrintedTable | None = None  # the disclosure log, as one table


def _printable(section: ExportSection, data: Any) -> PrintedSection:
    if section is ExportSection.DISCLOSURES:
        table = PrintedTable(
            caption=section.label,
            head=["Date", "Who was told", "On what basis", "What could be discussed"],
            rows=[
                [
                    display(line["date"]),
                    line["told"],
                    _capitalised(line["basis"]),
                    _capitalised(line["about"]),
                ]
                for line in data
            ],
        )
        return PrintedSection(section.value, section.label, [], table if data else None)
    items = [data] if isinstance(data, dict) else data
    return PrintedSection(section.value, section.label, [_printable_item(i) for i in items])


def _capitalised(words: str) -> str:
    return words[:1].upper() + words[1:]


def _printable_item(item: dict) -> PrintedItem:
    rows = [(FIELD_LABELS[k], display(v)) for k, v in item.items() if k not in _TABLES]
    tables = [
        PrintedTable(
            caption=caption,
            head=[FIELD_LABELS[key] for key in item[name][0]],
            rows=[[display(value) for value in row.values()] for row in item[name]],
        )
        for name, caption in _TABLES.items()
        if item.get(name)
    ]
    return PrintedItem(rows, tables)


def display(value: Any) -> str:
    """A value as the printable page shows it."""
    if value is None or value == "" or value == []:
        return "None recorded"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return date_and_time(clock.local(value))
    if isinstance(value, date):
        return long_date(value)
    if isinstance(value, list):
        return ", ".join(display(item) for item in value)
    return str(value)


def _json_key(section: ExportSection) -> str:
    return section.name.lower()


def _json_value(value: Any) -> str:
    if isinstance(value, datetime):
        return clock.local(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")
