"""The call page's read model: everything a call page, or one of its parts, shows, worked out
by one service call from one `now` (docs/architecture.md, "The call page, one step at a
time").

`workspace(call_id, staff, now, show)` reads the call once, with its resident, the numbers on
file, the permission a representative named and the counters the page shows (a number's hoax
strikes and failures on other records, the version of the numbers on file); the service
areas and the member of staff's among them once; the call's duty-to-share requests once; and
the phone-verification lock only while nobody is verified. From those it decides, once,
whom the caller counts as verified as, how the call ended, the disclosure, the steps and the
status the page polls, and then what each open step needs. Nothing is kept from one request
to the next: every request reads and decides afresh.

Showing the record is a disclosure: the read model hands what it showed to one unit of work,
`_record_disclosure`, which audits it (and marks a duty-to-share request disclosed) and
commits, leaving what was read loaded, so the page is drawn from exactly what was decided.
Nothing else here writes. A call past its maximum length reads as closed automatically
(`call_state.closure`); closing it in the database is a unit of work of its own.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import Enum

from sqlalchemy import Select, bindparam, exists, func, or_, select
from sqlalchemy.orm import joinedload

from app import clock
from app.extensions import db
from app.models import Call, Entry, Resident, ServiceAreaRecord, ShareRequest, StaffUser
from app.models import staff_service_areas as staff_areas
from app.paging import page_count
from app.refusals import NotFound
from app.rules import call_outcome as outcome_rules
from app.rules import phone_changes as phone_rules
from app.rules.audit_actions import AuditAction
from app.rules.call_outcome import EndDefaults, LoggedReport
from app.rules.call_steps import CallProgress, CallSteps, Step, call_steps, verification_applies
from app.rules.call_verification import Standing
from app.rules.cross_record import cross_record_warning, window_start
from app.rules.disclosure import (
    CallerOnCall,
    Disclosure,
    StaffAccess,
    VerifiedAs,
    entry_visible_on_call,
    entry_withheld_as_disputed,
)
from app.rules.disputes import hoax_warning
from app.rules.duty_to_share import CallNow, decide_disclosure_on_call
from app.rules.lockout import LockState
from app.rules.verification import VerificationPolicy
from app.rules.vocabulary import CallerType, EntryStatus
from app.services import (
    audit,
    call_state,
    cross_record,
    disputes,
    duty_to_share,
    permissions,
    phones,
    search,
    text_codes,
    verification,
    waiting_calls,
)
from app.services.call_state import Closure
from app.services.call_status import CallStatus, call_status
from app.services.permissions import PermissionHolder
from app.services.phones import NumberShown
from app.services.search import CallerHint
from app.services.service_areas import active_area_codes
from app.services.text_codes import NumberOnFile, PendingCode
from app.services.transactions import transactional

ENTRIES_PER_PAGE = 20  # entries in the record panel at a time, newest first
NEWEST_FIRST = (Entry.created_at.desc(), Entry.id.desc())


class Show(Enum):
    """What a request shows of the call, so that it reads only what that needs."""

    PAGE = "page"  # the whole call page: the steps, the record panel and the status
    STEPS = "steps"  # the steps alone, as every htmx answer on the page swaps them
    RECORD = "record"  # the record panel alone (a page of its entries)
    STATUS = "status"  # the status alone, as the page asks for it every few seconds

    @property
    def steps(self) -> bool:
        return self in (Show.PAGE, Show.STEPS)

    @property
    def record(self) -> bool:
        return self in (Show.PAGE, Show.RECORD)


@dataclass(frozen=True)
class Areas:
    """The council's service areas, read once: those in use (code and name, by name), and
    the member of staff's own."""

    active: tuple[tuple[str, str], ...]
    staff: frozenset[str]

    @property
    def active_codes(self) -> frozenset[str]:
        return frozenset(code for code, _ in self.active)


