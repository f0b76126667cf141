"""Staff accounts: what an administrator may change, and what makes a good password.

No Flask, no database, no clock.
"""

import re
from dataclasses import dataclass

from app.rules.vocabulary import Role

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 200

ENTER_NAME = "Enter their full name"
ENTER_EMAIL = "Enter their email address"
EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.org"
EMAIL_TAKEN = "There is already an account with this email address"
SELECT_ROLE = "Select a role"
SELECT_AREA = "Select at least one service area for a call handler"
NOT_YOUR_OWN_ROLE = "You cannot change your own role. Ask another administrator"
NOT_YOURSELF = "You cannot deactivate your own account. Ask another administrator"
LAST_ADMIN = "This is the only active administrator. Make someone else an administrator first"
NOT_ACTIVE = "This account is deactivated. Reactivate it first"
ENTER_PASSWORD = "Enter a new password"  # noqa: S105
PASSWORD_TOO_SHORT = f"Password must be {PASSWORD_MIN_LENGTH} characters or more"
PASSWORD_TOO_LONG = f"Password must be {PASSWORD_MAX_LENGTH} characters or fewer"
PASSWORD_IS_EMAIL = "Password must not be your email address"  # noqa: S105
CONFIRM_PASSWORD = "Enter the same password again"  # noqa: S105
PASSWORDS_DIFFER = "The passwords do not match. Enter the same password twice"
LINK_NOT_VALID = (
    "This link has expired, has been used already or has been replaced by a newer one. "
    "Ask an administrator for a new link"
)


def ask_to_reactivate(contact: str) -> str:
    """Whom a deactivated member of staff asks (`STAFF_ACCOUNT_CONTACT`)."""
    return f"Ask {contact} to reactivate it if you still need it"


def not_active_at_sign_in(contact: str) -> str:
    """Said at sign-in to a deactivated account, only once its right password was given:
    anyone else is told, as for any wrong password, that the email or password is wrong, so
    the page never says which email addresses have accounts."""
    return f"Your account is not active. {ask_to_reactivate(contact)}"


@dataclass(frozen=True)
class StaffDetails:
    """What an administrator sets on an account."""

    name: str
    email: str
    role: Role
    area_codes: frozenset[str]
    may_see_sensitive: bool
    # Where calls they take ring instead of their browser: E.164 or a SIP address; None: the
    # browser (app/services/live_call.py).
    desk_number: str | None = None


def password_problem(password: str, email: str) -> str | None:
    """What is wrong with a new password, or None. Length is what matters (NCSC): no rules
    about kinds of character, which only make passwords harder to remember."""
    if not password:
        return ENTER_PASSWORD
    if len(password) < PASSWORD_MIN_LENGTH:
        return PASSWORD_TOO_SHORT
    if len(password) > PASSWORD_MAX_LENGTH:
        return PASSWORD_TOO_LONG
    if password.strip().lower() == email.strip().lower():
        return PASSWORD_IS_EMAIL
    return None


def areas_problem(role: Role, area_codes: frozenset[str]) -> str | None:
    """A call handler sees entries only in their service areas: they need at least one."""
    if role is Role.HANDLER and not area_codes:
        return SELECT_AREA
    return None


@dataclass(frozen=True)
class Change:
    """A change to an account, as the rules need to see it."""

    actor_id: int | None  # None: from the command line
    target_id: int
    target_role: Role
    target_active: bool
    new_role: Role
    new_active: bool
    other_active_admins: int  # active administrators besides the target


def change_problem(change: Change) -> tuple[str, str | None] | None:
    """(message, field) if the change must be refused, else None.

    Nobody changes their own role or deactivates themselves, so no administrator locks
    themselves out; and the last active administrator is never demoted or deactivated, from
    the command line either."""
    yourself = change.actor_id is not None and change.actor_id == change.target_id
    if yourself and change.new_role is not change.target_role:
        return NOT_YOUR_OWN_ROLE, "role"
    if yourself and change.target_active and not change.new_active:
        return NOT_YOURSELF, None
    losing_admin = (
        change.target_role is Role.ADMIN
        and change.target_active
        and (change.new_role is not Role.ADMIN or not change.new_active)
    )
    if losing_admin and change.other_active_admins == 0:
        return LAST_ADMIN, "role" if change.new_active else None
    return None


SIP_ADDRESS = re.compile(r"sip:[A-Za-z0-9._~+-]{1,64}@[A-Za-z0-9.-]{1,120}(:[0-9]{1,5})?")
DESK_NUMBER_FORMAT = (
    "Enter a phone number like 0116 496 0123, or a SIP address like sip:desk-4@council.sip.example"
)


def is_sip_address(value: str) -> bool:
    """Whether `value` is a SIP address calls may be put through to (sip:user@host[:port])."""
    return SIP_ADDRESS.fullmatch(value) is not None
