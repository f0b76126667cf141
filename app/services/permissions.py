"""Authorised representatives: recording, revoking and checking permissions (docs/rules.md rule 4).

A permission is recorded only after the safeguarding questions are confirmed, and either from
a call on which the resident is verified (verbal consent) or by a supervisor from written
evidence. The representative gets a secret of their own: a passcode made here, handed back
once to be passed on and stored only as an argon2 hash; or a code sent by text to their phone.
Every change writes the permission's history and the audit trail in the same transaction.
"""

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from app import clock
from app.extensions import db
from app.models import (
    Call,
    Permission,
    PermissionEvent,
    ServiceAreaRecord,
    StaffUser,
)
from app.passwords import hash_secret, verify_secret
from app.phone_numbers import InvalidPhoneNumber, to_e164
from app.refusals import NotFound, Refused
from app.rules.audit_actions import AuditAction
from app.rules.capabilities import Capability
from app.rules.disclosure import VerifiedAs
from app.rules.need_to_know import HiddenDetail
from app.rules.permissions import (
    AREAS_MISSING,
    AREAS_UNKNOWN,
    EVIDENCE_REFERENCE_MISSING,
    MATTER_NOTE_MISSING,
    NAME_MISSING,
    PHONE_INVALID,
    RELATIONSHIP_MISSING,
    REVOKE_REASON_MISSING,
    SAFEGUARDING_NOT_CONFIRMED,
    WRITTEN_KINDS,
    PermissionFacts,
    PermissionState,
    Representative,
    Safeguarding,
    Terms,
    WrittenEvidence,
    access_code_problem,
    default_verbal_expiry,
    describe_areas,
    describe_scope,
    effective_areas,
    expiry_problem,
    normalise_passcode,
    permission_state,
)
from app.rules.vocabulary import (
    PermissionEventKind,
    PermissionKind,
    Relationship,
    RepresentativeCheck,
)
from app.services import audit, call_state, reveals
from app.services.facts import facts_from
from app.services.lookups import get_or_not_found
from app.services.transactions import transactional

# No 0/O, 1/I/L or U: nothing a representative can misread, mishear or write down wrongly.
PASSCODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
PASSCODE_LENGTH = 8  # 30**8: about 39 bits, behind argon2 and the verification lock

# The pages that show a permission's LPA access code, masked, with the form to reveal it.
ACCESS_CODE_OPENED = frozenset(
    {AuditAction.PERMISSIONS_VIEWED, AuditAction.PERMISSION_VIEWED, AuditAction.PERMISSION_GRANTED}
)


@dataclass(frozen=True)
class GrantedPermission:
    permission: Permission
    passcode: str | None  # to be shown once and passed on; None when the check is by text


@dataclass(frozen=True)
class PermissionHolder:
    """All that a handler may see of a permission before the caller is verified."""

    id: int
    holder_name: str
    kind_label: str


@dataclass(frozen=True)
class PermissionSummary:
    """A permission as a supervisor's list shows it."""

    permission: Permission
    state: PermissionState
    scope: str  # in plain words: "council tax and benefits"

    @property
    def may_revoke(self) -> bool:
        return self.state is not PermissionState.REVOKED

    @property
    def may_close_matter(self) -> bool:
        return self.permission.matter is not None and self.state not in (
            PermissionState.REVOKED,
            PermissionState.MATTER_CLOSED,
        )


def facts_for(permission: Permission) -> PermissionFacts:
    """What the rules need to know about a permission, as it stands in the database now."""
    return facts_from(
        PermissionFacts,
        permission,
        areas=permission.area_codes,
        # In London time, so the date the handler is told is the council's date.
        revoked_at=clock.local(permission.revoked_at) if permission.revoked_at else None,
        matter_closed=permission.matter_closed_at is not None,
    )


