from collections.abc import Iterable

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount
from wtforms import TextAreaField
from wtforms.validators import ValidationError

from app.forms import reason_field, strip_whitespace, submit_button, text_field
from app.rules.need_to_know import REASON_MAX_LENGTH, REASON_MIN_LENGTH, HiddenDetail

REASON_MIN = REASON_MIN_LENGTH
REASON_MAX = REASON_MAX_LENGTH
REASON_TOO_SHORT = "Enter why you need to see this record, in at least 10 characters"


class FindRecordForm(FlaskForm):
    """Posted, with its CSRF token, so that what was typed never reaches an address."""

    q = text_field(
        "Find a record",
        description="Phone number, reference, postcode, name, or name and postcode",
        max_length=120,
        noun="Search",
        trim=False,
    )


class RecordReasonForm(FlaskForm):
    reason = reason_field(
        "Why do you need to see this record?",
        REASON_TOO_SHORT,
        description=(
            "For example, the complaint or case you are working on. "
            "Your reason is kept with a record of what you saw."
        ),
        min_length=REASON_MIN,
        max_length=REASON_MAX,
    )
    submit = submit_button("Continue")


class RevealDetailForm(FlaskForm):
    """The reason for revealing one hidden detail. Several are on one page, so each is made
    with a prefix (the detail's name) that keeps its fields' names and ids apart."""

    reason = TextAreaField(
        "Why do you need to see it?", filters=[strip_whitespace], widget=GovCharacterCount()
    )

    def __init__(self, *args, noun: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.noun = noun  # "date of birth", in "Why do you need to see the date of birth?"

    def validate_reason(self, field: TextAreaField) -> None:
        if not field.data or len(field.data) < REASON_MIN:
            raise ValidationError(
                f"Enter why you need to see the {self.noun}, in at least {REASON_MIN} characters"
            )
        if len(field.data) > REASON_MAX:
            raise ValidationError(f"Reason must be {REASON_MAX} characters or fewer")


def reveal_forms(details: Iterable[HiddenDetail]) -> dict[HiddenDetail, RevealDetailForm]:
    """An empty reveal form for each detail on a page, in the order given."""
    return {
        detail: RevealDetailForm(formdata=None, prefix=detail.value, noun=detail.label)
        for detail in details
    }
