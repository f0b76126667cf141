from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from app.forms import reason_field, strip_whitespace
from app.rules import subject_access as rules


class FindResidentForm(FlaskForm):
    """Posted, so the reference typed never reaches an address."""

    reference = StringField(
        "Resident's reference number",
        description="For example, ABCD-EFGH-JKM. It is on letters the council sends.",
        filters=[strip_whitespace],
        widget=GovTextInput(),
        validators=[
            DataRequired(message=rules.ENTER_REFERENCE),
            Length(max=40, message=rules.REFERENCE_FORMAT),
        ],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class StartExportForm(FlaskForm):
    reason = reason_field(
        "Which request does this export answer?",
        rules.ENTER_REASON,
        description="For example, how and when the resident asked. It is kept in the audit log.",
        min_length=rules.REASON_MIN_LENGTH,
        max_length=rules.REASON_MAX_LENGTH,
    )
    include_third_parties = BooleanField(
        "Include third parties' names and phone numbers",
        description=(
            "By default the names and numbers of people who reported something or called about "
            "the resident are withheld, with a marker saying so."
        ),
        widget=GovCheckboxInput(),
    )
    # Asked for only when third parties are included (validate_third_party_reason).
    third_party_reason = TextAreaField(
        "Why should third parties' names and numbers be included?",
        description="Only if you ticked the box above. It is kept in the audit log.",
        filters=[strip_whitespace],
        widget=GovCharacterCount(),
        validators=[
            Length(
                max=rules.REASON_MAX_LENGTH,
                message=f"Reason must be {rules.REASON_MAX_LENGTH} characters or fewer",
            )
        ],
    )
    submit = SubmitField("Start the export", widget=GovSubmitInput())

    def validate_third_party_reason(self, field) -> None:
        if self.include_third_parties.data and (
            not field.data or len(field.data) < rules.REASON_MIN_LENGTH
        ):
            raise ValidationError(rules.ENTER_THIRD_PARTY_REASON)

    def terms(self) -> tuple[str, bool, str | None]:
        include = bool(self.include_third_parties.data)
        return self.reason.data, include, self.third_party_reason.data if include else None


class GatherForm(FlaskForm):
    submit = SubmitField("Gather the next section", widget=GovSubmitInput())
