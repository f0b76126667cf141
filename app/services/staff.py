"""Staff accounts: sign-in with its second factor, and the accounts themselves.

Administrators (and the `flask staff` command) create, change and deactivate accounts and
issue set-password links; every change is audited. `actor` is the administrator making a
change, or None on the command line.
"""

import hashlib
import math
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TypeVar

from flask import current_app
from limits import RateLimitItem, parse
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import lazyload

from app import clock
from app.extensions import attempt_store, db
from app.models import ServiceAreaRecord, StaffPasswordLink, StaffRecoveryCode, StaffUser
from app.models.staff import new_session_token
from app.models.types import utcnow
from app.passwords import hash_secret, needs_rehash, verify_secret
from app.refusals import Refused
from app.rules import sign_in_limits as limit_rules
from app.rules import staff_accounts as account_rules
from app.rules import two_factor as two_factor_rules
from app.rules.audit_actions import AuditAction
from app.rules.sessions import SessionEnd, end_by_account
from app.rules.staff_accounts import StaffDetails
from app.rules.two_factor import SignInStep
from app.rules.vocabulary import Role
from app.services import audit
from app.services.lookups import count_of, get_or_not_found
from app.services.transactions import transactional

COMMAND_LINE = "command line"

Checked = TypeVar("Checked")


# Built once, as it runs on every signed-in request: only the token varies. The account's
# service areas are read only if the page asks for them.
_STAFF_BY_SESSION_TOKEN = (
    select(StaffUser)
    .where(StaffUser.session_token == bindparam("token"), StaffUser.active.is_(True))
    .options(lazyload(StaffUser.areas))
)


def fetch_staff_by_session_token(token: str) -> StaffUser | None:
    """The active account whose session this is: a deactivated account's cookie opens nothing."""
    return db.session.execute(_STAFF_BY_SESSION_TOKEN, {"token": token}).scalar()


def why_sessions_ended(staff_id: object) -> SessionEnd:
    """Why a session of the account `staff_id` no longer opens anything (its cookie's token
    is no longer the account's)."""
    user = db.session.get(StaffUser, staff_id) if isinstance(staff_id, int) else None
    if user is None:
        return end_by_account(False, False, None)
    return end_by_account(True, user.active, user.sessions_ended_because)


def _end_sessions(user: StaffUser, because: SessionEnd) -> None:
    """End every session of the account by replacing its session token, noting why so that a
    page still open on one of them can say so."""
    user.session_token = new_session_token()
    user.sessions_ended_because = because


def fetch_staff_by_email(email: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))


class TooManyAttempts(Exception):
    """Sign-in refused before any password was checked: this address has used its allowance,
    for the account or for every account."""


class WaitToTryAgain(Exception):
    """The account is being tried from many addresses: this address may try again once
    `seconds` have passed. Nothing was checked."""

    def __init__(self, seconds: int) -> None:
        super().__init__(limit_rules.wait_message(seconds))
        self.seconds = seconds
        self.message = limit_rules.wait_message(seconds)


@dataclass(frozen=True)
class SignInLimits:
    """The allowances of one kind of sign-in ("5 per 15 minutes"; app/rules/sign_in_limits.py)."""

    account_from_address: str
    address: str
    account: str
    pace_seconds: int

    @classmethod
    def configured(cls, account_from_address: str, address: str, account: str) -> "SignInLimits":
        """The allowances named by these settings, and the wait every kind of sign-in shares."""
        config = current_app.config
        return cls(
            account_from_address=config[account_from_address],
            address=config[address],
            account=config[account],
            pace_seconds=config["SIGN_IN_SLOW_DOWN_SECONDS"],
        )


