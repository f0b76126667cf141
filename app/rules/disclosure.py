"""What a handler may say to this caller, and which entries a member of staff may see
(docs/rules.md rules 1, 2, 5 and 7).

The caller's side and the staff side are decided separately and an entry shows on a call only
when both allow it. No Flask, no SQLAlchemy, no clock: the caller passes `today`.
"""

from dataclasses import dataclass
from datetime import date

from app.rules.dates import long_date
from app.rules.permissions import (
    PermissionFacts,
    PermissionState,
    describe_areas,
    effective_areas,
    permission_state,
)
from app.rules.vocabulary import EntryStatus, Labelled, Relationship


class VerifiedAs(Labelled):
    """Who the caller has been verified as on this call. Verification ends with the call."""

    NOBODY = "nobody", "Not verified"
    RESIDENT = "resident", "The resident"
    REPRESENTATIVE = "representative", "An authorised representative"


@dataclass(frozen=True)
class CallerOnCall:
    """What the disclosure gate needs to know about the caller on an open call."""

    call_open: bool
    verified_as: VerifiedAs
    permission: PermissionFacts | None  # the permission a representative verified against
    resident_locked: bool  # phone verification is locked for this resident
    # Why a caller counts as verified as nobody, shown after "Do not disclose: " (see
    # app.rules.call_verification.verification_standing).
    unverified_reason: str = "caller not verified"


@dataclass(frozen=True)
class Disclosure:
    """What the handler may discuss with this caller, and why, in words shown as they are."""

    allowed: bool
    reason: str
    areas: frozenset[str] = frozenset()  # empty when nothing may be disclosed
    may_act: bool = False  # may make changes on the resident's behalf
    all_areas: bool = False  # no service-area limit, including areas added later
    # Set when a duty-to-share override lets the handler disclose: the words shown on the
    # call page, "Disclosed under duty to share: <basis>" (app.rules.duty_to_share).
    duty_to_share: str | None = None


def decide_disclosure(caller: CallerOnCall, today: date, all_areas: frozenset[str]) -> Disclosure:
    """Say what the handler may discuss with this caller about this resident.

    Nothing is disclosed until the caller is verified on this call, and nothing once the call has
    ended. A caller verified as the resident may hear about every service area. A representative
    may hear about the areas their permission covers, only while it is active on `today`:
    revocation and expiry take effect at once, mid-call too.

    A lock on phone verification stops anyone being verified while it lasts; it does not take
    back a verification already made on this call, because the lock answers guessing and a
    caller who was verified before it was not guessing.
    """
    if not caller.call_open:
        return _refuse("call has ended")
    if caller.verified_as is VerifiedAs.RESIDENT:
        return Disclosure(
            allowed=True,
            reason="May discuss all council services: caller verified as the resident",
            areas=all_areas,
            may_act=True,
            all_areas=True,
        )
    if caller.verified_as is VerifiedAs.REPRESENTATIVE:
        return _decide_for_representative(caller.permission, today, all_areas)
    if caller.resident_locked:
        return _refuse("phone verification is locked")
    return _refuse(caller.unverified_reason)


def _decide_for_representative(
    p: PermissionFacts | None, today: date, all_areas: frozenset[str]
) -> Disclosure:
    if p is None:
        return _refuse("no permission chosen for this representative")
    state = permission_state(p, today)
    if state is PermissionState.REVOKED and p.revoked_at is not None:
        return _refuse(f"permission revoked on {long_date(p.revoked_at.date())}")
    if state is PermissionState.MATTER_CLOSED:
        return _refuse("permission ended when its matter was closed")
    if state is PermissionState.EXPIRED and p.expires_on is not None:
        return _refuse(f"permission expired on {long_date(p.expires_on)}")
    if state is PermissionState.NOT_STARTED:
        return _refuse(f"permission starts on {long_date(p.starts_on)}")
    if state is not PermissionState.ACTIVE:
        return _refuse("permission is not active")
    reach = effective_areas(p)
    areas = all_areas if reach is None else reach & all_areas
    if not areas and reach is not None:
        return _refuse(f"permission covers no council services ({p.kind.label})")
    expiry = f"expires {long_date(p.expires_on)}" if p.expires_on else "no expiry date"
    reason = f"May discuss {describe_areas(None if reach is None else areas)}: {p.kind.label}"
    reason += f", {expiry}"
    if not p.may_act:
        reason += "; disclosure only, no changes on the resident's behalf"
    return Disclosure(True, reason, areas, may_act=p.may_act, all_areas=reach is None)


def _refuse(why: str) -> Disclosure:
    return Disclosure(allowed=False, reason=f"Do not disclose: {why}")


def may_disclose_area(d: Disclosure, area: str) -> bool:
    """Say whether the handler may discuss `area` with the caller."""
    return d.allowed and (d.all_areas or area in d.areas)


