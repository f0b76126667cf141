"""Reading rows for a use case: one row by its id, where a row that is not there is "not
found" (404), never None; and how many rows match."""

from typing import TypeVar

from sqlalchemy import ColumnElement, func, select

from app.extensions import db
from app.refusals import NotFound

Row = TypeVar("Row")


def get_or_not_found(model: type[Row], row_id: int) -> Row:
    row = db.session.get(model, row_id)
    if row is None:
        raise NotFound
    return row


def count_of(model: type, *where: ColumnElement[bool]) -> int:
    """How many rows of `model` match `where` (every row when nothing is given)."""
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0
