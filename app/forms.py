"""What every area's forms share."""

from collections.abc import Iterable

from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length


def strip_whitespace(value):
    """A field filter: what was typed, without spaces around it."""
    return value.strip() if isinstance(value, str) else value


def reason_field(
    label: str,
    missing: str,
    *,
    description: str = "",
    min_length: int = 0,
    max_length: int = 500,
    noun: str = "Reason",
) -> TextAreaField:
    """The reason asked for before a change that is recorded with it (revoke, close a matter,
    unlock, open a record): required and trimmed. `missing` is the error for no reason, and
    for one shorter than `min_length`, so it should say how long a reason must be."""
    return TextAreaField(
        label,
        description=description,
        filters=[strip_whitespace],
        widget=GovCharacterCount(),
        validators=[
            DataRequired(message=missing),
            Length(min=min_length, message=missing),
            Length(max=max_length, message=f"{noun} must be {max_length} characters or fewer"),
        ],
    )


def choices(pairs: Iterable[tuple[str, str]], *, prompt: str | None = None) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs, with an optional empty first option."""
    options = [SelectChoice("", prompt)] if prompt else []
    return options + [SelectChoice(value, label) for value, label in pairs]
