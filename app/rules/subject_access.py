"""A subject access export: everything held about one resident, for the resident.

What is withheld from it, how its disclosure log words each time the council discussed the
resident's information and with whom, who may download it and for how long. No Flask, no
SQLAlchemy, no clock: the caller passes `now`.
"""

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.rules.dates import long_date
from app.rules.disclosure import VerifiedAs
from app.rules.vocabulary import CallerType, ExportSection, PermissionKind, Relationship

SECTIONS: tuple[ExportSection, ...] = tuple(ExportSection)

# How long the supervisor who asked may download an export. The zip is built on each
# download and never stored, so nothing from the record outlives the request's row.
EXPORT_LIFETIME = timedelta(hours=24)

WITHHELD = "[withheld: third party]"

REASON_MIN_LENGTH = 10
REASON_MAX_LENGTH = 500
ENTER_REFERENCE = "Enter the resident's reference number"
REFERENCE_FORMAT = "Enter a reference number like ABCD-EFGH-JKM: 11 letters and numbers"
REFERENCE_NOT_FOUND = "No resident has that reference number. Check it and try again"
ENTER_REASON = "Enter the request this export answers, in at least 10 characters"
ENTER_THIRD_PARTY_REASON = (
    "Enter why third parties' names and numbers should be included, in at least 10 characters"
)
NOT_YOURS = "Only the supervisor who started this export can see or download it"
EXPIRED = "This export has expired. Start a new one if you still need it"
NOT_READY = "This export is still being gathered"


# --- third parties -----------------------------------------------------------------------

# A UK number as people type it (07700 900123, 0116 496 0123, (0116) 4960123,
# +44 7700 900123, +44 (0)7700 900123) or any number in E.164 (+447700900123). Digits before
# or after it make it something else (an account number), so it must stand alone.
_PHONE_NUMBER = re.compile(
    r"(?<![\d+])"
    r"(?:"
    r"(?:\+44\s?(?:\(0\)\s?)?|\(?0)(?:\d[\s\-)]{0,2}){8,9}\d"
    r"|\+\d{8,15}"
    r")"
    r"(?!\d)"
)


def reporter_is_the_resident(relationship: Relationship, verified: bool) -> bool:
    """Whether whoever reported an entry was the resident: said so, and was verified. Someone
    who said they were the resident and was not checked may have been anyone."""
    return relationship is Relationship.SELF and verified


@dataclass(frozen=True)
class CallerWithholding:
    name: bool  # the caller's name is a third party's
    number: bool  # the caller's number is a third party's


def caller_withholding(caller_type: CallerType, verified_as: VerifiedAs) -> CallerWithholding:
    """Whose a caller's name and number are. A caller verified as the resident gave the
    resident's own. A caller verified as a representative is named (the disclosure log names
    them too), but their number is theirs, not the resident's. Anyone else, or anyone who
    said who they were and was not verified as that, is a third party."""
    if caller_type is CallerType.RESIDENT and verified_as is VerifiedAs.RESIDENT:
        return CallerWithholding(name=False, number=False)
    if caller_type is CallerType.REPRESENTATIVE and verified_as is VerifiedAs.REPRESENTATIVE:
        return CallerWithholding(name=False, number=True)
    return CallerWithholding(name=True, number=True)


def third_party_value(value: str | None, *, include: bool, own: Collection[str] = ()) -> str | None:
    """A third party's name or number as the export shows it: withheld, with a marker saying
    so, unless the supervisor chose to include third parties (with a recorded reason). A
    number on the resident's own record (`own`) is theirs already and always shown. Nothing
    recorded stays nothing."""
    if value is None or value == "" or value in own:
        return value
    return value if include else WITHHELD


@dataclass(frozen=True)
class Redacted:
    text: str
    withheld: int  # how many numbers were withheld from it


def withhold_phone_numbers(text: str | None, *, include: bool) -> Redacted:
    """Free text typed by staff (what was reported, a call's summary) with the phone numbers
    in it withheld, unless third parties are included. Only numbers that can be recognised
    reliably are withheld; names typed in free text cannot be, and are left as typed."""
    if not text:
        return Redacted(text or "", 0)
    if include:
        return Redacted(text, 0)
    found = _PHONE_NUMBER.findall(text)
    return Redacted(_PHONE_NUMBER.sub(WITHHELD, text), len(found))


# --- the disclosure log ------------------------------------------------------------------

_RELATIONSHIP_WORDS = {
    Relationship.SELF: "you",
    Relationship.OTHER_FAMILY: "a member of your family",
    Relationship.PROFESSIONAL: "a professional (GP, social worker, police)",
    Relationship.COUNCILLOR_MP: "a councillor or MP",
    Relationship.OTHER: "someone else",
    Relationship.NOT_GIVEN: "someone who did not say who they are to you",
}


