from datetime import date

import phonenumbers
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    Field,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)

from app import clock
from app.forms import choices, reason_field, strip_whitespace
from app.phone_numbers import InvalidPhoneNumber, to_e164
from app.residents.forms import RevealDetailForm
from app.rules import permissions as rules
from app.rules.need_to_know import HiddenDetail
from app.rules.vocabulary import PermissionKind, Relationship, RepresentativeCheck

UK_COUNTRY_CODE = 44
ALL_AREAS = "all"
MAY_ACT = "may-act"
DISCLOSURE_ONLY = "disclosure-only"
SAFEGUARDING_QUESTIONS = [
    ("given-freely", "The resident is giving this permission freely"),
    ("nobody-pressing", "Nobody is pressing the resident to give it"),
    (
        "understands",
        "The resident understands what the permission covers, and that they can take it back "
        "at any time",
    ),
]
# Someone acting for the resident is never "the resident", and must say who they are.
HOLDER_RELATIONSHIPS = [
    pair
    for pair in Relationship.choices()
    if pair[0] not in {Relationship.SELF, Relationship.NOT_GIVEN}
]


def _is_real_number(e164: str) -> bool:
    """A number codes can be sent to. Any full 10-digit UK number counts, even in ranges the
    phone library does not know, such as Ofcom's drama numbers (07700 900xxx) used in training."""
    parsed = phonenumbers.parse(e164)
    return phonenumbers.is_valid_number(parsed) or (
        parsed.country_code == UK_COUNTRY_CODE and len(str(parsed.national_number)) == 10
    )


