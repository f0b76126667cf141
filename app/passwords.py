"""Argon2 hashing for staff passwords, secret words and passcodes."""

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_PROFILES = {
    "rfc-9106-low-memory": profiles.RFC_9106_LOW_MEMORY,
    "cheapest": profiles.CHEAPEST,
}


def _hasher() -> PasswordHasher:
    return PasswordHasher.from_parameters(_PROFILES[current_app.config["ARGON2_PROFILE"]])


def hash_secret(secret: str) -> str:
    return _hasher().hash(secret)


def verify_secret(secret_hash: str | None, secret: str) -> bool:
    """True when `secret` matches; False for no hash, a wrong secret or a broken hash."""
    if not secret_hash:
        # Spend the same effort as a real check, so timing does not tell whether
        # an account or a secret word exists.
        _hasher().hash(secret)
        return False
    try:
        return _hasher().verify(secret_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(secret_hash: str) -> bool:
    return _hasher().check_needs_rehash(secret_hash)
