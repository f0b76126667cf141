from datetime import date

import phonenumbers
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovDateInput,
    GovSelect,
)
from wtforms import (
    Field,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    Email,
    InputRequired,
    StopValidation,
    ValidationError,
)

from app import clock
from app.forms import (
    FilterForm,
    checkboxes_field,
    choices,
    filter_field,
    radio_field,
    reason_field,
    reason_form,
    submit_button,
    text_field,
)
from app.phone_numbers import InvalidPhoneNumber, is_full_uk_number, to_e164
from app.residents.forms import RevealDetailForm
from app.rules import authority_ends as authority_rules
from app.rules import permissions as rules
from app.rules.need_to_know import HiddenDetail
from app.rules.vocabulary import (
    AuthorityEndStatus,
    PermissionKind,
    Relationship,
    RepresentativeCheck,
)

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
    return phonenumbers.is_valid_number(phonenumbers.parse(e164)) or is_full_uk_number(e164)


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

    holder_name = text_field(
        "Representative's full name", rules.NAME_MISSING, max_length=200, noun="Name"
    )
    holder_relationship = SelectField(
        "Relationship to the resident",
        choices=choices(HOLDER_RELATIONSHIPS, prompt="Select a relationship"),
        widget=GovSelect(),
        validators=[InputRequired(message=rules.RELATIONSHIP_MISSING)],
    )
    holder_phone = text_field(
        "Representative's phone number",
        "Enter the representative's phone number",
        description="Used to send them a code by text, if you choose that below",
        max_length=30,
        noun="Phone number",
    )
    holder_email = text_field(
        "Representative's email address (optional)",
        optional=True,
        max_length=254,
        noun="Email address",
        also=[Email(message="Enter an email address in the correct format, like name@example.com")],
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

    kind = radio_field(
        "What is the evidence?",
        [(kind.value, kind.label) for kind in rules.WRITTEN_KINDS],
        "Select the kind of permission",
    )
    evidence_reference = text_field(
        "Evidence reference",
        rules.EVIDENCE_REFERENCE_MISSING,
        description="The document, LPA or court order number",
        max_length=200,
        noun="Evidence reference",
    )
    lpa_access_code = text_field(
        "LPA access code (optional)",
        description=(
            "Only for a Lasting Power of Attorney: the code from the Office of the Public "
            "Guardian's 'View an LPA' service, like V-ABCD-1234-EFGH"
        ),
        optional=True,
        max_length=40,
        noun="Access code",
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
    areas = checkboxes_field(
        "Which services does it cover?",
        description="Select all that apply",
        widget=ScopeCheckboxes(),
    )
    may_act = radio_field(
        "What may the representative do?",
        [
            (MAY_ACT, "Be told about the resident's services and act on their behalf"),
            (DISCLOSURE_ONLY, "Be told about the resident's services only"),
        ],
        "Select what the representative may do",
    )
    matter = text_field(
        "Is it only for one matter? (optional)",
        description=(
            "If so, describe it, for example 'council tax arrears for 2026'. The permission "
            "ends when the matter is closed."
        ),
        max_length=500,
        noun="Matter",
        field=TextAreaField,
        widget=GovCharacterCount(),
    )
    check = radio_field(
        "How will the representative prove who they are on a call?",
        [
            (
                RepresentativeCheck.PASSCODE.value,
                "A passcode, shown once on the next page for you to pass on",
            ),
            (
                RepresentativeCheck.SMS.value,
                "A code sent by text to the representative's phone when they call",
            ),
        ],
        "Select how the representative will prove who they are",
        default=RepresentativeCheck.PASSCODE.value,
    )
    safeguarding = checkboxes_field(
        "Safeguarding",
        description="Confirm each of these with the resident, or from the document.",
        pairs=SAFEGUARDING_QUESTIONS,
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

    submit = submit_button("Record permission")

    def starts(self) -> date | None:
        return self.starts_on.data


RevokeForm = reason_form(
    "Why is the permission being revoked?",
    rules.REVOKE_REASON_MISSING,
    description="For example, 'The resident asked on the phone on 3 March'",
    submit="Revoke permission",
)
CloseMatterForm = reason_form(
    "How was the matter closed?", rules.MATTER_NOTE_MISSING, noun="Note", submit="Close the matter"
)


def access_code_form(permission_id: int, **kwargs) -> RevealDetailForm:
    """The reason for revealing one permission's LPA access code; its prefix keeps it apart
    from the other permissions' on the same page."""
    return RevealDetailForm(
        prefix=f"access-code-{permission_id}", noun=HiddenDetail.LPA_ACCESS_CODE.label, **kwargs
    )


def access_code_forms(permissions) -> dict[int, RevealDetailForm]:
    """An empty reveal form for each permission shown that has an access code."""
    return {p.id: access_code_form(p.id, formdata=None) for p in permissions if p.lpa_access_code}


# A resident's request to end a legal authority: what the supervisor did, and decided.
SPOKE_ALONE, TOLD_HOLDER, TOLD_ISSUER = "spoke-alone", "told-holder", "told-issuer"


class EndRequestFilterForm(FilterForm):
    """The list's filter, read from the address: the requests waiting, unless it says."""

    status = filter_field(
        "Status",
        AuthorityEndStatus.choices(),
        prompt="Any status",
        default=AuthorityEndStatus.WAITING.value,
    )

    def chosen(self) -> AuthorityEndStatus | None:
        if not self.validate():
            return AuthorityEndStatus.WAITING
        return AuthorityEndStatus(self.status.data) if self.status.data else None


class EndDecisionForm(FlaskForm):
    """A supervisor's decision on a resident's request to end a legal authority.
    `issuing_body` names who issued it, in the checklist. Which checks ending needs is the
    service's to say (app.rules.authority_ends), next to the checklist."""

    checks = checkboxes_field(
        "What have you done?",
        description="Select all that you have done. Ending the permission needs all three.",
    )
    outcome = radio_field(
        "What have you decided?",
        [
            (AuthorityEndStatus.ENDED.value, "End the permission now: it ends at once, "
             "on calls in progress too"),
            (AuthorityEndStatus.KEPT.value, "Keep it in force"),
        ],
        authority_rules.SELECT_OUTCOME,
        only_these=True,
    )  # fmt: skip
    reason = reason_field(
        "Reason for your decision",
        authority_rules.ENTER_REASON,
        description="For example, that the resident was being pressed to ask, or that they "
        "were told how to go to the body that issued it. The resident is not shown this.",
        max_length=authority_rules.REASON_MAX_LENGTH,
    )
    submit = submit_button("Record the decision")

    def __init__(self, *args, issuing_body: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.checks.choices = choices(
            [
                (SPOKE_ALONE, "I spoke to the resident without the holder there, to check "
                 "nobody is pressing them"),
                (TOLD_HOLDER, "I told the holder"),
                (TOLD_ISSUER, f"I told {issuing_body}"),
            ]
        )  # fmt: skip

    def validate_checks(self, field) -> None:
        if not set(field.data or []) <= {SPOKE_ALONE, TOLD_HOLDER, TOLD_ISSUER}:
            raise ValidationError("Select from the list")

    def decided(self) -> tuple[AuthorityEndStatus, authority_rules.Checks, str]:
        ticked = set(self.checks.data or [])
        checks = authority_rules.Checks(
            spoke_alone=SPOKE_ALONE in ticked,
            told_holder=TOLD_HOLDER in ticked,
            told_issuer=TOLD_ISSUER in ticked,
        )
        return AuthorityEndStatus(self.outcome.data), checks, self.reason.data or ""