class SignInAllowance:
    """Sign-in attempts on one account (an email address, a staff account's code step, a
    portal reference) from one client address, counted in the rate-limit store under the
    account and address together, the address, and the account from every address.

    An attempt is counted before its password or answers are checked, so attempts in flight
    together cannot all pass a count taken afterwards. The store's increment is atomic (in
    memory and in Redis); a fixed window lets a successful sign-in give its count back.
    """

    def __init__(
        self, kind: str, account: str, address: str, address_kind: str, limits: SignInLimits
    ) -> None:
        config = current_app.config
        self._hits: list[tuple[RateLimitItem, tuple[str, ...]]] = []
        self._enabled = config.get("RATELIMIT_ENABLED", True)
        if not self._enabled:
            return  # counting switched off (a test of the pages alone)
        prefix = config.get("RATELIMIT_KEY_PREFIX", "")
        self._counter = FixedWindowRateLimiter(attempt_store.storage)
        account = account[:254]
        self._account_from_address = (
            parse(limits.account_from_address),
            (prefix, kind, "account-address", account, address),
        )
        self._address = (parse(limits.address), (prefix, address_kind, address))
        self._account = (parse(limits.account), (prefix, kind, account))
        self._pace = (
            parse(f"1 per {limits.pace_seconds} seconds"),
            (prefix, kind, "pace", account, address),
        )

    def _hit(self, limit: tuple[RateLimitItem, tuple[str, ...]]) -> bool:
        self._hits.append(limit)
        return self._counter.hit(limit[0], *limit[1])

    def take(self) -> None:
        """Count one attempt. Raises TooManyAttempts or WaitToTryAgain when it is not to be
        checked (app/rules/sign_in_limits.py)."""
        if not self._enabled:
            return
        counted = limit_rules.Counted(
            account_from_address=self._hit(self._account_from_address),
            address=self._hit(self._address),
            account=self._hit(self._account),
        )
        if not counted.account:
            counted = replace(counted, pace=self._hit(self._pace))
        verdict = limit_rules.decide_attempt(counted)
        if verdict is limit_rules.Verdict.REFUSE:
            raise TooManyAttempts
        if verdict is limit_rules.Verdict.WAIT:
            reset_at = self._counter.get_window_stats(self._pace[0], *self._pace[1]).reset_time
            raise WaitToTryAgain(math.ceil(reset_at - time.time()))

    def give_back(self) -> None:
        # A negative hit undoes the count. Should the window have rolled over in
        # between, the new window starts one attempt lower: a harmless edge.
        for item, keys in self._hits:
            self._counter.hit(item, *keys, cost=-1)


@dataclass(frozen=True)
class PasswordAccepted:
    """A right password for an active account, and what must come next."""

    user: StaffUser
    step: SignInStep


def two_factor_required(user: StaffUser) -> bool:
    return two_factor_rules.required_for(user.role, current_app.config["TWO_FACTOR_ROLES"])


def _allowance(email_or_id: str, address: str, kind: str = "sign-in-account") -> SignInAllowance:
    limits = SignInLimits.configured(
        "SIGN_IN_LIMIT_PER_ACCOUNT_AND_ADDRESS",
        "SIGN_IN_LIMIT_PER_ADDRESS",
        "SIGN_IN_LIMIT_PER_ACCOUNT",
    )
    return SignInAllowance(kind, email_or_id, address, "sign-in-address", limits)


def sign_in(email: str, password: str, address: str) -> PasswordAccepted | None:
    """Count the attempt, then check the password: the active account and its next step, or
    None.

    Raises TooManyAttempts, without checking the password, once this address has used up its
    allowance for the account or for every account; WaitToTryAgain when the account is
    being tried from many addresses and this one must wait its turn. A successful sign-in
    does not use any of them up.
    """
    allowance = _allowance(email.strip().lower(), address)
    allowance.take()
    accepted = authenticate(email, password)
    if accepted is not None:
        allowance.give_back()
    return accepted


def _signed_in(user: StaffUser, **detail) -> None:
    """The account is signed in: its older sessions end with the old session token."""
    user.last_signed_in_at = utcnow()
    _end_sessions(user, SessionEnd.SIGNED_IN_ELSEWHERE)
    audit.record(AuditAction.STAFF_SIGNED_IN, staff_id=user.id, **detail)


