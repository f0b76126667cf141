from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from app.forms import choices
from app.permissions.forms import HolderFields, TermsFields
from app.phone_numbers import InvalidPhoneNumber, to_e164
from app.residents.forms import AddNumberForm, ChangeNumberForm, RemoveNumberForm
from app.rules import phone_changes as phone_rules
from app.rules.call_outcome import SUMMARY_LIMIT, call_summary
from app.rules.reports import ReportDetails
from app.rules.verification import parse_date_of_birth
from app.rules.vocabulary import (
    CallerType,
    CallOutcome,
    EntryCategory,
    Factor,
    Relationship,
    Urgency,
)


def required_within(limit: int, missing: str, what: str) -> list:
    """A field the handler must fill in, up to `limit` characters, in GOV.UK's words."""
    return [
        DataRequired(message=missing),
        Length(max=limit, message=f"{what} must be {limit:,} characters or fewer"),
    ]


def number_on_file(label: str, missing: str) -> RadioField:
    """A choice of one of the numbers on file, by its last digits. Its choices are not checked
    here: the service refuses any number not on file for the caller or resident in question,
    and its refusal is shown on this field."""
    return RadioField(
        label,
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[InputRequired(message=missing)],
    )


class StartCallForm(FlaskForm):
    caller_number = StringField(
        "Caller's phone number",
        description="As shown on your phone, in any format. Caller ID is a hint, not proof.",
        widget=GovTextInput(),
        validators=[Length(max=30, message="Phone number must be 30 characters or fewer")],
    )
    withheld = BooleanField("Number withheld", widget=GovCheckboxInput())
    submit = SubmitField("Start call", widget=GovSubmitInput())

    def validate_caller_number(self, field: StringField) -> None:
        typed = (field.data or "").strip()
        if self.withheld.data:
            if typed:
                raise ValidationError(
                    "Enter the caller's number or select 'Number withheld', not both"
                )
            return
        if not typed:
            raise ValidationError("Enter the caller's phone number, or select 'Number withheld'")
        try:
            field.e164 = to_e164(typed)
        except InvalidPhoneNumber:
            raise ValidationError(
                "Enter a phone number in the correct format, like 07700 900123"
            ) from None

    def number(self) -> str | None:
        return None if self.withheld.data else getattr(self.caller_number, "e164", None)


class SearchForm(FlaskForm):
    """Posted, with its CSRF token, so that what was typed never reaches an address."""

    q = StringField(
        "Find the resident's record",
        description="Phone number, reference, postcode, name, or name and postcode",
        widget=GovTextInput(),
        validators=[Length(max=120, message="Search must be 120 characters or fewer")],
    )


class SelectResidentForm(FlaskForm):
    resident_id = StringField(validators=[DataRequired()])


# What someone other than the resident can be to them: the caller step and the report ask it.
THIRD_PARTY_RELATIONSHIPS = [
    pair for pair in Relationship.choices() if pair[0] != Relationship.SELF
]


