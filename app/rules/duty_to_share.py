"""Sharing without the resident's permission where the law requires it (docs/rules.md,
"Duty to share").

In an emergency (a risk to life, safeguarding, a police request with a lawful basis, a court
order) a handler on a live call asks to tell the caller about a resident without the
resident's permission. The request names its lawful basis, a reason and the service areas
asked for; a supervisor approves it (perhaps for fewer areas) or refuses it. An urgent
request lets the handler go ahead at once, and a supervisor decides afterwards, within 24
hours.

What it lets the handler say is added to what the disclosure gate (app.rules.disclosure)
allows, never more: only the areas approved (or, for an urgent request not yet decided, asked
for), only on the call it was made on, only while that call lasts and is still about the same
resident and the same caller. A refused request shows nothing. No Flask, no database, no
clock: the caller passes `now`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.rules.disclosure import CallerOnCall, Disclosure, decide_disclosure
from app.rules.permissions import describe_areas
from app.rules.typed_text import trimmed
from app.rules.vocabulary import LawfulBasis, ShareRequestStatus

REASON_MIN_LENGTH = 10
REASON_MAX_LENGTH = 1000
OFFICER_MAX_LENGTH = 300
DECISION_REASON_MAX_LENGTH = 1000
# An urgent request is acted on at once; a supervisor must decide it within this long.
DECISION_WINDOW = timedelta(hours=24)

# Messages a form and the service both give, written once.
SELECT_BASIS = "Select the lawful basis for sharing"
ENTER_REASON = f"Enter why you need to share, in at least {REASON_MIN_LENGTH} characters"
ENTER_OFFICER = "Enter the requesting officer's name, rank, force and collar number"
SELECT_AREAS = "Select the service areas you need to discuss"
AREAS_NOT_OFFERED = "Select only service areas from the list"
SELECT_DECISION = "Select whether you approve or refuse the request"
SELECT_APPROVED_AREAS = "Select the service areas you approve, from those asked for"
ENTER_REFUSAL_REASON = "Enter why you are refusing the request"
ENTER_APPROVAL_REASON = "Enter why you are approving the request"

NO_RESIDENT = "Choose the resident's record before asking to share without consent"
NO_CALLER = "Record who is calling before asking to share without consent"
ALREADY_VERIFIED = (
    "The caller is verified as the resident: you may already discuss all council services"
)
ALREADY_WAITING = "A request on this call is already waiting for a supervisor"
OWN_REQUEST = "You cannot decide a request you made: ask another supervisor"
ALREADY_DECIDED = "This request has already been {status}. Nothing was changed"
CALL_ENDED = "The call ended before a decision: nothing was shared, and there is nothing to decide"
NOT_A_SUPERVISOR = "Only a supervisor can decide a request to share without consent"


@dataclass(frozen=True)
class ShareRequestFacts:
    """What the rule needs to know about one duty-to-share request."""

    status: ShareRequestStatus
    urgent: bool
    basis: LawfulBasis
    resident_id: int
    caller: str  # the caller as recorded on the call when the handler asked
    areas_requested: frozenset[str]
    areas_approved: frozenset[str] | None = None  # set when approved


@dataclass(frozen=True)
class ShareAsk:
    """What a handler asks for, as plain values."""

    basis: LawfulBasis | None
    reason: str
    officer: str
    areas: frozenset[str]
    urgent: bool


@dataclass(frozen=True)
class CallNow:
    """The call a request was made on, as it stands now."""

    is_open: bool
    resident_id: int | None
    caller: str  # the caller as recorded on the call now


def areas_in_force(request: ShareRequestFacts, call: CallNow) -> frozenset[str]:
    """The service areas a request lets the handler discuss on its call now.

    Nothing once the call has ended, nor once the call is about another resident or another
    caller: the request was for that caller about that resident. A refused request gives
    nothing, and neither does one still waiting unless the handler marked it urgent, in which
    case it gives the areas asked for until a supervisor decides. An approved request gives
    the areas the supervisor approved.
    """
    if not call.is_open or call.resident_id != request.resident_id:
        return frozenset()
    if call.caller != request.caller:
        return frozenset()
    if request.status is ShareRequestStatus.APPROVED:
        return request.areas_approved or frozenset()
    if request.status is ShareRequestStatus.PENDING and request.urgent:
        return request.areas_requested
    return frozenset()


def banner(bases: Iterable[LawfulBasis]) -> str:
    """The words shown on the call page while an override lets the handler disclose."""
    labels = list(dict.fromkeys(basis.label for basis in bases))
    return "Disclosed under duty to share: " + "; ".join(labels)


def decide_override(
    requests: Iterable[ShareRequestFacts], call: CallNow, all_areas: frozenset[str]
) -> Disclosure | None:
    """What the call's duty-to-share requests let the handler discuss now, or None when they
    let nothing. Only service areas in use count. The override never lets the handler make
    changes on the resident's behalf."""
    areas: frozenset[str] = frozenset()
    bases: list[LawfulBasis] = []
    waiting = False
    for request in requests:
        reach = areas_in_force(request, call) & all_areas
        if reach:
            areas |= reach
            bases.append(request.basis)
            waiting = waiting or request.status is ShareRequestStatus.PENDING
    if not areas:
        return None
    words = banner(bases)
    reason = f"{words}. May discuss {describe_areas(areas)}"
    if waiting:
        reason += "; urgent, not yet approved by a supervisor"
    return Disclosure(True, reason, areas, may_act=False, all_areas=False, duty_to_share=words)


