"""The resident portal: signing in with a reference, a date of birth and a text code, and
what a signed-in resident sees and does (docs/rules.md rules 3, 4 and 5).

Every attempt takes the same path whether or not the details match: it is counted first,
it writes a sign-in row, and the resident is asked for a code. Only when the reference and
date of birth match is a code queued; a worker sends it to the first mobile number on file,
under the same text-code rules as on a call (app/services/portal_codes.py), so the request
never waits for a provider and takes the same time whatever was typed. A resident who
signs in is told by text. Everything a signed-in resident sees is loaded for them: an id
from the address that is not theirs is "not found".
"""

import contextlib
import hashlib
import hmac
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from flask import current_app
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import (
    AuthorityEndRequest,
    Dispute,
    Entry,
    Permission,
    PortalSession,
    PortalSessionStatus,
    Resident,
    ResidentPhone,
)
from app.models.portal_session import PortalCodeState
from app.models.staff import new_session_token
from app.providers import ProviderUnavailable, providers
from app.references import normalise_reference
from app.refusals import NotFound, Refused
from app.rules import authority_ends as authority_rules
from app.rules import disputes as dispute_rules
from app.rules import text_codes as code_rules
from app.rules.audit_actions import AuditAction
from app.rules.capabilities import SignedInKind, UserKind
from app.rules.outbox import last_digits
from app.rules.verification import parse_date_of_birth
from app.rules.vocabulary import (
    DisputeReason,
    DisputeStatus,
    EntryStatus,
    Relationship,
    TextCodeProvider,
)
from app.services import audit, authority_ends, disputes, outbox, permissions, text_codes
from app.services.staff import SignInAllowance, SignInLimits, TooManyAttempts, WaitToTryAgain
from app.services.text_codes import text_code_policy, typed_code_matches
from app.services.transactions import transactional

__all__ = ["TooManyAttempts", "WaitToTryAgain"]

WRONG_CODE = (
    "The code is not right, or it has stopped working. Check the text we sent, or start again"
)
REVOKED_BY_RESIDENT = "Revoked by the resident in the portal"
SELECT_REASON = "Select why the entry is wrong"

Owned = TypeVar("Owned", Entry, Permission, Dispute, AuthorityEndRequest)


class SignedInResident(SignedInKind):
    """A resident signed in to the portal: its kind is a resident's, so no staff page ever
    lets it in.

    `signed_in_with` is a keyed fingerprint of the resident's date of birth and the number
    their code went to, as their record has them now (`details_fingerprint`): kept in the
    session at sign-in, and compared on every request after."""

    kind = UserKind.RESIDENT
    # What Flask-Login asks of whoever is signed in.
    is_active = is_authenticated = True
    is_anonymous = False

    def __init__(self, portal_session: PortalSession) -> None:
        self.token = portal_session.token
        self.resident_id: int = portal_session.resident_id  # type: ignore[assignment]
        self.signed_in_with = details_fingerprint(portal_session)

    def get_id(self) -> str:
        return f"{self.kind}:{self.token}"


class SignInDetailsChanged(Exception):
    """The resident's date of birth, or the number their sign-in code went to, changed or left
    their record since they signed in: the session has ended."""


SIGNED_OUT_DETAILS_CHANGED = (
    "You have been signed out because the details we use to check it is you have changed. "
    "Sign in again"
)


def details_fingerprint(row: PortalSession) -> str:
    """A fingerprint of what a sign-in rests on, as the resident's record has it now: their
    date of birth, and the number the code went to while it is still one of their numbers.

    Keyed with the app's secret, since it travels in the session cookie (signed, but
    readable): the cookie tells nobody either. Whoever changes the record, by whatever path,
    changes the fingerprint, so nothing depends on each writer remembering to sign the
    resident out."""
    born_on, number_on_file = db.session.execute(
        select(
            Resident.date_of_birth,
            select(ResidentPhone.number)
            .where(
                ResidentPhone.resident_id == Resident.id,
                ResidentPhone.number == row.phone_number,
            )
            .limit(1)
            .scalar_subquery(),
        ).where(Resident.id == row.resident_id)
    ).one_or_none() or (None, None)
    signed_in_with = f"{born_on.isoformat() if born_on else ''}\0{number_on_file or ''}"
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, signed_in_with.encode(), hashlib.sha256).hexdigest()


