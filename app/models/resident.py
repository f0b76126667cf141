from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class Resident(db.Model):
    __tablename__ = "residents"
    __table_args__ = (
        # Name search narrows to candidate (surname, forename) pairs first. The middle
        # names ride along so that the search reads the index alone, not the rows.
        Index(
            "ix_residents_surname_forename_middle", "surname_norm", "forename_norm", "middle_names"
        ),
        Index(
            "ix_residents_forename_surname_middle", "forename_norm", "surname_norm", "middle_names"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    forename: Mapped[str] = mapped_column(String(100))
    middle_names: Mapped[str | None] = mapped_column(String(200))
    surname: Mapped[str] = mapped_column(String(100))
    forename_norm: Mapped[str] = mapped_column(String(100))
    surname_norm: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date] = mapped_column(Date)
    address_line_1: Mapped[str] = mapped_column(String(200))
    address_line_2: Mapped[str | None] = mapped_column(String(200))
    town: Mapped[str] = mapped_column(String(100))
    postcode: Mapped[str] = mapped_column(String(10))
    postcode_norm: Mapped[str] = mapped_column(String(8), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    secret_word_hash: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    phones: Mapped[list["ResidentPhone"]] = relationship(
        back_populates="resident", cascade="all, delete-orphan", order_by="ResidentPhone.id"
    )

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.forename, self.middle_names, self.surname) if part)

    @property
    def outward_postcode(self) -> str:
        return self.postcode.split(" ")[0]


class ResidentPhone(db.Model):
    """A phone number on file, in E.164. Caller ID matching one is a hint, never proof."""

    __tablename__ = "resident_phones"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(16), index=True)
    label: Mapped[str] = mapped_column(String(20), default="mobile")
    # When the number was put on file; None for numbers from before this was kept. A number
    # added lately holds the text-code factor (app/rules/text_codes.py).
    added_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    resident: Mapped[Resident] = relationship(back_populates="phones")