def relationship_words(relationship: Relationship) -> str:
    """Who someone is to the resident, said to the resident: "your son or daughter",
    "your neighbour". Taken from the relationship's label where "your" reads right."""
    if relationship in _RELATIONSHIP_WORDS:
        return _RELATIONSHIP_WORDS[relationship]
    return f"your {relationship.in_sentence}"


_BASIS_WORDS = {
    PermissionKind.VERBAL: "with the consent you gave us on a call",
    PermissionKind.WRITTEN: "with your written consent",
    PermissionKind.DEPUTYSHIP: "as your deputy appointed by the Court of Protection",
    PermissionKind.DWP_APPOINTEE: "as your appointee for benefits (DWP)",
}


def basis_words(kind: PermissionKind) -> str:
    """Under what a representative was told, said to the resident: "under your Lasting
    Power of Attorney (property and financial)"."""
    return _BASIS_WORDS.get(kind, f"under your {kind.label}")


@dataclass(frozen=True)
class DisclosureLine:
    """One time the council discussed the resident's information, and with whom."""

    on: date
    told: str  # "Your son or daughter, Dana Adeyemi"
    basis: str  # "under your Lasting Power of Attorney (property and financial)"
    about: str  # what could be discussed: "council tax only", "all council services"

    @property
    def text(self) -> str:
        return f"{self.told}, {self.basis}, {long_date(self.on)}"


RESIDENT_VERIFIED_REASON = "caller verified as the resident"


def who_was_told(detail: Mapping) -> VerifiedAs:
    """Whom a disclosure on a call was made to, from its audit event: the event names it when
    it says so, otherwise its reason does. A disclosure to the resident says the caller was
    verified as the resident; one to a representative names the kind of their permission
    ("May discuss council tax only: Lasting Power of Attorney ..."). Any other was made under
    the duty to share alone, which has its own event, so it is nobody's here."""
    named = detail.get("verified_as")
    if named in {member.value for member in VerifiedAs}:
        return VerifiedAs(named)
    reason = str(detail.get("reason", ""))
    if reason.endswith(RESIDENT_VERIFIED_REASON):
        return VerifiedAs.RESIDENT
    if any(f": {kind.label}" in reason for kind in PermissionKind):
        return VerifiedAs.REPRESENTATIVE
    return VerifiedAs.NOBODY


@dataclass(frozen=True)
class Representative:
    """The permission a representative was told under, as the export names it."""

    name: str
    relationship: Relationship
    kind: PermissionKind
    scope: str  # "council tax only"


def disclosure_on_call(
    on: date, verified_as: VerifiedAs, representative: Representative | None
) -> DisclosureLine:
    """Word a disclosure made on a call. The resident is told it was them; a representative is
    named, with who they are to the resident and the permission they were told under."""
    if verified_as is VerifiedAs.RESIDENT:
        return DisclosureLine(
            on, "You", "after we checked it was you on the phone", "all council services"
        )
    if representative is None:
        return DisclosureLine(
            on,
            "Someone acting for you",
            "under a permission we no longer hold the details of",
            "not recorded",
        )
    who = relationship_words(representative.relationship)
    return DisclosureLine(
        on,
        f"{who[0].upper()}{who[1:]}, {representative.name}",
        basis_words(representative.kind),
        representative.scope,
    )


def disclosure_under_duty_to_share(on: date, detail: Mapping) -> DisclosureLine:
    """Word a disclosure made under the duty to share, from its audit event
    ("call.duty_to_share_disclosed": basis, areas, caller). The reason typed for it is not
    part of the log: it may be about someone else."""
    areas = [str(area) for area in detail.get("areas") or []]
    return DisclosureLine(
        on,
        str(detail.get("caller") or "A caller whose name was not recorded"),
        f"Disclosed under duty to share: {detail.get('basis') or 'basis not recorded'}",
        ", ".join(areas) if areas else "not recorded",
    )


# --- progress and download -----------------------------------------------------------------


def progress_text(done: int, total: int = len(SECTIONS)) -> str:
    """How far gathering has gone, in words shown next to the progress bar."""
    return f"{done} of {total} sections"


def expires_at(created_at: datetime) -> datetime:
    return created_at + EXPORT_LIFETIME


def download_refusal(
    *, requested_by_id: int, staff_id: int, ready: bool, expires: datetime, now: datetime
) -> str | None:
    """Why this member of staff may not download this export now, or None if they may.
    Only the supervisor who started it may, once it is gathered, until it expires."""
    if staff_id != requested_by_id:
        return NOT_YOURS
    if now >= expires:
        return EXPIRED
    if not ready:
        return NOT_READY
    return None