def fetch_signed_in(token: str, signed_in_with: str | None) -> SignedInResident | None:
    """The resident signed in with this session token, or None once it has ended.

    Raises SignInDetailsChanged, and ends the session, when the date of birth or the number
    it was signed in with (`signed_in_with`, kept at sign-in) is not what the record says
    now."""
    row = db.session.scalar(
        select(PortalSession).where(
            PortalSession.token == token,
            PortalSession.status == PortalSessionStatus.SIGNED_IN,
            PortalSession.resident_id.is_not(None),
        )
    )
    if row is None:
        return None
    user = SignedInResident(row)
    if not hmac.compare_digest(signed_in_with or "", user.signed_in_with):
        _end_session(row.id, AuditAction.PORTAL_SIGNED_OUT_DETAILS_CHANGED)
        raise SignInDetailsChanged
    return user


def start_sign_in(reference: str, date_of_birth: str, address: str) -> str:
    """Count the attempt, then look the details up: the token of a sign-in waiting for a
    code, whether or not they matched.

    Raises TooManyAttempts, before anything is looked up, once this address has used up its
    allowance for the reference or for every reference; WaitToTryAgain when the reference
    is being tried from many addresses and this one must wait its turn.
    """
    normalised = normalise_reference(reference) or reference.strip().upper()[:32]
    limits = SignInLimits.configured(
        "PORTAL_SIGN_IN_LIMIT_PER_REFERENCE_AND_ADDRESS",
        "PORTAL_SIGN_IN_LIMIT_PER_ADDRESS",
        "PORTAL_SIGN_IN_LIMIT_PER_REFERENCE",
    )
    SignInAllowance("portal-reference", normalised, address, "portal-address", limits).take()
    return _start_sign_in(normalise_reference(reference), parse_date_of_birth(date_of_birth))


def sign_in_available() -> bool:
    """Whether residents can sign in: a code can be sent (never by the console in
    production). The same answer for every visitor, so it tells a stranger nothing."""
    return text_codes.code_backend() is not None


@transactional
def _start_sign_in(reference: str | None, born_on: date | None) -> str:
    """The same work whatever was typed: look the reference up, write the sign-in row with
    its code queued when the details matched, audit. Nothing here waits for a provider, and
    nothing more is read or written for a match: a worker sends the code
    (app/services/portal_codes.py), so the answer takes the same time either way."""
    now = clock.now()
    policy = text_code_policy()
    # Asked even for a reference that cannot be one, and for two columns, not the whole
    # record: a reference on file costs what one not on file does.
    found = db.session.execute(
        select(Resident.id, Resident.date_of_birth).where(Resident.reference == (reference or ""))
    ).first()
    matched = found is not None and born_on is not None and found.date_of_birth == born_on
    row = PortalSession(
        token=new_session_token(),
        resident_id=found.id if matched else None,
        created_at=now,
        expires_at=code_rules.expires_at(now, policy),
        checks=0,
        status=PortalSessionStatus.WAITING_FOR_CODE,
        code_state=PortalCodeState.QUEUED if matched else None,
    )
    db.session.add(row)
    audit.record(AuditAction.PORTAL_SIGN_IN_STARTED, resident_id=row.resident_id, matched=matched)
    return row.token


@dataclass(frozen=True)
class CodeLimit:
    """What the "Check your phone" page says about the hourly limit on codes: the same for
    every sign-in waiting for a code, whether or not its details matched, so it tells a
    stranger nothing. `try_again_after` is an hour after this sign-in was asked for: by then
    any code counted against the limit has left the hour."""

    per_hour: int
    try_again_after: str | None  # a London time, "15:04"; None when the sign-in is not found


def code_limit(token: str) -> CodeLimit:
    asked_at = db.session.scalar(
        select(PortalSession.created_at).where(PortalSession.token == token)
    )
    return CodeLimit(
        per_hour=text_code_policy().sends_per_hour,
        try_again_after=f"{clock.local(asked_at + timedelta(hours=1)):%H:%M}" if asked_at else None,
    )


@dataclass(frozen=True)
class CodeCheck:
    signed_in: SignedInResident | None
    refusal: str | None = None


