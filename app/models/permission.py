from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.resident import Resident
from app.models.staff import ServiceAreaRecord, StaffUser, service_areas_table
from app.models.types import StrEnumType, UTCDateTime, utcnow
from app.rules.vocabulary import (
    PermissionEventKind,
    PermissionKind,
    Relationship,
    RepresentativeCheck,
    is_member,
)

# A table, not a column of codes: every code is a real service area (foreign key), and
# "which permissions reach council tax" stays one indexed join. "All services" is a flag on the
# permission rather than a row per area, so areas the council adds later are covered too.
permission_areas = service_areas_table("permission_areas", "permission_id", "permissions.id")


class Permission(db.Model):
    """A resident's say-so that someone else may be told about them (docs/rules.md rule 4).

    Never deleted: revoking or closing the matter marks it, and `PermissionEvent` keeps its
    history. The representative's passcode is kept only as an argon2 hash.
    """

    __tablename__ = "permissions"
    __table_args__ = (
        # The database refuses what the service refuses, so no other path can store it.
        CheckConstraint(
            "safeguarding_given_freely AND safeguarding_nobody_pressing"
            " AND safeguarding_understands_scope",
            name="safeguarding_confirmed",
        ),
        CheckConstraint(
            "verification_method <> 'passcode' OR passcode_hash IS NOT NULL",
            name="passcode_hashed",
        ),
        CheckConstraint(
            "kind <> 'verbal' OR granted_on_call_id IS NOT NULL",
            name="verbal_consent_on_a_call",
        ),
        CheckConstraint("expires_on IS NULL OR expires_on > starts_on", name="expires_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)

    holder_name: Mapped[str] = mapped_column(String(200))
    holder_relationship: Mapped[Relationship] = mapped_column(StrEnumType(Relationship))
    # E.164. Indexed: an incoming call's number is looked up here on every screen-pop poll.
    holder_phone: Mapped[str] = mapped_column(String(16), index=True)
    holder_email: Mapped[str | None] = mapped_column(String(254))

    kind: Mapped[PermissionKind] = mapped_column(StrEnumType(PermissionKind))
    all_areas: Mapped[bool] = mapped_column(Boolean, default=False)
    may_act: Mapped[bool] = mapped_column(Boolean)  # False: disclosure only
    starts_on: Mapped[date] = mapped_column(Date)
    # The first day on which it no longer applies (app.rules.permissions.permission_state).
    expires_on: Mapped[date | None] = mapped_column(Date)

    # A document or court order number; for verbal consent, the call below is the evidence.
    evidence_reference: Mapped[str | None] = mapped_column(String(200))
    # From the Office of the Public Guardian's "View an LPA" service, kept as given.
    lpa_access_code: Mapped[str | None] = mapped_column(String(40))
    granted_on_call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), index=True)

    # An issue-limited consent ends when its matter is closed.
    matter: Mapped[str | None] = mapped_column(Text)
    matter_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    revocation_reason: Mapped[str | None] = mapped_column(Text)

    verification_method: Mapped[RepresentativeCheck] = mapped_column(
        StrEnumType(RepresentativeCheck)
    )
    passcode_hash: Mapped[str | None] = mapped_column(String(200))

    safeguarding_given_freely: Mapped[bool] = mapped_column(Boolean)
    safeguarding_nobody_pressing: Mapped[bool] = mapped_column(Boolean)
    safeguarding_understands_scope: Mapped[bool] = mapped_column(Boolean)
    safeguarding_confirmed_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))

    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    resident: Mapped[Resident] = relationship()
    areas: Mapped[list[ServiceAreaRecord]] = relationship(
        secondary=permission_areas, lazy="selectin", order_by=ServiceAreaRecord.name
    )
    created_by: Mapped[StaffUser] = relationship(foreign_keys=[created_by_id])
    revoked_by: Mapped[StaffUser | None] = relationship(foreign_keys=[revoked_by_id])
    events: Mapped[list["PermissionEvent"]] = relationship(
        back_populates="permission", order_by="PermissionEvent.id"
    )

    @property
    def area_codes(self) -> frozenset[str] | None:
        """The recorded scope: None for all services."""
        return None if self.all_areas else frozenset(area.code for area in self.areas)

    is_checked_by_passcode = is_member("verification_method", RepresentativeCheck.PASSCODE)
    is_checked_by_sms = is_member("verification_method", RepresentativeCheck.SMS)


class PermissionEvent(db.Model):
    """One step in a permission's history: who did what, when and why."""

    __tablename__ = "permission_events"
    __table_args__ = (Index("ix_permission_events_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    permission_id: Mapped[int] = mapped_column(ForeignKey("permissions.id"), index=True)
    kind: Mapped[PermissionEventKind] = mapped_column(StrEnumType(PermissionEventKind))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))  # None: the system
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), index=True)
    reason: Mapped[str | None] = mapped_column(Text)

    permission: Mapped[Permission] = relationship(back_populates="events")
    staff: Mapped[StaffUser | None] = relationship()
