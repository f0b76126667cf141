"""The console: what each member of staff has waiting for them, with a count and a link.

Handlers see their own open calls and the calls waiting to be taken; supervisors see locked
records, disputes near or past their deadline and residents' requests to end a legal
authority; supervisors and administrators, requests to share without consent waiting for a
decision; administrators, active accounts whose role must use two-factor sign-in and that have not
set it up. Each sees a line only for what
their role may do (app/rules/capabilities.py), the capability the linked page requires.
Counts come from the same queries as the pages they link to, so the two always agree.
"""

from dataclasses import dataclass, field
from datetime import datetime

from app import clock
from app.models import StaffUser
from app.rules.capabilities import Capability
from app.services import (
    authority_ends,
    calls,
    disputes,
    duty_to_share,
    verification,
    waiting_calls,
)
from app.services import staff as staff_accounts

# The staff list's filter (app/admin/views.py) for the accounts the console counts.
WITHOUT_TWO_FACTOR = "two-factor-not-set-up"


@dataclass(frozen=True)
class ToDo:
    """One line of the console: "2 calls waiting", and where to deal with them."""

    what: str  # the thing counted, singular: "call waiting to be taken"
    what_plural: str
    count: int
    endpoint: str
    link_text: str
    args: dict = field(default_factory=dict)

    @property
    def counted(self) -> str:
        return f"{self.count} {self.what if self.count == 1 else self.what_plural}"


@dataclass(frozen=True)
class Console:
    takes_calls: bool  # the role works calls: its own open calls are listed
    open_calls: list[calls.OpenCall]  # the member of staff's own calls, still open
    to_do: list[ToDo]


def console_for(staff: StaffUser, now: datetime) -> Console:
    """What this member of staff has waiting at `now`: a line for each thing their role may
    do, counted only then. It writes nothing."""
    to_do: list[ToDo] = []
    open_calls: list[calls.OpenCall] = []
    takes_calls = staff.can(Capability.TAKE_CALLS)
    if takes_calls:
        open_calls = calls.open_calls_for(staff, now)
        waiting = waiting_calls.waiting_count()
        to_do.append(
            ToDo("call waiting to be taken", "calls waiting to be taken", waiting,
                 "calls.index", "Go to calls")
        )  # fmt: skip
    if staff.can(Capability.UNLOCK_RECORDS):
        _, locked = verification.locked_residents(page=1, per_page=1)
        to_do.append(
            ToDo("record with phone verification locked", "records with phone verification "
                 "locked", locked, "locks.index", "Review locked records")
        )  # fmt: skip
    if staff.can(Capability.DECIDE_DISPUTES):
        due = disputes.open_disputes_near_deadline(staff, clock.day_of(now))
        to_do.append(
            ToDo("dispute due soon or overdue", "disputes due soon or overdue", due,
                 "disputes.index", "Go to disputes")
        )  # fmt: skip
    if staff.can(Capability.DECIDE_DUTY_TO_SHARE):
        shares = duty_to_share.waiting_counts(now)
        to_do.append(
            ToDo("request to share without consent waiting for a decision",
                 "requests to share without consent waiting for a decision", shares.waiting,
                 "duty_to_share.index", "Decide requests to share")
        )  # fmt: skip
    if staff.can(Capability.DECIDE_AUTHORITY_ENDS):
        to_do.append(
            ToDo("request to end a legal authority waiting for a decision",
                 "requests to end a legal authority waiting for a decision",
                 authority_ends.waiting_count(), "permissions.end_requests",
                 "Decide requests to end")
        )  # fmt: skip
    if staff.can(Capability.MANAGE_STAFF):
        to_do.append(
            ToDo("account that must set up two-factor sign-in and has not",
                 "accounts that must set up two-factor sign-in and have not",
                 staff_accounts.count_without_two_factor(), "admin.index", "See who",
                 {"show": WITHOUT_TWO_FACTOR})
        )  # fmt: skip
    return Console(takes_calls=takes_calls, open_calls=open_calls, to_do=to_do)
