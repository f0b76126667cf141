from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

REASON_MIN = 10
REASON_MAX = 500
REASON_TOO_SHORT = "Enter why you need to see this record, in at least 10 characters"


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class FindRecordForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(
        "Find a record",
        description="Phone number, reference, postcode, name, or name and postcode",
        widget=GovTextInput(),
        validators=[Length(max=120, message="Search must be 120 characters or fewer")],
    )


class RecordReasonForm(FlaskForm):
    reason = TextAreaField(
        "Why do you need to see this record?",
        description=(
            "For example, the complaint or case you are working on. "
            "Your reason is kept with a record of what you saw."
        ),
        filters=[_strip],
        widget=GovCharacterCount(),
        validators=[
            DataRequired(message=REASON_TOO_SHORT),
            Length(min=REASON_MIN, message=REASON_TOO_SHORT),
            Length(max=REASON_MAX, message="Reason must be 500 characters or fewer"),
        ],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())
