"""What a team sent out is shown of its dispatch (docs/rules.md, "Dispatches: what a team is
shown"): where to go and what was reported, and no more than need to know allows.

A dispatch is listed only to staff of its service area. A team may act on it only while its
report is in use: while the resident disputes the report the dispatch is on hold, and once the
report is found incorrect it carries a correction; either way the team is shown neither the
address nor the report, only that it must not act. A report marked sensitive is shown only to
staff with the sensitive-data permission; the address and what to do are shown to the team
either way, since it cannot act without them.
"""

from dataclasses import dataclass, replace

from app.rules.disclosure import StaffAccess, dispatch_on_hold, staff_may_see_entry
from app.rules.vocabulary import EntryStatus

SENSITIVE_REPORT = (
    "The report is marked sensitive: you need permission to see sensitive entries to read it"
)
ON_HOLD = "Do not act on it until the resident's dispute about the report is decided"
CORRECTED = "The report was found incorrect after a dispute: do not act on it"


@dataclass(frozen=True)
class DispatchShown:
    """What a member of staff is shown of one dispatch."""

    listed: bool  # in their service areas: listed and opened at all
    may_act: bool  # the report is in use: the team may go
    address: bool  # the resident's name and address
    instructions: bool  # what the team should do
    report: bool  # the report's own words
    withheld: str | None = None  # why something is not shown, in the team's words

    @property
    def shows_record(self) -> bool:
        """Something of the resident's record is shown: a view of it, audited."""
        return self.address or self.report


NOTHING = DispatchShown(
    listed=False, may_act=False, address=False, instructions=False, report=False
)


def dispatch_shown(
    staff: StaffAccess, entry_area: str, entry_sensitive: bool, entry_status: EntryStatus
) -> DispatchShown:
    """What this member of staff is shown of a dispatch raised from an entry of `entry_area`,
    sensitive or not, whose report stands at `entry_status`.

    Staff outside the area are shown nothing, the dispatch not even listed. A dispatch on hold
    (its report disputed) or corrected (found incorrect) shows only that it must not be acted
    on. Otherwise the team is shown where to go and what to do, and the report itself unless it
    is sensitive and they lack the permission.
    """
    if entry_area not in staff.areas:
        return NOTHING
    if entry_status is not EntryStatus.ACTIVE:
        withheld = ON_HOLD if dispatch_on_hold(entry_status) else CORRECTED
        return replace(NOTHING, listed=True, withheld=withheld)
    report = staff_may_see_entry(staff, entry_area, entry_sensitive)
    return DispatchShown(
        listed=True,
        may_act=True,
        address=True,
        instructions=True,
        report=report,
        withheld=None if report else SENSITIVE_REPORT,
    )