@dataclass(frozen=True)
class StaffAccess:
    """What a member of staff's job lets them see (rule 7, need to know)."""

    areas: frozenset[str]
    may_see_sensitive: bool  # health, criminal record, ethnicity, religion


def staff_may_see_entry(staff: StaffAccess, entry_area: str, entry_sensitive: bool) -> bool:
    """Staff see entries of their own service areas; a sensitive entry also needs the
    sensitive-data permission."""
    return entry_area in staff.areas and (staff.may_see_sensitive or not entry_sensitive)


def shown_in_routine_view(status: EntryStatus) -> bool:
    """Only an entry in use shows in routine views. While disputed it is left out (withheld and
    counted, its content not shown) until a supervisor decides; once found incorrect or a hoax
    it stays out. Either way it is kept, never deleted, for audit and fraud prevention. The
    supervisor's dispute page is not a routine view and shows it in full."""
    return status is EntryStatus.ACTIVE


def disputed_notice(count: int) -> str | None:
    """What a routine view says in place of the disputed entries it withholds."""
    if count <= 0:
        return None
    if count == 1:
        return "1 entry is disputed and being investigated"
    return f"{count} entries are disputed and being investigated"


def dispatch_on_hold(entry_status: EntryStatus) -> bool:
    """A dispatch raised from a disputed entry is on hold until the dispute is decided: a team
    is not sent out on a report the resident says is wrong."""
    return entry_status is EntryStatus.DISPUTED


def entry_banner(status: EntryStatus) -> str | None:
    """The banner shown on an entry while, or after, it is disputed."""
    return {
        EntryStatus.ACTIVE: None,
        EntryStatus.DISPUTED: "Disputed by the resident and being investigated: do not rely on it",
        EntryStatus.UPHELD: "Found incorrect after a dispute: kept for audit only",
    }[status]


def entry_visible_on_call(
    disclosure: Disclosure,
    staff: StaffAccess,
    entry_area: str,
    entry_sensitive: bool,
    entry_status: EntryStatus = EntryStatus.ACTIVE,
) -> bool:
    """Show an entry on a call only when the caller may hear about its service area, the member
    of staff may see it, and it is in use: neither disputed nor found incorrect."""
    return (
        may_disclose_area(disclosure, entry_area)
        and staff_may_see_entry(staff, entry_area, entry_sensitive)
        and shown_in_routine_view(entry_status)
    )


def entry_shown_outside_call(
    staff: StaffAccess, entry_area: str, entry_sensitive: bool, entry_status: EntryStatus
) -> bool:
    """Show an entry outside a call only when the member of staff may see it and it is in use:
    neither disputed nor found incorrect. No caller limits what is shown there: only need to
    know and disputes do."""
    return staff_may_see_entry(staff, entry_area, entry_sensitive) and shown_in_routine_view(
        entry_status
    )


def entry_withheld_as_disputed(may_otherwise_see: bool, entry_status: EntryStatus) -> bool:
    """Whether an entry counts as "disputed and being investigated" in a routine view: one the
    caller and the member of staff could otherwise see, left out while its dispute is open.
    An entry they could not see anyway is not mentioned, disputed or not."""
    return may_otherwise_see and entry_status is EntryStatus.DISPUTED


UNVERIFIED_LABEL = "Reported in good faith, not verified"


def entry_label(reporter_relationship: Relationship, reporter_verified: bool) -> str | None:
    """The label an entry carries everywhere it shows, or None.

    Every entry from a reporter who was not verified is labelled, whatever relationship they
    gave: a caller who says they are the resident but was not verified is as unchecked as a
    neighbour.
    """
    return None if reporter_verified else UNVERIFIED_LABEL


# Who reported an entry, as a handler may put it to a caller: by relationship, never by name.
# "a " and the relationship's label ("a neighbour"), except where that does not read right.
_REPORTED_BY = {
    Relationship.OTHER_FAMILY: "a family member",
    Relationship.OTHER: "someone else",
    Relationship.NOT_GIVEN: "a caller who did not say who they were",
}


def reported_by_on_call(reporter_relationship: Relationship, reporter_verified: bool) -> str:
    """Who reported an entry, in the words a handler may say to the caller (rule 7).

    A third party who reported something is told to callers by relationship only ("Reported
    by a neighbour"), never by name or number: it takes neither. A resident who reported
    about themselves is "the resident" once verified; unverified, they may have been anyone.
    """
    if reporter_relationship is Relationship.SELF:
        who = "the resident" if reporter_verified else "someone who said they were the resident"
    else:
        who = _REPORTED_BY.get(reporter_relationship, f"a {reporter_relationship.in_sentence}")
    return f"Reported by {who}"
