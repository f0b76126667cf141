"""Who may speak for a resident, about what, until when (docs/rules.md rule 4).

A permission is the resident's say-so that someone else may be told about them. These rules
decide whether a permission is in force on a given day and which service areas it reaches.
No Flask, no SQLAlchemy, no clock: the caller passes `today`.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime

from app.rules.vocabulary import (
    Labelled,
    PermissionKind,
    Relationship,
    RepresentativeCheck,
    ServiceArea,
)

MONEY_TOPICS = frozenset({ServiceArea.COUNCIL_TAX, ServiceArea.BENEFITS, ServiceArea.HOUSING})
CARE_TOPICS = frozenset({ServiceArea.ADULT_SOCIAL_CARE})

# The furthest a kind of permission can ever reach, whatever scope was recorded; None means the
# recorded scope alone decides.
# - An LPA for property and financial affairs is about money; one for health and welfare is about
#   care (the Office of the Public Guardian's two LPA types).
# - A DWP appointee manages the resident's social security benefits. Housing benefit and council
#   tax reduction are means-tested benefits that councils assess with council tax, so appointees
#   are accepted for benefits and council tax, but not for a tenancy (housing) or for care.
# - A deputyship order may be for property and affairs or for personal welfare, and the kind does
#   not say which: the supervisor records the areas the court order names, and that scope decides.
# - Verbal and written consent reach exactly what the resident said or signed.
KIND_TOPICS: dict[PermissionKind, frozenset[str] | None] = {
    PermissionKind.VERBAL: None,
    PermissionKind.WRITTEN: None,
    PermissionKind.LPA_PROPERTY_FINANCIAL: MONEY_TOPICS,
    PermissionKind.LPA_HEALTH_WELFARE: CARE_TOPICS,
    PermissionKind.DEPUTYSHIP: None,
    PermissionKind.DWP_APPOINTEE: frozenset({ServiceArea.BENEFITS, ServiceArea.COUNCIL_TAX}),
}


WRITTEN_KINDS = tuple(kind for kind in PermissionKind if kind is not PermissionKind.VERBAL)
LPA_KINDS = frozenset({PermissionKind.LPA_PROPERTY_FINANCIAL, PermissionKind.LPA_HEALTH_WELFARE})

# What staff are told when a permission cannot be recorded or changed as typed. The forms check
# each field as it is typed and the service refuses whatever reaches it, in the same words.
NAME_MISSING = "Enter the representative's full name"
RELATIONSHIP_MISSING = "Select the representative's relationship to the resident"
PHONE_INVALID = "Enter the representative's phone number in the correct format, like 07700 900123"
EVIDENCE_REFERENCE_MISSING = (
    "Enter the evidence reference, such as the document or court order number"
)
ACCESS_CODE_NOT_LPA = "Only a Lasting Power of Attorney has an access code"
ACCESS_CODE_MALFORMED = "Enter the access code as it was given, like V-ABCD-1234-EFGH"
EXPIRY_NOT_AFTER_START = "The expiry date must be after the start date"
AREAS_MISSING = "Select all council services, or at least one service area"
AREAS_UNKNOWN = "Select service areas from the list"
SAFEGUARDING_NOT_CONFIRMED = "Confirm the safeguarding questions before recording a permission"
REVOKE_REASON_MISSING = "Enter why the permission is being revoked"
MATTER_NOTE_MISSING = "Enter how the matter was closed"

# An access code from the Office of the Public Guardian's "View an LPA" service looks like
# V-XXXX-XXXX-XXXX. Checked loosely: a typo in the grouping is not a reason to refuse it.
_LPA_ACCESS_CODE = re.compile(r"V?[A-Z0-9]{12}")
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015]")


@dataclass(frozen=True)
class Representative:
    """The person the resident gives permission to."""

    name: str
    relationship: Relationship
    phone: str  # as typed; stored in E.164
    email: str | None = None


@dataclass(frozen=True)
class Safeguarding:
    """The safeguarding questions, as the member of staff confirmed them."""

    given_freely: bool  # the resident gives it freely
    nobody_pressing: bool  # nobody is pressing them
    understands_scope: bool  # they understand what it covers

    @property
    def is_confirmed(self) -> bool:
        """A permission is recorded only when every safeguarding question is confirmed."""
        return self.given_freely and self.nobody_pressing and self.understands_scope


@dataclass(frozen=True)
class Terms:
    """What the permission allows, and for how long."""

    areas: frozenset[str] | None  # None: all council services, including ones added later
    may_act: bool  # False: disclosure only
    expires_on: date | None = None  # verbal consent: None means the configured default
    matter: str | None = None  # an issue-limited consent ends when this matter is closed
    check: RepresentativeCheck = RepresentativeCheck.PASSCODE


@dataclass(frozen=True)
class WrittenEvidence:
    """The document a supervisor records a permission from."""

    kind: PermissionKind
    reference: str  # document, LPA or court order number
    starts_on: date
    lpa_access_code: str | None = None


@dataclass(frozen=True)
class PermissionFacts:
    """What the rules need to know about one permission."""

    id: int
    holder_name: str
    kind: PermissionKind
    areas: frozenset[str] | None  # None: all service areas
    may_act: bool  # False: disclosure only
    starts_on: date
    expires_on: date | None  # the first day on which it no longer applies
    revoked_at: datetime | None
    matter_closed: bool = False  # an issue-limited consent ends when its matter is closed


class PermissionState(Labelled):
    NOT_STARTED = "not-started", "Not started yet"
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"
    MATTER_CLOSED = "matter-closed", "Ended: the matter it was for is closed"


def permission_state(p: PermissionFacts, today: date) -> PermissionState:
    """Say whether a permission is in force on `today`.

    Revocation takes effect at once, whatever the dates say. A permission limited to one matter
    ends when that matter is closed. A permission expires on its expiry date: "expires
    2027-03-01" means it may be used up to and including 2027-02-28. It applies from its start
    date.
    """
    if p.revoked_at is not None:
        return PermissionState.REVOKED
    if p.matter_closed:
        return PermissionState.MATTER_CLOSED
    if p.expires_on is not None and today >= p.expires_on:
        return PermissionState.EXPIRED
    if today < p.starts_on:
        return PermissionState.NOT_STARTED
    return PermissionState.ACTIVE


def effective_areas(p: PermissionFacts) -> frozenset[str] | None:
    """The service areas a permission reaches: its recorded scope, cut down to what its kind
    allows (an LPA for property and financial affairs never reaches adult social care).

    None means every service area, including ones the council adds later.
    """
    topics = KIND_TOPICS.get(p.kind)
    if p.areas is None:
        return topics
    if topics is None:
        return p.areas
    return p.areas & topics


def covers(p: PermissionFacts, area: str) -> bool:
    """Say whether a permission's scope reaches `area`. It does not look at dates: see
    `permission_state`."""
    reach = effective_areas(p)
    return reach is None or area in reach


def describe_areas(areas: frozenset[str] | None) -> str:
    """Name service areas in plain words: "council tax only", "council tax and housing",
    "all council services"."""
    if areas is None:
        return "all council services"
    if not areas:
        return "no council services"
    names = sorted(_area_name(area) for area in areas)
    if len(names) == 1:
        return f"{names[0]} only"
    return ", ".join(names[:-1]) + " and " + names[-1]


def describe_scope(p: PermissionFacts) -> str:
    """Say in plain words which service areas a permission reaches."""
    return describe_areas(effective_areas(p))


def default_verbal_expiry(granted_on: date, months: int = 12) -> date:
    """The day verbal consent given on `granted_on` lapses unless renewed: `months` later, on the
    same day of the month, or the month's last day when it has no such day (29 February)."""
    month_index = granted_on.month - 1 + months
    year, month = granted_on.year + month_index // 12, month_index % 12 + 1
    day = min(granted_on.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def _area_name(area: str) -> str:
    try:
        return ServiceArea(area).label.lower()
    except ValueError:
        # An area an administrator added: its code is the best name we have here.
        return area.replace("-", " ").replace("_", " ")


def normalise_passcode(typed: str) -> str:
    """A passcode without case, spaces or hyphens: "k7qm 4xrt" is "K7QM4XRT". Hash this form
    when the passcode is made and check this form when it is typed."""
    return _SEPARATORS.sub("", typed).upper()


def looks_like_lpa_access_code(typed: str) -> bool:
    """Say whether what was typed could be an access code from "View an LPA", whatever its
    case, spacing or hyphens."""
    return bool(_LPA_ACCESS_CODE.fullmatch(normalise_passcode(typed)))


def access_code_problem(kind: PermissionKind | str | None, code: str | None) -> str | None:
    """Say what is wrong with an LPA access code given with a permission of `kind`, or None.

    An access code is optional. Only a Lasting Power of Attorney has one, and it must look
    like the code the Office of the Public Guardian gives.
    """
    if not (code or "").strip():
        return None
    if kind not in LPA_KINDS:
        return ACCESS_CODE_NOT_LPA
    if not looks_like_lpa_access_code(code):
        return ACCESS_CODE_MALFORMED
    return None


def expiry_problem(starts_on: date | None, expires_on: date | None) -> str | None:
    """Say what is wrong with a permission's expiry date, or None. An expiry date is optional;
    one that is given must come after the start, since a permission stops applying on it."""
    if starts_on is not None and expires_on is not None and expires_on <= starts_on:
        return EXPIRY_NOT_AFTER_START
    return None