def new_passcode() -> str:
    """A random passcode in two groups of four, to be read aloud: "K7QM-4XRT"."""
    body = "".join(secrets.choice(PASSCODE_ALPHABET) for _ in range(PASSCODE_LENGTH))
    half = PASSCODE_LENGTH // 2
    return f"{body[:half]}-{body[half:]}"


@transactional
def grant_verbal_consent(
    call: Call,
    representative: Representative,
    terms: Terms,
    safeguarding: Safeguarding,
    handler: StaffUser,
    today: date | None = None,
) -> GrantedPermission:
    """Record the verbal consent the resident, verified on this open call, gives to a named
    person. It starts today and, unless an earlier date is given, expires after
    VERBAL_CONSENT_MONTHS months."""
    today = today or clock.today()
    if not call.is_open:
        raise Refused("The call has ended: verbal consent can only be given on a call")
    call_state.lock_call(call)
    if call.resident_id is None:
        raise Refused("Choose the resident's record before recording their consent")
    if call_state.verified_as(call) is not VerifiedAs.RESIDENT:
        raise Refused("Only the resident, verified on this call, can give verbal consent")
    expires_on = terms.expires_on or default_verbal_expiry(
        today, current_app.config["VERBAL_CONSENT_MONTHS"]
    )
    return _grant(
        call.resident_id,
        PermissionKind.VERBAL,
        representative,
        terms,
        safeguarding,
        handler,
        starts_on=today,
        expires_on=expires_on,
        call=call,
    )


@transactional
def record_written_permission(
    resident_id: int,
    representative: Representative,
    terms: Terms,
    evidence: WrittenEvidence,
    safeguarding: Safeguarding,
    supervisor: StaffUser,
    today: date,
) -> GrantedPermission:
    """Record a permission a supervisor has seen written evidence for: written consent, a
    Lasting Power of Attorney, a deputyship order or a DWP appointeeship. It may have started
    before `today` (an LPA registered years ago), but may not have expired already."""
    if not supervisor.can(Capability.MANAGE_PERMISSIONS):
        raise Refused("Only a supervisor can record a permission from written evidence")
    if evidence.kind not in WRITTEN_KINDS:
        raise Refused(
            "Verbal consent is recorded on a call on which the resident is verified", "kind"
        )
    reference = evidence.reference.strip()
    if not reference:
        raise Refused(EVIDENCE_REFERENCE_MISSING, "evidence_reference")
    if terms.expires_on is not None and terms.expires_on <= today:
        raise Refused("The expiry date must be in the future", "expires_on")
    access_code = (evidence.lpa_access_code or "").strip() or None
    problem = access_code_problem(evidence.kind, access_code)
    if problem:
        raise Refused(problem, "lpa_access_code")
    return _grant(
        resident_id,
        evidence.kind,
        representative,
        terms,
        safeguarding,
        supervisor,
        starts_on=evidence.starts_on,
        expires_on=terms.expires_on,
        evidence_reference=reference,
        lpa_access_code=access_code,
    )


