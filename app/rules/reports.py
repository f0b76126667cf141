"""What a caller may report about a resident (docs/rules.md rules 2 and 4).

Any caller may report something in good faith, verified or not. The one limit is rule 4's: a
change of circumstances is the resident's to make, so a representative whose permission is
disclosure only cannot report one for them. No Flask, no SQLAlchemy.
"""

from dataclasses import dataclass

from app.rules.vocabulary import EntryCategory, Relationship, Urgency

DISCLOSURE_ONLY_CHANGE = (
    "This representative's permission is disclosure only: they cannot report a "
    "change of circumstances for the resident"
)


@dataclass(frozen=True)
class ReportDetails:
    """What the caller reported, as the handler typed it, and the team to send if any."""

    area_code: str
    category: EntryCategory
    summary: str
    urgency: Urgency
    is_sensitive: bool
    dispatch_team: str | None = None
    dispatch_instructions: str | None = None
    # Who the caller is to the resident, when the call did not say before the report.
    relationship: Relationship | None = None


def report_problem(category: EntryCategory, by_representative: bool, may_act: bool) -> str | None:
    """Say why this caller may not make a report of `category`, or None when they may.

    Anyone may report something in good faith. Only a change of circumstances is the
    resident's to make: a verified representative (`by_representative`) whose permission is
    disclosure only (`may_act` False) cannot report one for them.
    """
    if category is EntryCategory.CHANGE_OF_CIRCUMSTANCES and by_representative and not may_act:
        return DISCLOSURE_ONLY_CHANGE
    return None
