"""What every area's forms share: the fields most forms ask for, built one way."""

from collections.abc import Iterable

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from app.rules.typed_text import trimmed


def strip_whitespace(value):
    """A field filter: what was typed, without spaces (or invisible characters) around it."""
    return trimmed(value) if isinstance(value, str) else value


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


def text_field(
    label: str,
    missing: str | None = None,
    *,
    max_length: int | None = None,
    noun: str = "",
    too_long: str | None = None,
    description: str = "",
    optional: bool = False,
    also: Iterable = (),
    trim: bool = True,
    field=StringField,
    widget=None,
):
    """A box to type in (a `StringField` unless `field` says otherwise), trimmed unless `trim`
    is False. `missing` is the error for nothing typed; without it the box may be left empty,
    and `optional` skips every other check of an empty box. More than `max_length`
    characters is an error naming `noun` ("Name must be 200 characters or fewer"), or saying
    `too_long`. `also` are further validators, checked last."""
    validators = [DataRequired(message=missing)] if missing else []
    if optional:
        validators.append(Optional())
    if max_length is not None:
        message = too_long or f"{noun} must be {max_length:,} characters or fewer"
        validators.append(Length(max=max_length, message=message))
    return field(
        label,
        description=description,
        filters=[strip_whitespace] if trim else [],
        widget=widget or GovTextInput(),
        validators=[*validators, *also],
    )


def radio_field(
    label: str,
    pairs: Iterable[tuple[str, str]],
    missing: str,
    *,
    only_these: bool = False,
    **kwargs,
) -> RadioField:
    """GOV.UK radios for (value, label) pairs; `missing` is the error when none is selected.
    With `only_these`, a value that is none of them (a forged or out-of-date post) is told
    `missing` too, in words people can act on, not WTForms' "Not a valid choice"."""
    pairs = list(pairs)
    validators = [InputRequired(message=missing)]
    if only_these:
        validators.append(AnyOf([value for value, _ in pairs], message=missing))
        kwargs["validate_choice"] = False
    return RadioField(
        label, choices=choices(pairs), widget=GovRadioInput(), validators=validators, **kwargs
    )


def checkboxes_field(
    label: str, *, description: str = "", pairs: Iterable[tuple[str, str]] = (), widget=None
) -> SelectMultipleField:
    """GOV.UK checkboxes for (value, label) pairs (or choices the form sets as it is made).
    What is ticked is checked by the form's own `validate_<name>`, in words people can act
    on, not WTForms' "Not a valid choice"."""
    return SelectMultipleField(
        label,
        description=description,
        choices=choices(pairs),
        widget=widget or GovCheckboxesInput(),
        validate_choice=False,
    )


def submit_button(text: str) -> SubmitField:
    """A form's GOV.UK button."""
    return SubmitField(text, widget=GovSubmitInput())


def reason_form(label: str, missing: str, *, submit: str, **reason) -> type[FlaskForm]:
    """A form of a reason (`reason_field(label, missing, **reason)`) and a button saying
    `submit`: what a change made only with a reason asks for."""
    fields = {"reason": reason_field(label, missing, **reason), "submit": submit_button(submit)}
    return type("ReasonForm", (FlaskForm,), fields)


class FilterForm(FlaskForm):
    """A list's filters, read from the address: a GET changes nothing, so no CSRF token."""

    class Meta:
        csrf = False


def filter_field(
    label: str, pairs: Iterable[tuple[str, str]], *, prompt: str, default: str | None = None
) -> SelectField:
    """One of a list's filters: `prompt` (no filter) first, then `pairs`. A filter is never
    required; the form's `validate()` says whether what the address gave is one of them."""
    return SelectField(
        label,
        choices=choices(pairs, prompt=prompt),
        default=default,
        widget=GovSelect(),
        validators=[Optional()],
    )


def choices(pairs: Iterable[tuple[str, str]], *, prompt: str | None = None) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs, with an optional empty first option."""
    options = [SelectChoice("", prompt)] if prompt else []
    return options + [SelectChoice(value, label) for value, label in pairs]
