"""Who may speak for a resident, about what, until when (docs/rules.md rule 4).

A permission is the resident's say-so that someone else may be told about them. These rules
decide whether a permission is in force on a given day and which service areas it reaches.
No Flask, no SQLAlchemy, no clock: the caller passes `today`.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime

from app.rules.vocabulary import Labelled, PermissionKind, ServiceArea

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
