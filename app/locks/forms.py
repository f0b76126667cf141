from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovSubmitInput
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.forms import strip_whitespace

REASON_TOO_SHORT = "Enter why you are unlocking phone verification, in at least 10 characters"


class UnlockForm(FlaskForm):
    reason = TextAreaField(
        "Why are you unlocking phone verification?",
        description="For example, how you confirmed the failed attempts were the resident.",
        filters=[strip_whitespace],
        widget=GovCharacterCount(),
        validators=[
            DataRequired(message=REASON_TOO_SHORT),
            Length(min=10, message=REASON_TOO_SHORT),
            Length(max=500, message="Reason must be 500 characters or fewer"),
        ],
    )
    submit = SubmitField("Unlock phone verification", widget=GovSubmitInput())
