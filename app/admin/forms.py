from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, ValidationError

from app.forms import choices, strip_whitespace
from app.rules import staff_accounts as rules
from app.rules.staff_accounts import StaffDetails
from app.rules.vocabulary import Role, ServiceArea


class StaffSearchForm(FlaskForm):
    """Find an account by name or email. Posted: a name in an address would be kept in logs."""

    q = StringField(
        "Search by name or email address",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            DataRequired(message="Enter a name or email address to search for"),
            Length(max=254, message="Search must be 254 characters or fewer"),
        ],
    )
    submit = SubmitField("Search", widget=GovSubmitInput())


class StaffForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            DataRequired(message=rules.ENTER_NAME),
            Length(max=200, message="Full name must be 200 characters or fewer"),
        ],
    )
    email = EmailField(
        "Email address",
        description="Their work email address: they sign in with it.",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            DataRequired(message=rules.ENTER_EMAIL),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            Email(message=rules.EMAIL_FORMAT),
        ],
    )
    role = RadioField(
        "Role",
        choices=choices(Role.choices()),
        widget=GovRadioInput(),
        validators=[InputRequired(message=rules.SELECT_ROLE)],
    )
    areas = SelectMultipleField(
        "Service areas",
        description="A call handler sees entries in these areas only. Select all that apply.",
        choices=choices(ServiceArea.choices()),
        widget=GovCheckboxesInput(),
        validate_choice=False,  # checked below, with a message people can act on
    )
    may_see_sensitive = BooleanField("May see entries marked sensitive", widget=GovCheckboxInput())
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_areas(self, field) -> None:
        known = {area.value for area in ServiceArea}
        if any(code not in known for code in field.data or []):
            raise ValidationError("Select service areas from the list")
        if self.role.data in {role.value for role in Role}:
            problem = rules.areas_problem(Role(self.role.data), frozenset(field.data or []))
            if problem:
                raise ValidationError(problem)

    def details(self) -> StaffDetails:
        return StaffDetails(
            name=self.name.data,
            email=self.email.data,
            role=Role(self.role.data),
            area_codes=frozenset(self.areas.data or []),
            may_see_sensitive=bool(self.may_see_sensitive.data),
        )


class ConfirmForm(FlaskForm):
    """A button that confirms a change the page before it described."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())
