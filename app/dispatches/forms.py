from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.forms import choices
from app.rules.vocabulary import DispatchOutcome


class DispatchOutcomeForm(FlaskForm):
    outcome = RadioField(
        "What did the team find?",
        choices=choices(DispatchOutcome.choices()),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select what the team found")],
    )
    notes = TextAreaField(
        "Notes (optional)",
        widget=GovTextArea(),
        validators=[Length(max=1000, message="Notes must be 1,000 characters or fewer")],
    )
    submit = SubmitField("Record outcome", widget=GovSubmitInput())
