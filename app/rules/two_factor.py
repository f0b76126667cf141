"""Two-factor sign-in for staff: time-based codes (TOTP, RFC 6238) and one-time recovery codes.

No Flask, no database, no clock: the moment a code is checked at is passed in.
"""

import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

import pyotp

PERIOD_SECONDS = 30
DIGITS = 6
# A code is accepted one step either side of now, for a phone's clock a little out.
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_RECOVERY_HALF = 5

ENTER_CODE = "Enter the code from your authenticator app, or a recovery code"
WRONG_CODE = "The code is not right, or it has been used already. Enter a new code"
ENTER_SETUP_CODE = "Enter the 6-digit code from your authenticator app"
WRONG_SETUP_CODE = "The code is not right. Check the app was set up with this key and try again"


class SignInStep(StrEnum):
    """What comes after a right password."""

    SIGNED_IN = "signed-in"  # no second factor asked of this account
    CODE = "code"  # enrolled: a code from the app or a recovery code
    ENROL = "enrol"  # must use two-factor sign-in and has not set it up yet


def required_for(role: str, roles: Iterable[str]) -> bool:
    """Whether staff with `role` must sign in with a second factor (`TWO_FACTOR_ROLES`)."""
    return str(role) in {str(r) for r in roles}


def status_words(*, enrolled: bool, required: bool) -> str:
    """An account's two-factor sign-in, as the staff list says it."""
    if enrolled:
        return "Set up"
    return "Not set up yet" if required else "Not needed for this role"


def next_step(*, enrolled: bool, required: bool) -> SignInStep:
    """An enrolled account is always asked for a code, even in a role that needs none."""
    if enrolled:
        return SignInStep.CODE
    return SignInStep.ENROL if required else SignInStep.SIGNED_IN


def new_secret() -> str:
    return pyotp.random_base32()


def time_step(moment: datetime) -> int:
    return int(moment.timestamp()) // PERIOD_SECONDS


def code_at_step(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD_SECONDS).at(step * PERIOD_SECONDS)


def normalise_code(typed: str) -> str:
    """What was typed, without the spaces and hyphens people put in codes, in lower case."""
    return "".join(ch for ch in (typed or "") if ch not in " -\t").lower()


def looks_like_app_code(typed: str) -> bool:
    code = normalise_code(typed)
    return len(code) == DIGITS and code.isascii() and code.isdigit()


def matching_step(secret: str, typed: str, now: datetime, last_step: int | None) -> int | None:
    """The time step `typed` is the code for, within the drift allowed around `now` and
    after `last_step` (the last one accepted: a code is never accepted twice); else None."""
    if not looks_like_app_code(typed):
        return None
    code = normalise_code(typed)
    current = time_step(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(code_at_step(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """What the QR code holds: an otpauth:// address authenticator apps read."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD_SECONDS).provisioning_uri(
        name=account, issuer_name=issuer
    )


def grouped_secret(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Codes like "k7m2p-x9qrt": 50 bits each, easy to read out and type."""

    def half() -> str:
        return "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_HALF))

    return [f"{half()}-{half()}" for _ in range(count)]


def looks_like_recovery_code(typed: str) -> bool:
    code = normalise_code(typed)
    return len(code) == 2 * _RECOVERY_HALF and all(ch in _RECOVERY_ALPHABET for ch in code)


def stored_recovery_code(typed: str) -> str:
    """The form a recovery code is hashed in: "k7m2p-x9qrt" and "K7M2P X9QRT" are one code."""
    return normalise_code(typed)