def _grant(
    resident_id: int,
    kind: PermissionKind,
    representative: Representative,
    terms: Terms,
    safeguarding: Safeguarding,
    staff: StaffUser,
    *,
    starts_on: date,
    expires_on: date | None,
    evidence_reference: str | None = None,
    lpa_access_code: str | None = None,
    call: Call | None = None,
) -> GrantedPermission:
    """Grant `kind` of permission on the resident's record as asked, once the safeguarding
    questions are confirmed and the representative's details and the dates hold: written
    evidence names its reference, verbal consent its call."""
    if not safeguarding.is_confirmed:
        raise Refused(SAFEGUARDING_NOT_CONFIRMED, "safeguarding")
    name = representative.name.strip()
    if not name:
        raise Refused(NAME_MISSING, "holder_name")
    if representative.relationship is Relationship.SELF:
        raise Refused(RELATIONSHIP_MISSING, "holder_relationship")
    try:
        phone = to_e164(representative.phone)
    except InvalidPhoneNumber:
        raise Refused(PHONE_INVALID, "holder_phone") from None
    problem = expiry_problem(starts_on, expires_on)
    if problem:
        raise Refused(problem, "expires_on")
    areas = _service_areas(kind, terms.areas)
    passcode = new_passcode() if terms.check is RepresentativeCheck.PASSCODE else None

    permission = Permission(
        resident_id=resident_id,
        holder_name=name,
        holder_relationship=representative.relationship,
        holder_phone=phone,
        holder_email=(representative.email or "").strip() or None,
        kind=kind,
        all_areas=terms.areas is None,
        areas=areas,
        may_act=terms.may_act,
        starts_on=starts_on,
        expires_on=expires_on,
        evidence_reference=evidence_reference,
        lpa_access_code=lpa_access_code,
        granted_on_call_id=call.id if call else None,
        matter=(terms.matter or "").strip() or None,
        verification_method=terms.check,
        passcode_hash=hash_secret(normalise_passcode(passcode)) if passcode else None,
        safeguarding_given_freely=safeguarding.given_freely,
        safeguarding_nobody_pressing=safeguarding.nobody_pressing,
        safeguarding_understands_scope=safeguarding.understands_scope,
        safeguarding_confirmed_by_id=staff.id,
        created_by_id=staff.id,
    )
    db.session.add(permission)
    db.session.flush()
    reason = (
        f"Given by the resident on call {call.id}" if call else f"Evidence: {evidence_reference}"
    )
    _history(permission, PermissionEventKind.GRANTED, staff, reason, call)
    audit.record(
        AuditAction.PERMISSION_GRANTED,
        staff_id=staff.id,
        resident_id=resident_id,
        call_id=call.id if call else None,
        permission=permission.id,
        kind=kind.value,
        scope=describe_scope(facts_for(permission)),
        may_act=terms.may_act,
        check=terms.check.value,
    )
    return GrantedPermission(permission=permission, passcode=passcode)


def _service_areas(kind: PermissionKind, codes: frozenset[str] | None) -> list[ServiceAreaRecord]:
    """The area records a scope names; refused when they are unknown, or when the kind of
    permission could never reach any of them."""
    if codes is None:
        return []
    if not codes:
        raise Refused(AREAS_MISSING, "areas")
    records = list(
        db.session.scalars(
            select(ServiceAreaRecord).where(
                ServiceAreaRecord.code.in_(codes), ServiceAreaRecord.is_active.is_(True)
            )
        )
    )
    if len(records) != len(codes):
        raise Refused(AREAS_UNKNOWN, "areas")
    only_kind_and_areas = PermissionFacts(
        id=0,
        holder_name="",
        kind=kind,
        areas=codes,
        may_act=True,
        starts_on=date.min,
        expires_on=None,
        revoked_at=None,
    )
    reach = effective_areas(only_kind_and_areas)
    if reach is not None and not reach:
        raise Refused(
            f"A {kind.label} does not cover {describe_areas(codes)}: select other service areas",
            "areas",
        )
    return records


def _history(
    permission: Permission,
    kind: PermissionEventKind,
    staff: StaffUser | None,
    reason: str | None,
    call: Call | None = None,
) -> PermissionEvent:
    event = PermissionEvent(
        permission_id=permission.id,
        kind=kind,
        staff_id=staff.id if staff else None,
        call_id=call.id if call else None,
        reason=reason,
    )
    db.session.add(event)
    return event


@transactional
def revoke(
    permission: Permission,
    staff: StaffUser | None,
    reason: str,
    call: Call | None = None,
    *,
    now: datetime,
    by_resident: bool = False,
) -> None:
    """Revoke a permission at once: the next request on any call where it is in use is refused
    disclosure. `call` is the call on which the resident asked, if any; `by_resident` says the
    resident revoked it themselves in the portal (then no member of staff is named)."""
    if staff is None and not by_resident:
        raise ValueError("a revocation is made by a member of staff or by the resident")
    reason = reason.strip()
    if not reason:
        raise Refused(REVOKE_REASON_MISSING, "reason")
    if not end_at_once(
        permission, staff, reason, call, now=now, **({"by": "resident"} if by_resident else {})
    ):
        raise Refused("This permission has already been revoked")


