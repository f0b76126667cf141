from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from app.forms import reason_field
from app.rules import retention as rules


class SetHoldForm(FlaskForm):
    reason = reason_field(
        "Why must this record be kept?",
        rules.ENTER_HOLD_REASON,
        description="For example, the claim, investigation or court order, with its reference.",
        min_length=rules.HOLD_REASON_MIN_LENGTH,
    )
    submit = SubmitField("Set a legal hold", widget=GovSubmitInput())


class LiftHoldForm(FlaskForm):
    reason = reason_field(
        "Why can the hold be lifted?",
        rules.ENTER_LIFT_REASON,
        description="For example, the claim was settled or the investigation closed.",
        min_length=rules.HOLD_REASON_MIN_LENGTH,
    )
    submit = SubmitField("Lift the legal hold", widget=GovSubmitInput())
