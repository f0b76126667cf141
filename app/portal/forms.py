from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, ValidationError
from wtforms.widgets import HiddenInput

from app.forms import choices, reason_field, strip_whitespace
from app.rules.vocabulary import DisputeReason

ENTER_REFERENCE = "Enter your reference number"
ENTER_DATE_OF_BIRTH = "Enter your date of birth"
ENTER_CODE = "Enter the code from the text message"
SELECT_REASON = "Select why the entry is wrong"
ENTER_STATEMENT = "Tell us what is wrong with the entry"


class SignInForm(FlaskForm):
    """Only checks that something was typed: whether the details match is never said here,
    so a mistyped reference and a wrong date of birth get the same answer."""

    reference = StringField(
        "Reference number",
        description="It is on letters we send you, for example ABCD-EFGH-JKM",
        filters=[strip_whitespace],
        widget=GovTextInput(),
        validators=[InputRequired(message=ENTER_REFERENCE)],
    )
    date_of_birth = StringField(
        "Date of birth",
        description="For example, 27 3 1948 or 27 March 1948",
        filters=[strip_whitespace],
        widget=GovTextInput(),
        validators=[InputRequired(message=ENTER_DATE_OF_BIRTH)],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class CodeForm(FlaskForm):
    code = StringField(
        "Code from the text message",
        description="It has 6 numbers",
        filters=[strip_whitespace],
        widget=GovTextInput(),
        validators=[InputRequired(message=ENTER_CODE)],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class SignOutForm(FlaskForm):
    submit = SubmitField("Sign out", widget=GovSubmitInput())


class RevokeForm(FlaskForm):
    submit = SubmitField("Yes, take this permission away", widget=GovSubmitInput())


class DisputeForm(FlaskForm):
    REFUSAL_FIELD = "statement"

    reason = RadioField(
        "Why is this entry wrong?",
        choices=choices(DisputeReason.choices()),
        widget=GovRadioInput(),
        validators=[InputRequired(message=SELECT_REASON)],
    )
    statement = reason_field(
        "Tell us what is wrong",
        ENTER_STATEMENT,
        description="For example, what really happened. We will read this when we investigate.",
        max_length=2000,
        noun="What you tell us",
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())

    def answers(self) -> tuple[DisputeReason, str]:
        return DisputeReason(self.reason.data), self.statement.data


class ConfirmDisputeForm(DisputeForm):
    """The answers again, carried in hidden fields from the check-your-answers page."""

    reason = StringField(widget=HiddenInput(), validators=[InputRequired(message=SELECT_REASON)])
    statement = StringField(
        widget=HiddenInput(),
        filters=[strip_whitespace],
        validators=[InputRequired(message=ENTER_STATEMENT), Length(max=2000)],
    )
    submit = SubmitField("Send my dispute", widget=GovSubmitInput())

    def validate_reason(self, field) -> None:
        if field.data not in {reason.value for reason in DisputeReason}:
            raise ValidationError(SELECT_REASON)