def end_at_once(
    permission: Permission,
    staff: StaffUser | None,
    reason: str,
    call: Call | None = None,
    *,
    now: datetime,
    **detail,
) -> bool:
    """Revoke a permission in the caller's unit of work, with its history and audit event
    (`detail` adds to the event); False, writing nothing, when it was revoked already. The
    next request on any call where it is in use is refused disclosure."""
    # Conditional, so two people revoking at once cannot both record it.
    revoked = db.session.execute(
        update(Permission)
        .where(Permission.id == permission.id, Permission.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by_id=staff.id if staff else None, revocation_reason=reason)
    )
    if revoked.rowcount != 1:
        return False
    _history(permission, PermissionEventKind.REVOKED, staff, reason, call)
    audit.record(
        AuditAction.PERMISSION_REVOKED,
        staff_id=staff.id if staff else None,
        resident_id=permission.resident_id,
        call_id=call.id if call else None,
        permission=permission.id,
        reason=reason,
        **detail,
    )
    return True


@transactional
def close_matter(permission: Permission, staff: StaffUser, note: str, now: datetime) -> None:
    """End an issue-limited permission because the matter it was for is closed."""
    note = note.strip()
    if permission.matter is None:
        raise Refused("This permission is not limited to one matter")
    if permission.revoked_at is not None:
        raise Refused("This permission has been revoked: it has already ended")
    if not note:
        raise Refused(MATTER_NOTE_MISSING, "reason")
    closed = db.session.execute(
        update(Permission)
        .where(Permission.id == permission.id, Permission.matter_closed_at.is_(None))
        .values(matter_closed_at=now)
    )
    if closed.rowcount != 1:
        raise Refused("The matter for this permission is already closed")
    _history(permission, PermissionEventKind.MATTER_CLOSED, staff, note)
    audit.record(
        AuditAction.PERMISSION_MATTER_CLOSED,
        staff_id=staff.id,
        resident_id=permission.resident_id,
        permission=permission.id,
    )


@transactional
def record_expiries(today: date | None = None) -> int:
    """Write an "expired" event for each permission whose expiry date has come, once. Expiry
    takes effect from the dates alone; this only makes it visible in the history."""
    today = today or clock.today()
    already = select(PermissionEvent.permission_id).where(
        PermissionEvent.kind == PermissionEventKind.EXPIRED
    )
    expired = list(
        db.session.scalars(
            select(Permission).where(
                Permission.expires_on <= today,
                Permission.revoked_at.is_(None),
                Permission.matter_closed_at.is_(None),
                Permission.id.not_in(already),
            )
        )
    )
    for permission in expired:
        _history(permission, PermissionEventKind.EXPIRED, None, "Expiry date reached")
        audit.record(
            AuditAction.PERMISSION_EXPIRED,
            resident_id=permission.resident_id,
            permission=permission.id,
        )
    return len(expired)


def check_representative_passcode(permission: Permission, typed: str) -> bool:
    """Say whether the caller typed this permission's passcode, ignoring case, spaces and
    hyphens. False for a permission checked by text: it has no passcode."""
    return verify_secret(permission.passcode_hash, normalise_passcode(typed))


def get_permission_or_404(permission_id: int) -> Permission:
    return get_or_not_found(Permission, permission_id)


def permissions_for_resident(resident_id: int) -> list[Permission]:
    """Every permission the resident has given, newest first, with its history."""
    stmt = (
        select(Permission)
        .where(Permission.resident_id == resident_id)
        .options(selectinload(Permission.events).selectinload(PermissionEvent.staff))
        .order_by(Permission.created_at.desc(), Permission.id.desc())
    )
    return list(db.session.scalars(stmt))