class CallerForm(FlaskForm):
    caller_type = RadioField(
        "Who is calling?",
        choices=choices(
            [
                (CallerType.RESIDENT.value, "The resident"),
                (CallerType.REPRESENTATIVE.value, "Someone with the resident's permission"),
                (CallerType.THIRD_PARTY.value, "Someone else calling about the resident"),
            ]
        ),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select who is calling")],
    )
    caller_name = StringField(
        "Caller's name (if given)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200, message="Name must be 200 characters or fewer")],
    )
    # Each of these is shown under the answer it belongs to, and read only with that answer.
    permission_id = SelectField(
        "Whose permission are they using?",
        widget=GovSelect(),
        validate_choice=False,  # checked against this resident's permissions below
    )
    relationship = SelectField(
        "Relationship to the resident",
        choices=choices(THIRD_PARTY_RELATIONSHIPS, prompt="Select a relationship"),
        widget=GovSelect(),
        validate_choice=False,  # asked for only when someone else is calling; checked below
    )
    submit = SubmitField("Save who is calling", widget=GovSubmitInput())

    def __init__(self, *args, holders: list = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.permission_id.choices = choices(
            [(str(holder.id), f"{holder.holder_name} ({holder.kind_label})") for holder in holders],
            prompt="Select a permission" if holders else "Nobody has the resident's permission",
        )

    def validate(self, extra_validators=None) -> bool:
        """A relationship chosen, with nobody chosen above it, says who is calling: someone
        else (a neighbour's call in two presses)."""
        if not self.caller_type.data and self.relationship.data:
            self.caller_type.data = CallerType.THIRD_PARTY.value
            self.caller_type.raw_data = [CallerType.THIRD_PARTY.value]
        if self.caller_type.data != CallerType.THIRD_PARTY:
            # Asked only of someone else calling (a representative is named by their
            # permission): typed under another answer, it is neither checked nor kept.
            self.caller_name.data = ""
        return super().validate(extra_validators)

    def validate_permission_id(self, field: SelectField) -> None:
        if self.caller_type.data != CallerType.REPRESENTATIVE:
            field.data = ""
            return
        offered = {choice.value for choice in field.choices if choice.value}
        if field.data not in offered:
            raise ValidationError("Select the permission the caller says they hold")

    def validate_relationship(self, field: SelectField) -> None:
        if self.caller_type.data != CallerType.THIRD_PARTY:
            field.data = ""
            return
        offered = {choice.value for choice in field.choices if choice.value}
        if field.data not in offered:
            raise ValidationError(
                "Select the caller's relationship to the resident, or 'Not given'"
            )


class CheckForm(FlaskForm):
    """A check of the caller. It carries what the call said when the form was shown, so that
    answers typed for one record and caller are never checked against another."""

    shown_for = HiddenField()
    REFUSAL_FIELD = ""  # where a refusal to check is shown (app.refusals.show_refusal)


class VerifyForm(CheckForm):
    REFUSAL_FIELD = "date_of_birth"
    date_of_birth = StringField(
        "Date of birth",
        description="As the caller says it, for example 27 3 1985 or 27 March 1985",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=40, message="Date of birth must be 40 characters or fewer"),
        ],
    )
    postcode = StringField(
        "Postcode",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=12, message="Postcode must be 12 characters or fewer")],
    )
    address_line = StringField(
        "First line of address",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200, message="Address must be 200 characters or fewer")],
    )
    reference = StringField(
        "Reference number",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=30, message="Reference must be 30 characters or fewer")],
    )
    secret_word = StringField(
        "Secret word",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=100, message="Secret word must be 100 characters or fewer"),
        ],
    )
    submit = SubmitField("Check answers", widget=GovSubmitInput())

    FIELDS = {
        Factor.DATE_OF_BIRTH: "date_of_birth",
        Factor.POSTCODE: "postcode",
        Factor.ADDRESS_LINE: "address_line",
        Factor.REFERENCE: "reference",
        Factor.SECRET_WORD: "secret_word",
    }

    def validate_date_of_birth(self, field: StringField) -> None:
        if field.data and field.data.strip() and parse_date_of_birth(field.data) is None:
            raise ValidationError(
                "Enter the date of birth as a real date, for example 27 3 1985 or 27 March 1985"
            )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not any(answer.strip() for answer in self.answers().values()):
            self.date_of_birth.errors.append("Enter at least one answer the caller gave")
            return False
        return valid

    def answers(self) -> dict[Factor, str]:
        return {factor: getattr(self, name).data or "" for factor, name in self.FIELDS.items()}


class RepresentativeVerifyForm(CheckForm):
    REFUSAL_FIELD = "passcode"
    passcode = StringField(
        "Representative's passcode",
        description="The passcode given to the representative when the permission was recorded",
        widget=GovTextInput(),
        validators=required_within(40, "Enter the passcode the caller gave", "Passcode"),
    )
    submit = SubmitField("Check passcode", widget=GovSubmitInput())