class DateInputField(Field):
    """A GOV.UK date input: day, month and year boxes posted under one name.

    Errors follow the GOV.UK date input pattern: "Enter the start date", "The start date must
    include a month", "The start date must be a real date".
    """

    widget = GovDateInput()
    raw_data: list[str] | None = None

    def __init__(self, label=None, validators=None, *, called: str, required: bool, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.called = called  # "the start date"
        self.required = required
        self.problem: str | None = None

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [value.strip() for value in valuelist[:3]]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        self.data = None
        self.problem = None
        if not any(parts):
            return
        day, month, year = parts
        named = self.called[0].upper() + self.called[1:]
        missing = [
            name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part
        ]
        if missing:
            self.problem = f"{named} must include a {missing[0]}"
            return
        if not all(part.isdigit() for part in parts) or len(year) != 4:
            self.problem = f"{named} must be a real date"
            return
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError:
            self.problem = f"{named} must be a real date"

    def pre_validate(self, form) -> None:
        if self.problem:
            raise StopValidation(self.problem)
        if self.data is None:
            if self.required:
                raise StopValidation(f"Enter {self.called}")
            raise StopValidation()  # empty and optional: nothing more to check

    def _value(self) -> str:
        return ""


class ScopeCheckboxes(GovCheckboxesInput):
    """Each service area, then "or", then all services: GOV.UK's exclusive checkbox, so ticking
    "All council services" clears the areas and the other way round."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        items = params["items"]
        if items and items[-1]["value"] == ALL_AREAS:
            items[-1]["behaviour"] = "exclusive"
            items.insert(len(items) - 1, {"divider": "or"})
        return params


class HolderFields(FlaskForm):
    """Who the resident gives permission to: asked by every permission form."""

    holder_name = StringField(
        "Representative's full name",
        filters=[strip_whitespace],
        widget=GovTextInput(),
        validators=[
            DataRequired(message=rules.NAME_MISSING),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    holder_relationship = SelectField(
        "Relationship to the resident",
        choices=choices(HOLDER_RELATIONSHIPS, prompt="Select a relationship"),
        widget=GovSelect(),
        validators=[InputRequired(message=rules.RELATIONSHIP_MISSING)],
    )
    holder_phone = StringField(
        "Representative's phone number",
        description="Used to send them a code by text, if you choose that below",
        filters=[strip_whitespace],
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter the representative's phone number"),
            Length(max=30, message="Phone number must be 30 characters or fewer"),
        ],
    )
    holder_email = StringField(
        "Representative's email address (optional)",
        filters=[strip_whitespace],
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            Email(message="Enter an email address in the correct format, like name@example.com"),
        ],
    )

    def validate_holder_phone(self, field: StringField) -> None:
        try:
            e164 = to_e164(field.data)
        except InvalidPhoneNumber:
            e164 = None
        if e164 is None or not _is_real_number(e164):
            raise ValidationError(rules.PHONE_INVALID)

    def representative(self) -> rules.Representative:
        return rules.Representative(
            name=self.holder_name.data,
            relationship=Relationship(self.holder_relationship.data),
            phone=self.holder_phone.data,
            email=self.holder_email.data or None,
        )


class EvidenceFields(FlaskForm):
    """The written evidence a supervisor records a permission from."""

    kind = RadioField(
        "What is the evidence?",
        choices=choices((kind.value, kind.label) for kind in rules.WRITTEN_KINDS),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select the kind of permission")],
    )
    evidence_reference = StringField(
        "Evidence reference",
        description="The document, LPA or court order number",
        filters=[strip_whitespace],
        widget=GovTextInput(),
        validators=[
            DataRequired(message=rules.EVIDENCE_REFERENCE_MISSING),
            Length(max=200, message="Evidence reference must be 200 characters or fewer"),
        ],
    )
    lpa_access_code = StringField(
        "LPA access code (optional)",
        description=(
            "Only for a Lasting Power of Attorney: the code from the Office of the Public "
            "Guardian's 'View an LPA' service, like V-ABCD-1234-EFGH"
        ),
        filters=[strip_whitespace],
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=40, message="Access code must be 40 characters or fewer"),
        ],
    )
    starts_on = DateInputField(
        "When does the permission start?",
        description="For example, 27 3 2026",
        called="the start date",
        required=True,
    )

    def validate_lpa_access_code(self, field: StringField) -> None:
        problem = rules.access_code_problem(self.kind.data, field.data)
        if problem:
            raise ValidationError(problem)

    def evidence(self) -> rules.WrittenEvidence:
        return rules.WrittenEvidence(
            kind=PermissionKind(self.kind.data),
            reference=self.evidence_reference.data,
            starts_on=self.starts_on.data,
            lpa_access_code=self.lpa_access_code.data or None,
        )


class TermsFields(FlaskForm):
    """What a permission covers, until when, how the representative proves who they are, and
    the safeguarding questions: asked by every permission form. An empty expiry date means
    none, or for verbal consent the default."""

    expires_on = DateInputField(
        "When does it expire? (optional)",
        description="It stops applying on this date. Leave empty if it does not expire.",
        called="the expiry date",
        required=False,
    )
    areas = SelectMultipleField(
        "Which services does it cover?",
        description="Select all that apply",
        widget=ScopeCheckboxes(),
        validate_choice=False,  # checked below, with a message people can act on
    )
    may_act = RadioField(
        "What may the representative do?",
        choices=choices(
            [
                (MAY_ACT, "Be told about the resident's services and act on their behalf"),
                (DISCLOSURE_ONLY, "Be told about the resident's services only"),
            ]
        ),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select what the representative may do")],
    )
    matter = TextAreaField(
        "Is it only for one matter? (optional)",
        description=(
            "If so, describe it, for example 'council tax arrears for 2026'. The permission "
            "ends when the matter is closed."
        ),
        filters=[strip_whitespace],
        widget=GovCharacterCount(),
        validators=[Length(max=500, message="Matter must be 500 characters or fewer")],
    )
    check = RadioField(
        "How will the representative prove who they are on a call?",
        choices=choices(
            [
                (
                    RepresentativeCheck.PASSCODE.value,
                    "A passcode, shown once on the next page for you to pass on",
                ),
                (
                    RepresentativeCheck.SMS.value,
                    "A code sent by text to the representative's phone when they call",
                ),
            ]
        ),
        default=RepresentativeCheck.PASSCODE.value,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select how the representative will prove who they are")],
    )
    safeguarding = SelectMultipleField(
        "Safeguarding",
        description="Confirm each of these with the resident, or from the document.",
        choices=choices(SAFEGUARDING_QUESTIONS),
        widget=GovCheckboxesInput(),
        validate_choice=False,
    )

    def __init__(self, *args, area_choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.areas.choices = choices([*area_choices, (ALL_AREAS, "All council services")])

    def starts(self) -> date | None:
        """When the permission starts: verbal consent starts on the day it is given."""
        return clock.today()

    def validate_expires_on(self, field: DateInputField) -> None:
        problem = rules.expiry_problem(self.starts(), field.data)
        if problem:
            raise ValidationError(problem)

    def validate_areas(self, field: SelectMultipleField) -> None:
        chosen = set(field.data or [])
        offered = {choice.value for choice in field.choices}
        if not chosen:
            raise ValidationError(rules.AREAS_MISSING)
        if not chosen <= offered:
            raise ValidationError(rules.AREAS_UNKNOWN)
        if ALL_AREAS in chosen and len(chosen) > 1:
            raise ValidationError(
                "Select all council services or particular service areas, not both"
            )

    def validate_safeguarding(self, field: SelectMultipleField) -> None:
        if set(field.data or []) != {value for value, _ in SAFEGUARDING_QUESTIONS}:
            raise ValidationError(rules.SAFEGUARDING_NOT_CONFIRMED)

    def terms(self) -> rules.Terms:
        chosen = frozenset(self.areas.data or [])
        return rules.Terms(
            areas=None if ALL_AREAS in chosen else chosen,
            may_act=self.may_act.data == MAY_ACT,
            expires_on=self.expires_on.data,
            matter=self.matter.data or None,
            check=RepresentativeCheck(self.check.data),
        )

    def safeguarding_answers(self) -> rules.Safeguarding:
        ticked = set(self.safeguarding.data or [])
        return rules.Safeguarding(
            given_freely="given-freely" in ticked,
            nobody_pressing="nobody-pressing" in ticked,
            understands_scope="understands" in ticked,
        )


class PermissionForm(HolderFields, EvidenceFields, TermsFields):
    """A permission recorded by a supervisor from written evidence. The fields show in the
    order their groups are declared above: who, the evidence, then the terms."""

    submit = SubmitField("Record permission", widget=GovSubmitInput())

    def starts(self) -> date | None:
        return self.starts_on.data


class RevokeForm(FlaskForm):
    reason = reason_field(
        "Why is the permission being revoked?",
        rules.REVOKE_REASON_MISSING,
        description="For example, 'The resident asked on the phone on 3 March'",
    )
    submit = SubmitField("Revoke permission", widget=GovSubmitInput())


class CloseMatterForm(FlaskForm):
    reason = reason_field("How was the matter closed?", rules.MATTER_NOTE_MISSING, noun="Note")
    submit = SubmitField("Close the matter", widget=GovSubmitInput())


def access_code_form(permission_id: int, **kwargs) -> RevealDetailForm:
    """The reason for revealing one permission's LPA access code; its prefix keeps it apart
    from the other permissions' on the same page."""
    return RevealDetailForm(
        prefix=f"access-code-{permission_id}", noun=HiddenDetail.LPA_ACCESS_CODE.label, **kwargs
    )


def access_code_forms(permissions) -> dict[int, RevealDetailForm]:
    """An empty reveal form for each permission shown that has an access code."""
    return {p.id: access_code_form(p.id, formdata=None) for p in permissions if p.lpa_access_code}