def combine(gate: Disclosure, override: Disclosure | None) -> Disclosure:
    """What the handler may discuss: what the disclosure gate allows, and what an override
    adds to it.

    A caller verified as the resident may hear everything already, so an override adds
    nothing and is not said to be in use. Otherwise the areas are those of both, only the
    gate lets the handler act on the resident's behalf, and the override's words are shown.
    """
    if override is None or not override.allowed:
        return gate
    if gate.allowed and gate.all_areas:
        return gate
    if not gate.allowed:
        return override
    return Disclosure(
        allowed=True,
        reason=gate.reason,
        areas=gate.areas | override.areas,
        may_act=gate.may_act,
        all_areas=False,
        duty_to_share=override.duty_to_share,
    )


def decide_disclosure_on_call(
    caller: CallerOnCall,
    today: date,
    all_areas: frozenset[str],
    requests: Iterable[ShareRequestFacts],
    call: CallNow,
) -> Disclosure:
    """The disclosure gate on a call, with any duty-to-share override: what the handler may
    discuss with this caller about this resident now. Every view of a call asks this."""
    return combine(
        decide_disclosure(caller, today, all_areas), decide_override(requests, call, all_areas)
    )


def refusal_to_request(
    *,
    resident_selected: bool,
    caller_recorded: bool,
    verified_as_resident: bool,
    has_waiting_request: bool,
) -> str | None:
    """Why a handler may not ask to share on this call now, or None if they may.

    Only the handler of a live call asks (the service finds the call for its handler only).
    The call must be about a resident with the caller recorded, since the request is for
    that caller about that resident. A caller verified as the resident needs no override.
    One request waits for a supervisor at a time.
    """
    if not resident_selected:
        return NO_RESIDENT
    if not caller_recorded:
        return NO_CALLER
    if verified_as_resident:
        return ALREADY_VERIFIED
    if has_waiting_request:
        return ALREADY_WAITING
    return None


def request_problem(
    basis: LawfulBasis | None,
    reason: str,
    officer: str,
    areas: frozenset[str],
    offered: frozenset[str],
) -> tuple[str, str] | None:
    """What is wrong with a request as asked (field, message), or None.

    A lawful basis from the list, a reason of at least a few words, the requesting officer's
    details for a police request, and at least one service area, all from those in use.
    """
    if basis is None:
        return "basis", SELECT_BASIS
    if len(reason.strip()) < REASON_MIN_LENGTH or len(reason) > REASON_MAX_LENGTH:
        return "reason", ENTER_REASON
    if basis is LawfulBasis.CRIME and not officer.strip():
        return "officer", ENTER_OFFICER
    if not areas:
        return "areas", SELECT_AREAS
    if not areas <= offered:
        return "areas", AREAS_NOT_OFFERED
    return None


def has_lapsed(status: ShareRequestStatus, urgent: bool, call_open: bool) -> bool:
    """A request that was not urgent and whose call ended before a supervisor decided it:
    nothing was shared under it, and nothing ever can be, so there is nothing to decide. An
    urgent one was acted on, so it is still decided after its call."""
    return status is ShareRequestStatus.PENDING and not urgent and not call_open


def refusal_to_decide(
    status: ShareRequestStatus,
    requested_by_id: int | None,
    decider_id: int,
    is_supervisor: bool,
    *,
    urgent: bool = True,
    call_open: bool = True,
) -> str | None:
    """Why this member of staff may not decide this request, or None if they may.

    Only a supervisor decides, never on a request they made themselves, and a request is
    decided once: approved or refused, it stays so. A request that lapsed with its call is
    not decided at all.
    """
    if not is_supervisor:
        return NOT_A_SUPERVISOR
    if status is not ShareRequestStatus.PENDING:
        return ALREADY_DECIDED.format(status=status.label.lower())
    if has_lapsed(status, urgent, call_open):
        return CALL_ENDED
    if requested_by_id == decider_id:
        return OWN_REQUEST
    return None


def decision_reason_problem(approve: bool, reason: str) -> str | None:
    """A decision on sharing without consent is recorded with its reasons, whichever way it
    goes: an approval is the decision the resident and the regulator most need explained."""
    if trimmed(reason):
        return None
    return ENTER_APPROVAL_REASON if approve else ENTER_REFUSAL_REASON


def approved_areas(requested: frozenset[str], chosen: frozenset[str]) -> frozenset[str] | None:
    """The areas a supervisor approves: some or all of those asked for, never others, never
    none (to share nothing, refuse). None when the choice is not allowed."""
    if not chosen or not chosen <= requested:
        return None
    return chosen


def decision_due(requested_at: datetime) -> datetime:
    """When a supervisor must have decided a request by."""
    return requested_at + DECISION_WINDOW


def is_overdue(
    status: ShareRequestStatus, urgent: bool, requested_at: datetime, now: datetime
) -> bool:
    """An urgent request acted on at once and still not decided more than 24 hours after it
    was made. Exactly 24 hours is still on time."""
    return status is ShareRequestStatus.PENDING and urgent and now > decision_due(requested_at)


def describe_caller(caller_type_label: str, name: str | None, relationship: str | None) -> str:
    """The caller as recorded on the call, in words: who the request is for."""
    parts = [caller_type_label]
    if name:
        parts.append(name)
    if relationship:
        parts.append(relationship)
    return ", ".join(parts)