def check_code(token: str, typed: str) -> CodeCheck:
    """Check the code typed for a sign-in waiting for one. A right code signs the resident
    in under a new token; anything else gets the same answer, matched details or not.

    With Twilio Verify, a code is checked by asking Verify, and only a sign-in whose details
    matched has a code to ask about: a wrong code after details that did not match would be
    refused sooner. So with Verify a refusal is given no sooner than
    `PORTAL_CODE_REFUSAL_SECONDS` after the code was typed, whatever was asked: the time a
    refusal takes tells nobody whether the details matched. (A code the app made is checked
    against its HMAC, the same work either way.)

    Verify is asked first, with no transaction open, then the check is decided and counted
    under the sign-in's row lock with its answer: no lock is held while Verify answers, and
    an approval that arrives after the sign-in's checks were used up is refused."""
    started = time.monotonic()
    asked = None
    if providers().checks_by_asking:
        asked = text_codes.ask_provider_first(_code_to_ask_about(token), typed)
    checked = _check_code(token, typed, asked)
    if checked.signed_in is None and text_codes.code_backend() is TextCodeProvider.TWILIO_VERIFY:
        floor = current_app.config["PORTAL_CODE_REFUSAL_SECONDS"]
        time.sleep(max(0.0, floor - (time.monotonic() - started)))
    return checked


@transactional
def _code_to_ask_about(token: str) -> text_codes.SentCode | None:
    """The sign-in's code, if only its provider can check it and it would be checked now.
    Read with no lock, and committed (nothing is written) so that no transaction is open
    while the provider answers; `_check_code` decides again under the row lock."""
    row = db.session.scalar(
        select(PortalSession).where(
            PortalSession.token == token,
            PortalSession.status == PortalSessionStatus.WAITING_FOR_CODE,
        )
    )
    if row is None or row.code_state is not PortalCodeState.SENT:
        return None
    if code_rules.check_refusal(row.checks, text_code_policy()):
        return None
    return text_codes.code_to_ask_about(row, clock.now())


@transactional
def _check_code(token: str, typed: str, asked: text_codes.ProviderAnswer | None) -> CodeCheck:
    now = clock.now()
    policy = text_code_policy()
    row = db.session.scalar(
        select(PortalSession)
        .where(
            PortalSession.token == token,
            PortalSession.status == PortalSessionStatus.WAITING_FOR_CODE,
        )
        .with_for_update()
    )
    if row is None or code_rules.check_refusal(row.checks, policy):
        return CodeCheck(None, WRONG_CODE)
    row.checks += 1
    try:
        # Only a code a worker has sent can match; before then no provider is asked.
        matched = row.code_state is PortalCodeState.SENT and typed_code_matches(
            row, typed, now, asked, "portal code"
        )
    except (ProviderUnavailable, text_codes.NotAsked):
        row.checks -= 1
        return CodeCheck(None, "We could not check your code just now. Wait a minute and try again")
    if not matched:
        audit.record(AuditAction.PORTAL_CODE_FAILED, resident_id=row.resident_id)
        return CodeCheck(None, WRONG_CODE)
    row.token = new_session_token()  # the token the cookie held while waiting opens nothing
    row.status = PortalSessionStatus.SIGNED_IN
    row.signed_in_at = now
    _hand_on_draft(row, now)
    audit.record(
        AuditAction.PORTAL_SIGNED_IN,
        resident_id=row.resident_id,
        number_ending=last_digits(row.phone_number),
    )
    _tell_resident_of_sign_in(row, now)
    return CodeCheck(SignedInResident(row))


def _tell_resident_of_sign_in(row: PortalSession, now: datetime) -> None:
    """A text to the resident, in the sign-in's own transaction: someone signed in, when,
    and what to do if it was not them. Never the code, nothing from the record."""
    resident = db.session.get(Resident, row.resident_id)
    if resident is not None:
        outbox.queue_portal_signed_in(resident, clock.local(now))


def sign_out(user: SignedInResident) -> None:
    """End the session: a copy of its cookie opens nothing afterwards."""
    row_id = db.session.scalar(select(PortalSession.id).where(PortalSession.token == user.token))
    if row_id is not None:
        _end_session(row_id, AuditAction.PORTAL_SIGNED_OUT)


@transactional
def _end_session(row_id: int, action: AuditAction) -> None:
    row = db.session.scalar(
        select(PortalSession).where(PortalSession.id == row_id).with_for_update()
    )
    if row is None or row.status is PortalSessionStatus.ENDED:
        return
    row.status = PortalSessionStatus.ENDED
    row.ended_at = clock.now()
    row.end_request_draft = None
    if action is not AuditAction.PORTAL_SIGNED_OUT_IDLE:
        row.dispute_draft = None  # kept only for the resident's next sign-in after a time-out
    row.token = new_session_token()
    audit.record(action, resident_id=row.resident_id)


def get_resident(user: SignedInResident) -> Resident:
    resident = db.session.get(Resident, user.resident_id)
    if resident is None:
        raise NotFound
    return resident


