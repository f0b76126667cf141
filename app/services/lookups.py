"""One row by its id for a use case: a row that is not there is "not found" (404), never None."""

from typing import TypeVar

from app.extensions import db
from app.refusals import NotFound

Row = TypeVar("Row")


def get_or_not_found(model: type[Row], row_id: int) -> Row:
    row = db.session.get(model, row_id)
    if row is None:
        raise NotFound
    return row
