from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from app.forms import reason_field

REASON_TOO_SHORT = "Enter why you are unlocking phone verification, in at least 10 characters"


class UnlockForm(FlaskForm):
    reason = reason_field(
        "Why are you unlocking phone verification?",
        REASON_TOO_SHORT,
        description="For example, how you confirmed the failed attempts were the resident.",
        min_length=10,
    )
    submit = SubmitField("Unlock phone verification", widget=GovSubmitInput())