@dataclass(frozen=True)
class EntryRow:
    """An entry as the resident sees it: who reported it only by relationship."""

    entry: Entry
    reported_by: str  # "You", or the relationship ("Neighbour")
    who_told_us: str  # as shown: the relationship, and whether we could check who they were
    reported_on: date
    is_disputed: bool
    may_dispute: bool


def _entry_row(entry: Entry) -> EntryRow:
    relationship = entry.reporter_relationship
    reported_by = "You" if relationship is Relationship.SELF else relationship.label
    unchecked = relationship is not Relationship.SELF and not entry.reporter_verified
    return EntryRow(
        entry=entry,
        reported_by=reported_by,
        who_told_us=f"{reported_by} (we could not check who they were)"
        if unchecked
        else reported_by,
        reported_on=clock.local(entry.created_at).date(),
        is_disputed=entry.status is EntryStatus.DISPUTED,
        may_dispute=dispute_rules.refusal_to_open(entry.status) is None,
    )


def _own_or_404(model: type[Owned], record_id: int, user: SignedInResident) -> Owned:
    """A record on the signed-in resident's own record; another resident's is not found."""
    record = db.session.get(model, record_id)
    if record is None or record.resident_id != user.resident_id:
        raise NotFound
    return record


def entries_for(user: SignedInResident) -> list[EntryRow]:
    """The entries on the resident's record, newest first; those found incorrect after a
    dispute are left out, as in every routine view."""
    stmt = (
        select(Entry)
        .where(Entry.resident_id == user.resident_id, Entry.status != EntryStatus.UPHELD)
        .order_by(Entry.created_at.desc(), Entry.id.desc())
    )
    return [_entry_row(entry) for entry in db.session.scalars(stmt)]


def get_entry_or_404(user: SignedInResident, entry_id: int) -> EntryRow:
    """One of the resident's own entries; another resident's, or a hidden one, is not found."""
    entry = _own_or_404(Entry, entry_id, user)
    if entry.status is EntryStatus.UPHELD:
        raise NotFound
    return _entry_row(entry)


def permissions_for(user: SignedInResident, today: date) -> list[permissions.PermissionSummary]:
    return [
        permissions.summarise(permission, today)
        for permission in permissions.permissions_for_resident(user.resident_id)
    ]


def get_permission_or_404(user: SignedInResident, permission_id: int) -> Permission:
    return _own_or_404(Permission, permission_id, user)


def revoke_permission(user: SignedInResident, permission: Permission, now: datetime) -> None:
    """The resident takes back consent they gave: at once, audited as done by the resident.
    A legal authority is refused: the resident asks us to end it (`ask_to_end_permission`)."""
    if permission.resident_id != user.resident_id:
        raise NotFound
    refusal = authority_rules.refusal_to_take_away(permission.kind)
    if refusal is not None:
        raise Refused(refusal)
    permissions.revoke(permission, None, REVOKED_BY_RESIDENT, now=now, by_resident=True)


@dataclass(frozen=True)
class PermissionCard:
    """A permission as the resident sees it, with what they may do about it."""

    summary: permissions.PermissionSummary
    may_take_away: bool  # consent they gave, still standing: they end it at once
    may_ask_to_end: bool  # a legal authority still standing, with no request waiting
    end_request: AuthorityEndRequest | None  # their latest request to end it, if any


def permission_cards(user: SignedInResident, today: date) -> list[PermissionCard]:
    """The resident's permissions, newest first, as they stand on `today`, each with what they
    may do about it and their latest request to end it."""
    requests = authority_ends.latest_requests(user.resident_id)
    cards = []
    for summary in permissions_for(user, today):
        permission = summary.permission
        request = requests.get(permission.id)
        standing = summary.may_revoke
        is_authority = authority_rules.is_legal_authority(permission.kind)
        cards.append(
            PermissionCard(
                summary=summary,
                may_take_away=standing and not is_authority,
                may_ask_to_end=standing
                and is_authority
                and not (request is not None and request.is_waiting),
                end_request=request,
            )
        )
    return cards


def ask_to_end_permission(
    user: SignedInResident, permission: Permission, note: str, now: datetime
) -> AuthorityEndRequest:
    """The resident asks us to end a legal authority over their affairs: a supervisor checks
    with them and decides; it stays in force until then."""
    if permission.resident_id != user.resident_id:
        raise NotFound
    return authority_ends.ask_to_end(permission, note, now)


