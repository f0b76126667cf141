"""Rule 5: disputes. A resident says an entry on their record is wrong; a supervisor decides.

The entry is marked disputed the moment the dispute is opened. A supervisor decides within one
calendar month: upheld (the entry is marked incorrect, hidden from routine views and kept), or
not upheld (the entry is back in use, with reasons and the resident's right to complain to the
Information Commissioner's Office). Decisions are final records: a correction is a new decision
that supersedes the last one, never an edit. Nothing is ever deleted by a dispute.

An entry's state is always governed by its newest dispute: disputed while it is open, then as
its standing decision says. Only the newest dispute about an entry is decided or corrected; an
older one is settled for good once a newer one is opened, so no correction of it can change the
entry behind the newer one's back, and no entry ever has two disputes open.

Hoax strikes are not stored: a number has one strike for each dispute whose standing decision
is upheld on an entry it reported, so a correction to "not upheld" takes the strike away.

Plain Python: no Flask, no database, no clock.
"""

import calendar
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from app.rules.dates import long_date
from app.rules.vocabulary import DisputeStatus, EntryStatus

LONDON = ZoneInfo("Europe/London")
# A dispute due within this many days is flagged "due soon" in the supervisor's queue.
DUE_SOON_DAYS = 7

DECIDED = frozenset({DisputeStatus.UPHELD, DisputeStatus.NOT_UPHELD})

ICO_RIGHT = (
    "If you are unhappy with our decision, you have the right to complain to the Information "
    "Commissioner's Office (ICO): ico.org.uk/make-a-complaint or 0303 123 1113."
)

# Refusals, shown to staff as they are.
ALREADY_DISPUTED = "This entry is already disputed: a supervisor is looking into it"
ALREADY_UPHELD = "This entry was already found incorrect after a dispute"
NOT_THE_RESIDENTS_ENTRY = "This entry is not on the record of the resident on this call"
RESIDENT_NOT_VERIFIED = "Verify the caller as the resident before recording a dispute"
ALREADY_DECIDED = "Another supervisor decided this dispute while you were looking at it"
NOT_DECIDED_YET = "This dispute has no decision to correct yet"
DECISION_CHANGED = "The decision on this dispute changed while you were looking at it"
ENTER_REASONS = "Enter the reasons for the decision"
ENTER_STATEMENT = "Enter what the resident says is wrong with the entry"
SELECT_ENTRY = "Select the entry the resident disputes"
SELECT_REASON = "Select why the resident disputes the entry"
STATEMENT_MAX_LENGTH = 2000
SELECT_OUTCOME = "Select whether the dispute is upheld"
# A decision or correction of a dispute that a newer dispute about the same entry has followed.
NEWER_DISPUTE_OPEN = "Dispute {dispute} about this entry is open; decide that one"
NEWER_DISPUTE_DECIDED = (
    "Dispute {dispute} about this entry is newer and governs it; correct that one instead"
)


def add_one_month(day: date) -> date:
    """The same day next month; the last day of next month when next month is shorter
    (31 January gives 28 or 29 February, 31 March gives 30 April)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def london_date(moment: datetime) -> date:
    """The date in London at `moment`: a dispute opened at 00:30 in summer (23:30 UTC the day
    before) was opened on the London day."""
    if moment.tzinfo is None:
        raise ValueError("london_date needs a timezone-aware moment")
    return moment.astimezone(LONDON).date()


def response_due_on(opened_at: datetime) -> date:
    """The date by which the council must respond: one calendar month after the London date
    on which the dispute was opened."""
    return add_one_month(london_date(opened_at))


class Deadline(StrEnum):
    ON_TIME = "on-time"
    DUE_SOON = "due-soon"
    OVERDUE = "overdue"


DEADLINE_TAGS = {Deadline.ON_TIME: None, Deadline.DUE_SOON: "Due soon", Deadline.OVERDUE: "Overdue"}


def deadline_state(status: DisputeStatus, due_on: date, today: date) -> Deadline:
    """Where an open dispute stands against its deadline on `today` (a London date).

    It is overdue from the day after its due date, and due soon from `DUE_SOON_DAYS` days
    before it, the due date included. A decided dispute is never late.
    """
    if status is not DisputeStatus.OPEN:
        return Deadline.ON_TIME
    if today > due_on:
        return Deadline.OVERDUE
    if due_on - today <= timedelta(days=DUE_SOON_DAYS):
        return Deadline.DUE_SOON
    return Deadline.ON_TIME


@dataclass(frozen=True)
class DisputeOnEntry:
    """One dispute about an entry, as these rules need it: which one (a dispute opened later
    has a higher id), where it stands, and the reference staff know it by ("ABCD-EFGH-JKM")."""

    id: int
    status: DisputeStatus
    reference: str = ""


def refusal_to_open(
    entry_status: EntryStatus, disputes: Collection[DisputeOnEntry] = ()
) -> str | None:
    """Why an entry cannot be disputed now, or None when it can. An entry with a dispute open
    about it, or marked disputed, has its dispute under way; one already found incorrect is
    settled (a supervisor corrects the decision instead). `disputes` are the entry's disputes:
    an open one refuses a second, whatever the entry's state says."""
    if any(dispute.status is DisputeStatus.OPEN for dispute in disputes):
        return ALREADY_DISPUTED
    return {
        EntryStatus.ACTIVE: None,
        EntryStatus.DISPUTED: ALREADY_DISPUTED,
        EntryStatus.UPHELD: ALREADY_UPHELD,
    }[entry_status]


