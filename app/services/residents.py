"""A resident's record seen outside a call (docs/rules.md rule 7, need to know).

Outside a call there is no caller whose verification could be the purpose of a
view, so the member of staff types one, and the view is audited with it.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Entry, LegalHold, Resident, StaffUser
from app.references import format_reference
from app.refusals import NotFound
from app.rules.audit_actions import AuditAction
from app.rules.dates import long_date
from app.rules.disclosure import entry_shown_outside_call, entry_withheld_as_disputed
from app.rules.lockout import LockState
from app.rules.need_to_know import RESIDENT_DETAILS, HiddenDetail, age_band, reference_ending
from app.rules.vocabulary import EntryStatus
from app.services import audit, legal_holds, reveals, verification
from app.services.calls import staff_access
from app.services.lookups import get_or_not_found
from app.services.search import street_of
from app.services.transactions import transactional

# The page that offers to reveal a resident's details: their record, opened with a reason.
RECORD_OPENED = frozenset({AuditAction.RECORD_VIEWED})
NEWEST_FIRST = (Entry.created_at.desc(), Entry.id.desc())


def get_resident_or_404(resident_id: int) -> Resident:
    return get_or_not_found(Resident, resident_id)


@dataclass(frozen=True)
class HiddenDetails:
    """What shows of a resident's verification answers outside a call, until one is revealed:
    enough to tell records apart, not enough to answer a security question."""

    age_band: str
    street: str
    town: str
    outward_postcode: str
    reference_ending: str

    def masked(self, detail: HiddenDetail) -> str:
        return {
            HiddenDetail.DATE_OF_BIRTH: f"Hidden (aged {self.age_band})",
            HiddenDetail.ADDRESS: f"{self.street}, {self.town} (house number hidden)",
            HiddenDetail.POSTCODE: f"{self.outward_postcode} (full postcode hidden)",
            HiddenDetail.REFERENCE: f"Hidden (ends in {self.reference_ending})",
        }[detail]


def hidden_details(resident: Resident, today: date) -> HiddenDetails:
    return HiddenDetails(
        age_band=age_band(resident.date_of_birth, today),
        street=street_of(resident.address_line_1),
        town=resident.town,
        outward_postcode=resident.outward_postcode,
        reference_ending=reference_ending(resident.reference),
    )


def resident_detail_or_404(name: str) -> HiddenDetail:
    """The resident's detail a reveal asks for; anything else is not found."""
    for detail in RESIDENT_DETAILS:
        if detail.value == name:
            return detail
    raise NotFound


@transactional
def reveal_detail(
    resident: Resident, detail: HiddenDetail, staff: StaffUser, reason: str, now: datetime
) -> reveals.Revealed:
    """Reveal one of the resident's hidden details to a member of staff who gives a reason,
    within their daily limit; audited without the value (app.services.reveals)."""
    message = reveals.reveal(staff, resident.id, detail, reason, now=now, opened=RECORD_OPENED)
    return reveals.Revealed(detail=detail, value=_value_of(resident, detail), message=message)


def _value_of(resident: Resident, detail: HiddenDetail) -> str:
    if detail is HiddenDetail.DATE_OF_BIRTH:
        return long_date(resident.date_of_birth)
    if detail is HiddenDetail.ADDRESS:
        lines = (resident.address_line_1, resident.address_line_2, resident.town)
        return ", ".join(line for line in lines if line)
    if detail is HiddenDetail.POSTCODE:
        return resident.postcode
    if detail is HiddenDetail.REFERENCE:
        return format_reference(resident.reference)
    raise ValueError(f"not a resident's detail: {detail}")


@dataclass(frozen=True)
class ResidentRecord:
    """What a member of staff sees of a record outside a call, once they have said why. The
    answers that verify a caller are masked in `hidden` until revealed one at a time."""

    resident: Resident
    entries: list[Entry]
    hidden_entries: int  # withheld by need to know or found incorrect, counted but not shown
    disputed_entries: int  # otherwise shown but left out while disputed: counted, not shown
    lock: LockState
    hidden: HiddenDetails
    legal_hold: LegalHold | None  # the hold in force on the record, if any


def view_record(resident_id: int, staff: StaffUser, purpose: str, today: date) -> ResidentRecord:
    """Load the record and the entries this member of staff may see, and audit the view
    with its purpose and the entries shown, in one transaction. `today` gives the age band
    shown in place of the date of birth."""
    resident, shown_ids, hidden_entries, disputed_entries, lock = _record_view(
        resident_id, staff, purpose
    )
    # The commit expired what was loaded: one query reloads the entries shown, not one each.
    shown = db.session.scalars(
        select(Entry).where(Entry.id.in_(shown_ids)).order_by(*NEWEST_FIRST)
    ).all()
    return ResidentRecord(
        resident=resident,
        entries=list(shown),
        hidden_entries=hidden_entries,
        disputed_entries=disputed_entries,
        lock=lock,
        hidden=hidden_details(resident, today),
        legal_hold=legal_holds.hold_in_force(resident.id),
    )


@transactional
def _record_view(
    resident_id: int, staff: StaffUser, purpose: str
) -> tuple[Resident, list[int], int, int, LockState]:
    """Audit the view of a record with the entries it shows: the ids shown, how many are
    withheld, how many of those are left out while disputed, and the verification lock."""
    resident = get_resident_or_404(resident_id)
    access = staff_access(staff)
    all_entries = db.session.scalars(
        select(Entry).where(Entry.resident_id == resident.id).order_by(*NEWEST_FIRST)
    ).all()
    shown_ids = [
        entry.id
        for entry in all_entries
        if entry_shown_outside_call(access, entry.area_code, entry.is_sensitive, entry.status)
    ]
    disputed = sum(
        entry_withheld_as_disputed(
            entry_shown_outside_call(
                access, entry.area_code, entry.is_sensitive, EntryStatus.ACTIVE
            ),
            entry.status,
        )
        for entry in all_entries
    )
    lock = verification.lock_state(resident.id)
    audit.record(
        AuditAction.RECORD_VIEWED,
        staff_id=staff.id,
        resident_id=resident.id,
        purpose=purpose,
        entries=shown_ids,
    )
    hidden = len(all_entries) - len(shown_ids) - disputed
    return resident, shown_ids, hidden, disputed, lock