@dataclass(frozen=True)
class RecordPanel:
    """What the record panel of a call shows: the decision, and only what it allows."""

    disclosure: Disclosure
    call_open: bool
    resident: Resident | None  # None unless disclosure allows it
    entries: tuple[Entry, ...] = ()
    hidden_entries: int = 0  # entries withheld by need to know, counted but not shown
    # Entries otherwise shown but left out while disputed (rule 5): counted, content not shown.
    disputed_entries: int = 0
    # Entries the caller, verified as the resident on this call, may dispute (rule 5).
    disputable: tuple[Entry, ...] = ()
    # Earlier reports from the caller's number upheld as hoaxes: a warning, never a block.
    hoax_warning: str | None = None
    # The caller's number failed verification on several residents' records: a warning too.
    cross_record_warning: str | None = None
    # Entries come a page at a time, newest first: which page, of how many, and how many
    # entries the caller may hear about in all.
    entries_page: int = 1
    entries_pages: int = 1
    entries_total: int = 0

    @property
    def first_shown(self) -> int:
        """The position of the first entry on this page, counting from the newest (1)."""
        return (self.entries_page - 1) * ENTRIES_PER_PAGE + 1 if self.entries else 0

    @property
    def last_shown(self) -> int:
        return (self.entries_page - 1) * ENTRIES_PER_PAGE + len(self.entries)


# What each open step needs, beyond the call itself --------------------------------------


@dataclass(frozen=True)
class FindNeeds:
    # Who has the caller's number on file, as the screen pop showed them: a hint, never proof.
    hints: tuple[CallerHint, ...]
    more_hints: bool  # more have the number than are shown


@dataclass(frozen=True)
class CallerNeeds:
    holders: tuple[PermissionHolder, ...]  # permissions a caller may say they hold


@dataclass(frozen=True)
class VerifyNeeds:
    policy: VerificationPolicy  # what is enough to verify the resident
    shown_for: str  # what the call says now, carried by every check's form
    code_numbers: tuple[NumberOnFile, ...]  # where a code may go, by last digits
    holds: Mapping[str, str]  # why a code may not go to a number yet, by its choice
    pending_code: PendingCode | None  # the code waiting to be read back
    codes_unavailable: str | None  # why no code can be sent at all


@dataclass(frozen=True)
class ReportNeeds:
    areas: tuple[tuple[str, str], ...]  # the service areas in use
    ask_relationship: bool  # nobody said yet who is calling: the report asks
    resident_id: int | None  # the record the form is shown for
    logged: Entry | None  # the report just logged on this call, to confirm


@dataclass(frozen=True)
class ConsentNeeds:
    areas: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PhonesNeeds:
    numbers: tuple[NumberShown, ...]  # shown to the handler of the resident verified only
    version: str  # the version of the numbers the forms are shown with
    shown_for: str


@dataclass(frozen=True)
class ShareNeeds:
    requests: tuple[ShareRequest, ...]  # the call's requests to share, the first made first


@dataclass(frozen=True)
class CallWorkspace:
    """The call as one request shows it, decided once from `now`."""

    call: Call
    now: datetime
    closure: Closure | None  # how the call ended; None while it is open
    standing: Standing  # whom the caller counts as verified as now, and if nobody, why
    lock: LockState | None  # read only while nobody is verified on an open call's record
    disclosure: Disclosure
    status: CallStatus
    # The steps, and what each open step needs: only for a page or its steps, on an open call.
    steps: CallSteps | None = None
    find: FindNeeds | None = None
    caller: CallerNeeds | None = None
    verify: VerifyNeeds | None = None
    report: ReportNeeds | None = None
    consent: ConsentNeeds | None = None
    phones: PhonesNeeds | None = None
    share: ShareNeeds | None = None
    end: EndDefaults | None = None
    record: RecordPanel | None = None  # only for a page or the record panel

    @property
    def is_open(self) -> bool:
        return self.closure is None


@dataclass(frozen=True)
class _Counters:
    """What the call page counts about the call, read with it."""

    hoax_strikes: int = 0
    residents_failed: int = 0
    numbers_version: str = ""


def workspace(
    call_id: int,
    staff: StaffUser,
    now: datetime,
    show: Show = Show.PAGE,
    *,
    asked: Step | None = None,
    posted: Step | None = None,
    logged: int | None = None,
    page: int = 1,
    checked: LockState | None = None,
) -> CallWorkspace:
    """The call `call_id` of `staff` as `show` shows it at `now`.

    `asked` is the step the handler asked for ("Change"), `posted` the step whose form was
    sent back with errors or a refusal (app/rules/call_steps.py), `logged` a report just
    logged on this call to confirm, `page` the record panel's page of entries. `checked` is
    the phone-verification lock as a check made by this request left it: the answer to a
    check says what that check did, not what checks on other calls did since. Anyone
    else's call, or a page of entries that is not there, is `NotFound`.
    """
    call, counters = _load(call_id, staff, now, show)
    areas = _areas(staff)
    decided, shares = _decide(call, now, areas.active_codes, checked=checked)
    if show is Show.STATUS:
        return decided
    steps = None
    if show.steps and decided.is_open:
        steps = call_steps(_progress(call, decided.standing, decided.lock), asked, posted)
    entries = _entries(decided, staff, areas, show, steps is not None, page)
    needs = _needs(decided, steps, areas, counters, shares, entries, logged) if steps else {}
    record = _record_panel(decided, staff, counters, entries) if show.record else None
    return replace(decided, steps=steps, **needs, record=record)


