from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxInput,
)
from wtforms import BooleanField, TextAreaField
from wtforms.validators import ValidationError

from app.forms import reason_field, submit_button, text_field
from app.rules import subject_access as rules


class FindResidentForm(FlaskForm):
    """Posted, so the reference typed never reaches an address."""

    reference = text_field(
        "Resident's reference number",
        rules.ENTER_REFERENCE,
        description="For example, ABCD-EFGH-JKM. It is on letters the council sends.",
        max_length=40,
        too_long=rules.REFERENCE_FORMAT,
    )
    submit = submit_button("Continue")


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
    third_party_reason = text_field(
        "Why should third parties' names and numbers be included?",
        description="Only if you ticked the box above. It is kept in the audit log.",
        max_length=rules.REASON_MAX_LENGTH,
        noun="Reason",
        field=TextAreaField,
        widget=GovCharacterCount(),
    )
    submit = submit_button("Start the export")

    def validate_third_party_reason(self, field) -> None:
        if self.include_third_parties.data and (
            not field.data or len(field.data) < rules.REASON_MIN_LENGTH
        ):
            raise ValidationError(rules.ENTER_THIRD_PARTY_REASON)

    def terms(self) -> tuple[str, bool, str | None]:
        include = bool(self.include_third_parties.data)
        return self.reason.data, include, self.third_party_reason.data if include else None


class GatherForm(FlaskForm):
    submit = submit_button("Gather the next section")