@transactional
def authenticate(email: str, password: str) -> PasswordAccepted | None:
    """The active account with this email and password and its next step, or None. Both
    outcomes are audited. A deactivated account's right password is refused with a message
    saying so and whom to ask (`Refused`): a wrong one is None, as for any other.

    An account with no second factor to give is signed in now, which replaces its session
    token and ends its older sessions. One that must give a code, or set up two-factor
    sign-in first, is not signed in yet: its sessions stay as they are until it is.
    """
    user = fetch_staff_by_email(email)
    matched = verify_secret(user.password_hash if user else None, password)
    if user is None or not matched or not user.active:
        audit.record(
            AuditAction.STAFF_SIGN_IN_FAILED,
            staff_id=user.id if user else None,
            reason="inactive" if (user and matched) else "wrong credentials",
        )
        if user is not None and matched:
            # Only someone who knows the password learns that the account is deactivated.
            raise Refused(
                account_rules.not_active_at_sign_in(current_app.config["STAFF_ACCOUNT_CONTACT"])
            )
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_secret(password)
    step = two_factor_rules.next_step(
        enrolled=user.two_factor_enrolled, required=two_factor_required(user)
    )
    if step is SignInStep.SIGNED_IN:
        _signed_in(user)
    else:
        if step is SignInStep.ENROL and not user.two_factor_secret:
            user.two_factor_secret = two_factor_rules.new_secret()
        audit.record(AuditAction.STAFF_PASSWORD_ACCEPTED, staff_id=user.id, next_step=step.value)
    return PasswordAccepted(user, step)


def fetch_second_step(token: str, step: SignInStep) -> StaffUser | None:
    """The active account, part-way through signing in with `token`, that is at `step`."""
    user = fetch_staff_by_session_token(token)
    if user is None or not user.two_factor_secret:
        return None
    at = SignInStep.CODE if user.two_factor_enrolled else SignInStep.ENROL
    return user if at is step else None


def _counted_code_check(
    check: Callable[[int, str], Checked], user: StaffUser, typed: str, address: str
) -> Checked:
    """Count a typed code against the account's and the address's allowances, then `check`
    it; a code that works gives its count back. Raises TooManyAttempts, or what `check`
    raises."""
    allowance = _allowance(str(user.id), address, kind="two-factor-account")
    allowance.take()
    checked = check(user.id, typed)
    allowance.give_back()
    return checked


def give_code(user: StaffUser, typed: str, address: str) -> StaffUser:
    """Sign in with a code from the authenticator app or a recovery code, counted against
    the same allowances as passwords. Raises TooManyAttempts, WaitToTryAgain or Refused."""
    return _counted_code_check(_check_code, user, typed, address)


