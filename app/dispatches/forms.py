from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import TextAreaField

from app.forms import radio_field, submit_button, text_field
from app.rules.vocabulary import DispatchOutcome


class DispatchOutcomeForm(FlaskForm):
    outcome = radio_field(
        "What did the team find?", DispatchOutcome.choices(), "Select what the team found"
    )
    notes = text_field(
        "Notes (optional)",
        max_length=1000,
        noun="Notes",
        trim=False,
        field=TextAreaField,
        widget=GovTextArea(),
    )
    submit = submit_button("Record outcome")