class NumberOnFileForm(CheckForm):
    """A check that uses a number on file, chosen by its last digits (its `phone` field);
    the service checks the one posted belongs to this call's caller."""

    REFUSAL_FIELD = "phone"
    CHOICE = "Number ending {ending} ({label})"
    phone: RadioField

    def __init__(self, *args, numbers: list = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.phone.choices = [
            (number.choice, self.CHOICE.format(ending=number.ending, label=number.label))
            for number in numbers
        ]


class SendCodeForm(NumberOnFileForm):
    """Send a code by text to a number on file."""

    phone = number_on_file(
        "Send a code by text to", "Select the number on file to send the code to"
    )
    submit = SubmitField("Send a code by text", widget=GovSubmitInput())


class CallBackForm(NumberOnFileForm):
    """Ring the resident back on a number on file."""

    CHOICE = "Ring the number ending {ending} ({label})"
    phone = number_on_file("Ring back on", "Select the number on file to ring back")
    submit = SubmitField("Ring back", widget=GovSubmitInput())


class TextCodeForm(CheckForm):
    REFUSAL_FIELD = "code"
    code = StringField(
        "Code the caller reads back",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter the code the caller reads back"),
            Regexp(r"^\s*\d{4,10}\s*$", message="Enter the code as digits, for example 123456"),
        ],
    )
    submit = SubmitField("Check code", widget=GovSubmitInput())


class VerbalConsentForm(HolderFields, TermsFields):
    """Verbal consent, given by the resident verified on this call, for a named person. It
    starts today, so it asks for no evidence and no start date."""

    REFUSAL_FIELD = "holder_name"  # where a refusal about the call itself is shown
    submit = SubmitField("Record verbal consent", widget=GovSubmitInput())


class AddNumberOnCallForm(AddNumberForm, CheckForm):
    """A number the resident, verified on this call, adds to their record. It carries what
    the call said when it was shown, like a check, so it is never made for another record."""

    REFUSAL_FIELD = "number"