@transactional
def save_end_request_note(
    user: SignedInResident, permission_id: int, note: str, now: datetime
) -> None:
    """Keep what the resident wants us to know about ending one of their permissions, between
    the question and the check page (bounded, but kept as typed so the form can say it is too
    long)."""
    permission = _own_or_404(Permission, permission_id, user)
    row = _signed_in_row(user, lock=True)
    row.end_request_draft = {
        "permission": permission.id,
        "note": (note or "")[: 2 * authority_rules.NOTE_MAX_LENGTH],
        "saved_at": now.isoformat(),
    }


def end_request_note(user: SignedInResident, permission_id: int) -> str | None:
    """What the resident said they want us to know about ending this permission, if they
    have answered the question; None if not."""
    kept = _signed_in_row(user).end_request_draft
    if isinstance(kept, dict) and kept.get("permission") == permission_id:
        return str(kept.get("note") or "")
    return None


@transactional
def _drop_end_request_note(user: SignedInResident) -> None:
    row = db.session.scalar(select(PortalSession).where(PortalSession.token == user.token))
    if row is not None:
        row.end_request_draft = None


def send_end_request(
    user: SignedInResident, permission: Permission, now: datetime
) -> AuthorityEndRequest:
    """Send the request as checked, then forget the note. Sent twice, the second finds
    nothing to send (NothingToSend)."""
    note = end_request_note(user, permission.id)
    if note is None:
        raise NothingToSend
    asked = ask_to_end_permission(user, permission, note, now)
    _drop_end_request_note(user)
    return asked


def get_end_request_or_404(user: SignedInResident, request_id: int) -> AuthorityEndRequest:
    return _own_or_404(AuthorityEndRequest, request_id, user)


@dataclass(frozen=True)
class DisputeRow:
    """A dispute as the resident sees it: where it stands and, once decided, why."""

    dispute: Dispute
    status: str
    due_on: date
    reasons: str | None
    ico_right: str | None
    is_open: bool


def _dispute_row(dispute: Dispute) -> DisputeRow:
    decision = dispute.decisions[-1] if dispute.decisions else None
    status = {
        DisputeStatus.OPEN: "We are looking into it",
        DisputeStatus.UPHELD: "Upheld: the entry was found incorrect",
        DisputeStatus.NOT_UPHELD: "Not upheld: the entry stands",
    }[dispute.status]
    return DisputeRow(
        dispute=dispute,
        status=status,
        due_on=dispute.due_on,
        reasons=decision.reasons if decision else None,
        ico_right=dispute_rules.ICO_RIGHT if dispute.status is DisputeStatus.NOT_UPHELD else None,
        is_open=dispute.status is DisputeStatus.OPEN,
    )


def disputes_for(user: SignedInResident) -> list[DisputeRow]:
    stmt = (
        select(Dispute)
        .where(Dispute.resident_id == user.resident_id)
        .order_by(Dispute.opened_at.desc(), Dispute.id.desc())
    )
    return [_dispute_row(dispute) for dispute in db.session.scalars(stmt)]


def get_dispute_or_404(user: SignedInResident, dispute_id: int) -> DisputeRow:
    return _dispute_row(_own_or_404(Dispute, dispute_id, user))


# A dispute the resident is writing, kept with their sign-in (docs/rules.md rule 5): what
# they typed survives "Change your answers", Back, and a sign-in that timed out. A draft is
# handed on to the resident's next sign-in within this long, and never after.
DRAFT_KEPT_FOR = timedelta(hours=24)


@dataclass(frozen=True)
class DisputeDraft:
    """What the resident has typed so far about one of their entries."""

    entry_id: int
    reason: str | None  # a DisputeReason value, or None when not chosen yet
    statement: str


def _signed_in_row(user: SignedInResident, *, lock: bool = False) -> PortalSession:
    stmt = select(PortalSession).where(
        PortalSession.token == user.token, PortalSession.status == PortalSessionStatus.SIGNED_IN
    )
    row = db.session.scalar(stmt.with_for_update() if lock else stmt)
    if row is None:
        raise NotFound
    return row


def _draft_of(row: PortalSession) -> DisputeDraft | None:
    kept = row.dispute_draft
    if not isinstance(kept, dict) or not isinstance(kept.get("entry"), int):
        return None
    reason = kept.get("reason")
    return DisputeDraft(
        entry_id=kept["entry"],
        reason=reason if isinstance(reason, str) else None,
        statement=str(kept.get("statement") or ""),
    )


