"""Staff accounts: sign-in, and the accounts themselves."""

from collections.abc import Iterable

from sqlalchemy import func, select

from app.extensions import db
from app.models import ServiceAreaRecord, StaffUser
from app.models.staff import new_session_token
from app.models.types import utcnow
from app.passwords import hash_secret, needs_rehash, verify_secret
from app.rules.vocabulary import Role
from app.services import audit


def fetch_staff_by_session_token(token: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(StaffUser.session_token == token))


def fetch_staff_by_email(email: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))


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
        db.session.commit()
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_secret(password)
    user.last_signed_in_at = utcnow()
    user.session_token = new_session_token()
    audit.record("staff.signed_in", staff_id=user.id)
    db.session.commit()
    return user


def sign_out(user: StaffUser) -> None:
    """End every session of the account: a copy of its cookie opens nothing afterwards."""
    user.session_token = new_session_token()
    audit.record("staff.signed_out", staff_id=user.id)
    db.session.commit()


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
    db.session.commit()
    return user


def count_staff() -> int:
    return db.session.scalar(select(func.count()).select_from(StaffUser)) or 0