def disclosure(call: Call, now: datetime, today: date | None = None) -> Disclosure:
    """The disclosure decision for `call` at `now`, as the call page decides it, for a unit
    of work that needs it on its own (a report by a disclosure-only representative).
    `today` is the date permissions are judged on: `now`'s, unless given."""
    return _decide(call, now, active_area_codes(), today)[0].disclosure


# Reading -----------------------------------------------------------------------------------


def _load(call_id: int, staff: StaffUser, now: datetime, show: Show) -> tuple[Call, _Counters]:
    """The handler's own call, with what `show` needs of it, in one statement: its resident
    and their numbers on file, the permission a representative named, and the counters, as
    columns of the same query. Anyone else's call is "not found", not "forbidden": its
    existence is nobody else's business."""
    params = {"call_id": call_id}
    if show.record:
        params["since"] = window_start(now, cross_record.cross_record_policy())
    row = db.session.execute(_call_statement(show), params).unique().one_or_none()
    if row is None or row.Call.handler_id != staff.id:
        raise NotFound
    counted = row._mapping
    return row.Call, _Counters(
        hoax_strikes=counted.get("hoax_strikes") or 0,
        residents_failed=counted.get("failed") or 0,
        numbers_version=phone_rules.numbers_version(counted.get("last_change")),
    )


_CALL_STATEMENTS: dict[Show, Select] = {}


def _call_statement(show: Show) -> Select:
    """The statement `_load` reads the call with for `show`, built once per kind of request:
    building it (its three counters' subqueries, the eager loads) cost more than running it.
    The call and the start of the cross-record window are its parameters."""
    if show not in _CALL_STATEMENTS:
        columns = []
        if show.record:
            columns += [
                disputes.strikes_of(Call.caller_number).label("hoax_strikes"),
                cross_record.residents_failed_from(Call.caller_number, bindparam("since")).label(
                    "failed"
                ),
            ]
        if show.steps:
            columns.append(phones.last_change_of(Call.resident_id).label("last_change"))
        options = [joinedload(Call.permission)]
        if show is not Show.STATUS:
            options.append(joinedload(Call.resident).joinedload(Resident.phones))
        _CALL_STATEMENTS[show] = (
            select(Call, *columns)
            .where(Call.id == bindparam("call_id"))
            .options(*options)
            # What this request shows is what this statement read, whatever was loaded before.
            .execution_options(populate_existing=True)
        )
    return _CALL_STATEMENTS[show]


_AREAS = select(
    ServiceAreaRecord.code,
    ServiceAreaRecord.name,
    ServiceAreaRecord.is_active,
    ServiceAreaRecord.code.in_(
        select(staff_areas.c.area_code).where(staff_areas.c.staff_id == bindparam("staff_id"))
    ),
).order_by(ServiceAreaRecord.name)


def _areas(staff: StaffUser) -> Areas:
    """Every service area in use, and the member of staff's own, in one statement (built
    once, like the others here)."""
    rows = db.session.execute(_AREAS, {"staff_id": staff.id}).all()
    return Areas(
        active=tuple((code, name) for code, name, in_use, _ in rows if in_use),
        staff=frozenset(code for code, _, _, mine in rows if mine),
    )


@dataclass(frozen=True)
class _Counted:
    """The record panel's page of entries, and what it counts of the others."""

    page_ids: tuple[int, ...]  # newest first
    total: int  # entries the caller may hear about
    disputed: int
    hidden: int
    page: int
    pages: int


@dataclass(frozen=True)
class _Entries:
    """The entries one request shows, loaded whole: the record panel's page and this call's
    own reports (for the end of the call, with the teams they sent)."""

    loaded: Mapping[int, Entry]
    on_call: tuple[int, ...] = ()  # this call's reports, the first logged first
    counted: _Counted | None = None  # None unless the record panel discloses

    def whole(self, ids) -> tuple[Entry, ...]:
        return tuple(self.loaded[entry_id] for entry_id in ids)