def entry_status_when_opened() -> EntryStatus:
    """An entry is marked disputed at once: banner on, left out of routine use."""
    return EntryStatus.DISPUTED


@dataclass(frozen=True)
class DecisionEffect:
    """What a decision does to the dispute and its entry. The entry is never deleted."""

    dispute_status: DisputeStatus
    entry_status: EntryStatus
    gives_hoax_strike: bool
    tells_ico_right: bool
    deletes_entry: bool = False


def refusal_to_decide(
    status: DisputeStatus, decisions_seen: int, decisions_made: int
) -> str | None:
    """Why a decision cannot be recorded, or None when it can.

    The supervisor decides on the dispute as they saw it: `decisions_seen` decisions had been
    made then, `decisions_made` now. A first decision needs an open dispute; a correction
    needs a decided one, and the decision it corrects must still be the standing one.
    """
    if decisions_seen == 0:
        return None if status is DisputeStatus.OPEN and decisions_made == 0 else ALREADY_DECIDED
    if status is DisputeStatus.OPEN:
        return NOT_DECIDED_YET
    return None if decisions_made == decisions_seen else DECISION_CHANGED


def decision_effect(outcome: DisputeStatus, reporter_number: str | None) -> DecisionEffect:
    """What a decision does.

    Upheld: the entry is marked incorrect (a hoax or wrong), hidden from routine views and
    kept for audit and fraud prevention; the number that reported it gets a hoax strike.
    Not upheld: the entry is back in use, and the resident is given the reasons and their
    right to complain to the Information Commissioner's Office.
    """
    if outcome is DisputeStatus.UPHELD:
        return DecisionEffect(
            dispute_status=DisputeStatus.UPHELD,
            entry_status=EntryStatus.UPHELD,
            gives_hoax_strike=reporter_number is not None,
            tells_ico_right=False,
        )
    if outcome is DisputeStatus.NOT_UPHELD:
        return DecisionEffect(
            dispute_status=DisputeStatus.NOT_UPHELD,
            entry_status=EntryStatus.ACTIVE,
            gives_hoax_strike=False,
            tells_ico_right=True,
        )
    raise ValueError(f"{outcome} is not a decision")


def entry_status_for(disputes: Collection[DisputeOnEntry]) -> EntryStatus:
    """The state an entry's disputes give it. Disputed while any dispute about it is open;
    otherwise as its newest dispute's standing decision says (upheld: marked incorrect; not
    upheld: back in use); in use when it was never disputed."""
    if not disputes:
        return EntryStatus.ACTIVE
    if any(dispute.status is DisputeStatus.OPEN for dispute in disputes):
        return EntryStatus.DISPUTED
    newest = max(disputes, key=lambda dispute: dispute.id)
    return decision_effect(newest.status, None).entry_status


@dataclass(frozen=True)
class Ruling:
    """What the rules say of a decision asked for: why it is refused, or the state the entry
    takes once it is recorded."""

    refusal: str | None = None
    entry_status: EntryStatus | None = None


def rule_on_decision(
    dispute: DisputeOnEntry,
    decisions_seen: int,
    decisions_made: int,
    outcome: DisputeStatus,
    others: Collection[DisputeOnEntry],
) -> Ruling:
    """Whether a supervisor's decision (or correction) of `dispute` is recorded, and the state
    it gives the entry. `others` are the entry's other disputes.

    The newest dispute about an entry governs it. A decision or correction of a dispute that a
    newer one has followed is refused, naming the newer one: decide it while it is open, or
    correct it once decided. Otherwise the decision must be made on the dispute as the
    supervisor saw it (`refusal_to_decide`). The entry then takes the state of its disputes
    with this decision recorded: never back in use while another dispute about it is open.
    """
    newer = [other for other in others if other.id > dispute.id]
    if newer:
        still_open = [other for other in newer if other.status is DisputeStatus.OPEN]
        governing = max(still_open or newer, key=lambda other: other.id)
        template = NEWER_DISPUTE_OPEN if still_open else NEWER_DISPUTE_DECIDED
        return Ruling(refusal=template.format(dispute=governing.reference or governing.id))
    refusal = refusal_to_decide(dispute.status, decisions_seen, decisions_made)
    if refusal is not None:
        return Ruling(refusal=refusal)
    decided = DisputeOnEntry(dispute.id, decision_effect(outcome, None).dispute_status)
    return Ruling(entry_status=entry_status_for([*others, decided]))


def recorded_message(due_on: date, reference: str) -> str:
    """What the handler sees once a dispute is recorded on a call: what to tell the resident,
    with the reference they can quote (`reference` as written, "ABCD-EFGH-JKM")."""
    return (
        "Dispute recorded: the entry is marked disputed. Give the resident their dispute "
        f"reference, {reference}, and tell them we will respond by {long_date(due_on)}"
    )


def dispatch_notice(entry_status: EntryStatus) -> str | None:
    """The note a team sees on a dispatch whose report was disputed, or found incorrect after
    a dispute: the correction notice the team is owed."""
    return {
        EntryStatus.ACTIVE: None,
        EntryStatus.DISPUTED: "The resident disputes the report behind this dispatch",
        EntryStatus.UPHELD: (
            "Correction: the report behind this dispatch was found incorrect after a dispute"
        ),
    }[entry_status]


def hoax_warning(strikes: int) -> str | None:
    """The warning a handler sees when a number with hoax strikes calls: a warning, never a
    block (rule 6)."""
    if strikes <= 0:
        return None
    if strikes == 1:
        return "1 earlier report from this number was upheld as a hoax"
    return f"{strikes} earlier reports from this number were upheld as hoaxes"