class _ChoosesNumber(CheckForm):
    """A change to one of the numbers on file, chosen by its last digits."""

    REFUSAL_FIELD = "phone"
    phone = number_on_file("Which number?", phone_rules.SELECT_NUMBER)

    def __init__(self, *args, numbers: list = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.phone.choices = [(str(number.phone_id), number.choice_label) for number in numbers]

    def validate_phone(self, field: RadioField) -> None:
        if not (field.data or "").isascii() or not (field.data or "").isdigit():
            raise ValidationError(phone_rules.SELECT_NUMBER)

    def phone_id(self) -> int:
        return int(self.phone.data)


class ChangeNumberOnCallForm(ChangeNumberForm, _ChoosesNumber):
    pass


class RemoveNumberOnCallForm(RemoveNumberForm, _ChoosesNumber):
    # Set by the confirmation: the first post only asks "are you sure?".
    confirmed = HiddenField()


class ReportForm(FlaskForm):
    # The record the report was started for: never filed on another the call moved to.
    resident_id = HiddenField()
    # Asked here when nobody said who is calling before the report: a caller who only rings to
    # report something need not go through the caller step first.
    relationship = SelectField(
        "Who is the caller to the resident?",
        description="If they say",
        choices=choices(THIRD_PARTY_RELATIONSHIPS, prompt="Select a relationship"),
        widget=GovSelect(),
        validate_choice=False,  # asked only when the call has no caller yet; checked below
    )
    area = SelectField(
        "Service area",
        widget=GovSelect(),
        validators=[InputRequired(message="Select a service area")],
    )
    category = SelectField(
        "What kind of report is it?",
        choices=choices(EntryCategory.choices(), prompt="Select a category"),
        widget=GovSelect(),
        validators=[InputRequired(message="Select what kind of report it is")],
    )
    summary = TextAreaField(
        "What did the caller report?",
        widget=GovCharacterCount(),
        validators=required_within(2000, "Enter what the caller reported", "Report"),
    )
    urgency = RadioField(
        "How urgent is it?",
        choices=choices(Urgency.choices()),
        default=Urgency.ROUTINE.value,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select how urgent it is")],
    )
    is_sensitive = BooleanField(
        "Contains sensitive information (health, criminal record, ethnicity or religion)",
        widget=GovCheckboxInput(),
    )
    raise_dispatch = BooleanField("Send someone out now", widget=GovCheckboxInput())
    team = StringField(
        "Team to send",
        widget=GovTextInput(),
        validators=[Length(max=100, message="Team must be 100 characters or fewer")],
    )
    instructions = TextAreaField(
        "What should they do?",
        widget=GovTextArea(),
        validators=[Length(max=1000, message="Instructions must be 1,000 characters or fewer")],
    )
    submit = SubmitField("Log report", widget=GovSubmitInput())

    def __init__(
        self, *args, area_choices: list[tuple[str, str]], ask_relationship: bool = False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.area.choices = choices(area_choices, prompt="Select a service area")
        self.ask_relationship = ask_relationship

    def validate(self, extra_validators=None) -> bool:
        if not self.raise_dispatch.data:
            # Shown only once "Send someone out now" is ticked: otherwise neither checked
            # nor kept.
            self.team.data = self.instructions.data = ""
        return super().validate(extra_validators)

    def validate_relationship(self, field: SelectField) -> None:
        """Optional (good faith: nothing stops a report); left blank, it is "not given"."""
        if not self.ask_relationship:
            field.data = ""
            return
        offered = {choice.value for choice in field.choices if choice.value}
        if field.data and field.data not in offered:
            raise ValidationError("Select who the caller is to the resident, or 'Not given'")

    def validate_team(self, field: StringField) -> None:
        if self.raise_dispatch.data and not (field.data or "").strip():
            raise ValidationError("Enter the team to send")

    def validate_instructions(self, field: TextAreaField) -> None:
        if self.raise_dispatch.data and not (field.data or "").strip():
            raise ValidationError("Enter what the team should do")

    def details(self) -> ReportDetails:
        dispatch = bool(self.raise_dispatch.data)
        return ReportDetails(
            area_code=self.area.data,
            category=EntryCategory(self.category.data),
            summary=self.summary.data.strip(),
            urgency=Urgency(self.urgency.data),
            is_sensitive=bool(self.is_sensitive.data),
            dispatch_team=self.team.data.strip() if dispatch else None,
            dispatch_instructions=self.instructions.data.strip() if dispatch else None,
            relationship=Relationship(self.relationship.data) if self.relationship.data else None,
        )


# The outcomes a handler ends a call with: a call closed automatically is the service's doing.
HANDLER_OUTCOMES = [
    outcome for outcome in CallOutcome if outcome is not CallOutcome.CLOSED_AUTOMATICALLY
]


class EndCallForm(FlaskForm):
    outcome = RadioField(
        "Outcome",
        choices=choices((outcome.value, outcome.label) for outcome in HANDLER_OUTCOMES),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select the outcome of the call")],
    )
    summary = TextAreaField(
        "Short summary",
        description="Left as the outcome's own words, or empty, the outcome is the summary",
        widget=GovCharacterCount(),
        validators=[Length(max=SUMMARY_LIMIT, message="Summary must be 500 characters or fewer")],
    )
    submit = SubmitField("End call", widget=GovSubmitInput())

    def summary_for_outcome(self) -> str:
        """What is kept as the call's summary: what was typed, or the outcome's own words."""
        return call_summary(CallOutcome(self.outcome.data), self.summary.data or "")


class TakeCallForm(FlaskForm):
    """Take a waiting call: the button, and the CSRF token it is posted with."""

    submit = SubmitField("Take call", widget=GovSubmitInput())


class LineForm(FlaskForm):
    """Hold, resume or hang up the line: the button pressed says which."""

    action = HiddenField(validators=[AnyOf(["hold", "resume", "hang-up"])])


class SimulateCallForm(StartCallForm):
    """Development only: a call from any number, waiting as if it had come in."""

    submit = SubmitField("Simulate a call", widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.caller_number.label.text = "Number the simulated call comes from"
        self.caller_number.description = "Any number, in any format: nobody is rung."
