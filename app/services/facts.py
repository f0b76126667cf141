"""Rules take plain values (docs/architecture.md): here a row becomes a rules dataclass."""

from dataclasses import fields
from typing import Any, TypeVar

Facts = TypeVar("Facts")


def facts_from(kind: type[Facts], row: object, **given: Any) -> Facts:
    """A `kind` for `row`: each field the row's attribute of the same name, unless `given`."""
    taken = {
        field.name: getattr(row, field.name) for field in fields(kind) if field.name not in given
    }
    return kind(**taken, **given)