def _entries(
    decided: CallWorkspace,
    staff: StaffUser,
    areas: Areas,
    show: Show,
    for_steps: bool,
    page: int,
) -> _Entries:
    """The entries this request shows, in at most two statements. The disclosure rule is
    asked about every one of the resident's entries, from the four columns it reads, in one
    narrow query that also finds this call's reports; then only the page shown and those
    reports are loaded whole. A record with hundreds of entries costs one narrow query. A
    page of entries that is not there is "not found"."""
    call, disclosure = decided.call, decided.disclosure
    discloses = show.record and disclosure.allowed and call.resident_id is not None
    if show.record and not discloses and page != 1:
        raise NotFound
    if not discloses:
        loaded = _whole(_ON_CALL, call_id=call.id) if for_steps else {}
        return _Entries(loaded, on_call=tuple(sorted(loaded)))
    rows = db.session.execute(
        _FACTS_WITH_CALLS if for_steps else _FACTS,
        {"resident_id": call.resident_id, "call_id": call.id},
    ).all()
    facts = [row[:4] for row in rows if row.resident_id == call.resident_id]
    on_call = tuple(sorted(row.id for row in rows if for_steps and row.call_id == call.id))
    access = StaffAccess(areas=areas.staff, may_see_sensitive=staff.may_see_sensitive)
    counted = _count(facts, disclosure, access, page)
    wanted_ids = {*counted.page_ids, *on_call}
    loaded = _whole(_BY_ID, ids=sorted(wanted_ids)) if wanted_ids else {}
    return _Entries(loaded, on_call, counted)


def _whole(stmt: Select, **params) -> dict[int, Entry]:
    return {entry.id: entry for entry in db.session.scalars(stmt, params).unique()}


# The statements `_entries` reads with, built once. The four columns the disclosure rule reads
# of each of the resident's entries (and, for the steps, of this call's reports)...
_FACT_COLUMNS = (
    Entry.id,
    Entry.area_code,
    Entry.is_sensitive,
    Entry.status,
    Entry.resident_id,
    Entry.call_id,
)
_FACTS = (
    select(*_FACT_COLUMNS)
    .where(Entry.resident_id == bindparam("resident_id"))
    .order_by(*NEWEST_FIRST)
)
_FACTS_WITH_CALLS = (
    select(*_FACT_COLUMNS)
    .where(
        or_(Entry.resident_id == bindparam("resident_id"), Entry.call_id == bindparam("call_id"))
    )
    .order_by(*NEWEST_FIRST)
)
# ...and the entries shown, whole, with the teams they sent.
_WHOLE = select(Entry).options(joinedload(Entry.dispatches)).order_by(Entry.id)
_ON_CALL = _WHOLE.where(Entry.call_id == bindparam("call_id"))
_BY_ID = _WHOLE.where(Entry.id.in_(bindparam("ids", expanding=True)))


def _count(facts: list, disclosure: Disclosure, access: StaffAccess, page: int) -> _Counted:
    """Which entries the caller may hear about and the member of staff may see, the page of
    them shown, and how many are withheld as disputed or by need to know."""
    visible = [
        entry_id
        for entry_id, area_code, is_sensitive, status in facts
        if entry_visible_on_call(disclosure, access, area_code, is_sensitive, status)
    ]
    disputed = sum(
        entry_withheld_as_disputed(
            entry_visible_on_call(disclosure, access, area_code, is_sensitive, EntryStatus.ACTIVE),
            status,
        )
        for _, area_code, is_sensitive, status in facts
    )
    pages = page_count(len(visible), ENTRIES_PER_PAGE)
    if page < 1 or page > pages:
        raise NotFound
    page_ids = visible[(page - 1) * ENTRIES_PER_PAGE : page * ENTRIES_PER_PAGE]
    hidden = len(facts) - len(visible) - disputed
    return _Counted(tuple(page_ids), len(visible), disputed, hidden, page, pages)


# Deciding ----------------------------------------------------------------------------------


# The call, the permission its caller named, the service areas in use and whether any
# duty-to-share request was made on it: all the status poll reads, in one statement built once.
_STATUS_READ = (
    select(
        Call,
        select(func.aggregate_strings(ServiceAreaRecord.code, ","))
        .where(ServiceAreaRecord.is_active.is_(True))
        .scalar_subquery()
        .label("areas_in_use"),
        exists().where(ShareRequest.call_id == Call.id).label("has_shares"),
    )
    .where(Call.id == bindparam("call_id"))
    .options(joinedload(Call.permission))
    .execution_options(populate_existing=True)
)


