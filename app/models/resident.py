from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import StrEnumType, UTCDateTime, utcnow
from app.rules.phone_changes import PhoneChangeKind


def full_name_of(person) -> str:
    """A resident's name as shown, from anything with their name's parts (the model, or a row
    read without it): forename, any middle names, surname."""
    return " ".join(part for part in (person.forename, person.middle_names, person.surname) if part)


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
        return full_name_of(self)

    @property
    def outward_postcode(self) -> str:
        return self.postcode.split(" ")[0]


class ResidentPhone(db.Model):
    """A phone number on file, in E.164. Caller ID matching one is a hint, never proof.

    Never edited to hold another number: a change removes the row and puts the new number on
    file as a row of its own, and `ResidentPhoneChange` keeps what was there before.
    """

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


class ResidentPhoneChange(db.Model):
    """One change to a resident's numbers on file: what was there before and after, when, who
    made it and on what verification (app/rules/phone_changes.py). Kept for the retention
    schedule's `phone_changes` period, whatever happens to the numbers afterwards."""

    __tablename__ = "resident_phone_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[PhoneChangeKind] = mapped_column(StrEnumType(PhoneChangeKind))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    old_number: Mapped[str | None] = mapped_column(String(16))  # E.164
    old_label: Mapped[str | None] = mapped_column(String(20))
    new_number: Mapped[str | None] = mapped_column(String(16))
    new_label: Mapped[str | None] = mapped_column(String(20))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    # The call it was made on, with the resident verified; None outside a call.
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), index=True)
    # How the person asking was verified: "answers: date of birth, postcode", "text code to
    # number ending 123", "supervisor, evidence: ...". Never more of a number than its end.
    verification: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)  # a supervisor's typed reason
    evidence_reference: Mapped[str | None] = mapped_column(String(200))