@transactional
def save_dispute_draft(
    user: SignedInResident, entry_id: int, reason: str | None, statement: str, now: datetime
) -> DisputeDraft:
    """Keep what the resident typed about one of their own entries, in place of any draft
    before it. Another resident's entry is not found."""
    entry = _own_or_404(Entry, entry_id, user)
    row = _signed_in_row(user, lock=True)
    row.dispute_draft = {
        "entry": entry.id,
        "reason": reason or None,
        # Kept as typed, so the form can say it is too long; bounded all the same.
        "statement": (statement or "")[: 2 * dispute_rules.STATEMENT_MAX_LENGTH],
        "saved_at": now.isoformat(),
    }
    return _draft_of(row)  # type: ignore[return-value]


def unsent_dispute(user: SignedInResident) -> DisputeDraft | None:
    """The dispute the resident began and has not sent, about an entry they may still
    dispute: the record page offers to carry on with it."""
    draft = _draft_of(_signed_in_row(user))
    if draft is None:
        return None
    entry = db.session.get(Entry, draft.entry_id)
    if entry is None or entry.resident_id != user.resident_id:
        return None
    return draft if dispute_rules.refusal_to_open(entry.status) is None else None


def timed_out_message(idle: timedelta, kept: bool) -> str:
    """What a resident signed out for want of activity is told, and whether what they were
    writing was kept."""
    said = f"We signed you out because there was no activity for {clock.how_long(idle)}. "
    if kept:
        return said + "Sign in again to carry on: we kept what you were writing"
    return said + "Sign in again to carry on"


def dispute_draft(user: SignedInResident, entry_id: int) -> DisputeDraft | None:
    """The dispute the resident is writing about this entry, if any."""
    draft = _draft_of(_signed_in_row(user))
    return draft if draft is not None and draft.entry_id == entry_id else None


@transactional
def _drop_draft(user: SignedInResident) -> None:
    row = db.session.scalar(select(PortalSession).where(PortalSession.token == user.token))
    if row is not None:
        row.dispute_draft = None


class NothingToSend(Exception):
    """Nothing is waiting to be sent (a dispute, a request to end a permission): it was sent
    already, or never begun."""


def send_dispute(user: SignedInResident, entry_id: int, now: datetime) -> Dispute:
    """Send the dispute the resident wrote and checked, then forget the draft. Sent twice
    (a second tab, a double click), the second finds nothing to send: NothingToSend."""
    draft = dispute_draft(user, entry_id)
    if draft is None:
        raise NothingToSend
    try:
        reason = DisputeReason(draft.reason)
    except ValueError:
        raise Refused(SELECT_REASON, field="reason") from None
    dispute = disputes.open_dispute_from_portal(
        user.resident_id, entry_id, reason, draft.statement, now
    )
    _drop_draft(user)
    return dispute


def _hand_on_draft(row: PortalSession, now: datetime) -> None:
    """A new sign-in takes the draft the resident's last sign-in left, when it was kept
    lately: a sign-in that timed out mid-dispute loses nothing. The old sign-in keeps no
    copy."""
    earlier = db.session.scalar(
        select(PortalSession)
        .where(
            PortalSession.resident_id == row.resident_id,
            PortalSession.id != row.id,
            PortalSession.dispute_draft.is_not(None),
        )
        .order_by(PortalSession.id.desc())
        .limit(1)
    )
    if earlier is None:
        return
    kept = earlier.dispute_draft
    earlier.dispute_draft = None
    saved_at = kept.get("saved_at") if isinstance(kept, dict) else None
    try:
        fresh = now - datetime.fromisoformat(saved_at) < DRAFT_KEPT_FOR
    except (TypeError, ValueError):
        fresh = False
    if fresh:
        row.dispute_draft = kept


def sign_out_when_idle(
    user: SignedInResident,
    entry_id: int | None,
    reason: str | None,
    statement: str | None,
    now: datetime,
) -> bool:
    """The portal page signs the resident out as their idle time runs out, sending what they
    were typing: it is kept for their next sign-in (True), then the session ends."""
    kept = False
    reason = reason if reason in {member.value for member in DisputeReason} else None
    if entry_id is not None and (reason or statement):
        with contextlib.suppress(NotFound):  # not theirs: nothing is kept
            save_dispute_draft(user, entry_id, reason, statement or "", now)
            kept = True
    row_id = db.session.scalar(select(PortalSession.id).where(PortalSession.token == user.token))
    if row_id is not None:
        _end_session(row_id, AuditAction.PORTAL_SIGNED_OUT_IDLE)
    return kept
