"""Staff accounts: sign-in, and the accounts themselves."""

from collections.abc import Iterable

from flask import current_app
from limits import RateLimitItem, parse
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import func, select

from app.extensions import db, limiter
from app.models import ServiceAreaRecord, StaffUser
from app.models.staff import new_session_token
from app.models.types import utcnow
from app.passwords import hash_secret, needs_rehash, verify_secret
from app.rules.vocabulary import Role
from app.services import audit
from app.services.transactions import transactional


def fetch_staff_by_session_token(token: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(StaffUser.session_token == token))


def fetch_staff_by_email(email: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))


class TooManyAttempts(Exception):
    """Sign-in refused before any password was checked: the account or address is over its limit."""


class SignInAllowance:
    """Sign-in attempts per key (an account, a reference, an address), counted in the
    rate-limit store.

    An attempt is counted before its password or answers are checked, so attempts in flight
    together cannot all pass a count taken afterwards. The store's increment is atomic (in
    memory and in Redis); a fixed window lets a successful sign-in give its count back.
    `limits` pairs a limit ("5 per 15 minutes") with the key it counts under.
    """

    def __init__(self, limits: list[tuple[str, tuple[str, ...]]]) -> None:
        config = current_app.config
        self._limits: list[tuple[RateLimitItem, tuple[str, ...]]] = []
        if not config.get("RATELIMIT_ENABLED", True):
            return  # Flask-Limiter's own switch; it then opens no store to count in.
        prefix = config.get("RATELIMIT_KEY_PREFIX", "")
        self._counter = FixedWindowRateLimiter(limiter.storage)
        self._limits = [(parse(limit), (prefix, *keys)) for limit, keys in limits]

    def take(self) -> bool:
        """Count one attempt on every limit; False if any of them is now over."""
        results = [self._counter.hit(item, *keys) for item, keys in self._limits]
        return all(results)

    def give_back(self) -> None:
        # A negative hit undoes the count. Should the window have rolled over in
        # between, the new window starts one attempt lower: a harmless edge.
        for item, keys in self._limits:
            self._counter.hit(item, *keys, cost=-1)


def sign_in(email: str, password: str, address: str) -> StaffUser | None:
    """Count the attempt, then check the password: the active account, or None.

    Raises TooManyAttempts, without checking the password, once the account or the
    address has used up its allowance. A successful sign-in does not use it up.
    """
    config = current_app.config
    allowance = SignInAllowance(
        [
            (config["SIGN_IN_LIMIT_PER_ACCOUNT"], ("sign-in-account", email.strip().lower()[:254])),
            (config["SIGN_IN_LIMIT_PER_ADDRESS"], ("sign-in-address", address)),
        ]
    )
    if not allowance.take():
        raise TooManyAttempts
    user = authenticate(email, password)
    if user is not None:
        allowance.give_back()
    return user


@transactional
def authenticate(email: str, password: str) -> StaffUser | None:
    """The active account with this email and password, or None. Both outcomes are audited.

    Signing in replaces the account's session token, which ends its older sessions.
    """
    user = fetch_staff_by_email(email)
    matched = verify_secret(user.password_hash if user else None, password)
    if user is None or not matched or not user.active:
        audit.record(
            "staff.sign_in_failed",
            staff_id=user.id if user else None,
            reason="inactive" if (user and matched) else "wrong credentials",
        )
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_secret(password)
    user.last_signed_in_at = utcnow()
    user.session_token = new_session_token()
    audit.record("staff.signed_in", staff_id=user.id)
    return user


@transactional
def sign_out(user: StaffUser) -> None:
    """End every session of the account: a copy of its cookie opens nothing afterwards."""
    user.session_token = new_session_token()
    audit.record("staff.signed_out", staff_id=user.id)


@transactional
def save_staff_user(
    *,
    email: str,
    name: str,
    password: str,
    role: Role,
    area_codes: Iterable[str] = (),
    may_see_sensitive: bool = False,
) -> StaffUser:
    user = StaffUser(
        email=email.strip().lower(),
        name=name,
        password_hash=hash_secret(password),
        role=role,
        may_see_sensitive=may_see_sensitive,
        session_token=new_session_token(),
    )
    codes = list(area_codes)
    if codes:
        user.areas = list(
            db.session.scalars(select(ServiceAreaRecord).where(ServiceAreaRecord.code.in_(codes)))
        )
    db.session.add(user)
    return user


def count_staff() -> int:
    return db.session.scalar(select(func.count()).select_from(StaffUser)) or 0
