"""What every area's forms share."""

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def strip_whitespace(value):
    """A field filter: what was typed, without spaces around it."""
    return value.strip() if isinstance(value, str) else value


def choices(pairs: Iterable[tuple[str, str]], *, prompt: str | None = None) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs, with an optional empty first option."""
    options = [SelectChoice("", prompt)] if prompt else []
    return options + [SelectChoice(value, label) for value, label in pairs]
