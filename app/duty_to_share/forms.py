from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
)
from wtforms import (
    BooleanField,
)
from wtforms.validators import Optional, ValidationError

from app.forms import (
    FilterForm,
    checkboxes_field,
    choices,
    filter_field,
    radio_field,
    reason_field,
    submit_button,
    text_field,
)
from app.rules import duty_to_share as rules
from app.rules.duty_to_share import ShareAsk
from app.rules.vocabulary import LawfulBasis

APPROVE = "approve"
REFUSE = "refuse"


class ShareRequestForm(FlaskForm):
    """A handler's request to share without the resident's permission. `area_choices` are the
    service areas in use; the service checks the areas again."""

    basis = radio_field(
        "What is the lawful basis for sharing?",
        LawfulBasis.choices(),
        rules.SELECT_BASIS,
        only_these=True,
    )
    officer = text_field(
        "Requesting officer's details (police requests only)",
        description="Name, rank, force and collar or warrant number",
        max_length=rules.OFFICER_MAX_LENGTH,
        noun="Officer's details",
    )
    reason = reason_field(
        "Why do you need to share?",
        rules.ENTER_REASON,
        description="Say what the emergency is and why the caller needs to know. "
        "A supervisor and the resident can read this.",
        min_length=rules.REASON_MIN_LENGTH,
        max_length=rules.REASON_MAX_LENGTH,
    )
    areas = checkboxes_field(
        "Which service areas do you need to discuss?",
        description="Select all that apply. Nothing from other areas will be shown.",
    )
    urgent = BooleanField(
        "Urgent: share now, and a supervisor approves afterwards (within 24 hours)",
        widget=GovCheckboxInput(),
    )
    submit = submit_button("Ask to share")

    def __init__(self, *args, area_choices: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.areas.choices = choices(area_choices)

    def validate_officer(self, field) -> None:
        if self.basis.data == LawfulBasis.CRIME.value and not field.data:
            raise ValidationError(rules.ENTER_OFFICER)

    def validate_areas(self, field) -> None:
        chosen = set(field.data or [])
        if not chosen:
            raise ValidationError(rules.SELECT_AREAS)
        if not chosen <= {choice.value for choice in field.choices}:
            raise ValidationError(rules.AREAS_NOT_OFFERED)

    def ask(self) -> ShareAsk:
        return ShareAsk(
            basis=LawfulBasis(self.basis.data),
            reason=self.reason.data or "",
            officer=self.officer.data or "",
            areas=frozenset(self.areas.data or []),
            urgent=bool(self.urgent.data),
        )


class ShareDecisionForm(FlaskForm):
    """A supervisor's decision. `area_choices` are the areas the handler asked for: approval
    may narrow them, never widen them (the service checks again)."""

    decision = radio_field(
        "What have you decided?",
        [
            (APPROVE, "Approve: the handler may share the areas selected below"),
            (REFUSE, "Refuse: nothing is shared"),
        ],
        rules.SELECT_DECISION,
        only_these=True,
    )
    areas = checkboxes_field(
        "Which service areas do you approve?",
        description="Only when approving. You can approve fewer areas than were asked for.",
    )
    reason = reason_field(
        "Reasons for your decision",
        rules.ENTER_REFUSAL_REASON,
        description="Whether you approve or refuse: what you weighed, and why the law allows "
        "or does not allow sharing. The resident can ask to read this.",
        max_length=rules.DECISION_REASON_MAX_LENGTH,
        noun="Reasons",
    )
    submit = submit_button("Record the decision")

    def __init__(self, *args, area_choices: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.areas.choices = choices(area_choices)
        # Missing reasons are told in the decision's words (validate_reason).
        self.reason.validators = [Optional(), *self.reason.validators[1:]]

    def validate_areas(self, field) -> None:
        if self.decision.data != APPROVE:
            return
        chosen = set(field.data or [])
        if not chosen or not chosen <= {choice.value for choice in field.choices}:
            raise ValidationError(rules.SELECT_APPROVED_AREAS)

    def validate_reason(self, field) -> None:
        if self.decision.data in (APPROVE, REFUSE) and (
            missing := rules.decision_reason_problem(
                self.decision.data == APPROVE, field.data or ""
            )
        ):
            raise ValidationError(missing)

    def decided(self) -> tuple[bool, frozenset[str], str]:
        approve = self.decision.data == APPROVE
        areas = frozenset(self.areas.data or []) if approve else frozenset()
        return approve, areas, self.reason.data or ""


class WaitingFilterForm(FilterForm):
    """The list's filter, read from the address."""

    show = filter_field(
        "Show", [("overdue", "Urgent requests past 24 hours")], prompt="Every request"
    )

    def overdue_only(self) -> bool:
        return self.validate() and self.show.data == "overdue"
