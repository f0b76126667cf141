"""Who may do what: the one table of what each staff role may do, and the kinds of people who
sign in (docs/rules.md, "Who may do what").

Every route, menu item, link and service that depends on a role asks this table through a
`Capability`, never by naming roles. No Flask, no SQLAlchemy.
"""

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from app.rules.vocabulary import Labelled, Role


class UserKind(StrEnum):
    """Who is signed in: a member of staff at the console, or a resident in the portal. A
    page for one kind never admits the other."""

    STAFF = "staff"
    RESIDENT = "resident"


class SignedInKind:
    """Says which kind of user this is, from its `kind` (None: nobody is signed in)."""

    kind: UserKind | None = None

    @property
    def is_staff(self) -> bool:
        return self.kind is UserKind.STAFF

    @property
    def is_resident(self) -> bool:
        return self.kind is UserKind.RESIDENT


class Capability(Labelled):
    """Something a member of staff may do, named as the README's "What staff can do" names it.
    Every member of staff may use the console and sign out: those need no capability."""

    TAKE_CALLS = "take-calls", "Take calls, and do what is done on a call"
    SEE_DISPATCHES = "see-dispatches", "See dispatches and record their outcomes"
    OPEN_RECORDS = "open-records", "Open a resident's record outside a call, with a reason"
    DECIDE_DISPUTES = "decide-disputes", "Work the dispute queue and decide disputes"
    UNLOCK_RECORDS = "unlock-records", "See locked records and unlock phone verification"
    SEE_DASHBOARD = "see-dashboard", "See the dashboard"
    MANAGE_PERMISSIONS = "manage-permissions", "Record, revoke and close permissions"
    DECIDE_AUTHORITY_ENDS = (
        "decide-authority-ends",
        "Decide residents' requests to end a legal authority",
    )
    CHANGE_NUMBERS_ON_FILE = (
        "change-numbers-on-file",
        "Change a resident's numbers on file outside a call, from written evidence",
    )
    SET_LEGAL_HOLDS = "set-legal-holds", "Set and lift legal holds"
    EXPORT_SUBJECT_ACCESS = "export-subject-access", "Produce subject access exports"
    DECIDE_DUTY_TO_SHARE = "decide-duty-to-share", "Decide requests to share without consent"
    SEARCH_AUDIT_LOG = "search-audit-log", "Search and download the audit log"
    SEE_MESSAGES = "see-messages", "See the messages sent to residents"
    MANAGE_STAFF = "manage-staff", "Manage staff accounts"


_C = Capability
# Every member of staff: the live work's records and dispatches.
_EVERY_ROLE = frozenset({_C.SEE_DISPATCHES, _C.OPEN_RECORDS})
# Supervisors and administrators: oversight that is not a resident's affairs in detail.
_OVERSIGHT = frozenset(
    {
        _C.SEE_DASHBOARD,
        _C.SET_LEGAL_HOLDS,
        _C.DECIDE_DUTY_TO_SHARE,
        _C.SEARCH_AUDIT_LOG,
        _C.SEE_MESSAGES,
    }
)

# The table. Need to know: administrators manage accounts, not residents' affairs, so
# disputes, locked records, permissions, numbers on file and subject access are
# supervisors' alone; handlers and supervisors take calls.
CAPABILITIES: Mapping[Role, frozenset[Capability]] = MappingProxyType(
    {
        Role.HANDLER: _EVERY_ROLE | {_C.TAKE_CALLS},
        Role.SUPERVISOR: _EVERY_ROLE
        | _OVERSIGHT
        | {
            _C.TAKE_CALLS,
            _C.DECIDE_DISPUTES,
            _C.UNLOCK_RECORDS,
            _C.MANAGE_PERMISSIONS,
            _C.DECIDE_AUTHORITY_ENDS,
            _C.CHANGE_NUMBERS_ON_FILE,
            _C.EXPORT_SUBJECT_ACCESS,
        },
        Role.ADMIN: _EVERY_ROLE | _OVERSIGHT | {_C.MANAGE_STAFF},
    }
)


def may(role: Role | None, capability: Capability) -> bool:
    """Say whether a member of staff in `role` may do `capability`. Nobody without a role
    (a resident, someone not signed in) may do anything a capability names."""
    return role is not None and capability in CAPABILITIES.get(role, frozenset())


def roles_that_may(*capabilities: Capability) -> frozenset[Role]:
    """The roles that may do every one of `capabilities`: every role when none is named."""
    return frozenset(role for role, held in CAPABILITIES.items() if held.issuperset(capabilities))