def current_status(call_id: int, staff: StaffUser, now: datetime) -> CallStatus:
    """The status of the call `call_id` of `staff` at `now`, decided as the call page decides
    it (`_decide`), read for the page's poll alone: the call and what the decision needs of it
    in one statement, the share requests only when one was made. The disclosure decision is
    made afresh, as on every request. Anyone else's call is `NotFound`."""
    row = db.session.execute(_STATUS_READ, {"call_id": call_id}).unique().one_or_none()
    if row is None or row.Call.handler_id != staff.id:
        raise NotFound
    areas = frozenset(row.areas_in_use.split(",")) if row.areas_in_use else frozenset()
    decided, _ = _decide(row.Call, now, areas, shares_made=row.has_shares)
    return decided.status


def _decide(
    call: Call,
    now: datetime,
    areas_in_use: frozenset[str],
    today: date | None = None,
    checked: LockState | None = None,
    shares_made: bool = True,
) -> tuple[CallWorkspace, list[ShareRequest]]:
    """Whom the caller counts as verified as, how the call ended, the disclosure and the
    status, all at `now`; and the call's duty-to-share requests, read for the decision.

    The lock is read only while nobody is verified on an open call's record: it stops a
    verification, never takes one back. An ended call has no override in force, so no
    request is read for it, nor for a call known to have none (`shares_made` False)."""
    today = today or clock.local(now).date()
    closure = call_state.closure(call, now)
    standing = call_state.standing(call, now)
    is_open = closure is None
    line_live = is_open and call.line_ended is None
    about_resident = is_open and call.resident_id is not None
    lock = None
    if about_resident and standing.verified_as is VerifiedAs.NOBODY:
        lock = checked or verification.lock_state(call.resident_id, now)
    shares = duty_to_share.requests_on_call(call) if about_resident and shares_made else []
    caller = CallerOnCall(
        call_open=is_open,
        verified_as=standing.verified_as,
        permission=permissions.facts_for(call.permission) if call.permission else None,
        resident_locked=lock is not None and lock.locked,
        unverified_reason=standing.reason or "caller not verified",
    )
    decision = decide_disclosure_on_call(
        caller,
        today,
        areas_in_use,
        [duty_to_share.facts_for(request) for request in shares],
        # Nothing is shared with nobody: an override ends with the line as a verification does.
        CallNow(line_live, call.resident_id, duty_to_share.caller_on(call)),
    )
    status = call_status(call, closure, standing, decision, today)
    return CallWorkspace(call, now, closure, standing, lock, decision, status), shares


def _progress(call: Call, standing: Standing, lock: LockState | None) -> CallProgress:
    """What the steps need to know about the call. A lock counts only for a caller who could
    be verified and is not yet."""
    if call.resident_id is None:
        return CallProgress(has_resident=False)
    return CallProgress(
        has_resident=True,
        caller_type=call.caller_type,
        verified=standing.verified_as is not VerifiedAs.NOBODY,
        verified_as_resident=standing.is_resident,
        locked=verification_applies(call.caller_type) and lock is not None and lock.locked,
    )


def _needs(
    decided: CallWorkspace,
    steps: CallSteps,
    areas: Areas,
    counters: _Counters,
    shares: list[ShareRequest],
    entries: _Entries,
    logged: int | None,
) -> dict:
    """What each open step needs, worked out only for the steps open: a neighbour's call
    never asks for the verification forms' numbers, nor for the code waiting."""
    call, now = decided.call, decided.now
    needs: dict = {}
    if Step.FIND in steps.open:
        needs["find"] = _find_needs(call)
    if Step.CALLER in steps.open:
        holders = (
            permissions.holders_for_call(call.resident_id, clock.local(now).date())
            if call.resident_id is not None
            else []
        )
        needs["caller"] = CallerNeeds(tuple(holders))
    if Step.VERIFY in steps.open:
        needs["verify"] = _verify_needs(call, now)
    if Step.REPORT in steps.open:
        just_logged = entries.loaded.get(logged) if logged in entries.on_call else None
        needs["report"] = ReportNeeds(
            areas.active, call.caller_type is CallerType.UNKNOWN, call.resident_id, just_logged
        )
    if Step.CONSENT in steps.open:
        needs["consent"] = ConsentNeeds(areas.active)
    if Step.PHONES in steps.open:
        # Shown to the handler of the resident verified only: the step is also open, empty,
        # to show why a change posted after the verification lapsed was refused.
        shown = decided.standing.is_resident and call.resident is not None
        needs["phones"] = PhonesNeeds(
            numbers=tuple(phones.numbers_shown(_on_file(call.resident), now)) if shown else (),
            version=counters.numbers_version if shown else "",
            shown_for=verification.subject_token(call),
        )
    if Step.SHARE in steps.open:
        needs["share"] = ShareNeeds(tuple(shares))
    if Step.END in steps.open:
        reports = [
            LoggedReport(entry.summary, tuple(d.team for d in entry.dispatches))
            for entry in entries.whole(entries.on_call)
        ]
        verified = decided.standing.verified_as is not VerifiedAs.NOBODY
        needs["end"] = outcome_rules.end_defaults(
            reports,
            caller_verified=verified,
            caller_hung_up=call.line_ended is not None and not call.line_ended.by_handler,
        )
    return needs


