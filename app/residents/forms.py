from collections.abc import Iterable

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount
from wtforms import HiddenField, TextAreaField
from wtforms.validators import ValidationError

from app.forms import radio_field, reason_field, strip_whitespace, submit_button, text_field
from app.phone_numbers import InvalidPhoneNumber, to_uk_e164
from app.rules import phone_changes as phone_rules
from app.rules.need_to_know import REASON_MAX_LENGTH, REASON_MIN_LENGTH, HiddenDetail
from app.rules.phone_changes import ChangeAsked, PhoneLabel

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


# --- numbers on file (app/rules/phone_changes.py) ---------------------------------------------


class _SeesNumbers(FlaskForm):
    """A change to the numbers on file carries the version of them it was shown with."""

    seen = HiddenField()


class _NumberForm(_SeesNumbers):
    """A number and what kind it is. The number must be a full UK number; a change may leave it
    blank to keep the number and change only its kind."""

    label = radio_field(
        "What kind of number is it?",
        PhoneLabel.choices(),
        phone_rules.SELECT_LABEL,
        only_these=True,
    )

    def validate_number(self, field) -> None:
        if not field.data:
            return
        try:
            field.e164 = to_uk_e164(field.data)
        except InvalidPhoneNumber:
            raise ValidationError(phone_rules.NUMBER_FORMAT) from None

    def typed_number(self) -> str | None:
        return getattr(self.number, "e164", None)


class AddNumberForm(_NumberForm):
    number = text_field(
        "Phone number",
        phone_rules.ENTER_NUMBER,
        description="A UK number, for example 07700 900982",
        max_length=30,
        noun="Phone number",
    )
    submit = submit_button("Add number")

    def asked(self) -> ChangeAsked:
        return ChangeAsked(
            number=self.typed_number(), label=PhoneLabel(self.label.data), seen=self.seen.data or ""
        )


class ChangeNumberForm(_NumberForm):
    number = text_field(
        "New number",
        description="Leave it blank to keep the number and change only what kind it is",
        max_length=30,
        noun="Phone number",
    )
    submit = submit_button("Change number")

    def asked(self, phone_id: int) -> ChangeAsked:
        return ChangeAsked(
            phone_id, self.typed_number(), PhoneLabel(self.label.data), seen=self.seen.data or ""
        )


class RemoveNumberForm(_SeesNumbers):
    submit = submit_button("Remove number")

    def asked(self, phone_id: int) -> ChangeAsked:
        return ChangeAsked(phone_id, remove=True, seen=self.seen.data or "")


class _EvidenceFields(FlaskForm):
    """What a supervisor changes a resident's numbers on, outside a call: a reason and the
    written evidence. Both are kept in the audit log, so the service refuses either holding a
    full number (app/rules/phone_changes.py `supervisor_refusal`)."""

    reason = reason_field(
        "Why are the numbers changing?",
        phone_rules.ENTER_REASON,
        description=(
            "For example, the resident sent a signed form. Name a number by its last 3 digits, "
            "never in full"
        ),
        min_length=phone_rules.REASON_MIN_LENGTH,
        max_length=phone_rules.REASON_MAX_LENGTH,
    )
    evidence = text_field(
        "Evidence reference",
        phone_rules.ENTER_EVIDENCE,
        description="The signed form's or letter's reference",
        max_length=phone_rules.EVIDENCE_MAX_LENGTH,
        noun="Evidence reference",
    )


class SupervisorAddNumberForm(AddNumberForm, _EvidenceFields):
    pass


class SupervisorChangeNumberForm(ChangeNumberForm, _EvidenceFields):
    pass


class SupervisorRemoveNumberForm(RemoveNumberForm, _EvidenceFields):
    pass
