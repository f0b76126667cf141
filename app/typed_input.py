"""What a browser sends, as the app reads it.

- Form fields and the query string come without NUL characters. Nobody types one, PostgreSQL
  cannot keep one in text (a 500 where a page should answer), and SQLite would keep it unseen;
  so it is dropped once, here, for every form and every list's filters.
- An id in an address (`<int:...>`) or a form is one the database's INTEGER can hold; a larger
  one is a page that does not exist, never an error from the database.
"""

from typing import Any

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter, Map

from app.rules.row_ids import LARGEST_ID

NUL = "\x00"


def _without_nul(value: Any) -> Any:
    return value.replace(NUL, "") if isinstance(value, str) else value


class TypedFields(ImmutableMultiDict):
    """Fields as parsed (pairs of name and value), each name and text value without NULs.
    Uploaded files are left as they are. What was sent is kept for a signature made over it
    (`as_sent`)."""

    def __init__(self, mapping: Any = None) -> None:
        sent = None
        if isinstance(mapping, list):
            sent, mapping = (
                mapping,
                [(_without_nul(key), _without_nul(value)) for key, value in mapping],
            )
        super().__init__(mapping)
        self.sent = ImmutableMultiDict(sent) if sent != mapping else None


def as_sent(fields: ImmutableMultiDict) -> ImmutableMultiDict:
    """The fields exactly as sent, NULs and all: what a webhook's signature covers."""
    return getattr(fields, "sent", None) or fields


class TypedRequest(Request):
    parameter_storage_class = TypedFields


class RowIdConverter(IntegerConverter):
    """`<int:...>` in a route: an id that fits the database's INTEGER, else no such page."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(map, *args, **kwargs)


class RowIdMap(Map):
    default_converters = {**Map.default_converters, "int": RowIdConverter}
