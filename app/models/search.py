from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class NameTerm(db.Model):
    """A distinct normalised forename or surname that some resident has."""

    __tablename__ = "name_terms"

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    term: Mapped[str] = mapped_column(String(100), primary_key=True)


class NameKey(db.Model):
    """A lookup key of a name term (a one-letter deletion, a sound code, a nickname group).

    Typed names are turned into keys and looked up here, so a misspelt name
    finds its candidate terms through an index instead of a scan.
    """

    __tablename__ = "name_keys"

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    key: Mapped[str] = mapped_column(String(110), primary_key=True)
    term: Mapped[str] = mapped_column(String(100), primary_key=True)