def _find_needs(call: Call) -> FindNeeds:
    """The records the caller's number hints at, as the screen pop showed them: the call
    carries what the pop knew. One statement, and none for a withheld number."""
    hints = search.number_hints([call.caller_number]) if call.caller_number else {}
    by_record: dict[int, CallerHint] = {}
    for hint in hints.get(call.caller_number, []):
        by_record.setdefault(hint.resident_id, hint)  # a resident's own number first
    found = list(by_record.values())
    shown = waiting_calls.HINTS_PER_CALL
    return FindNeeds(tuple(found[:shown]), len(found) > shown)


def _verify_needs(call: Call, now: datetime) -> VerifyNeeds:
    """The checks' forms carry what the call says now; a code goes only to a number on file,
    and one put on file lately says so before any code is sent to it. A number on a
    representative's permission is not one of the resident's, and has no such hold."""
    holds = {}
    if call.resident is not None and not call.is_caller_representative:
        on_file = phones.numbers_shown(_on_file(call.resident), now)
        holds = {str(number.phone_id): number.held for number in on_file if number.held}
    return VerifyNeeds(
        policy=verification.verification_policy(),
        shown_for=verification.subject_token(call),
        code_numbers=tuple(text_codes.numbers_on_file(call)),
        holds=holds,
        pending_code=text_codes.pending_code(call),
        codes_unavailable=text_codes.codes_unavailable(call),
    )


def _on_file(resident: Resident) -> list[phone_rules.NumberOnFile]:
    """The resident's numbers as this request's read of the call loaded them."""
    return [
        phone_rules.NumberOnFile(phone.id, phone.number, phone.label, phone.added_at)
        for phone in resident.phones
    ]


def _record_panel(
    decided: CallWorkspace, staff: StaffUser, counters: _Counters, entries: _Entries
) -> RecordPanel:
    """The record panel: the decision, and only what it allows, audited with the entries it
    shows."""
    call, disclosure = decided.call, decided.disclosure
    warnings = {
        "hoax_warning": hoax_warning(counters.hoax_strikes),
        "cross_record_warning": cross_record_warning(
            counters.residents_failed, cross_record.cross_record_policy()
        ),
    }
    counted = entries.counted
    if counted is None:
        return RecordPanel(disclosure, decided.is_open, None, **warnings)
    _record_disclosure(call, staff, disclosure, list(counted.page_ids))
    shown = entries.whole(counted.page_ids)
    return RecordPanel(
        disclosure,
        decided.is_open,
        call.resident,
        entries=shown,
        hidden_entries=counted.hidden,
        disputed_entries=counted.disputed,
        disputable=tuple(e for e in shown if e.status is EntryStatus.ACTIVE)
        if decided.standing.is_resident
        else (),
        entries_page=counted.page,
        entries_pages=counted.pages,
        entries_total=counted.total,
        **warnings,
    )


@transactional(keep_loaded=True)
def _record_disclosure(
    call: Call, staff: StaffUser, disclosure: Disclosure, page_ids: list[int]
) -> None:
    """Audit a disclosure with the call it belongs to and the entries it showed, and mark a
    duty-to-share request disclosed the first time it is. What was read stays loaded."""
    duty_to_share.record_disclosures(call, staff, disclosure)
    audit.record_on_call(
        AuditAction.RECORD_DISCLOSED,
        call,
        staff_id=staff.id,
        purpose=f"call {call.id}",
        reason=disclosure.reason,
        entries=page_ids,
    )
