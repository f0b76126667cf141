import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import StrEnumType, UTCDateTime, utcnow
from app.rules.vocabulary import Role

staff_service_areas = Table(
    "staff_service_areas",
    db.metadata,
    Column("staff_id", ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True),
    Column("area_code", ForeignKey("service_areas.code"), primary_key=True),
)


class ServiceAreaRecord(db.Model):
    """A council service area; entries and staff belong to areas (need to know)."""

    __tablename__ = "service_areas"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class StaffUser(UserMixin, db.Model):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(StrEnumType(Role))
    may_see_sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of the session identity: replacing it signs the account out everywhere.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    areas: Mapped[list[ServiceAreaRecord]] = relationship(
        secondary=staff_service_areas, lazy="selectin", order_by=ServiceAreaRecord.name
    )

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"staff:{self.session_token}"

    @property
    def area_codes(self) -> frozenset[str]:
        return frozenset(area.code for area in self.areas)

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles
