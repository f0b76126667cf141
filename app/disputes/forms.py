from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange, ValidationError
from wtforms.widgets import HiddenInput

from app.forms import (
    FilterForm,
    choices,
    filter_field,
    radio_field,
    reason_field,
    submit_button,
    text_field,
)
from app.rules import disputes as rules
from app.rules.row_ids import LARGEST_ID
from app.rules.vocabulary import DisputeReason, DisputeStatus, ServiceArea

STALE_PAGE = "This page is out of date. Reload it and try again"


class QueueFilterForm(FilterForm):
    """The queue's filters, read from the address."""

    area = filter_field("Service area", ServiceArea.choices(), prompt="All service areas")
    status = filter_field("Status", DisputeStatus.choices(), prompt="Any status")

    reference = text_field(
        "Dispute reference",
        description="As the resident reads it out, for example ABCD-EFGH-JKM",
        max_length=32,
        too_long="Enter the reference as the resident gave it",
        optional=True,
    )

    def filters(self) -> tuple[str | None, DisputeStatus | None]:
        if not self.validate():
            return None, DisputeStatus.OPEN
        return self.area.data or None, DisputeStatus(self.status.data) if self.status.data else None

    def typed_reference(self) -> str | None:
        """The reference to look for, if one was typed (valid or not: a mistyped one finds
        nothing)."""
        return (self.reference.data or None) if not self.reference.errors else None


class AssignForm(FlaskForm):
    submit = submit_button("Assign to me")


class DecisionForm(FlaskForm):
    outcome = radio_field(
        "What have you decided?",
        [
            (DisputeStatus.UPHELD.value, "Upheld: the entry is incorrect or a hoax"),
            (DisputeStatus.NOT_UPHELD.value, "Not upheld: the entry stands"),
        ],
        rules.SELECT_OUTCOME,
    )
    reasons = reason_field(
        "Reasons for your decision",
        rules.ENTER_REASONS,
        description="The resident can read these. Never say who reported the entry.",
        max_length=2000,
        noun="Reasons",
    )
    # How many decisions the page showed: a decision is recorded only on the dispute as seen.
    decisions_seen = IntegerField(
        widget=HiddenInput(),
        validators=[
            InputRequired(message=STALE_PAGE),
            NumberRange(min=0, max=LARGEST_ID, message=STALE_PAGE),
        ],
    )
    submit = submit_button("Record the decision")

    def decision(self) -> tuple[DisputeStatus, str, int]:
        return DisputeStatus(self.outcome.data), self.reasons.data, self.decisions_seen.data


class CallDisputeForm(FlaskForm):
    """A dispute the resident, verified on the call, makes about an entry on their record.
    `entries` are the (id, words) of the entries they may dispute; which entry is theirs is
    checked again by the service."""

    REFUSAL_FIELD = "entry_id"

    entry_id = radio_field(
        "Which entry does the resident dispute?", [], rules.SELECT_ENTRY, validate_choice=False
    )
    reason = radio_field(
        "Why does the resident dispute it?", DisputeReason.choices(), rules.SELECT_REASON
    )
    statement = reason_field(
        "What does the resident say is wrong?",
        rules.ENTER_STATEMENT,
        max_length=2000,
        noun="Statement",
    )
    submit = submit_button("Record the dispute")

    def __init__(self, *args, entries: list[tuple[str, str]] = (), **kwargs):
        kwargs.setdefault("prefix", "dispute")  # one of several forms on the call page
        super().__init__(*args, **kwargs)
        self.entry_id.choices = choices(entries)

    def validate_entry_id(self, field) -> None:
        if not (field.data or "").isascii() or not (field.data or "").isdigit():
            raise ValidationError(rules.SELECT_ENTRY)

    def dispute(self) -> tuple[int, DisputeReason, str]:
        return int(self.entry_id.data), DisputeReason(self.reason.data), self.statement.data
