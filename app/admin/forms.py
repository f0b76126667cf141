from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovTextInput
from wtforms import BooleanField, EmailField, StringField
from wtforms.validators import Email, Length, Optional, ValidationError

from app.forms import checkboxes_field, radio_field, submit_button, text_field
from app.phone_numbers import InvalidPhoneNumber, to_e164
from app.rules import staff_accounts as rules
from app.rules.staff_accounts import StaffDetails
from app.rules.vocabulary import Role, ServiceArea


class StaffSearchForm(FlaskForm):
    """Find an account by name or email. Posted: a name in an address would be kept in logs."""

    q = text_field(
        "Search by name or email address",
        "Enter a name or email address to search for",
        max_length=254,
        noun="Search",
    )
    submit = submit_button("Search")


class StaffForm(FlaskForm):
    name = text_field("Full name", rules.ENTER_NAME, max_length=200, noun="Full name")
    email = text_field(
        "Email address",
        rules.ENTER_EMAIL,
        description="Their work email address: they sign in with it.",
        max_length=254,
        noun="Email address",
        also=[Email(message=rules.EMAIL_FORMAT)],
        field=EmailField,
    )
    role = radio_field("Role", Role.choices(), rules.SELECT_ROLE)
    areas = checkboxes_field(
        "Service areas",
        description="A call handler sees entries in these areas only. Select all that apply.",
        pairs=ServiceArea.choices(),
    )
    may_see_sensitive = BooleanField("May see entries marked sensitive", widget=GovCheckboxInput())
    desk_number = StringField(
        "Desk phone (optional)",
        description=(
            "Calls they take ring this number or SIP address instead of their browser. "
            "Leave empty to answer in the browser."
        ),
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=200, message="Desk phone must be 200 characters or fewer"),
        ],
    )
    submit = submit_button("Save")

    def validate_desk_number(self, field) -> None:
        typed = (field.data or "").strip()
        if not typed:
            field.data = None
            return
        if rules.is_sip_address(typed):
            field.data = typed
            return
        try:
            field.data = to_e164(typed)
        except InvalidPhoneNumber:
            raise ValidationError(rules.DESK_NUMBER_FORMAT) from None

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
            desk_number=self.desk_number.data or None,
        )


class ConfirmForm(FlaskForm):
    """A button that confirms a change the page before it described."""

    submit = submit_button("Confirm")