def _claim_step(user: StaffUser, step: int) -> bool:
    """Record `step` as the last accepted, unless a code for it (or later) was accepted
    already, by a request in flight at the same moment too."""
    claimed = db.session.execute(
        update(StaffUser)
        .where(
            StaffUser.id == user.id,
            or_(StaffUser.two_factor_last_step.is_(None), StaffUser.two_factor_last_step < step),
        )
        .values(two_factor_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount == 1:
        user.two_factor_last_step = step
        return True
    return False


def _spend_recovery_code(user: StaffUser, typed: str) -> int | None:
    """Spend the unused recovery code `typed` is; the number left, or None if none matched."""
    code = two_factor_rules.stored_recovery_code(typed)
    unused = list(
        db.session.scalars(
            select(StaffRecoveryCode).where(
                StaffRecoveryCode.staff_id == user.id, StaffRecoveryCode.used_at.is_(None)
            )
        )
    )
    for candidate in unused:
        if verify_secret(candidate.code_hash, code):
            spent = db.session.execute(
                update(StaffRecoveryCode)
                .where(StaffRecoveryCode.id == candidate.id, StaffRecoveryCode.used_at.is_(None))
                .values(used_at=clock.now())
                .execution_options(synchronize_session=False)
            )
            return len(unused) - 1 if spent.rowcount == 1 else None
    return None


@transactional
def _check_code(user_id: int, typed: str) -> StaffUser:
    user = db.session.get(StaffUser, user_id)
    if user is None or not user.active or not user.two_factor_enrolled:
        raise Refused(two_factor_rules.WRONG_CODE, "code")
    if two_factor_rules.looks_like_app_code(typed):
        step = two_factor_rules.matching_step(
            user.two_factor_secret, typed, clock.now(), user.two_factor_last_step
        )
        if step is not None and _claim_step(user, step):
            _signed_in(user, second_factor="authenticator app")
            return user
    elif two_factor_rules.looks_like_recovery_code(typed):
        left = _spend_recovery_code(user, typed)
        if left is not None:
            audit.record(AuditAction.STAFF_RECOVERY_CODE_USED, staff_id=user.id, codes_left=left)
            _signed_in(user, second_factor="recovery code")
            return user
    audit.record(AuditAction.STAFF_TWO_FACTOR_FAILED, staff_id=user.id)
    raise Refused(two_factor_rules.WRONG_CODE, "code")


def confirm_enrolment(user: StaffUser, typed: str, address: str) -> tuple[StaffUser, list[str]]:
    """Finish setting up two-factor sign-in with a first code from the app, and sign in: the
    account and its recovery codes, shown this once. Raises TooManyAttempts or Refused."""
    return _counted_code_check(_enrol, user, typed, address)


@transactional
def _enrol(user_id: int, typed: str) -> tuple[StaffUser, list[str]]:
    user = db.session.get(StaffUser, user_id)
    if user is None or not user.active or user.two_factor_enrolled or not user.two_factor_secret:
        raise Refused(two_factor_rules.WRONG_SETUP_CODE, "code")
    step = two_factor_rules.matching_step(user.two_factor_secret, typed, clock.now(), None)
    if step is None or not _claim_step(user, step):
        audit.record(AuditAction.STAFF_TWO_FACTOR_FAILED, staff_id=user.id, stage="enrolment")
        raise Refused(two_factor_rules.WRONG_SETUP_CODE, "code")
    user.two_factor_enrolled_at = clock.now()
    codes = _replace_recovery_codes(user)
    audit.record(AuditAction.STAFF_TWO_FACTOR_ENROLLED, staff_id=user.id, recovery_codes=len(codes))
    _signed_in(user, second_factor="authenticator app")
    return user, codes


def _replace_recovery_codes(user: StaffUser) -> list[str]:
    db.session.execute(
        StaffRecoveryCode.__table__.delete().where(StaffRecoveryCode.staff_id == user.id)
    )
    codes = two_factor_rules.new_recovery_codes()
    db.session.add_all(
        StaffRecoveryCode(
            staff_id=user.id, code_hash=hash_secret(two_factor_rules.stored_recovery_code(code))
        )
        for code in codes
    )
    return codes


def recovery_codes_left(user: StaffUser) -> int:
    return count_of(
        StaffRecoveryCode,
        StaffRecoveryCode.staff_id == user.id,
        StaffRecoveryCode.used_at.is_(None),
    )


@transactional
def sign_out(user: StaffUser) -> None:
    """End every session of the account: a copy of its cookie opens nothing afterwards."""
    _end_sessions(user, SessionEnd.SIGNED_OUT)
    audit.record(AuditAction.STAFF_SIGNED_OUT, staff_id=user.id)


@transactional
def save_staff_user(
    *,
    email: str,
    name: str,
    password: str,
    role: Role,
    area_codes: Iterable[str] = (),
    may_see_sensitive: bool = False,
    desk_number: str | None = None,
) -> StaffUser:
    user = StaffUser(
        email=email.strip().lower(),
        name=name,
        password_hash=hash_secret(password),
        role=role,
        may_see_sensitive=may_see_sensitive,
        desk_number=desk_number,
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
    return count_of(StaffUser)


def _must_set_up_two_factor():
    """Active accounts whose role must sign in with a second factor (`TWO_FACTOR_ROLES`) and
    that have not set it up: a handler, who needs none, is never among them."""
    roles = [
        role
        for role in Role
        if two_factor_rules.required_for(role, current_app.config["TWO_FACTOR_ROLES"])
    ]
    return (
        StaffUser.active.is_(True),
        StaffUser.two_factor_enrolled_at.is_(None),
        StaffUser.role.in_(roles),
    )


def count_without_two_factor() -> int:
    """How many accounts `without_two_factor_page` lists: the console's count."""
    where = _must_set_up_two_factor()
    return db.session.scalar(select(func.count()).select_from(StaffUser).where(*where)) or 0


def without_two_factor_page(page: int, per_page: int) -> tuple[list[StaffUser], int]:
    """A page of the accounts that must set up two-factor sign-in and have not, by name."""
    rows = db.session.scalars(
        select(StaffUser)
        .where(*_must_set_up_two_factor())
        .order_by(StaffUser.name, StaffUser.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return list(rows), count_without_two_factor()


# --- administration -----------------------------------------------------------------------


def get_staff_or_404(staff_id: int) -> StaffUser:
    return get_or_not_found(StaffUser, staff_id)


def staff_page(page: int, per_page: int) -> tuple[list[StaffUser], int]:
    """A page of every account, active first, by name."""
    total = count_staff()
    rows = db.session.scalars(
        select(StaffUser)
        .order_by(StaffUser.active.desc(), StaffUser.name, StaffUser.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return list(rows), total


def find_staff(typed: str, limit: int) -> tuple[list[StaffUser], int]:
    """Accounts whose name or email contains what was typed (any case): up to `limit`, and
    how many there are in all."""
    wanted = typed.strip().lower()
    where = or_(
        func.lower(StaffUser.name).contains(wanted, autoescape=True),
        func.lower(StaffUser.email).contains(wanted, autoescape=True),
    )
    total = count_of(StaffUser, where)
    rows = db.session.scalars(
        select(StaffUser)
        .where(where)
        .order_by(StaffUser.active.desc(), StaffUser.name, StaffUser.id)
        .limit(limit)
    )
    return list(rows), total


def _audit_change(
    action: AuditAction, target: StaffUser, actor: StaffUser | None, **detail
) -> None:
    audit.record(
        action,
        staff_id=actor.id if actor else None,
        purpose=None if actor else COMMAND_LINE,
        target_staff_id=target.id,
        **detail,
    )


def _lock_accounts(target: StaffUser) -> None:
    """Take the locks a change to an account needs, then re-read it as the last change left
    it: the target's row and every active administrator's (on SQLite, the database's write
    lock). Two administrators demoting each other at once then go one after the other, and
    the second sees the first's change, so there is always an administrator left.

    Must be the first statement of the unit of work, as `call_state.lock_call` is."""
    db.session.execute(
        update(StaffUser)
        .where(
            or_(
                StaffUser.id == target.id,
                (StaffUser.role == Role.ADMIN) & StaffUser.active.is_(True),
            )
        )
        .values(role=StaffUser.role)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(target)


def _other_active_admins(target_id: int) -> int:
    return count_of(
        StaffUser,
        StaffUser.role == Role.ADMIN,
        StaffUser.active.is_(True),
        StaffUser.id != target_id,
    )


def _check_change(target: StaffUser, actor: StaffUser | None, role: Role, active: bool) -> None:
    problem = account_rules.change_problem(
        account_rules.Change(
            actor_id=actor.id if actor else None,
            target_id=target.id,
            target_role=target.role,
            target_active=target.active,
            new_role=role,
            new_active=active,
            other_active_admins=_other_active_admins(target.id),
        )
    )
    if problem:
        raise Refused(*problem)


def _check_details(details: StaffDetails, target_id: int | None) -> None:
    email = details.email.strip().lower()
    taken = db.session.scalar(
        select(StaffUser.id).where(func.lower(StaffUser.email) == email).limit(1)
    )
    if taken is not None and taken != target_id:
        raise Refused(account_rules.EMAIL_TAKEN, "email")
    problem = account_rules.areas_problem(details.role, details.area_codes)
    if problem:
        raise Refused(problem, "areas")


def _areas(codes: Iterable[str]) -> list[ServiceAreaRecord]:
    codes = list(codes)
    if not codes:
        return []
    return list(
        db.session.scalars(
            select(ServiceAreaRecord).where(
                ServiceAreaRecord.code.in_(codes), ServiceAreaRecord.is_active.is_(True)
            )
        )
    )


@transactional
def create_staff(details: StaffDetails, actor: StaffUser | None) -> StaffUser:
    """A new account with no password: its holder sets one through a set-password link."""
    _check_details(details, None)
    user = StaffUser(
        email=details.email.strip().lower(),
        name=details.name.strip(),
        password_hash="",  # no password matches until one is set
        role=details.role,
        may_see_sensitive=details.may_see_sensitive,
        desk_number=details.desk_number,
        session_token=new_session_token(),
        areas=_areas(details.area_codes),
    )
    db.session.add(user)
    db.session.flush()
    _audit_change(
        AuditAction.STAFF_CREATED,
        user,
        actor,
        role=user.role.value,
        areas=sorted(user.area_codes),
        may_see_sensitive=user.may_see_sensitive,
    )
    return user


@transactional
def update_staff(target: StaffUser, details: StaffDetails, actor: StaffUser | None) -> list[str]:
    """Change an account; the names of what changed (nothing is recorded if nothing did).

    A new role ends the account's sessions, so it signs in again under the new role's rules
    (a new supervisor sets up two-factor sign-in then)."""
    _lock_accounts(target)
    _check_change(target, actor, details.role, target.active)
    _check_details(details, target.id)
    before = {
        "name": target.name,
        "email": target.email,
        "role": target.role.value,
        "areas": sorted(target.area_codes),
        "may_see_sensitive": target.may_see_sensitive,
        "desk_number": target.desk_number,
    }
    target.name = details.name.strip()
    target.email = details.email.strip().lower()
    target.role = details.role
    target.areas = _areas(details.area_codes)
    target.may_see_sensitive = details.may_see_sensitive
    target.desk_number = details.desk_number
    after = {
        "name": target.name,
        "email": target.email,
        "role": target.role.value,
        "areas": sorted(a.code for a in target.areas),
        "may_see_sensitive": target.may_see_sensitive,
        "desk_number": target.desk_number,
    }
    changed = [field for field in before if before[field] != after[field]]
    if not changed:
        return []
    if "role" in changed:
        _end_sessions(target, SessionEnd.ROLE_CHANGED)
    # Names and emails are said to have changed, not what they were: the audit log is not a
    # second copy of staff records.
    _audit_change(
        AuditAction.STAFF_UPDATED,
        target,
        actor,
        changed=changed,
        **{f: after[f] for f in ("role", "areas", "may_see_sensitive") if f in changed},
    )
    return changed


@transactional
def set_role(target: StaffUser, role: Role, actor: StaffUser | None) -> None:
    """The command line's change of role, under the same rules as the pages."""
    _lock_accounts(target)
    _check_change(target, actor, role, target.active)
    problem = account_rules.areas_problem(role, target.area_codes)
    if problem:
        raise Refused(problem, "areas")
    if role is target.role:
        return
    target.role = role
    _end_sessions(target, SessionEnd.ROLE_CHANGED)
    _audit_change(AuditAction.STAFF_UPDATED, target, actor, changed=["role"], role=role.value)


def _void_password_links(target: StaffUser) -> None:
    db.session.execute(
        update(StaffPasswordLink)
        .where(StaffPasswordLink.staff_id == target.id, StaffPasswordLink.used_at.is_(None))
        .values(used_at=clock.now())
        .execution_options(synchronize_session=False)
    )


@transactional
def deactivate_staff(target: StaffUser, actor: StaffUser | None) -> None:
    """Deactivate an account: its sessions end at once (its session token is replaced, and an
    inactive account's cookie is refused), and its unused set-password links are void."""
    _lock_accounts(target)
    if not target.active:
        return
    _check_change(target, actor, target.role, False)
    target.active = False
    _end_sessions(target, SessionEnd.DEACTIVATED)
    _void_password_links(target)
    _audit_change(AuditAction.STAFF_DEACTIVATED, target, actor)


@transactional
def reactivate_staff(target: StaffUser, actor: StaffUser | None) -> None:
    if target.active:
        return
    target.active = True
    target.session_token = new_session_token()
    _audit_change(AuditAction.STAFF_REACTIVATED, target, actor)


@transactional
def reset_two_factor(target: StaffUser, actor: StaffUser | None) -> None:
    """Forget the account's second factor and recovery codes, and end its sessions: it sets
    two-factor sign-in up again at its next sign-in (if its role needs it)."""
    target.two_factor_secret = None
    target.two_factor_enrolled_at = None
    target.two_factor_last_step = None
    _end_sessions(target, SessionEnd.TWO_FACTOR_RESET)
    db.session.execute(
        StaffRecoveryCode.__table__.delete().where(StaffRecoveryCode.staff_id == target.id)
    )
    _audit_change(AuditAction.STAFF_TWO_FACTOR_RESET, target, actor)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def password_link_lifetime() -> timedelta:
    return timedelta(hours=current_app.config["PASSWORD_LINK_HOURS"])


@transactional
def issue_password_link(target: StaffUser, actor: StaffUser | None, now: datetime) -> str:
    """A new set-password link's token, returned this once (only its hash is kept), working
    for `PASSWORD_LINK_HOURS` from `now`. Earlier unused links for the account stop
    working."""
    if not target.active:
        raise Refused(account_rules.NOT_ACTIVE)
    token = secrets.token_urlsafe(32)
    _void_password_links(target)
    expires_at = now + password_link_lifetime()
    db.session.add(
        StaffPasswordLink(
            staff_id=target.id,
            token_hash=_token_hash(token),
            issued_by_id=actor.id if actor else None,
            created_at=now,
            expires_at=expires_at,
        )
    )
    _audit_change(
        AuditAction.STAFF_PASSWORD_LINK_ISSUED, target, actor, expires_at=expires_at.isoformat()
    )
    return token


def password_link(token: str) -> StaffPasswordLink | None:
    """The unused, unexpired link this token opens, for an active account; else None."""
    if not token or len(token) > 100:
        return None
    link = db.session.scalar(
        select(StaffPasswordLink).where(StaffPasswordLink.token_hash == _token_hash(token))
    )
    if link is None or link.used_at is not None or link.expires_at <= clock.now():
        return None
    user = db.session.get(StaffUser, link.staff_id)
    return link if user is not None and user.active else None


@transactional
def set_password(token: str, password: str) -> StaffUser:
    """Set the password through a link, once: the link is spent, the account's sessions end,
    and nobody is signed in (they sign in with the new password, and a second factor)."""
    link = password_link(token)
    if link is None:
        raise Refused(account_rules.LINK_NOT_VALID)
    user = db.session.get(StaffUser, link.staff_id)
    problem = account_rules.password_problem(password, user.email)
    if problem:
        raise Refused(problem, "password")
    spent = db.session.execute(
        update(StaffPasswordLink)
        .where(StaffPasswordLink.id == link.id, StaffPasswordLink.used_at.is_(None))
        .values(used_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        raise Refused(account_rules.LINK_NOT_VALID)
    user.password_hash = hash_secret(password)
    _end_sessions(user, SessionEnd.PASSWORD_SET)
    audit.record(AuditAction.STAFF_PASSWORD_SET, staff_id=user.id, link_issued_by=link.issued_by_id)
    return user


def fetch_staff_for_command(email: str) -> StaffUser:
    """The account with this email, for the command line; Refused if there is none."""
    user = fetch_staff_by_email(email)
    if user is None:
        raise Refused(f"There is no account with the email address {email.strip().lower()}")
    return user