def summarise(permission: Permission, today: date) -> PermissionSummary:
    facts = facts_for(permission)
    return PermissionSummary(
        permission=permission,
        state=permission_state(facts, today),
        scope=describe_scope(facts),
    )


@transactional
def view_permission(permission_id: int, staff: StaffUser, today: date) -> PermissionSummary:
    """One permission with its state on `today`. It shows the holder's contact details, so
    the view is audited."""
    permission = get_permission_or_404(permission_id)
    audit.record(
        AuditAction.PERMISSION_VIEWED,
        staff_id=staff.id,
        resident_id=permission.resident_id,
        permissions=[permission.id],
    )
    return summarise(permission, today)


def get_access_code_or_404(resident_id: int, permission_id: int) -> Permission:
    """A permission of this resident that has an LPA access code; any other is not found, so a
    reveal cannot reach another resident's permission by changing an id."""
    permission = db.session.get(Permission, permission_id)
    if (
        permission is None
        or permission.resident_id != resident_id
        or not permission.lpa_access_code
    ):
        raise NotFound
    return permission


@transactional
def reveal_access_code(
    permission: Permission, staff: StaffUser, reason: str, now: datetime
) -> reveals.Revealed:
    """Reveal a permission's LPA access code, masked on every page, to a member of staff who
    gives a reason: audited and limited as any hidden detail (app.services.reveals)."""
    permission_id, resident_id = permission.id, permission.resident_id
    message = reveals.reveal(
        staff,
        resident_id,
        HiddenDetail.LPA_ACCESS_CODE,
        reason,
        now=now,
        opened=ACCESS_CODE_OPENED,
        permission_id=permission_id,
    )
    code = db.session.get(Permission, permission_id).lpa_access_code or ""
    return reveals.Revealed(detail=HiddenDetail.LPA_ACCESS_CODE, value=code, message=message)


def view_permissions(resident_id: int, staff: StaffUser, today: date) -> list[PermissionSummary]:
    """The resident's permissions with their state on `today`; the view is audited."""
    _record_permissions_viewed(resident_id, staff)
    return [summarise(p, today) for p in permissions_for_resident(resident_id)]


@transactional
def _record_permissions_viewed(resident_id: int, staff: StaffUser) -> None:
    shown = db.session.scalars(
        select(Permission.id).where(Permission.resident_id == resident_id)
    ).all()
    audit.record(
        AuditAction.PERMISSIONS_VIEWED,
        staff_id=staff.id,
        resident_id=resident_id,
        permissions=list(shown),
    )


def holders_for_call(resident_id: int, today: date) -> list[PermissionHolder]:
    """The permissions a caller may claim to hold, for the handler to pick from before the
    caller is verified: only those in force today, and only the holder's name and the kind.
    Scope, dates and contact details stay hidden until the representative is verified."""
    stmt = (
        select(Permission)
        .where(
            Permission.resident_id == resident_id,
            Permission.revoked_at.is_(None),
            Permission.matter_closed_at.is_(None),
            Permission.starts_on <= today,
        )
        .order_by(Permission.holder_name, Permission.id)
    )
    return [
        PermissionHolder(id=p.id, holder_name=p.holder_name, kind_label=p.kind.label)
        for p in db.session.scalars(stmt)
        if permission_state(facts_for(p), today) is PermissionState.ACTIVE
    ]


def recent_events(page: int, per_page: int) -> tuple[list[PermissionEvent], int]:
    """Permissions granted, revoked, closed or expired across all residents, newest first, a
    page at a time; and how many events there are."""
    total = db.session.scalar(select(func.count()).select_from(PermissionEvent)) or 0
    stmt = (
        select(PermissionEvent)
        .options(
            selectinload(PermissionEvent.permission).selectinload(Permission.resident),
            selectinload(PermissionEvent.staff),
        )
        .order_by(PermissionEvent.at.desc(), PermissionEvent.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return list(db.session.scalars(stmt)), total
