import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import StrEnumType, UTCDateTime, utcnow
from app.rules.capabilities import Capability, SignedInKind, UserKind, may
from app.rules.sessions import SessionEnd
from app.rules.vocabulary import Role


def service_areas_table(name: str, owner_column: str, owner_key: str) -> Table:
    """A table of the service areas a row belongs to: a row each, removed with the row."""
    return Table(
        name,
        db.metadata,
        Column(owner_column, ForeignKey(owner_key, ondelete="CASCADE"), primary_key=True),
        Column("area_code", ForeignKey("service_areas.code"), primary_key=True),
    )


staff_service_areas = service_areas_table("staff_service_areas", "staff_id", "staff_users.id")


class ServiceAreaRecord(db.Model):
    """A council service area; entries and staff belong to areas (need to know)."""

    __tablename__ = "service_areas"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class StaffUser(UserMixin, SignedInKind, db.Model):
    __tablename__ = "staff_users"
    kind = UserKind.STAFF

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(StrEnumType(Role))
    may_see_sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of the session identity: replacing it signs the account out everywhere.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    # What last replaced the session token, so a page still open on the old session is told
    # why it was signed out (app/rules/sessions.py).
    sessions_ended_because: Mapped[SessionEnd | None] = mapped_column(StrEnumType(SessionEnd))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Two-factor sign-in (TOTP): the shared secret, set when enrolment starts and confirmed
    # by a first code; the last time step a code was accepted for, so no code works twice.
    two_factor_secret: Mapped[str | None] = mapped_column(String(64))
    two_factor_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    two_factor_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # Where a call this member of staff takes is put through when they answer on a desk
    # phone rather than in the browser: a number in E.164 or a SIP address. None: the browser.
    desk_number: Mapped[str | None] = mapped_column(String(200))

    areas: Mapped[list[ServiceAreaRecord]] = relationship(
        secondary=staff_service_areas, lazy="selectin", order_by=ServiceAreaRecord.name
    )

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def voice_identity(self) -> str:
        """The name the browser's softphone registers under: from the id, never the email."""
        return f"staff-{self.id}"

    def get_id(self) -> str:
        return f"{self.kind}:{self.session_token}"

    @property
    def area_codes(self) -> frozenset[str]:
        return frozenset(area.code for area in self.areas)

    def can(self, capability: Capability) -> bool:
        """Whether this member of staff's role may do `capability` (app/rules/capabilities.py)."""
        return may(self.role, capability)

    @property
    def two_factor_enrolled(self) -> bool:
        return self.two_factor_enrolled_at is not None and bool(self.two_factor_secret)


class StaffRecoveryCode(db.Model):
    """A one-time code for signing in without the authenticator app: only its argon2 hash is
    kept, and it is spent (`used_at`) the first time it works."""

    __tablename__ = "staff_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StaffPasswordLink(db.Model):
    """A set-password link an administrator issued: one use, expiring. Only the SHA-256 of
    its token is kept (the token is long and random, so a slow hash adds nothing)."""

    __tablename__ = "staff_password_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When it was used, or made void by a newer link or a deactivation.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
